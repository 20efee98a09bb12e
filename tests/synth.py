"""Synthesised CloudFormation templates for the tests, once per county per test session.

Synthesis takes 10 s or more (Chalice packages the app): the first test that needs a county's template
synthesises it into the session's shared temporary directory under a file lock; every other test, in any xdist
worker, reads the result.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
from pathlib import Path


@contextlib.contextmanager
def synthesising_in(scratch: Path):
    """Synthesis from a scratch directory (the construct writes chalice.out/ into the cwd) that leaves the
    environment, the cwd and the imported app modules as they were (the suite keeps its own table names)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_modules = {k: v for k, v in sys.modules.items() if k == "app" or k.startswith("chalicelib")}
    os.chdir(scratch)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for name in [m for m in sys.modules if m == "app" or m.startswith("chalicelib")]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        shutil.rmtree(scratch / "chalice.out", ignore_errors=True)


def _synthesise(county: str, target: Path) -> None:
    scratch = target.with_name(target.name + ".tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    with synthesising_in(scratch):
        from infra import alarms
        from infra.cdk_app import build
        alarms.RUNBOOK.clear()
        app, _ = build(county, outdir=str(scratch / "cdk.out"))
        app.synth()
        runbook = sorted(alarms.RUNBOOK)
    template = json.loads((scratch / "cdk.out" / "dev.template.json").read_text())
    (scratch / "template.json").write_text(json.dumps(template))
    (scratch / "runbook.json").write_text(json.dumps(runbook))
    scratch.rename(target)


class Templates:
    """`get(county)`: the template as a dict, with `_path` (template.json) and `_runbook_alarms` added."""

    def __init__(self, shared_dir: Path):
        self.shared_dir = shared_dir
        self._cache: dict[str, dict] = {}
        self._expanded: dict[str, dict] = {}

    def get(self, county: str) -> dict:
        if county not in self._cache:
            target = self.shared_dir / f"synth-{county}"
            with open(self.shared_dir / f"synth-{county}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)   # one synthesis per county, whichever worker comes first
                if not (target / "template.json").exists():
                    _synthesise(county, target)
            template = json.loads((target / "template.json").read_text())
            template["_path"] = str(target / "template.json")
            template["_runbook_alarms"] = json.loads((target / "runbook.json").read_text())
            self._cache[county] = template
        return self._cache[county]

    def expanded(self, county: str) -> dict:
        """The template after SAM's transform (what CloudFormation deploys: cdk-nag skips AWS::Serverless::*)."""
        if county not in self._expanded:
            from samtranslator.translator.transform import transform
            from chalicelib.county_config import load

            class NoManagedPolicies:
                def load(self):
                    return {}

            document = {k: v for k, v in self.get(county).items() if not k.startswith("_")}
            region = load(county).spec.deployment.region
            saved = os.environ.get("AWS_DEFAULT_REGION")
            os.environ["AWS_DEFAULT_REGION"] = region      # SAM names partitions from the region
            try:
                self._expanded[county] = transform(document, {}, NoManagedPolicies())
            finally:
                if saved is None:
                    os.environ.pop("AWS_DEFAULT_REGION", None)
                else:
                    os.environ["AWS_DEFAULT_REGION"] = saved
        return self._expanded[county]

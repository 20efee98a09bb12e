"""Synthesised CloudFormation templates for the tests, by county.

Synthesis takes 10 s or more (Chalice packages the app): support/deployed.py synthesises each county once per
content of the code under a file lock and caches it; every test, in any xdist worker, reads the result.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path


@contextlib.contextmanager
def synthesising_in(scratch: Path):
    """Synthesis from a scratch directory: the Chalice construct writes chalice.out/ into the cwd. (Building a
    stack changes neither the environment nor the imported modules: test_infra.py checks it.)"""
    from support.deployed import synthesis_lock
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    saved_cwd = os.getcwd()
    with synthesis_lock():          # Chalice packages into the project's .chalice/deployments/: one at a time
        os.chdir(scratch)
        try:
            yield
        finally:
            os.chdir(saved_cwd)
            shutil.rmtree(scratch / "chalice.out", ignore_errors=True)


class Templates:
    """`get(county)`: the template as a dict, with `_path` (its file in the synthesised cdk.out) and
    `_runbook_alarms` (the alarm ids, which docs/runbook.md must explain) added. The synthesis is the one the
    calls-versus-grants check reads (support/deployed.py: once per content, shared by xdist workers)."""

    def __init__(self):
        self._cache: dict[str, dict] = {}
        self._expanded: dict[str, dict] = {}

    def get(self, county: str) -> dict:
        if county not in self._cache:
            from support.deployed import template_path
            path = template_path(county)
            template = json.loads(path.read_text())
            template["_path"] = str(path)
            template["_runbook_alarms"] = sorted(
                r["Properties"]["AlarmName"].split("-", 2)[-1] for r in template["Resources"].values()
                if r["Type"] == "AWS::CloudWatch::Alarm")
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

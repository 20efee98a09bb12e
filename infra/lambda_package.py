"""What Lambda receives: the zips `chalice package` writes, minus what the Lambda Python runtime already has.

The one rule for the deployed package (issue 9): the CDK stack deploys it (`slim_chalice`), bench/package_size.py
measures it (`slim_package_dir`), tests/integration/test_infra.py checks the synthesised asset.

Chalice has no exclude option, and PynamoDB requires botocore, so `chalice package` bundles botocore (16 MB
zipped) although every Lambda Python runtime ships boto3, botocore and their dependencies. We rewrite each zip
without them, after Chalice packaged and before its CDK construct turns the zip into an asset:

- `RUNTIME_SDK` always goes. The runtime's botocore satisfies PynamoDB 6.1's `botocore>=1.12.54` (a 2018
  release); the app's own `import boto3` has always been the runtime's (boto3 is in no requirement), and it now
  runs with the runtime's own botocore instead of the bundled one it was never paired with.
- `SDK_DEPENDENCIES` (also in the runtime, as botocore's dependencies) go only when no distribution left in the
  package requires them: jmespath stays for Powertools, for instance.

Files are removed by each distribution's RECORD, entries keep their order and timestamps (Chalice writes
1980-01-01), so the same input gives the same zip.
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

RUNTIME_SDK = ("boto3", "botocore", "s3transfer")
SDK_DEPENDENCIES = ("jmespath", "python-dateutil", "six", "urllib3")
PACKAGE_ZIPS = ("deployment.zip", "layer-deployment.zip")   # the code package and Chalice's managed layer


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _distributions(names: list[str], archive: zipfile.ZipFile) -> dict[str, dict]:
    """Each distribution in the zip: its dist-info folder, version, what it requires (extras aside), its files."""
    found = {}
    for folder in sorted({n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}):
        metadata = archive.read(f"{folder}/METADATA").decode("utf-8", "replace").split("\n\n", 1)[0]
        headers = [line.split(":", 1) for line in metadata.splitlines() if ":" in line]
        name = next(v.strip() for k, v in headers if k == "Name")
        requires = {_normalise(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", v).group(1))
                    for k, v in headers if k == "Requires-Dist" and "extra ==" not in v.replace("'", '"')}
        record = f"{folder}/RECORD"
        if record not in names:
            raise RuntimeError(f"{archive.filename}: {folder} has no RECORD, its files cannot be told apart")
        files = {line.split(",")[0] for line in archive.read(record).decode("utf-8").splitlines() if line}
        files |= {n for n in names if n.startswith(f"{folder}/")}
        found[_normalise(name)] = {"version": next(v.strip() for k, v in headers if k == "Version"),
                                   "requires": requires, "files": files}
    return found


def excluded(distributions: dict[str, dict]) -> list[str]:
    """The distributions the rule removes from a package holding `distributions`."""
    gone = {d for d in RUNTIME_SDK if d in distributions}
    changed = True
    while changed:   # six goes once python-dateutil has gone, python-dateutil once botocore has
        changed = False
        for candidate in SDK_DEPENDENCIES:
            if candidate in distributions and candidate not in gone and not any(
                    candidate in dist["requires"] for name, dist in distributions.items() if name not in gone):
                gone.add(candidate)
                changed = True
    return sorted(gone)


def slim_zip(path: str | os.PathLike) -> dict[str, tuple[str, int]]:
    """Rewrite one zip in place without the excluded distributions: {name: (version, compressed bytes removed)}."""
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        distributions = _distributions(names, archive)
        gone = excluded(distributions)
        if not gone:
            return {}
        owner = {f: d for d in gone for f in distributions[d]["files"]}
        removed = {d: (distributions[d]["version"], 0) for d in gone}
        scratch = path.with_name(path.name + ".slim")
        with zipfile.ZipFile(scratch, "w") as slim:
            for info in infos:
                if info.filename in owner:
                    version, size = removed[owner[info.filename]]
                    removed[owner[info.filename]] = (version, size + info.compress_size)
                else:
                    slim.writestr(info, archive.read(info), compress_type=info.compress_type)
    os.replace(scratch, path)
    with zipfile.ZipFile(path) as check:
        left = {n.split("/")[0] for n in check.namelist()}
    if left & set(RUNTIME_SDK):
        raise RuntimeError(f"{path}: {sorted(left & set(RUNTIME_SDK))} still inside after slimming")
    return removed


def slim_package_dir(directory: str | os.PathLike) -> dict[str, dict[str, tuple[str, int]]]:
    """Apply the rule to every zip a `chalice package` output directory holds: {zip name: what was removed}."""
    directory = Path(directory)
    zips = [directory / name for name in PACKAGE_ZIPS if (directory / name).exists()]
    if not (directory / "deployment.zip").exists():
        raise FileNotFoundError(f"{directory} holds no deployment.zip: not a `chalice package` output")
    return {z.name: slim_zip(z) for z in zips}


def slim_chalice(scope, construct_id: str, **kwargs):
    """`chalice.cdk.Chalice`, with the rule applied between packaging and asset creation (the asset copies and
    hashes the zip as it is created, so rewriting afterwards would deploy the fat one).

    It hooks Chalice's `_package_app` (chalice==1.34.0 is pinned); should a Chalice upgrade stop calling it,
    synthesis fails here instead of deploying botocore again.
    """
    from chalice.cdk import Chalice

    class SlimChalice(Chalice):
        slimmed = None

        def _package_app(self):
            super()._package_app()
            self.slimmed = slim_package_dir(self._sam_package_dir)

    construct = SlimChalice(scope, construct_id, **kwargs)
    if construct.slimmed is None:
        raise RuntimeError("chalice.cdk.Chalice no longer packages through _package_app: the deployed package "
                           "would keep botocore (infra/lambda_package.py)")
    return construct

"""What Lambda receives: the zips `chalice package` writes, minus what the Lambda Python runtime already has.

The one rule for the deployed package: the CDK stack deploys it (`slim_chalice`), bench/package_size.py
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

Then the modules an API cold start imports get their bytecode (`__pycache__/*.pyc`, unchecked-hash, PEP 552):
the Lambda file system is read-only, so without it Python compiles every module it imports on every cold start
(docs/performance.md, Cold start). Only those modules (`COLD_PATH`, found by importing them in a child
interpreter): bytecode for all 805 files would add 4 MB. The bytecode is for the interpreter that packages,
which is the one Chalice picked the runtime from (its template names it); `precompile` refuses to run under any other.

Data is added beside the code (`packaged_data_files`): the county configurations as validated, and botocore's
endpoint table narrowed to the app's services, which the app's session reads instead of the runtime's whole table
(chalicelib/adapters/aws.py).
"""
from __future__ import annotations

import importlib.util
import marshal
import os
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def _pyc(source: bytes, name: str) -> bytes | None:
    """Unchecked hash-based bytecode (PEP 552, flags 0b01): always used, never compared with the source."""
    try:
        code = compile(source, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None   # e.g. a template file named .py inside a dependency: Python would fail on it anyway
    return importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") + importlib.util.source_hash(source) \
        + marshal.dumps(code)


def taken_as_is(source_path: str | os.PathLike) -> bool:
    """Whether Python loads the module at `source_path` from its cached bytecode without compiling or checking
    anything: the .pyc `_pyc` writes (this Python's magic, unchecked hash) of that very source."""
    source = Path(source_path)
    try:
        header = Path(importlib.util.cache_from_source(str(source))).read_bytes()[:16]
    except OSError:
        return False
    return header[:8] == importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") \
        and header[8:16] == importlib.util.source_hash(source.read_bytes())


# What an API container imports before and while serving its first request (the adapters load lazily; pydantic
# imports its plugin loader when it builds the first schema, the request body's, since none is built at import).
COLD_PATH = ("app", "chalicelib.adapters.unit_of_work", "chalicelib.adapters.outbox", "chalicelib.adapters.photo_store",
             "pydantic.plugin._loader")


def cold_path_files(root: str | os.PathLike) -> set[str]:
    """The zip-relative paths of the source files a cold start imports (site-packages files by their path
    under site-packages, the project's by their path under `root`)."""
    import json
    import subprocess
    probe = ("import json, sys\n" + "".join(f"import {m}\n" for m in COLD_PATH)
             + "print(json.dumps([getattr(m, '__file__', None) for m in list(sys.modules.values())]))")
    env = {**os.environ, "STAGE": os.environ.get("STAGE", "local"), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, check=True, capture_output=True,
                         text=True).stdout
    roots = [str(Path(p).resolve()) + os.sep for p in sys.path if p and "site-packages" in p] + \
        [str(Path(root).resolve()) + os.sep]
    found = set()
    for file in filter(None, json.loads(out.splitlines()[-1])):
        resolved = str(Path(file).resolve())
        for prefix in roots:
            if resolved.startswith(prefix) and resolved.endswith(".py"):
                found.add(resolved[len(prefix):].replace(os.sep, "/"))
                break   # site-packages first: it lies inside the project (.venv)
    return found


def precompile(path: str | os.PathLike, runtime: str, only: set[str]) -> int:
    """Add `__pycache__/<module>.<tag>.pyc` for the .py files of the zip named in `only`; returns how many.
    Bytecode already in the zip for those files is replaced, not kept: `chalice package` copies the project's
    own `__pycache__` from the working tree, timestamp-checked files that never match in Lambda, so each cold
    start would compile those modules again."""
    if runtime != f"python{sys.version_info.major}.{sys.version_info.minor}":
        raise RuntimeError(f"bytecode for {runtime} cannot be made by Python {sys.version.split()[0]}")
    path = Path(path)
    scratch = path.with_name(path.name + ".pyc")
    added = 0
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(scratch, "w") as out:
        replaced = {importlib.util.cache_from_source(n) for n in archive.namelist() if n.endswith(".py") and n in only}
        for info in archive.infolist():
            if info.filename in replaced:
                continue
            data = archive.read(info)
            out.writestr(info, data, compress_type=info.compress_type)
            if not info.filename.endswith(".py") or info.filename not in only:
                continue
            target = importlib.util.cache_from_source(info.filename)
            code = _pyc(data, info.filename)
            if code is not None:
                out.writestr(zipfile.ZipInfo(target, date_time=info.date_time), code, compress_type=zipfile.ZIP_DEFLATED)
                added += 1
    os.replace(scratch, path)
    return added


def packaged_data_files(path: str | os.PathLike) -> list[str]:
    """Add, in one rewrite of the zip, the data the app reads instead of working it out on every cold start:

    - `chalicelib/counties/<name>.json` beside each county YAML: the same data, which the app reads without
      importing a YAML parser (county_config.load); written only when both validate to the same configuration.
    - `<name>.pickle`: the validated Deployment itself, which a cold start reads without building the
      configuration's schema or validating; written only when it reads back the same.
    - `chalicelib/adapters/aws_endpoints.json` beside aws.py: botocore's endpoint table for the app's services
      alone, which the app's session reads instead of the whole table (chalicelib/adapters/aws.py).

    Returns the entries added."""
    import json
    import pickle

    import botocore.loaders

    from chalicelib import county_config
    from chalicelib.adapters import aws
    module = aws.__name__.replace(".", "/")
    endpoints = f"{module.rpartition('/')[0]}/{aws.ENDPOINTS.name}"
    path = Path(path)
    scratch = path.with_name(path.name + ".data")
    added = []
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(scratch, "w") as out:
        names = set(archive.namelist())

        def add(target: str, content: bytes, beside: zipfile.ZipInfo) -> None:
            if target not in names:
                out.writestr(zipfile.ZipInfo(target, date_time=beside.date_time), content,
                             compress_type=zipfile.ZIP_DEFLATED)
                added.append(target)

        for info in archive.infolist():
            data = archive.read(info)
            out.writestr(info, data, compress_type=info.compress_type)
            if info.filename == f"{module}.py":
                table = aws.endpoints_of_services(botocore.loaders.create_loader().load_data("endpoints"))
                add(endpoints, json.dumps(table, separators=(",", ":")).encode(), info)
            if not (info.filename.startswith("chalicelib/counties/") and info.filename.endswith(".yaml")):
                continue
            stem = info.filename[: -len(".yaml")]
            raw = county_config.read_yaml(Path(county_config.COUNTIES_DIR) / Path(info.filename).name)
            validated = county_config.parse(raw)
            text = json.dumps(raw, ensure_ascii=False, default=str)
            if county_config.parse(json.loads(text)).spec.model_dump() == validated.spec.model_dump():
                add(stem + ".json", text.encode(), info)
            blob = pickle.dumps(validated, protocol=pickle.HIGHEST_PROTOCOL)
            if pickle.loads(blob).spec == validated.spec:
                add(stem + ".pickle", blob, info)
    os.replace(scratch, path)
    return added


def slim_package_dir(directory: str | os.PathLike) -> dict[str, dict[str, tuple[str, int]]]:
    """Apply the rule to every zip a `chalice package` output directory holds: {zip name: what was removed}."""
    directory = Path(directory)
    zips = [directory / name for name in PACKAGE_ZIPS if (directory / name).exists()]
    if not (directory / "deployment.zip").exists():
        raise FileNotFoundError(f"{directory} holds no deployment.zip: not a `chalice package` output")
    removed = {z.name: slim_zip(z) for z in zips}
    runtime, cold = _runtime(directory), cold_path_files(ROOT)
    for z in zips:
        precompile(z, runtime, cold)
    packaged_data_files(directory / "deployment.zip")
    return removed


def _runtime(directory: Path) -> str:
    """The Python runtime Chalice's template gives the functions."""
    import json
    template = json.loads((directory / "sam.json").read_text())
    runtimes = {r["Properties"].get("Runtime") for r in template["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function"} - {None}
    runtimes |= {template.get("Globals", {}).get("Function", {}).get("Runtime")} - {None}
    if len(runtimes) != 1:
        raise RuntimeError(f"{directory}/sam.json: expected one Python runtime, found {sorted(runtimes)}")
    return runtimes.pop()


# `chalice package` as Chalice's construct runs it, in a child interpreter: stage settings as JSON on stdin.
PACKAGE = ("import json, sys\nfrom chalice import api\n"
           "api.package_app(project_dir=sys.argv[1], output_dir=sys.argv[2], stage=sys.argv[3], "
           "chalice_config=json.load(sys.stdin))")


def package_in_child(source_dir: str, output_dir: str, stage: str, stage_config: dict, region: str) -> None:
    """`chalice package` in a child interpreter. In-process, Chalice would set the stage's variables in this
    process's environment and import `app` here, where a module imported earlier (by a test, or for another
    county) would be reused with the names it was first imported with; the child imports the app once, with the
    stage's environment, in the county's region (`chalice package` needs one, even offline)."""
    import json
    import subprocess
    answer = subprocess.run([sys.executable, "-c", PACKAGE, source_dir, output_dir, stage],
                            input=json.dumps(stage_config), env={**os.environ, "AWS_DEFAULT_REGION": region},
                            capture_output=True, text=True)
    if answer.returncode != 0:
        raise RuntimeError(f"chalice package failed:\n{answer.stdout[-2000:]}\n{answer.stderr[-3000:]}")


def slim_chalice(scope, construct_id: str, *, region: str, **kwargs):
    """`chalice.cdk.Chalice`, packaged in a child interpreter (`package_in_child`) and with the rule applied
    between packaging and asset creation (the asset copies and hashes the zip as it is created, so rewriting
    afterwards would deploy the fat one).

    It hooks Chalice's `_package_app` (chalice==1.34.0 is pinned); should a Chalice upgrade stop calling it,
    synthesis fails here instead of deploying botocore again.
    """
    from chalice.cdk import Chalice

    class SlimChalice(Chalice):
        slimmed = None

        def _package_app(self):
            package_in_child(self.source_dir, self._sam_package_dir, self.stage_name, self.stage_config, region)
            self.slimmed = slim_package_dir(self._sam_package_dir)

    construct = SlimChalice(scope, construct_id, **kwargs)
    if construct.slimmed is None:
        raise RuntimeError("chalice.cdk.Chalice no longer packages through _package_app: the deployed package "
                           "would keep botocore (infra/lambda_package.py)")
    return construct

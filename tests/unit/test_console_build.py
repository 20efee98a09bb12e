"""The console's built files in chalicelib/console_assets/ are the build of the sources beside them."""
import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
ASSETS = ROOT / "chalicelib" / "console_assets"


def source_digest() -> str:
    """The digest console/build.mjs records: build.mjs, package.json, package-lock.json and src/**, by path."""
    files = ["build.mjs", "package.json", "package-lock.json"] + \
            [p.relative_to(CONSOLE).as_posix() for p in (CONSOLE / "src").rglob("*") if p.is_file()]
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + (CONSOLE / name).read_bytes() + b"\0")
    return digest.hexdigest()


def test_the_built_files_come_from_the_sources_as_they_are_now():
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    assert manifest["sources"] == source_digest(), "console/ changed since the last build: run `make console`"


def test_the_manifest_lists_exactly_the_files_there_each_named_by_a_hash():
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    on_disk = {p.name for p in ASSETS.iterdir()} - {"manifest.json"}
    assert set(manifest["files"]) == on_disk
    assert {manifest["entry"], manifest["css"], manifest["icon"]} <= on_disk
    phone = manifest["phone"]
    assert {phone["entry"], phone["css"], phone["webmanifest"], phone["worker"]} <= on_disk
    for name, size in manifest["files"].items():
        if name == phone["worker"]:      # the service worker keeps one URL (browsers look for new versions there)
            assert name == "phone-sw.js"
        else:
            assert re.fullmatch(r"[a-z0-9_-]+\.[A-Z0-9]{8}\.(js|css|svg|webmanifest)", name), name
        assert (ASSETS / name).stat().st_size == size


def test_the_third_party_code_is_pinned_in_the_lock_file():
    package = json.loads((CONSOLE / "package.json").read_text())
    lock = json.loads((CONSOLE / "package-lock.json").read_text())
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly, not {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert lock["packages"][f"node_modules/{name}"]["integrity"].startswith("sha512-")


def test_no_built_script_writes_html_from_a_string():
    """Preact sets text and properties; only its dangerouslySetInnerHTML path (never used) touches innerHTML."""
    for name in json.loads((ASSETS / "manifest.json").read_text())["files"]:
        if name.endswith(".js") and not name.startswith("charts."):
            text = (ASSETS / name).read_text()
            assert "insertAdjacentHTML" not in text and "document.write" not in text and "eval(" not in text, name

"""The deployment package's bytecode: what a cold start imports is shipped compiled, and Python uses it."""
import importlib.util
import sys
import zipfile

from infra.lambda_package import precompile

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
SOURCE = b"ANSWER = 42\n"


def _zip(path, entries: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


def _header(pyc: bytes) -> tuple[bytes, int, bytes]:
    return pyc[:4], int.from_bytes(pyc[4:8], "little"), pyc[8:16]


def test_a_cold_path_module_gets_bytecode_python_uses_without_checking_the_source(tmp_path):
    archive = tmp_path / "deployment.zip"
    _zip(archive, {"chalicelib/answer.py": SOURCE, "chalicelib/elsewhere.py": SOURCE})
    assert precompile(archive, RUNTIME, {"chalicelib/answer.py"}) == 1
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        pyc = z.read(importlib.util.cache_from_source("chalicelib/answer.py"))
    # PEP 552: magic of this Python, flags 0b01 (hash-based, unchecked), the SipHash of the shipped source
    assert _header(pyc) == (importlib.util.MAGIC_NUMBER, 1, importlib.util.source_hash(SOURCE))
    assert importlib.util.cache_from_source("chalicelib/elsewhere.py") not in names   # off the cold path


def test_bytecode_copied_from_a_working_tree_is_replaced_not_kept(tmp_path):
    """`chalice package` ships the project's own __pycache__: timestamp-checked files (flags 0) whose recorded
    modification time never matches in Lambda, so Python would compile the module on every cold start."""
    stale_name = importlib.util.cache_from_source("chalicelib/answer.py")
    stale = importlib.util.MAGIC_NUMBER + (0).to_bytes(4, "little") + b"\x00" * 8 + b"stale"
    archive = tmp_path / "deployment.zip"
    _zip(archive, {"chalicelib/answer.py": SOURCE, stale_name: stale})
    assert precompile(archive, RUNTIME, {"chalicelib/answer.py"}) == 1
    with zipfile.ZipFile(archive) as z:
        assert [n for n in z.namelist() if n == stale_name] == [stale_name]   # one entry, not two
        assert _header(z.read(stale_name))[1:] == (1, importlib.util.source_hash(SOURCE))


def test_only_the_bytecode_written_for_the_very_source_counts_as_taken_as_is(tmp_path):
    from infra.lambda_package import taken_as_is
    archive = tmp_path / "deployment.zip"
    _zip(archive, {"chalicelib/answer.py": SOURCE, "chalicelib/elsewhere.py": SOURCE})
    precompile(archive, RUNTIME, {"chalicelib/answer.py"})
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "task")
    task = tmp_path / "task" / "chalicelib"
    assert taken_as_is(task / "answer.py")
    assert not taken_as_is(task / "elsewhere.py")                     # no bytecode at all
    (task / "answer.py").write_bytes(b"ANSWER = 43\n")                 # the source changed since
    assert not taken_as_is(task / "answer.py")

"""The repository stands alone: no file in it points outside it (a sibling checkout, a brief kept elsewhere) or to
the tracker's numbering, which a clone does not carry. What a maintainer needs is written here, in docs/."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# written out by hand: the ways a reference outside the repository has been spelled
OUTSIDE = [
    re.compile(r"\.\./shared\b"),                  # the sibling directory the project started from
    re.compile(r"\bDESIGN(\.md| §)"),              # the brief outside the repository, by name or by section
    re.compile(r"\bissues?[ -]#?\d+\b", re.IGNORECASE),   # a tracker number: "issue 9", "issues 13", "issue-9"
]


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, names.decode().split("\0")):
        path = ROOT / name
        if path.is_file() and path.suffix not in {".png", ".jpg", ".jpeg", ".zip", ".gz", ".ico", ".woff2"}:
            found.append(path)
    return found


def test_no_tracked_file_refers_outside_the_repository_or_to_an_issue_number():
    offending = []
    for path in tracked_text_files():
        if path == Path(__file__).resolve():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if any(pattern.search(line) for pattern in OUTSIDE):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert offending == []


def test_the_check_recognises_each_spelling():
    """The patterns above catch what they are meant to (and leave ordinary words alone)."""
    caught = ["see ../shared/DESIGN.md", "(DESIGN §4)", "a rule from issue 9", "Issue #12 says", "issues 13 and 14",
              "the issue-9 changes"]
    left = ["designed for counties", "the issuer's key", "an issue with the token", "DESIGNATED"]
    assert all(any(p.search(text) for p in OUTSIDE) for text in caught)
    assert not any(any(p.search(text) for p in OUTSIDE) for text in left)

"""The repository stands alone: no file in it points outside it (a sibling checkout, a brief kept elsewhere) or to
the tracker's numbering, which a clone does not carry. What a maintainer needs is written here, in docs/."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# written out by hand: the ways a reference outside the repository has been spelled
OUTSIDE = [
    re.compile(r"\.\./" + "sha" + r"red\b"),          # the sibling directory the project started from
    re.compile(r"\bDES" + r"IGN(\.md| §)"),           # the brief outside the repository, by name or by section
    re.compile(r"\bissues?[ -]#?\d+\b", re.IGNORECASE),   # a tracker number, spaced, hyphenated or with #
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
    # built from pieces, so that this file does not itself hold what it looks for
    sibling, brief, tracker = "../" + "shared", "DES" + "IGN", "iss" + "ue"
    caught = [f"see {sibling}/{brief}.md", f"({brief} §4)", f"a rule from {tracker} 9", f"{tracker.title()} #12 says",
              f"{tracker}s 13 and 14", f"the {tracker}-9 changes"]
    left = ["designed for counties", "the issuer's key", "an issue with the token", "DESIGNATED"]
    assert all(any(p.search(text) for p in OUTSIDE) for text in caught)
    assert not any(any(p.search(text) for p in OUTSIDE) for text in left)

"""`make deploy`/`make synth` run this first: a bad county file lists every problem and stops everything."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib.county_config import COUNTIES_DIR, ConfigError, load_file  # noqa: E402


def main(county: str) -> int:
    path = COUNTIES_DIR / f"{county}.yaml"
    if not path.exists():
        print(f"{path}: no such county configuration", file=sys.stderr)
        return 2
    try:
        deployment = load_file(path)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    nodes = deployment.jurisdiction.nodes
    print(f"{path}: valid ({len(nodes)} nodes, {len(deployment.jurisdiction.departments)} departments, "
          f"{len(deployment.categories)} categories)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "demo"))

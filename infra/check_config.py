"""`make check-config` (and `make deploy`/`make synth` first): a county file's every problem in one run, each with
its file and line, shape and cross-references together; exit 1. An unknown name lists the deployments that exist."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib.county_config import COUNTIES_DIR, ConfigError, known, load_file  # noqa: E402


def main(county: str) -> int:
    path = Path(os.path.relpath(COUNTIES_DIR / f"{county}.yaml"))   # as the editor opens it
    if not path.exists():
        print(f"{path}: no such county configuration. The deployments that exist: {', '.join(known()) or 'none'} "
              f"(make check-config COUNTY=<name>)", file=sys.stderr)
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

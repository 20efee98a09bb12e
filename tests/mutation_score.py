"""The scope and the score of `make mutation` (mutmut over the unit tier).

    python -m tests.mutation_score scope     # the mutant name patterns `mutmut run` takes
    python -m tests.mutation_score report    # per module: killed, survived, timeouts, score; then the survivors

The scope: the access policy, the case aggregate, deadlines and working time whole, and two rules of the case
services (the one hiding sensitive and unopenable cases from duplicate hints, and the guard that a higher center
keeps a case it took), which mutmut reaches as the two small functions that hold them.
"""
from __future__ import annotations

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

SCOPE = ["chalicelib.domain.access.*", "chalicelib.domain.case.*", "chalicelib.domain.deadline_policy.*",
         "chalicelib.domain.working_time.*", "chalicelib.services.cases.x__shown_as_duplicate__mutmut_*",
         "chalicelib.domain.actions.x_holding_level__mutmut_*"]
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 36: "timeout", 24: "timeout",
          -24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}


def results(root: Path = Path("mutants")) -> dict[str, str]:
    """Mutant name -> outcome, for the mutants in SCOPE."""
    out = {}
    for meta in root.rglob("*.py.meta"):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if any(fnmatch.fnmatch(name, pattern) for pattern in SCOPE):
                out[name] = STATUS.get(code, "suspicious")
    return out


def report() -> int:
    found = results()
    if not found:
        print("no mutation results under mutants/: run `make mutation`")
        return 1
    by_module: dict[str, Counter] = {}
    for name, outcome in found.items():
        module = name.split(".x")[0] if ".x" in name else name.rsplit(".", 1)[0]
        by_module.setdefault(module, Counter())[outcome] += 1
    total = Counter()
    print(f"{'module':<36} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} {'score':>7}")
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print(_line(module, counts))
    print(_line("all", total))
    survivors = sorted(n for n, outcome in found.items() if outcome not in ("killed", "timeout"))
    if survivors:
        print(f"\n{len(survivors)} not killed (`mutmut show <name>` shows the change):")
        print("\n".join(f"  {n}  [{found[n]}]" for n in survivors))
    return 0


def _line(module: str, counts: Counter) -> str:
    mutants = sum(counts.values())
    caught = counts["killed"] + counts["timeout"]
    return (f"{module:<36} {mutants:>7} {counts['killed']:>7} {counts['timeout']:>7} "
            f"{mutants - caught:>8} {100 * caught / mutants if mutants else 0:>6.1f}%")


if __name__ == "__main__":
    if sys.argv[1:] == ["scope"]:
        print(" ".join(SCOPE))
    else:
        sys.exit(report())

"""The pytest side of the calls-versus-grants check (support/grants.py; docs/security.md).

- `grant_check` (session): the synthesised template, loaded once per test process (synthesised once per content
  of the app and the stack, shared by xdist workers), listening to the recorder. The integration and e2e tiers
  use it for every test (their conftest.py).
- `transaction_tokens` (session): every TransactWriteItems for a token of its own (support/transactions.py).
- A call without a grant, or a transaction without its own token, fails the test that made it: each phase
  (setup, call, teardown) fails if a violation was recorded meanwhile, in this process or in a subprocess it
  watches (`watch`: the local stack of `make run`). None is dropped: one recorded after a test ended (a late
  background thread) fails the next phase that runs.
- At the end of a run, the grants no recorded request used. When every integration and e2e test ran, an unused
  grant fails the run: each grant must be needed by a call the tiers make.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from support import calls

TIERS = ("tests/integration/", "tests/e2e/")
ROOT = Path(__file__).resolve().parent.parent
_state = {"check": None, "tokens": None, "seen": 0, "seen_tokens": 0, "sinks": {},
          "ran": set(), "tier_items": set(), "deselected": 0, "external": Counter()}


class CallViolation(AssertionError):
    pass


@pytest.fixture(scope="session")
def grant_check():
    from support.deployed import Deployed, template_path
    from support.grants import GrantCheck
    if _state["check"] is None:
        path = template_path("demo")
        check = GrantCheck(Deployed.load(path))
        check.template_path = path
        calls.install().add_listener(check)
        _state["check"] = check
    return _state["check"]


@pytest.fixture(scope="session")
def transaction_tokens():
    """Every TransactWriteItems carries a token no earlier transaction used (support/transactions.py)."""
    from support.transactions import TokenCheck
    if _state["tokens"] is None:
        _state["tokens"] = TokenCheck()
        calls.install().add_listener(_state["tokens"])
    return _state["tokens"]


def watch(directory: Path) -> None:
    """Read the checks a subprocess writes to `directory` (support/boot/sitecustomize.py) after each phase."""
    _state["sinks"][str(directory)] = {}


def _read_sinks() -> list[str]:
    from support.grants import Grant
    found = []
    for directory, offsets in _state["sinks"].items():
        for path in sorted(Path(directory).glob("*.jsonl")):
            with open(path, "rb") as f:
                f.seek(offsets.get(path.name, 0))
                text = f.read()
            complete = text[: text.rfind(b"\n") + 1]          # a line still being written waits for the next read
            offsets[path.name] = offsets.get(path.name, 0) + len(complete)
            for line in complete.decode("utf-8").splitlines():
                record = json.loads(line)
                if "violation" in record:
                    found.append(f"{record['violation']}  [in {path.stem}]")
                for grant in record.get("used", []):
                    _state["external"][Grant(**grant)] += 1
                if "checked" in record:
                    _state["external"][("checked", record["checked"])] += 1
    return found


def _new_violations() -> list[str]:
    new = []
    for check, mark in ((_state["check"], "seen"), (_state["tokens"], "seen_tokens")):
        if check is not None:
            with check.lock:
                new += [str(v) for v in check.violations[_state[mark]:]]
                _state[mark] = len(check.violations)
    return new + _read_sinks()


def _phase(item):
    # a violation recorded before this phase (a late background thread of an earlier test) fails this phase:
    # none is ever dropped
    try:
        result = yield
    except BaseException as failure:
        found = _new_violations()
        if found:
            raise CallViolation(_message(item, found)) from failure
        raise
    found = _new_violations()
    if found:
        raise CallViolation(_message(item, found))
    return result


def _message(item, found: list[str]) -> str:
    lines = "\n  ".join(dict.fromkeys(found))
    return (f"{item.nodeid} made AWS calls the deployed stack does not grant (AWS would deny them), or a "
            f"transaction without a token of its own:\n  {lines}\n(the grants are in infra/stack.py; the checks "
            f"are support/grants.py and support/transactions.py)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    return (yield from _phase(item))


# -- the unused grants of a whole run ---------------------------------------------------------------------------
def _in_tiers(nodeid: str) -> bool:
    return nodeid.startswith(TIERS)


def pytest_deselected(items):
    _state["deselected"] += sum(1 for i in items if _in_tiers(i.nodeid))


def pytest_collection_modifyitems(session, config, items):
    _state["tier_items"] = {i.nodeid for i in items if _in_tiers(i.nodeid)}


def pytest_runtest_logreport(report):
    if _in_tiers(report.nodeid) and (report.when == "call" or report.skipped):
        _state["ran"].add(report.nodeid)


def _summary() -> dict:
    check = _state["check"]
    used = Counter(check.used if check else {})
    used.update(_state["external"])
    return {"grants": [vars(g) for g in check.all_grants()] if check else [],
            "used": [[vars(g), n] for g, n in used.items() if not isinstance(g, tuple)],
            "checked": dict(Counter(check.checked if check else {}) + Counter(
                {k[1]: n for k, n in _state["external"].items() if isinstance(k, tuple)})),
            "ran": sorted(_state["ran"]), "tier_items": sorted(_state["tier_items"]),
            "deselected": _state["deselected"]}


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workeroutput"):          # an xdist worker: report to the controller
        session.config.workeroutput["grants"] = json.dumps(_summary())
        return
    parts = [_summary()] + _state.get("from_workers", [])
    verdict = _judge(parts)
    session.config._grants_verdict = verdict
    if verdict and verdict["complete"] and verdict["unused"] and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {}).get("grants")
    if output:
        _state.setdefault("from_workers", []).append(json.loads(output))


def _judge(parts: list[dict]) -> dict | None:
    from support.grants import Grant
    grants = {Grant(**g) for part in parts for g in part["grants"]}
    if not grants:
        return None
    used = {Grant(**g) for part in parts for g, n in part["used"] if n}
    checked = sum((Counter(part["checked"]) for part in parts), Counter())
    tier_items = {i for part in parts for i in part["tier_items"]}
    ran = {i for part in parts for i in part["ran"]}
    tier_files = {str(p.relative_to(ROOT)) for tier in TIERS for p in (ROOT / tier).glob("test_*.py")}
    complete = (bool(tier_items) and tier_items <= ran and not any(part["deselected"] for part in parts)
                and {i.split("::")[0] for i in tier_items} == tier_files)
    return {"unused": sorted(grants - used, key=str), "checked": checked, "complete": complete}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    verdict = getattr(config, "_grants_verdict", None)
    if not verdict:
        return
    write = terminalreporter.write_line
    counts = ", ".join(f"{principal} {n}" for principal, n in sorted(verdict["checked"].items()))
    terminalreporter.section("AWS calls against the deployed grants")
    write(f"requests checked: {counts or 'none'}")
    if not verdict["complete"]:
        write(f"grants no request used: {len(verdict['unused'])} in this partial run (judged only over a whole "
              "integration and e2e run)")
        return
    write(f"grants no request used over the whole integration and e2e run: {len(verdict['unused']) or 'none'}")
    for grant in verdict["unused"]:
        write(f"  {grant}")
    if verdict["unused"]:
        write("FAILED: remove each unused grant from infra/stack.py, or make the tiers exercise the code path "
              "that needs it")


if os.environ.get("GRIDLOOP_GRANTS_REPORT"):       # a JSON copy of the verdict, for the closing note
    def pytest_unconfigure(config):
        verdict = getattr(config, "_grants_verdict", None)
        if verdict:
            Path(os.environ["GRIDLOOP_GRANTS_REPORT"]).write_text(json.dumps(
                {"complete": verdict["complete"], "checked": verdict["checked"],
                 "unused": [str(g) for g in verdict["unused"]]}, indent=1))

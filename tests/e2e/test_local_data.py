"""`make run` for real, stopped and started again on the same directory: the data stays, case numbers continue,
the seed is not applied again, an Idempotency-Key still answers its first result, and the timers of open cases
start again (a deadline that passed while the stack was stopped fires right after start). In drill mode, with the
machine's clock set to China's zone, a late case is warned and escalated by the real Step Functions timers."""
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest

from local.harness import StackProcess

DAY = 12        # seconds a working day lasts in these drills


def call(stack, user, method, path, body=None, key=None):
    headers = {"Authorization": f"Bearer {stack.tokens['tokens'][user]}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(stack.api + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


def report(stack, title, key):
    return call(stack, "gm-yks-01", "POST", "/cases", {
        "kind": "demand", "category": "road_repair", "title": title, "description": "deep",
        "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}}, key)


def when(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def wait_for(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(1)
    return predicate()


@pytest.fixture(scope="module")
def drill_stack(tmp_path_factory):
    """In drill mode, on a machine whose clock is set to Beijing time (moto's Wait compares with the local clock)."""
    stack = StackProcess(tmp_path_factory.mktemp("kept"), DRILL="1", DRILL_DAY_SECONDS=str(DAY),
                         TZ="Asia/Shanghai").start()
    yield stack
    stack.kill()


def test_a_restart_keeps_the_data_continues_the_numbers_and_fires_what_fell_due_meanwhile(drill_stack):
    stack = drill_stack
    status, first = report(stack, "Pothole by the school", key="restart-first-report")
    assert status == 201
    households = call(stack, "gm-yks-01", "GET", "/households?grid=BZ.RQ.TGLK.YKS.G01")[1]["items"]
    stock = call(stack, "clerk-yks", "GET", "/supermarkets/yks-market/stock")[1]
    _, waiting = report(stack, "Fallen tree on the lane", key="restart-second-report")   # left for triage
    triage_due = when(waiting["deadlines"]["triage_due"])
    stopped_in = stack.stop()

    remaining = (triage_due - datetime.now(timezone.utc)).total_seconds()
    time.sleep(max(0.0, remaining) + 2)           # the triage deadline falls while nobody runs
    restarted = datetime.now(timezone.utc).replace(microsecond=0)
    assert restarted > triage_due
    stack.start()

    assert call(stack, "gm-yks-01", "GET", f"/cases/{first['id']}")[1]["title"] == "Pothole by the school"
    replayed = report(stack, "Pothole by the school", key="restart-first-report")[1]
    assert replayed["id"] == first["id"] and replayed["number"] == first["number"]
    _, third = report(stack, "Broken culvert", key="restart-third-report")
    prefix, year, n = first["number"].rsplit("-", 2)
    assert third["number"] == f"{prefix}-{year}-{int(n) + 2:06d}"
    assert call(stack, "gm-yks-01", "GET", "/households?grid=BZ.RQ.TGLK.YKS.G01")[1]["items"] == households
    assert call(stack, "clerk-yks", "GET", "/supermarkets/yks-market/stock")[1] == stock   # no second opening stock

    def escalated():
        timeline = call(stack, "gm-yks-01", "GET", f"/cases/{waiting['id']}/timeline")[1]["items"]
        return [e for e in timeline if e["action"] == "deadline_breach" and e["data"].get("to_center")]
    breaches = wait_for(escalated, timeout=60)
    assert breaches, "the triage deadline that fell while stopped did not fire after start"
    assert breaches[0]["data"]["from_center"] == "BZ.RQ.TGLK.YKS"      # the village station -> the township
    assert when(breaches[0]["at"]) >= restarted           # handled by the restarted stack, not before the stop
    assert stopped_in < 15


def test_a_drill_warns_and_escalates_a_late_case_from_the_county_to_the_prefecture(drill_stack):
    from local import demo
    lines = []
    timeline = demo.play_late(demo.Api(drill_stack.api, drill_stack.tokens["tokens"]),
                              working_day_seconds=DAY, out=lines.append)
    dispatched = next(e for e in timeline if e["action"] == "dispatch")
    warning = next(e for e in timeline if e["action"] == "deadline_warning")
    breach = next(e for e in timeline if e["action"] == "deadline_breach")
    assert warning["data"]["department"] == "rq-water" and warning["data"]["stage"] == "report_in"
    assert (breach["data"]["from_center"], breach["data"]["to_center"], breach["data"]["level"]) == (
        "BZ.RQ", "BZ", "prefecture")
    # 75% and 100% of a 12 s day after the dispatch (moto's Wait rounds down to whole seconds: 1 s early at most)
    since = (when(warning["at"]) - when(dispatched["at"])).total_seconds()
    assert 9 - 1 <= since < 9 + 8, since
    assert (when(breach["at"]) - when(dispatched["at"])).total_seconds() >= 12 - 1
    assert any("escalated BZ.RQ -> BZ (prefecture)" in line for line in lines)


def test_a_taken_port_is_named_before_anything_is_printed_or_written(tmp_path):
    import socket
    import subprocess
    import sys
    from local.harness import ROOT
    from local.moto_server import free_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        stack = StackProcess(tmp_path, api_port=taken, aws_port=free_port())
        answer = subprocess.run([sys.executable, "-m", "local.run"], cwd=ROOT, env=stack.environment(),
                                capture_output=True, text=True, timeout=60)
    assert answer.returncode != 0
    assert f"Port {taken} (API_PORT) is already in use" in answer.stderr
    assert "make run API_PORT=" in answer.stderr and "running" not in answer.stdout
    assert not (tmp_path / "tokens.json").exists() and not (tmp_path / "stack.json").exists()


def test_make_demo_says_so_in_one_line_when_the_stack_is_down(tmp_path):
    import subprocess
    import sys
    from local.moto_server import free_port
    closed = free_port()
    (tmp_path / "stack.json").write_text(json.dumps({"pid": 1, "api": f"http://127.0.0.1:{closed}", "county": "demo"}))
    (tmp_path / "tokens.json").write_text(json.dumps({"tokens": {"gm-yks-01": "x"}}))   # left by a killed stack
    from local.harness import ROOT
    answer = subprocess.run([sys.executable, "-m", "local.demo"], cwd=ROOT, env=StackProcess(tmp_path).environment(),
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 1
    assert "Traceback" not in answer.stderr
    assert len(answer.stderr.strip().splitlines()) == 1 and "make run" in answer.stderr


def test_make_run_loads_another_county_with_people_generated_for_its_places(tmp_path):
    stack = StackProcess(tmp_path, COUNTY="yuli").start()
    try:
        status, case = call(stack, "gm-bz-yl-ylz-dys-g01", "POST", "/cases", {
            "kind": "demand", "category": "road_repair", "title": "Pothole", "description": "deep",
            "grid": "BZ.YL.YLZ.DYS.G01", "location": {"lat": 41.335, "lon": 86.255}}, key="yuli-first")
        assert status == 201 and case["number"].startswith("YL-")
        assert "Gridloop (yuli) is running" in stack.log.read_text()
    finally:
        stack.stop()
    assert "gm-bz-yl-ylz-dys-g01" in (tmp_path / "data" / "yuli" / "journal.jsonl").read_text()   # its own data

"""`make run` for real: the local stack as a subprocess, the demo over HTTP, Ctrl-C leaves nothing behind."""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest


def test_make_run_serves_and_a_grid_member_token_creates_a_case(local_stack):
    tokens = json.loads((local_stack["state"] / "tokens.json").read_text())["tokens"]
    body = {"kind": "demand", "category": "road_repair", "title": "pothole by the school",
            "description": "deep pothole", "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}}
    request = urllib.request.Request(local_stack["api"] + "/cases", method="POST", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {tokens['gm-yks-01']}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
        assert json.loads(response.read())["number"].startswith("RQ-")


def test_the_demo_drives_the_irrigation_case_to_closed(local_stack):
    from local import demo
    state = json.loads((local_stack["state"] / "tokens.json").read_text())
    timeline = demo.play(demo.Api(state["api"], state["tokens"]))
    assert [e["action"] for e in timeline] == ["report", "accept", "dispatch", "acknowledge", "acknowledge",
                                               "resolve", "evaluate"]
    assert timeline[-1]["to_status"] == "closed"


def test_the_worker_process_handles_the_notification_of_a_dispatch(local_stack):
    """The worker runs as a process of its own beside the API: a dispatch's notification reaches it."""
    from local import demo
    log = local_stack["state"] / "stack.log"

    def handled():
        return [line for line in log.read_text().splitlines()
                if '"message":"notification"' in line and "rq-agri" in line]

    before = len(handled())
    state = json.loads((local_stack["state"] / "tokens.json").read_text())
    demo.play(demo.Api(state["api"], state["tokens"]))   # dispatches to the Agriculture and Rural Bureau
    deadline = time.time() + 30
    while len(handled()) == before and time.time() < deadline:
        time.sleep(0.5)
    assert len(handled()) > before


def test_each_notification_is_logged_once_and_no_aws_client_chatter(local_stack):
    """One line per handled notification (not a plain line beside the JSON one); no botocore credential lines."""
    from local import demo
    state = json.loads((local_stack["state"] / "tokens.json").read_text())
    demo.play(demo.Api(state["api"], state["tokens"]))
    log = local_stack["state"] / "stack.log"

    def notification_lines():
        return [line for line in log.read_text().splitlines() if line.endswith("notification")
                or '"message":"notification"' in line]
    deadline = time.time() + 30
    while not notification_lines() and time.time() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    lines = notification_lines()
    effects = [json.loads(line)["effect_id"] for line in lines if line.startswith("{")]
    assert lines and len(lines) == len(effects) == len(set(effects))
    assert "Found credentials" not in log.read_text()


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_third_party_open311_client_reads_services_definitions_and_requests(local_stack, output_format):
    """The `georeport` package from PyPI, unchanged, against the running local server."""
    from urllib.parse import urlencode
    from georeport import GeoReport
    tokens = json.loads((local_stack["state"] / "tokens.json").read_text())["tokens"]
    issue = urllib.request.Request(local_stack["api"] + "/admin/open311-keys", method="POST",
                                   data=json.dumps({"name": "georeport"}).encode(),
                                   headers={"Authorization": f"Bearer {tokens['admin-bz']}",
                                            "Content-Type": "application/json"})
    key = json.loads(urllib.request.urlopen(issue).read())["api_key"]
    form = urlencode({"api_key": key, "service_code": "road_repair", "lat": "40.605", "long": "87.685",
                      "description": "pothole"}).encode()
    posted = urllib.request.urlopen(urllib.request.Request(
        local_stack["api"] + "/open311/v2/requests.json", data=form, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"}))
    request_id = json.loads(posted.read())[0]["service_request_id"]
    client = GeoReport(local_stack["api"] + "/open311/v2", output_format=output_format)
    services = client.get_service_list()
    assert "road_repair" in [s["service_code"] for s in services]
    definition = client.get_service_definition("road_repair")
    assert definition["service_code"] == "road_repair"
    listed = client.get_service_requests()
    listed = listed if isinstance(listed, list) else [listed]   # xmltodict gives a dict for a single item
    assert request_id in [r["service_request_id"] for r in listed]
    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id and one["status"] == "open"


def test_make_run_answers_an_unknown_route_like_api_gateway_without_echoing_the_token(local_stack):
    tokens = json.loads((local_stack["state"] / "tokens.json").read_text())["tokens"]
    request = urllib.request.Request(local_stack["api"] + "/no/such/route",
                                     headers={"Authorization": f"Bearer {tokens['gm-yks-01']}"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request)
    body = answer.value.read()
    assert answer.value.code == 404 and json.loads(body)["error"]["code"] == "not_found"
    assert tokens["gm-yks-01"].encode() not in body


def test_ctrl_c_stops_everything_and_frees_the_ports(local_stack):
    process = local_stack["process"]
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends: the whole foreground group
    assert process.wait(timeout=30) == 0
    assert "stopped" in (local_stack["state"] / "stack.log").read_text()
    alive = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert alive == []
    import socket
    for port in local_stack["ports"]:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine; a listener is not
            s.bind(("127.0.0.1", port))
            s.listen()

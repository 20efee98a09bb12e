"""`make run` for real: the local stack as a subprocess, the demo over HTTP, Ctrl-C leaves nothing behind."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from local.moto_server import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    state = tmp_path_factory.mktemp("state")
    api_port, aws_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTH_", "TABLE_", "MOTO_"))}
    env.update({"API_PORT": str(api_port), "AWS_PORT": str(aws_port), "GRIDLOOP_STATE_DIR": str(state)})
    process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 90
    while not (state / "tokens.json").exists():
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            pytest.fail(f"the local stack did not start:\n{process.stdout.read()}")
        time.sleep(0.2)
    yield {"process": process, "state": state, "api": f"http://127.0.0.1:{api_port}", "ports": (api_port, aws_port)}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


def test_make_run_serves_and_a_grid_member_token_creates_a_case(stack):
    tokens = json.loads((stack["state"] / "tokens.json").read_text())["tokens"]
    body = {"kind": "demand", "category": "road_repair", "title": "pothole by the school",
            "description": "deep pothole", "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.6, "lon": 87.7}}
    request = urllib.request.Request(stack["api"] + "/cases", method="POST", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {tokens['gm-yks-01']}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
        assert json.loads(response.read())["number"].startswith("RQ-")


def test_the_demo_drives_the_irrigation_case_to_closed(stack):
    from local import demo
    state = json.loads((stack["state"] / "tokens.json").read_text())
    timeline = demo.play(demo.Api(state["api"], state["tokens"]))
    assert [e["action"] for e in timeline] == ["report", "accept", "dispatch", "acknowledge", "acknowledge",
                                               "resolve", "evaluate"]
    assert timeline[-1]["to_status"] == "closed"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_third_party_open311_client_reads_services_definitions_and_requests(stack, output_format):
    """The `georeport` package from PyPI, unchanged, against the running local server."""
    from urllib.parse import urlencode
    from georeport import GeoReport
    tokens = json.loads((stack["state"] / "tokens.json").read_text())["tokens"]
    issue = urllib.request.Request(stack["api"] + "/admin/open311-keys", method="POST",
                                   data=json.dumps({"name": "georeport"}).encode(),
                                   headers={"Authorization": f"Bearer {tokens['admin-bz']}",
                                            "Content-Type": "application/json"})
    key = json.loads(urllib.request.urlopen(issue).read())["api_key"]
    form = urlencode({"api_key": key, "service_code": "road_repair", "lat": "40.605", "long": "87.685",
                      "description": "pothole"}).encode()
    posted = urllib.request.urlopen(urllib.request.Request(
        stack["api"] + "/open311/v2/requests.json", data=form, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"}))
    request_id = json.loads(posted.read())[0]["service_request_id"]
    client = GeoReport(stack["api"] + "/open311/v2", output_format=output_format)
    services = client.get_service_list()
    assert "road_repair" in [s["service_code"] for s in services]
    definition = client.get_service_definition("road_repair")
    assert definition["service_code"] == "road_repair"
    listed = client.get_service_requests()
    listed = listed if isinstance(listed, list) else [listed]   # xmltodict gives a dict for a single item
    assert request_id in [r["service_request_id"] for r in listed]
    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id and one["status"] == "open"


def test_ctrl_c_stops_everything_and_frees_the_ports(stack):
    process = stack["process"]
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends: the whole foreground group
    assert process.wait(timeout=30) == 0
    assert "stopped" in process.stdout.read()
    alive = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert alive == []
    import socket
    for port in stack["ports"]:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine; a listener is not
            s.bind(("127.0.0.1", port))
            s.listen()

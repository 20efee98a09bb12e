"""Cold start and warm overhead of the API handler, with in-memory adapters (no AWS at all).

Cold start (figure 3): the median wall time of a fresh interpreter that imports the Lambda handler module
(`app`) and serves its first request, against a fresh interpreter importing boto3 alone, alternated in the
same run. Target: ratio <= 1.5. The app is imported from the package as deployed (`chalice package` and the
stack's rule, infra/lambda_package.py, extracted): that is what Lambda runs, bytecode included, while the source
tree here has none (PYTHONDONTWRITEBYTECODE is set on this machine) and would be compiled on every run.
Warm overhead (figure 6): the application's own time per request on a warm container (routing, token
verification, authorisation, validation, the service over in-memory adapters, serialisation), called the way
Lambda calls it: `app.app(event, context)`. Target: median <= 2 ms.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":   # `python bench/request_overhead.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support.local_aws import app_environment

ROOT = Path(__file__).resolve().parent.parent
RUNS = 31
GRID_MEMBER = {"user_id": "gm-yks-01", "role": "grid_member", "grid": "BZ.RQ.TGLK.YKS.G01", "name": "grid member"}
STATION = {"user_id": "station-yks", "role": "station", "node": "BZ.RQ.TGLK.YKS"}
REPORT = {"kind": "demand", "category": "irrigation", "title": "72 mu without irrigation",
          "description": "the channel is missing", "grid": "BZ.RQ.TGLK.YKS.G01",
          "location": {"lat": 40.605, "lon": 87.685}}


def event(method: str, resource: str, path: str, token: str, body: dict | None = None, params=None) -> dict:
    """An API Gateway REST proxy event, as Lambda receives it."""
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json", "host": "api.invalid"}
    return {"resource": resource, "path": path, "httpMethod": method, "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": params, "stageVariables": None,
            "requestContext": {"resourcePath": resource, "httpMethod": method, "stage": "api", "path": path,
                               "requestId": "bench", "identity": {"sourceIp": "127.0.0.1"}},
            "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False}


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "api_handler", "512", "bench"

    @staticmethod
    def get_remaining_time_in_millis():
        return 30000


def in_memory_adapters():
    """The runtime's adapters replaced by the tests' in-memory fakes (support/fakes.py): no AWS client is made."""
    from chalicelib import runtime
    from support.fakes import FakeUnitOfWork, Store
    store = Store()
    runtime.new_uow = lambda: FakeUnitOfWork(store)
    return store


# The child imports nothing of the benchmark's own (its modules would be compiled and timed with the app):
# the event comes ready-made, the fake unit of work is the tests' (support/fakes.py).
CHILD = """
import json, os
import app
from chalicelib import runtime
from support.fakes import FakeUnitOfWork, Store
store = Store()
runtime.new_uow = lambda: FakeUnitOfWork(store)
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "api_handler", "512", "bench"
    def get_remaining_time_in_millis(self):
        return 30000
answer = app.app(json.loads(os.environ["BENCH_EVENT"]), Context())
assert answer["statusCode"] == 201, answer
"""


def deployed_package() -> Path:
    """`chalice package`, the stack's rule applied, deployment.zip extracted: the files Lambda imports."""
    import zipfile

    from infra.lambda_package import slim_package_dir
    out = Path(tempfile.mkdtemp(prefix="gridloop-cold-"))
    subprocess.run([str(Path(sys.executable).parent / "chalice"), "package", "--stage", "dev", str(out / "sam")],
                   cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-northwest-1")})
    slim_package_dir(out / "sam")
    with zipfile.ZipFile(out / "sam" / "deployment.zip") as z:
        z.extractall(out / "task")
    return out / "task"


def cold_start(env: dict, task: Path) -> tuple[float, float]:
    """The app from the deployed files first on the path (the bench's own helpers after them), with the
    environment the stack gives every function."""
    from chalicelib import resources
    env = {**env, **resources.LAMBDA_STATIC_ENVIRONMENT, "PYTHONPATH": f"{task}{os.pathsep}{ROOT}"}
    app_times, boto_times = [], []
    for _ in range(RUNS):
        for target, times in ((CHILD, app_times), ("import boto3", boto_times)):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", target], env=env, check=True, cwd=task)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(app_times), statistics.median(boto_times)


def warm_overhead(env_for_app: dict) -> dict[str, float]:
    import app
    from local.issuer import LocalIssuer
    in_memory_adapters()
    issuer = LocalIssuer(Path(env_for_app["BENCH_KEYS"])).ensure_keys()
    gm, station = issuer.token(GRID_MEMBER), issuer.token(STATION)
    created = json.loads(app.app(event("POST", "/cases", "/cases", gm, REPORT), Context())["body"])
    case_path = {"case_id": created["id"]}
    requests = {
        "POST /cases": lambda: event("POST", "/cases", "/cases", gm, REPORT),
        "GET /cases/{case_id}": lambda: event("GET", "/cases/{case_id}", f"/cases/{created['id']}", gm,
                                              params=case_path),
        "GET /cases/{case_id} (station)": lambda: event("GET", "/cases/{case_id}", f"/cases/{created['id']}",
                                                        station, params=case_path),
        "GET /health (no token)": lambda: event("GET", "/health", "/health", ""),
    }
    results = {}
    for name, make in requests.items():
        times = []
        for _ in range(300):
            e = make()
            t = time.perf_counter()
            answer = app.app(e, Context())
            times.append((time.perf_counter() - t) * 1000)
            assert answer["statusCode"] < 300, (name, answer)
        results[name] = statistics.median(times)
    return results


def main() -> int:
    from local.issuer import LocalIssuer
    keys = Path(tempfile.mkdtemp(prefix="gridloop-bench-keys-"))
    issuer = LocalIssuer(keys).ensure_keys()
    env = {**os.environ, **app_environment(prefix="gridloop-bench-", issuer=issuer),
           "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
           "BENCH_EVENT": json.dumps(event("POST", "/cases", "/cases", issuer.token(GRID_MEMBER), REPORT)),
           "BENCH_KEYS": str(keys)}
    os.environ.update(env)   # before any of the app's modules is imported: they read it at import
    app_ms, boto_ms = cold_start(env, deployed_package())
    ratio = app_ms / boto_ms
    print(f"cold start, median of {RUNS} alternated fresh interpreters:")
    print(f"  import app + first request (POST /cases, in-memory adapters), deployed package: {app_ms:5.0f} ms")
    print(f"  import boto3 alone:                                                             {boto_ms:5.0f} ms")
    print(f"  ratio {ratio:.2f} (target <= 1.5) {'met' if ratio <= 1.5 else 'MISSED'}")
    warm = warm_overhead(env)
    print("\nwarm overhead, median of 300 requests each through app.app(event, context):")
    for name, ms in warm.items():
        print(f"  {name:<34} {ms:6.2f} ms")
    overall = statistics.median(warm.values())
    print(f"  median over the requests {overall:.2f} ms (target <= 2 ms) {'met' if overall <= 2 else 'MISSED'}")
    return 0 if ratio <= 1.5 and overall <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())

"""`make run` on free ports in a process group of its own, and Debian's Chromium: shared by the browser tier
(tests/browser/conftest.py) and the console benchmark (bench/console_load.py)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from local.moto_server import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GRIDLOOP_CHROMIUM", "/usr/bin/chromium")
# without the background-networking flags Chromium keeps calling Google's hosts, which this machine refuses
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


class LocalStack:
    def __init__(self, state: Path, extra_env: dict | None = None):
        self.state, self.api_port, self.aws_port = Path(state), free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTH_", "TABLE_", "MOTO_"))}
        env.update({"API_PORT": str(self.api_port), "AWS_PORT": str(self.aws_port), "GRIDLOOP_STATE_DIR": str(state),
                    **(extra_env or {})})
        self.log = open(self.state / "stack.log", "w")
        self.process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def aws_url(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    def wait(self, seconds: float = 120) -> dict:
        """The tokens and people `make run` writes once the API answers; RuntimeError with the log otherwise."""
        deadline = time.time() + seconds
        while not (self.state / "tokens.json").exists():
            if self.process.poll() is not None or time.time() > deadline:
                self.stop(kill=True)
                raise RuntimeError(f"the local stack did not start:\n{(self.state / 'stack.log').read_text()}")
            time.sleep(0.2)
        return json.loads((self.state / "tokens.json").read_text())

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

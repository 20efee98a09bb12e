"""`make run` as a child process, for the soak benchmark and the end-to-end tests: its own state directory and
ports, started and stopped (with Ctrl-C's signal) as often as needed; a restart keeps the directory and ports."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class StackProcess:
    def __init__(self, state: Path, api_port: int | None = None, aws_port: int | None = None, **settings: str):
        from local.moto_server import free_port
        self.state = Path(state)
        self.api_port, self.aws_port = api_port or free_port(), aws_port or free_port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.aws = f"http://127.0.0.1:{self.aws_port}"
        self.settings = settings            # e.g. COUNTY="yuli", DRILL="1", DRILL_DAY_SECONDS="10", TZ=...
        self.log = self.state / "stack.log"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "AUTH_", "TABLE_", "MOTO_", "COUNTY", "DRILL", "STAGE"))}
        env.update({"API_PORT": str(self.api_port), "AWS_PORT": str(self.aws_port),
                    "GRIDLOOP_STATE_DIR": str(self.state), **self.settings})
        return env

    def start(self, timeout: float = 180) -> "StackProcess":
        self.state.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:   # a file, not a pipe: a full pipe would block the server
            self.process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=self.environment(),
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        while not self.running():
            if self.process.poll() is not None or time.time() > deadline:
                self.kill()
                raise RuntimeError(f"the local stack did not start:\n{self.log.read_text()[-5000:]}")
            time.sleep(0.2)
        return self

    def running(self) -> bool:
        """Up and announced: the stack file it wrote names this process."""
        try:
            return json.loads((self.state / "stack.json").read_text())["pid"] == self.process.pid
        except (OSError, ValueError, KeyError):
            return False

    @property
    def tokens(self) -> dict:
        return json.loads((self.state / "tokens.json").read_text())

    def stop(self, timeout: float = 30) -> float:
        """Ctrl-C's signal to the whole group; returns the seconds it took to stop."""
        if not self.process or self.process.poll() is not None:
            return 0.0
        began = time.perf_counter()
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        return time.perf_counter() - began

    def kill(self) -> None:
        """A hard kill of every process of the stack (SIGKILL: nothing can clean up)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def memory_mb(self) -> float | None:
        """Resident memory of every process of the stack's session (Linux /proc), in MB."""
        if not self.process or self.process.poll() is not None:
            return None
        total = 0
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = status.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.process.pid:   # the session id (field 6 of stat)
                    total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")   # rss in pages (field 24)
            except (OSError, IndexError, ValueError):
                continue
        return total / 2**20

"""Debian's Chromium as the browser tier (tests/browser/conftest.py) and the console benchmark
(bench/console_load.py) launch it; `make run` itself comes from local/harness.py."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GRIDLOOP_CHROMIUM", "/usr/bin/chromium")
# without the background-networking flags Chromium keeps calling Google's hosts, which this machine refuses
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

"""Drill mode (`make run DRILL=1`): deadlines in compressed time, so a warning and an escalation happen within
minutes on the real Step Functions timers. One working day lasts DRILL_DAY_SECONDS (default 60) seconds; every
duration shrinks by the same factor (chalicelib/domain/drill_time.py).

`make run` passes the setting to its processes in GRIDLOOP_DRILL_DAY_SECONDS; each of them (the embedded AWS's
re-arming of timers, the API, the worker) switches the drill on at start. The cloud has no such switch.
"""
from __future__ import annotations

import os
from datetime import timedelta

VARIABLE = "GRIDLOOP_DRILL_DAY_SECONDS"
DEFAULT_DAY_SECONDS = 60


def day_seconds_from_make() -> float | None:
    """From `make run DRILL=1 [DRILL_DAY_SECONDS=n]`: the seconds a working day lasts, or None (no drill)."""
    if os.environ.get("DRILL", "").strip().lower() in ("", "0", "no", "false", "off"):
        return None
    seconds = float(os.environ.get("DRILL_DAY_SECONDS") or DEFAULT_DAY_SECONDS)
    if seconds <= 0:
        raise SystemExit("DRILL_DAY_SECONDS must be a positive number of seconds")
    return seconds


def switch_on_from_environment() -> float | None:
    """In each process of the stack: start the drill if `make run` asked for one; returns its day in seconds."""
    seconds = os.environ.get(VARIABLE)
    if not seconds:
        return None
    from chalicelib.domain import workdays
    workdays.run_as_drill(timedelta(seconds=float(seconds)))
    return float(seconds)

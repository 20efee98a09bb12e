"""The app's Lambda functions: their names, and which of them is running this code.

The names are the one spelling of the functions: app.py registers the workers under them (the API function is
always Chalice's `api_handler`); the CDK stack gives each its name, role, grants and alarms by them.

`FUNCTION` is set by each entrypoint for the length of its invocation: the API's first middleware (every route),
the work queue's worker (`workers.work_batch`) and the outbox relay (`workers.relay`). The tests read it to check
every AWS call against the grants of the function that made it (support/grants.py; docs/security.md); nothing
else depends on it. Threads started through `concurrent.futures` do not inherit it by themselves: the tests'
recorder carries it over.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from chalicelib import cold_start

API_HANDLER, WORK_WORKER, OUTBOX_RELAY = "api_handler", "work_worker", "outbox_relay"
FUNCTIONS = (API_HANDLER, WORK_WORKER, OUTBOX_RELAY)
FUNCTION: ContextVar[str | None] = ContextVar("gridloop_function", default=None)


@contextmanager
def running_as(function: str):
    token = FUNCTION.set(function)
    try:
        yield
    finally:
        FUNCTION.reset(token)
        cold_start.end()

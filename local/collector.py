"""Short garbage-collector pauses for the long-running processes of `make run`.

CPython's full collection walks every container object the process holds, with the GIL held: the moto server's
tables, botocore's endpoint and service data (several hundred thousand objects in each process at start), and
everything the stack has stored since. Its pauses grew with the data to over a second, and every request in the
process waited. Here each full collection is followed by `gc.freeze()`: what survived it (long-lived by then)
leaves the generations, so the next full collection walks only what was allocated since. Frozen objects are still
freed by reference counting when they are dropped; only a reference cycle formed among them would stay.
"""
from __future__ import annotations

import gc


def _freeze_after_full_collection(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def keep_pauses_short() -> None:
    """Freeze what is alive now (after start-up) and after every full collection; idempotent."""
    gc.collect()
    gc.freeze()
    if _freeze_after_full_collection not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full_collection)

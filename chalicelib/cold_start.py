"""No cyclic garbage collection while a Lambda container starts.

Importing the app and serving its first invocation build about 130,000 objects that live as long as the container
(modules, pydantic's validators, botocore's service and endpoint data), and CPython's collector walked them again
and again while they were being made: about an eighth of a cold start's CPU (bench/request_overhead.py). In
Lambda, collection is off from the first import until the first invocation ends (`entrypoints.running_as`); then
what is alive is frozen -- moved out of the collector's generations, so later collections walk only what was made
since, which also shortens the warm path's pauses -- and collection is on again. A full collection after a first
POST /cases finds about 760 unreachable objects: they stay, frozen; reference counting frees everything else as
usual. Outside Lambda (tests, `make run`) nothing changes.
"""
import gc
import os

IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME"   # set by the Lambda runtime in every function's environment
_starting = False


def begin() -> None:
    """The first thing the app's module does."""
    global _starting
    if os.environ.get(IN_LAMBDA) and gc.isenabled():
        gc.disable()
        _starting = True


def end() -> None:
    """After each invocation; only the first one after begin() does anything."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()

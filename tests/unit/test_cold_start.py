"""Garbage collection during a Lambda container's start: off from the app's first import until the first
invocation ends, then what is alive frozen and collection on again; outside Lambda untouched."""
import gc

import pytest

from chalicelib import cold_start, entrypoints


@pytest.fixture
def collector():
    """The collector as the test found it, put back afterwards (pytest's own process keeps collecting)."""
    was_enabled = gc.isenabled()
    yield
    cold_start._starting = False
    gc.unfreeze()
    (gc.enable if was_enabled else gc.disable)()


def test_in_lambda_collection_is_off_until_the_first_invocation_ends_then_the_survivors_are_frozen(collector,
                                                                                                   monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "api_handler")
    gc.unfreeze()
    cold_start.begin()
    assert not gc.isenabled()
    with entrypoints.running_as(entrypoints.API_HANDLER):
        assert not gc.isenabled()                       # the first invocation still builds its clients
    assert gc.isenabled() and gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()
    with entrypoints.running_as(entrypoints.API_HANDLER):
        pass
    assert gc.isenabled() and gc.get_freeze_count() <= frozen   # not frozen again (some frozen ones were freed)


def test_a_first_invocation_that_fails_still_turns_collection_back_on(collector, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "work_worker")
    cold_start.begin()
    with pytest.raises(RuntimeError):
        with entrypoints.running_as(entrypoints.WORK_WORKER):
            raise RuntimeError("the batch failed")
    assert gc.isenabled()


def test_outside_lambda_nothing_changes(collector, monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    gc.unfreeze()
    cold_start.begin()
    assert gc.isenabled()
    with entrypoints.running_as(entrypoints.API_HANDLER):
        pass
    assert gc.get_freeze_count() == 0

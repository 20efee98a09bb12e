import pytest

from tests.aws import aws, stack, tables  # noqa: F401


@pytest.fixture(scope="session")
def templates(tmp_path_factory, worker_id):
    """Synthesised templates by county, once per session (tests/synth.py). Under xdist the workers' base
    temporary directories share one parent: the first worker to need a county synthesises it for all."""
    from tests.synth import Templates
    base = tmp_path_factory.getbasetemp()
    return Templates(base if worker_id == "master" else base.parent)

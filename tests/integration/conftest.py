import pytest

from tests.aws import aws, stack, tables  # noqa: F401


@pytest.fixture(scope="session")
def templates():
    """Synthesised templates by county (tests/synth.py), cached by content across xdist workers."""
    from tests.synth import Templates
    return Templates()


@pytest.fixture(autouse=True)
def _calls_checked(grant_check, transaction_tokens):
    """Every AWS call the app's functions make here is checked against their grants (support/grants.py), and
    every transaction for a token of its own (support/transactions.py)."""

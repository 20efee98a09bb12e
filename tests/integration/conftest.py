import pytest

from tests.aws import aws, stack, tables  # noqa: F401


@pytest.fixture(autouse=True)
def _calls_checked_against_grants(grant_check):
    """Every AWS call the app's functions make here is checked against their grants (support/grants.py)."""

import json

import pytest

from tests.aws import aws, stack, tables  # noqa: F401


@pytest.fixture
def api(stack, issuer, users):
    """HTTP through chalice.test.Client, as a named demo user."""
    from chalice.test import Client
    from app import app

    class Api:
        def __init__(self, client):
            self.client = client
            self.users = users

        def token(self, user_id):
            return issuer.token(users[user_id])

        def call(self, user_id, method, path, body=None, headers=None, raw=None):
            h = {"Content-Type": "application/json"}
            if user_id:
                h["Authorization"] = f"Bearer {issuer.token(users[user_id])}"
            h.update(headers or {})
            payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
            response = self.client.http.request(method, path, headers=h, body=payload)
            return response.status_code, (json.loads(response.body) if response.body else None)

    with Client(app) as client:
        yield Api(client)

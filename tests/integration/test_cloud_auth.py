"""In a deployed stage only the configured issuer's published keys count: a locally signed token is refused
even when the local key file is present, and a token of the user pool is accepted."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import auth, settings

POOL_ISSUER = "https://cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-northwest-1_TEST"


@pytest.fixture
def user_pool_keys():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "pool-1", "alg": "RS256", "use": "sig"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield key, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def deployed_stage(monkeypatch, user_pool_keys, issuer):
    _, jwks_url = user_pool_keys
    monkeypatch.setattr(settings, "STAGE", "dev")
    monkeypatch.setattr(settings, "AUTH_ISSUER", POOL_ISSUER)
    monkeypatch.setattr(settings, "AUTH_AUDIENCE", "pool-client")
    monkeypatch.setattr(settings, "AUTH_JWKS_URL", jwks_url)
    monkeypatch.setattr(settings, "AUTH_JWKS_FILE", str(issuer.jwks_path))   # even if someone left it set
    auth.reset_keys()
    yield
    auth.reset_keys()


def pool_token(key, **overrides):
    now = int(time.time())
    claims = {"sub": "u-1", "iss": POOL_ISSUER, "aud": "pool-client", "token_use": "id", "iat": now,
              "exp": now + 600, "cognito:groups": ["leader"], "custom:node": "BZ.RQ", **overrides}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "pool-1"})


def test_a_token_of_the_user_pool_is_accepted(deployed_stage, user_pool_keys):
    key, _ = user_pool_keys
    principal = auth.verify(f"Bearer {pool_token(key)}")
    assert (principal.role, principal.node) == ("leader", "BZ.RQ")


def test_a_locally_signed_token_is_refused_in_a_deployed_stage(deployed_stage, issuer, users):
    local = issuer.token(users["leader-rq"], iss=POOL_ISSUER, aud="pool-client")  # even with the pool's claims
    with pytest.raises(auth.Unauthenticated):
        auth.verify(f"Bearer {local}")


def test_the_local_stage_is_the_only_one_that_reads_the_key_file(monkeypatch, issuer, users):
    monkeypatch.setattr(settings, "STAGE", "dev")
    monkeypatch.setattr(settings, "AUTH_JWKS_URL", "")
    auth.reset_keys()
    try:
        with pytest.raises(auth.Unauthenticated, match="no token issuer"):
            auth.verify(f"Bearer {issuer.token(users['leader-rq'])}")
    finally:
        auth.reset_keys()

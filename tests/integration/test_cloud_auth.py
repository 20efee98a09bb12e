"""In a deployed stage only the issuer the county configuration names counts, and the check fails closed: a
locally signed token is refused even when the local key file is present or STAGE is unset; a Cognito token
must say it is an ID token; an external OIDC issuer's claim names and token type come from the configuration."""
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import auth, county_config, settings

ROOT = Path(__file__).resolve().parents[2]
POOL_ISSUER = "https://cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-northwest-1_TEST"


@pytest.fixture
def published_keys():
    """An issuer's JWKS endpoint on 127.0.0.1 (what Cognito or the county's provider publishes)."""
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
def deployed_stage(monkeypatch, published_keys, issuer, config):
    """The demo deployment (Cognito) in stage `dev`, as the stack configures its function."""
    _, jwks_url = published_keys
    monkeypatch.setattr(settings, "STAGE", "dev")
    environ = {"AUTH_ISSUER": POOL_ISSUER, "AUTH_AUDIENCE": "pool-client", "AUTH_JWKS_URL": jwks_url,
               "AUTH_JWKS_FILE": str(issuer.jwks_path)}   # even if someone left the key file set
    auth.reset_keys()
    yield auth.trusted_issuer(config, environ, "dev")
    auth.reset_keys()


def pool_token(key, **overrides):
    now = int(time.time())
    claims = {"sub": "u-1", "iss": POOL_ISSUER, "aud": "pool-client", "token_use": "id", "iat": now,
              "exp": now + 600, "cognito:groups": ["leader"], "custom:node": "BZ.RQ", **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "pool-1"})


def test_a_token_of_the_user_pool_is_accepted(deployed_stage, published_keys):
    key, _ = published_keys
    principal = auth.verify(f"Bearer {pool_token(key)}", deployed_stage)
    assert (principal.role, principal.node) == ("leader", "BZ.RQ")


def test_a_locally_signed_token_is_refused_in_a_deployed_stage(deployed_stage, issuer, users):
    local = issuer.token(users["leader-rq"], iss=POOL_ISSUER, aud="pool-client")  # even with the pool's claims
    with pytest.raises(auth.Unauthenticated):
        auth.verify(f"Bearer {local}", deployed_stage)


@pytest.mark.parametrize("token_use", [None, "access", "ID"])
def test_a_cognito_token_that_is_not_marked_as_an_id_token_is_refused(deployed_stage, published_keys, token_use):
    """Cognito's access tokens carry no audience claim of the client but `client_id`; a token without
    `token_use` is not one the pool issued as an ID token: absent is refused, not assumed."""
    key, _ = published_keys
    with pytest.raises(auth.Unauthenticated, match="ID token"):
        auth.verify(f"Bearer {pool_token(key, token_use=token_use)}", deployed_stage)


def test_a_deployed_stage_never_reads_the_key_file(monkeypatch, issuer, users):
    monkeypatch.setattr(settings, "STAGE", "dev")
    smuggled = auth.TrustedIssuer(issuer=issuer.environment()["AUTH_ISSUER"],
                                  audience=issuer.environment()["AUTH_AUDIENCE"], jwks_file=str(issuer.jwks_path))
    with pytest.raises(auth.Unauthenticated, match="no token issuer"):
        auth.verify(f"Bearer {issuer.token(users['leader-rq'])}", smuggled)


def test_without_a_stage_a_locally_signed_token_is_refused(issuer, users):
    """A function started without STAGE (a forgotten variable) must not fall back to trusting the key file."""
    env = {k: v for k, v in os.environ.items() if k != "STAGE"}
    env.update(issuer.environment())      # the key file is there and named
    probe = ("import sys; from chalicelib import auth\n"
             "try:\n    auth.verify('Bearer ' + sys.argv[1]); print('accepted')\n"
             "except auth.Unauthenticated as e:\n    print('refused:', e)")
    answer = subprocess.run([sys.executable, "-c", probe, issuer.token(users["leader-rq"])], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("refused"), answer.stdout


# -- an external OIDC issuer (the China-region deployment) ---------------------------------------------------
@pytest.fixture
def china_deployment(monkeypatch, published_keys):
    """The cn-northwest-1 deployment: its issuer, audience and claim names come from chalicelib/counties/yuli.yaml;
    only the JWKS URL is pointed at the local key server (the real one is the county's provider)."""
    _, jwks_url = published_keys
    monkeypatch.setattr(settings, "STAGE", "dev")
    config = county_config.load("yuli")
    environ = {"AUTH_ISSUER": "https://evil.example", "AUTH_AUDIENCE": "x", "AUTH_JWKS_URL": "https://evil.example"}
    trusted = auth.trusted_issuer(config, environ, "dev")
    auth.reset_keys()
    yield config, trusted._replace(jwks_url=jwks_url), trusted
    auth.reset_keys()


def oidc_token(key, **overrides):
    now = int(time.time())
    claims = {"sub": "kc-7", "iss": "https://id.yuli.example/realms/gridloop", "aud": "gridloop-console",
              "typ": "ID", "iat": now, "exp": now + 600, "gridloop_roles": ["offline_access", "dispatcher"],
              "gridloop_node": "BZ.YL", **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "pool-1"})


def test_an_external_issuer_is_read_from_the_county_configuration_not_the_environment(china_deployment):
    _, _, trusted = china_deployment
    assert (trusted.issuer, trusted.audience, trusted.jwks_url) == (
        "https://id.yuli.example/realms/gridloop", "gridloop-console",
        "https://id.yuli.example/realms/gridloop/protocol/openid-connect/certs")
    assert (trusted.role_claim, trusted.node_claim, trusted.token_type_claim, trusted.token_type_value) == (
        "gridloop_roles", "gridloop_node", "typ", "ID")


def test_an_external_issuers_id_token_is_read_with_the_configured_claims(china_deployment, published_keys):
    key, _ = published_keys
    _, trusted, _ = china_deployment
    principal = auth.verify(f"Bearer {oidc_token(key)}", trusted)
    assert (principal.user_id, principal.role, principal.node) == ("kc-7", "dispatcher", "BZ.YL")


@pytest.mark.parametrize("typ", [None, "Bearer", "id"])
def test_an_external_issuers_token_of_another_type_is_refused(china_deployment, published_keys, typ):
    key, _ = published_keys
    _, trusted, _ = china_deployment
    with pytest.raises(auth.Unauthenticated, match="ID token"):
        auth.verify(f"Bearer {oidc_token(key, typ=typ)}", trusted)


def test_cognito_claim_names_mean_nothing_to_an_external_issuer(china_deployment, published_keys):
    """A token whose role sits in `cognito:groups` and place in `custom:node` carries no Gridloop role there."""
    key, _ = published_keys
    _, trusted, _ = china_deployment
    token = oidc_token(key, gridloop_roles=None, gridloop_node=None,
                       **{"cognito:groups": ["admin"], "custom:node": "BZ"})
    with pytest.raises(auth.Unauthenticated, match="role"):
        auth.verify(f"Bearer {token}", trusted)

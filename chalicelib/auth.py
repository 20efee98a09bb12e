"""Bearer-token verification (PyJWT) for the one trusted OIDC issuer, named by the county configuration.

- `deployment.auth.cognito`: the stack's user pool. Its issuer URL and app client id exist only once the stack
  is deployed, so the stack hands them to the function (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL). Role in
  `cognito:groups`, place in `custom:node` / `custom:department` / `custom:grid`; `token_use` must be `id`.
- `deployment.auth.oidc`: an external provider (the AWS China regions have no user pools). Everything, claim
  names and the token-type claim included, comes from the county configuration; the environment is not read.
- the `local` stage (`make run`, tests): tokens of the Cognito shape signed by a key file the runtime wrote.
  Only a stage named `local` explicitly reads that file: an unset STAGE trusts nothing (fail closed).

Keys are cached per container. PyJWT's import of `cryptography.x509` waits until something uses it (never, on the
RS256 path): chalicelib/lazy_modules.py.
"""
from __future__ import annotations

import functools
import json
import os
import threading
from typing import NamedTuple

from chalicelib import environment, lazy_modules, settings

lazy_modules.defer("cryptography.x509")   # PyJWT reads it only for HMAC secrets; RS256 never does
import jwt  # noqa: E402
from chalicelib.domain.roles import ALL_ROLES, Principal

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30


class Unauthenticated(Exception):
    pass


class TrustedIssuer(NamedTuple):
    """An issuer whose tokens the API accepts, and where its signing keys are."""
    issuer: str
    audience: str
    jwks_url: str = ""
    jwks_file: str = ""                     # the local stage's key file; empty everywhere else
    role_claim: str = "cognito:groups"
    node_claim: str = "custom:node"
    department_claim: str = "custom:department"
    grid_claim: str = "custom:grid"
    token_type_claim: str = "token_use"
    token_type_value: str = "id"


def trusted_issuer(config, environ, stage: str) -> TrustedIssuer | None:
    """The issuer this deployment trusts, or None when nothing is configured (every token is then refused)."""
    if stage == "local":
        if not environ.get(environment.AUTH_JWKS_FILE):
            return None
        return TrustedIssuer(issuer=environ.get(environment.AUTH_ISSUER, ""),
                             audience=environ.get(environment.AUTH_AUDIENCE, ""),
                             jwks_file=environ[environment.AUTH_JWKS_FILE])
    oidc = config.oidc
    if oidc is not None:
        return TrustedIssuer(issuer=oidc.issuer, audience=oidc.audience, jwks_url=oidc.jwks_url,
                             role_claim=oidc.role_claim, node_claim=oidc.node_claim,
                             department_claim=oidc.department_claim, grid_claim=oidc.grid_claim,
                             token_type_claim=oidc.token_type_claim, token_type_value=oidc.token_type_value)
    pool = [environ.get(name) for name in (environment.AUTH_ISSUER, environment.AUTH_AUDIENCE,
                                           environment.AUTH_JWKS_URL)]
    if not all(pool):
        return None
    return TrustedIssuer(issuer=pool[0], audience=pool[1], jwks_url=pool[2])


@functools.lru_cache(maxsize=1)
def _current() -> TrustedIssuer | None:
    from chalicelib import runtime
    return trusted_issuer(runtime.config(), os.environ, settings.STAGE)


class _Keys:
    """Signing keys by key id, loaded once per issuer (JWKS URL through PyJWKClient's cache, or the local file)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._clients: dict[str, jwt.PyJWKClient] = {}
        self._files: dict[str, jwt.PyJWKSet] = {}

    def key_for(self, token: str, issuer: TrustedIssuer):
        if issuer.jwks_file:
            if settings.STAGE != "local":   # never outside the local stage, whoever built the issuer
                raise Unauthenticated("no token issuer is configured")
            with self._lock:
                if issuer.jwks_file not in self._files:
                    with open(issuer.jwks_file, encoding="utf-8") as f:
                        self._files[issuer.jwks_file] = jwt.PyJWKSet.from_dict(json.load(f))
            kid = jwt.get_unverified_header(token).get("kid")
            for key in self._files[issuer.jwks_file].keys:
                if key.key_id == kid:
                    return key.key
            raise Unauthenticated("the token was signed by an unknown key")
        with self._lock:
            client = self._clients.get(issuer.jwks_url)
            if client is None:
                client = self._clients[issuer.jwks_url] = jwt.PyJWKClient(issuer.jwks_url, cache_keys=True,
                                                                           lifespan=3600)
        return client.get_signing_key_from_jwt(token).key


_keys = _Keys()


def reset_keys() -> None:
    """Forget cached keys and the issuer (tests and the local runtime rotate them)."""
    global _keys
    _keys = _Keys()
    _current.cache_clear()


def verify(authorization: str | None, issuer: TrustedIssuer | None = None) -> Principal:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    issuer = issuer or _current()
    if issuer is None:
        raise Unauthenticated("no token issuer is configured")
    token = authorization[len("Bearer "):].strip()
    try:
        claims = jwt.decode(token, _keys.key_for(token, issuer), algorithms=ALGORITHMS, issuer=issuer.issuer,
                            audience=issuer.audience, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    except Unauthenticated:
        raise
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from None
    if claims.get(issuer.token_type_claim) != issuer.token_type_value:   # absent is refused too
        raise Unauthenticated(f"send an ID token ({issuer.token_type_claim}: {issuer.token_type_value})")
    roles = claims.get(issuer.role_claim, [])
    roles = [roles] if isinstance(roles, str) else roles if isinstance(roles, list) else []
    groups = [g for g in roles if g in ALL_ROLES]
    if len(groups) != 1:
        raise Unauthenticated("the token must carry exactly one Gridloop role group")
    return Principal(user_id=claims["sub"], role=groups[0], name=claims.get("name", ""),
                     node=_text(claims, issuer.node_claim), department=_text(claims, issuer.department_claim),
                     grid=_text(claims, issuer.grid_claim))


def _text(claims: dict, name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None

"""Bearer-token verification (PyJWT) for the one trusted OIDC issuer (DESIGN §8).

Cognito ID-token shape: `cognito:groups` carries the role, `custom:node`, `custom:department` and
`custom:grid` the jurisdiction. Keys are cached per container. Locally the keys come from a file
written by `make run`; no deployed stage can skip verification.
"""
from __future__ import annotations

import json
import threading

import jwt

from chalicelib import settings
from chalicelib.domain.roles import ALL_ROLES, Principal

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30


class Unauthenticated(Exception):
    pass


class _Keys:
    """Signing keys by key id, loaded once (JWKS URL through PyJWKClient's cache, or a local file)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._client: jwt.PyJWKClient | None = None
        self._local: jwt.PyJWKSet | None = None

    def key_for(self, token: str):
        if settings.AUTH_JWKS_FILE and settings.STAGE == "local":  # never in a deployed stage
            with self._lock:
                if self._local is None:
                    with open(settings.AUTH_JWKS_FILE, encoding="utf-8") as f:
                        self._local = jwt.PyJWKSet.from_dict(json.load(f))
            kid = jwt.get_unverified_header(token).get("kid")
            for key in self._local.keys:
                if key.key_id == kid:
                    return key.key
            raise Unauthenticated("the token was signed by an unknown key")
        if not settings.AUTH_JWKS_URL:
            raise Unauthenticated("no token issuer is configured")
        with self._lock:
            if self._client is None:
                self._client = jwt.PyJWKClient(settings.AUTH_JWKS_URL, cache_keys=True, lifespan=3600)
        return self._client.get_signing_key_from_jwt(token).key


_keys = _Keys()


def reset_keys() -> None:
    """Forget cached keys (tests and the local runtime rotate them)."""
    global _keys
    _keys = _Keys()


def verify(authorization: str | None) -> Principal:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    token = authorization[len("Bearer "):].strip()
    try:
        claims = jwt.decode(token, _keys.key_for(token), algorithms=ALGORITHMS, issuer=settings.AUTH_ISSUER,
                            audience=settings.AUTH_AUDIENCE, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    except Unauthenticated:
        raise
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from None
    if claims.get("token_use", "id") != "id":
        raise Unauthenticated("send an ID token")
    groups = [g for g in claims.get("cognito:groups", []) if g in ALL_ROLES]
    if len(groups) != 1:
        raise Unauthenticated("the token must carry exactly one Gridloop role group")
    return Principal(user_id=claims["sub"], role=groups[0], name=claims.get("name", ""),
                     node=claims.get("custom:node"), department=claims.get("custom:department"),
                     grid=claims.get("custom:grid"))

"""The local token issuer: an RSA key made by `make run`, tokens shaped like Cognito ID tokens.

Only the local stage and tests use it; a deployed stage trusts Cognito (or its OIDC provider) alone.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import environment
from chalicelib.domain.access import PLACE_ATTRIBUTES

ISSUER = "http://127.0.0.1:8000/local-issuer"
AUDIENCE = "gridloop-local"
KEY_ID = "local-1"


class LocalIssuer:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.private_path = self.directory / "signing-key.pem"
        self.jwks_path = self.directory / "jwks.json"

    def ensure_keys(self) -> "LocalIssuer":
        """Create the key pair once; later runs reuse it so printed tokens stay valid."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.private_path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.private_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                            serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
            self.private_path.chmod(0o600)
        key = serialization.load_pem_private_key(self.private_path.read_bytes(), password=None)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.jwks_path.write_text(json.dumps({"keys": [jwk]}))
        self._key = key
        return self

    def token(self, user: dict, ttl_seconds: int = 12 * 3600, **overrides) -> str:
        now = int(time.time())
        claims = {"sub": user["user_id"], "iss": ISSUER, "aud": AUDIENCE, "token_use": "id", "iat": now,
                  "exp": now + ttl_seconds, "name": user.get("name", ""), "cognito:groups": [user["role"]]}
        for attribute in PLACE_ATTRIBUTES:
            if user.get(attribute):
                claims[f"custom:{attribute}"] = user[attribute]
        claims.update(overrides)
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KEY_ID})

    def environment(self) -> dict:
        """What the app needs to trust this issuer."""
        return environment.issuer_variables(issuer=ISSUER, audience=AUDIENCE, jwks_file=str(self.jwks_path))

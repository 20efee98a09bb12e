"""Settings read from the environment once per container (Chalice stage variables in the cloud)."""
import os

STAGE = os.environ.get("STAGE", "local")
TABLE_PREFIX = os.environ.get("TABLE_PREFIX", f"gridloop-{STAGE}-")
REGION = os.environ.get("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "cn-northwest-1"))

# Token verification: the one trusted OIDC issuer (DESIGN §8).
AUTH_ISSUER = os.environ.get("AUTH_ISSUER", "")
AUTH_AUDIENCE = os.environ.get("AUTH_AUDIENCE", "")
AUTH_JWKS_URL = os.environ.get("AUTH_JWKS_URL", "")     # Cognito / any OIDC provider
AUTH_JWKS_FILE = os.environ.get("AUTH_JWKS_FILE", "")   # local stage only: keys written by `make run`

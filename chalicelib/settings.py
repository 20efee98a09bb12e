"""Settings read from the environment once per container (Chalice stage variables in the cloud).

STAGE has no default: only a stage explicitly named `local` trusts the local token key file (chalicelib/auth.py).
The token issuer itself is named by the county configuration (`deployment.auth`), not here.
"""
import os

STAGE = os.environ.get("STAGE", "")
TABLE_PREFIX = os.environ.get("TABLE_PREFIX", "gridloop-local-")
REGION = os.environ.get("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "cn-northwest-1"))

"""Settings read from the environment once per container (Chalice stage variables in the cloud).

STAGE has no default: only a stage explicitly named `local` trusts the local token key file (chalicelib/auth.py).
The token issuer itself is named by the county configuration (`deployment.auth`), not here.
"""
import os

from chalicelib import environment

STAGE = os.environ.get(environment.STAGE, "")
TABLE_PREFIX = os.environ.get(environment.PREFIX, environment.LOCAL_PREFIX)   # every resource name starts with it
REGION = os.environ.get("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "cn-northwest-1"))

"""What the web console needs from the stack (docs/deploy.md, "One domain: the front end").

The console's files are served by the API function from its own package (chalicelib/console.py), so the stack
adds only:
- compression: API Gateway gzips any answer of at least `MINIMUM_COMPRESSION_BYTES` for a client that accepts it
  (the console's script, its reference data, long lists); the local server does the same (local/console_server.py);
- with the stack's user pool, its sign-in domain (the hosted UI's `/oauth2/authorize` and `/oauth2/token`, where
  the console's app client signs in with code + PKCE), handed to the API function as AUTH_SIGN_IN_URL. An external
  issuer's endpoints come from the county file (`deployment.auth.oidc`).
No AWS call is added: serving a file reads the package, and the page's photo origins are computed by signing.
"""
from __future__ import annotations

from aws_cdk import aws_cognito as cognito

from chalicelib.api.gateway_answers import MINIMUM_COMPRESSION_BYTES


def build(stack, county: str) -> None:
    stack.chalice.get_resource("RestAPI").add_property_override("MinimumCompressionSize", MINIMUM_COMPRESSION_BYTES)
    spec = stack.deployment.auth.cognito
    if stack.user_pool is None or spec is None:
        return
    domain = stack.user_pool.add_domain("SignInDomain", cognito_domain=cognito.CognitoDomainOptions(
        domain_prefix=spec.domain_prefix or f"gridloop-{county}"))
    stack.chalice.get_resource("APIHandler").add_property_override(
        "Environment.Variables.AUTH_SIGN_IN_URL", domain.base_url())

"""The `deployment:` block of the county configuration: where and how the stack runs.

Part of the county configuration schema (chalicelib/county_spec.py embeds `DeploymentSpec`); kept in its own
module because only the CDK stack, the token check and the SMS switch read it. It holds the AWS region, the
one trusted token issuer (the stack's Cognito user pool, or an external OIDC provider where Cognito user pools
are not offered, as in the AWS China regions), the county's own domain and its certificate, the browser origins
allowed to upload photos, the edge throttles, the optional web firewall and the API function's reserved
concurrency. No secrets: a certificate is named by its ARN, an issuer by its public URLs.
"""
# No `from __future__ import annotations`: pydantic would evaluate every field's annotation from a string
# when the class is made (about a quarter of creating these classes, on every cold start).

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
ACCOUNT = r"\d{12}"
# The SMS provider each partition offers (chalicelib/adapters/sms.py implements them). SNS SMS is not offered
# in the China regions and no other provider is built, so `notifications.sms` must be off there.
SMS_PROVIDERS = {"aws": "sns"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)   # built when first validated


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to (ARNs, endpoints and service availability differ by partition)."""
    return "aws-cn" if region.startswith("cn-") else "aws"


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"'{value}' is not an https URL with a host")
    return value


class CognitoSpec(_Strict):
    """The stack's own user pool. Its app client signs the web console in with code + PKCE at these URLs, on
    the pool's sign-in domain `https://<domain_prefix>.auth.<region>.amazoncognito.com` (unique in the region)."""
    callback_urls: list[str] = Field(min_length=1)
    logout_urls: list[str] = Field(min_length=1)
    domain_prefix: str | None = Field(default=None, pattern=r"^[a-z0-9](-?[a-z0-9])*$", max_length=63)

    @field_validator("callback_urls", "logout_urls")
    @classmethod
    def https_only(cls, urls):
        return [_https_url(u) for u in urls]


class OidcSpec(_Strict):
    """An external OIDC provider: its published keys, and the claims that carry role, place and token type."""
    issuer: str
    audience: str = Field(min_length=1)
    jwks_url: str
    role_claim: str = Field(min_length=1)          # one role name, or a list holding exactly one Gridloop role
    node_claim: str = Field(min_length=1)
    department_claim: str = Field(min_length=1)
    grid_claim: str = Field(min_length=1)
    token_type_claim: str = Field(min_length=1)    # e.g. Keycloak's `typ`: only ID tokens are accepted
    token_type_value: str = Field(min_length=1)    # e.g. `ID`
    # where the web console signs in (authorization code + PKCE, client id = audience); without them it cannot
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    end_session_endpoint: str | None = None

    @field_validator("issuer", "jwks_url")
    @classmethod
    def https_only(cls, url):
        return _https_url(url)

    @field_validator("authorization_endpoint", "token_endpoint", "end_session_endpoint")
    @classmethod
    def https_if_given(cls, url):
        return _https_url(url) if url is not None else None


class AuthSpec(_Strict):
    cognito: CognitoSpec | None = None
    oidc: OidcSpec | None = None

    @model_validator(mode="after")
    def exactly_one_issuer(self):
        if (self.cognito is None) == (self.oidc is None):
            raise ValueError("name exactly one token issuer: cognito (the stack's user pool) or oidc (an external one)")
        return self


class DomainSpec(_Strict):
    """The county's own domain: the API now, the web console later, one origin. Its DNS record (a CNAME to the
    API Gateway domain's target), its certificate (in ACM) and, in China, its ICP filing are the county's."""
    name: str = Field(max_length=253, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
    certificate_arn: str


class ThrottleSpec(_Strict):
    rate: float = Field(gt=0)       # requests per second, sustained
    burst: int = Field(gt=0)        # requests at once


class ThrottlesSpec(_Strict):
    """API Gateway throttles: anonymous routes (Open311, the points ranking, health) get less than staff routes."""
    staff: ThrottleSpec = Field(default_factory=lambda: ThrottleSpec(rate=100, burst=200))
    public: ThrottleSpec = Field(default_factory=lambda: ThrottleSpec(rate=10, burst=20))

    @model_validator(mode="after")
    def public_below_staff(self):
        if self.public.rate > self.staff.rate or self.public.burst > self.staff.burst:
            raise ValueError("the public routes' throttle must not exceed the staff routes' one")
        return self


class WafSpec(_Strict):
    """An AWS WAF web ACL in front of the API with one rule: at most this many requests per client IP per 5
    minutes (then 429). Off by default: a web ACL is a fixed monthly cost."""
    enabled: bool = False
    requests_per_ip_per_5_minutes: int = Field(default=1000, ge=10, le=2_000_000_000)


# The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)


class DeploymentSpec(_Strict):
    region: str = Field(pattern=REGION)
    # how long every log group of the stack keeps its lines (functions, API access and execution logs, timers)
    log_retention_days: int = 365
    # how many years cases, timelines and photos are kept: the cost benchmark bills their storage over it
    # (nothing deletes them yet: past it, the county archives by hand, docs/deploy.md)
    case_retention_years: int = Field(default=5, ge=1, le=30)
    auth: AuthSpec
    domain: DomainSpec | None = None
    cors_origins: list[str] = []                    # browser origins allowed to POST photos to the bucket
    throttles: ThrottlesSpec = Field(default_factory=ThrottlesSpec)
    waf: WafSpec = Field(default_factory=WafSpec)
    # Lambda concurrency kept for (and capping) the API function, so a flood cannot starve the work queue's
    # worker. Off by default: an account whose concurrency quota is low cannot reserve any.
    api_reserved_concurrency: int | None = Field(default=None, ge=1)

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def china(self) -> bool:
        return self.partition == "aws-cn"

    @property
    def sms_provider(self) -> str | None:
        return SMS_PROVIDERS.get(self.partition)

    @property
    def endpoint_type(self) -> Literal["EDGE", "REGIONAL"]:
        """Edge-optimized APIs and custom domains are not offered in the China regions."""
        return "REGIONAL" if self.china else "EDGE"

    @field_validator("log_retention_days")
    @classmethod
    def retention_cloudwatch_accepts(cls, days):
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"{days} is not a retention CloudWatch Logs accepts: one of {LOG_RETENTION_DAYS}")
        return days

    @field_validator("cors_origins")
    @classmethod
    def origins(cls, origins):
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme != "https" or not parts.hostname or parts.path or parts.query or "*" in origin:
                raise ValueError(f"'{origin}' is not an origin 'https://host[:port]' (no path, no wildcard)")
        return origins

    @model_validator(mode="after")
    def fits_the_region(self):
        problems = []
        if self.china and self.auth.cognito:
            problems.append(f"Cognito user pools are not offered in {self.region}: name an oidc issuer")
        if self.china and self.domain is None:
            problems.append(f"in {self.region} the API needs the county's own (ICP-filed) domain: set domain")
        if self.domain:
            problems += _certificate_problems(self.domain.certificate_arn, self.partition, self.endpoint_type,
                                              self.region)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _certificate_problems(arn: str, partition: str, endpoint: str, region: str) -> list[str]:
    """API Gateway custom domains take ACM certificates only (`regionalCertificateArn`/`certificateArn`), in the
    API's region for a REGIONAL API, in us-east-1 for an EDGE one. ACM is offered in both China regions: a
    certificate for an ICP-filed domain is imported there. (IAM server certificates are CloudFront China's store,
    which this stack does not use: docs/deploy.md, "One domain".)"""
    wanted = "us-east-1" if endpoint == "EDGE" else region
    if re.fullmatch(rf"arn:{partition}:acm:{wanted}:{ACCOUNT}:certificate/[0-9a-f-]+", arn):
        return []
    hint = " (an IAM server certificate cannot serve an API Gateway domain: import it into ACM)" \
        if ":iam::" in arn else ""
    return [f"domain.certificate_arn must be an ACM certificate in {wanted} (arn:{partition}:acm:{wanted}:"
            f"<account>:certificate/<id>) for an {endpoint} API, not '{arn}'{hint}"]

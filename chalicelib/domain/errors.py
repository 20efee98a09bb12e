"""Domain errors; the API maps each to one HTTP status and machine code."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidTransition(DomainError):
    """The action is not allowed in the case's current status (HTTP 409)."""
    code = "invalid_transition"


class VersionConflict(DomainError):
    """Someone else changed the case since it was read (HTTP 409)."""
    code = "version_conflict"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Invalid(DomainError):
    """A request that is well-formed but names something that does not fit (HTTP 400/422)."""
    code = "invalid"

    def __init__(self, message: str, field: str, code: str | None = None, limits: dict | None = None):
        """`code` and `limits` let a client word the problem in its reader's language (as for a body's fields)."""
        problem = {"field": field, "message": message, **({"code": code} if code else {}),
                   **({"limits": limits} if limits else {})}
        super().__init__(message, fields=[problem])
        self.field = field


class AppealRefused(DomainError):
    """An appeal that the review's state does not allow (HTTP 409)."""
    code = "appeal_refused"


class PointsRefused(DomainError):
    """A points operation the ledger's rules do not allow (HTTP 409)."""
    code = "points_refused"


class InsufficientPoints(PointsRefused):
    code = "insufficient_points"


class OutOfStock(PointsRefused):
    code = "out_of_stock"


class MonthlyCapReached(PointsRefused):
    code = "monthly_cap_reached"


class UsersManagedElsewhere(DomainError):
    """This deployment's users are not in a user pool the API manages: an external issuer, or none (HTTP 409)."""
    code = "users_managed_elsewhere"


class UserExists(DomainError):
    """A user of that name exists already (HTTP 409)."""
    code = "user_exists"

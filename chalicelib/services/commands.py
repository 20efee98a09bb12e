"""Request bodies, validated with pydantic. The OpenAPI document takes its schemas from these classes."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chalicelib.domain import photos

Text = Field(min_length=1, max_length=2000)


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-12-01T10:00:00Z")
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Location(Body):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str = Field(default="", max_length=300)


class Resident(Body):
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{5,20}$")
    sms_opt_out: bool = False  # progress notices by SMS unless the resident declines


class ReportCase(Body):
    kind: Literal["demand", "dispute"]
    category: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    grid: str = Field(min_length=1, max_length=100)
    location: Location
    urgency: Literal["emergency", "urgent", "normal"] = "normal"
    channel: Literal["grid_visit", "hotline", "walk_in", "open311"] = "grid_visit"
    residents: list[Resident] = Field(default_factory=list, max_length=20)


class Accept(Body):
    kind: Literal["demand", "dispute"]
    category: str = Field(min_length=1, max_length=64)
    urgency: Literal["emergency", "urgent", "normal"]
    public_summary: str = Field(min_length=1, max_length=500)
    sensitive: bool | None = None  # default: the category's flag
    forward_to_level: Literal["village", "township", "county", "prefecture"] | None = None  # default: routing


class Reason(Body):
    reason: str = Text


class Merge(Body):
    target_case_id: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class Note(Body):
    note: str = Text


class OptionalNote(Body):
    note: str = Field(default="", max_length=2000)


class Dispatch(Body):
    lead: str = Field(min_length=1, max_length=64)
    co_handlers: list[str] = Field(default_factory=list, max_length=10)
    note: str = Field(default="", max_length=2000)


class ExtensionRequest(Body):
    requested_due: UtcDatetime
    reason: str = Text


class ExtensionDecision(Body):
    approve: bool
    note: str = Field(default="", max_length=2000)


class Resolve(Body):
    note: str = Text
    root_cause_follow_up: str = Field(default="", max_length=2000)


class Scores(Body):
    response_speed: int = Field(ge=1, le=5)
    performance: int = Field(ge=1, le=5)
    completion: int = Field(ge=1, le=5)
    feedback: int = Field(ge=1, le=5)


class Evaluate(Body):
    scores: Scores
    verdict: Literal["good", "fair", "bad"]
    fixed: bool = True
    on_behalf_of_resident: bool = False
    note: str = Field(default="", max_length=2000)


class RegisterHousehold(Body):
    grid: str = Field(min_length=1, max_length=100)
    head: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{5,20}$")
    members: int = Field(ge=1, le=50)
    address: str = Field(default="", max_length=300)


class PhotoUpload(Body):
    phase: Literal["before", "after"]
    content_type: Literal[tuple(photos.ALLOWED_TYPES)]  # the one list of accepted types
    size: int = Field(gt=0, le=photos.MAX_BYTES, description="bytes")


class Appeal(Body):
    reason: str = Text


class AppealDecision(Body):
    decision: Literal["uphold", "void"]
    note: str = Field(default="", max_length=2000)


class LogVisit(Body):
    household_id: str = Field(min_length=1, max_length=64)
    visited_at: UtcDatetime
    notes: str = Field(default="", max_length=5000)
    demands_raised: list[str] = Field(default_factory=list, max_length=20)
    case_ids: list[str] = Field(default_factory=list, max_length=20)


class RecordPoints(Body):
    rule: str = Field(min_length=1, max_length=64)
    reason: str = Text
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                              description="the month a monthly score is for; default: this month")


class Redeem(Body):
    household_id: str = Field(min_length=1, max_length=64)
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(default=1, ge=1, le=100)


class Restock(Body):
    sku: str = Field(min_length=1, max_length=64)
    add: int = Field(ge=1, le=100000)


class IssueApiKey(Body):
    name: str = Field(min_length=1, max_length=100, description="who the key is for, e.g. a reporting app")


# action name -> the body it takes (the route /cases/{id}/actions/{action} is generated from this table)
ACTION_BODIES: dict[str, type[Body]] = {
    "accept": Accept,
    "reject": Reason,
    "merge": Merge,
    "resolve_on_spot": Note,
    "escalate": Reason,
    "dispatch": Dispatch,
    "redispatch": Dispatch,
    "acknowledge": OptionalNote,
    "return": Reason,
    "request_extension": ExtensionRequest,
    "decide_extension": ExtensionDecision,
    "resolve": Resolve,
    "evaluate": Evaluate,
    "close": OptionalNote,
}

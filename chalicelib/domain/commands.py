"""Commands: the bodies of the requests that change something, validated with pydantic.

They live in the domain because a command is what the domain is asked to do: the action table
(chalicelib/domain/actions.py) names each action's body, and the routes and the OpenAPI document take them from
there. pydantic is a validation library without I/O, so the domain stays free of AWS and HTTP.

Types are strict: a number is a JSON number, not a string that looks like one, and a boolean is no count.
Single-line fields (titles, names, codes, addresses) refuse control characters (NUL, ANSI escapes, line breaks,
tabs) and bidirectional overrides (U+202A-U+202E, U+2066-U+2069), which could disguise what a reader sees;
multi-line texts (descriptions, notes, reasons) take line breaks and tabs but no other control character.
"""
# No `from __future__ import annotations`: pydantic would evaluate every field's annotation from a string
# when the class is made (about a quarter of creating these classes, on every cold start).

import re
from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, WithJsonSchema

from chalicelib.domain import photos, roles
from chalicelib.domain.vocabulary import CenterLevel, Channel, Kind, Urgency, Verdict

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")    # tab, LF and CR are text
_BIDI_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters (line breaks, tabs, escape sequences, NUL) are not allowed here")
    if _BIDI_OVERRIDES.search(value):
        raise ValueError("bidirectional override characters (U+202A-U+202E, U+2066-U+2069) are not allowed here")
    return value


def _paragraphs(value: str) -> str:
    if _CONTROL_IN_TEXT.search(value):
        raise ValueError("control characters other than line breaks and tabs are not allowed")
    return value


Line = Annotated[str, AfterValidator(_one_line)]
Paragraphs = Annotated[str, AfterValidator(_paragraphs)]
Text = Field(min_length=1, max_length=2000)


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-12-01T10:00:00Z")
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]


def one_of(words):
    """A field taking one of the vocabulary's words (their text, in a JSON body and in Python alike), described
    in the OpenAPI document where it is used, as the list of those words."""
    return Annotated[words, Strict(False), WithJsonSchema({"type": "string", "enum": [w.value for w in words]})]


# A list field's default is `[]`, which pydantic copies for each instance: `default_factory=list` would have the
# signature of the builtin `list` read when the schema is built (about 14 M instructions on a cold start).
class Body(BaseModel):
    # defer_build: a model's validator is built when it first validates, so a cold start builds only its own
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True)


class Location(Body):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: Line = Field(default="", max_length=300)


class Resident(Body):
    name: Line = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{5,20}$")
    sms_opt_out: bool = False  # progress notices by SMS unless the resident declines


class ReportCase(Body):
    kind: one_of(Kind)
    category: Line = Field(min_length=1, max_length=64)
    title: Line = Field(min_length=1, max_length=200)
    description: Paragraphs = Field(min_length=1, max_length=5000)
    grid: Line = Field(min_length=1, max_length=100)
    location: Location
    urgency: one_of(Urgency) = Urgency.NORMAL
    channel: one_of(Channel) = Channel.GRID_VISIT
    residents: list[Resident] = Field(default=[], max_length=20)
    observed_at: UtcDatetime | None = Field(default=None, description=(
        "when the reporter saw it, by the reporting device's clock (a phone may send a report hours later); "
        "kept with the case, deadlines still start at receipt; at most 10 minutes after receipt"))


class Accept(Body):
    kind: one_of(Kind)
    category: Line = Field(min_length=1, max_length=64)
    urgency: one_of(Urgency)
    public_summary: Paragraphs = Field(min_length=1, max_length=500)
    sensitive: bool | None = None  # default: the category's flag
    forward_to_level: CenterLevel | None = None  # default: routing


class Reason(Body):
    reason: Paragraphs = Text


class Merge(Body):
    target_case_id: Line = Field(min_length=1, max_length=64)
    note: Paragraphs = Field(default="", max_length=2000)


class Note(Body):
    note: Paragraphs = Text


class Supervise(Body):
    note: Paragraphs = Field(min_length=1, max_length=2000, description="what the lead department is told to do")


class OptionalNote(Body):
    note: Paragraphs = Field(default="", max_length=2000)


class Dispatch(Body):
    lead: Line = Field(min_length=1, max_length=64)
    co_handlers: list[Line] = Field(default=[], max_length=10)
    note: Paragraphs = Field(default="", max_length=2000)


class ExtensionRequest(Body):
    requested_due: UtcDatetime
    reason: Paragraphs = Text


class ExtensionDecision(Body):
    approve: bool
    note: Paragraphs = Field(default="", max_length=2000)


class Resolve(Body):
    note: Paragraphs = Text
    root_cause_follow_up: Paragraphs = Field(default="", max_length=2000)


class Scores(Body):
    response_speed: int = Field(ge=1, le=5)
    performance: int = Field(ge=1, le=5)
    completion: int = Field(ge=1, le=5)
    feedback: int = Field(ge=1, le=5)


class Evaluate(Body):
    scores: Scores
    verdict: one_of(Verdict)
    fixed: bool = True
    on_behalf_of_resident: bool = False
    note: Paragraphs = Field(default="", max_length=2000)


class RegisterHousehold(Body):
    grid: Line = Field(min_length=1, max_length=100)
    head: Line = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{5,20}$")
    members: int = Field(ge=1, le=50)
    address: Line = Field(default="", max_length=300)


class PhotoUpload(Body):
    phase: Literal[tuple(photos.PHASE_STATUSES)]   # before | after
    content_type: Literal[tuple(photos.ALLOWED_TYPES)]  # the one list of accepted types
    size: int = Field(gt=0, le=photos.MAX_BYTES, description="bytes")


class Appeal(Body):
    reason: Paragraphs = Text


class AppealDecision(Body):
    decision: Literal["uphold", "void"]
    note: Paragraphs = Field(default="", max_length=2000)


class LogVisit(Body):
    household_id: Line = Field(min_length=1, max_length=64)
    visited_at: UtcDatetime
    notes: Paragraphs = Field(default="", max_length=5000)
    demands_raised: list[Line] = Field(default=[], max_length=20)
    case_ids: list[Line] = Field(default=[], max_length=20)


class RecordPoints(Body):
    rule: Line = Field(min_length=1, max_length=64)
    reason: Paragraphs = Text
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                              description="the month a monthly score is for; default: this month")


class Redeem(Body):
    household_id: Line = Field(min_length=1, max_length=64)
    sku: Line = Field(min_length=1, max_length=64)
    quantity: int = Field(default=1, ge=1, le=100)


class Restock(Body):
    sku: Line = Field(min_length=1, max_length=64)
    add: int = Field(ge=1, le=100000)


class IssueApiKey(Body):
    name: Line = Field(min_length=1, max_length=100, description="who the key is for, e.g. a reporting app")


class AssignUser(Body):
    """A person's one role and their place: a node code (stations, centers, leaders, evaluators, clerks,
    administrators), a department id (department staff) or a grid code (grid members)."""
    role: roles.RoleName
    place: str = Field(min_length=1, max_length=100, description="node code, department id or grid code")


class CreateUser(AssignUser):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$", description="sign-in name, e.g. fu.rongqing")
    name: Line = Field(min_length=1, max_length=100, description="the person's name as shown to colleagues")

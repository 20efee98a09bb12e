"""The words of the loop, each spelled once: kinds, urgencies, channels, statuses, verdicts, levels, stages.

String enums: a member is its own value in JSON, in DynamoDB and next to stored text ("demand" == Kind.DEMAND),
so items written before these enums existed read as they are. The request bodies (pydantic), the county
configuration's schema, the OpenAPI document and the domain all take them from here.
"""
from enum import StrEnum
from typing import Literal


class Kind(StrEnum):
    DEMAND = "demand"          # 诉求
    DISPUTE = "dispute"        # 矛盾纠纷


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"


class Channel(StrEnum):
    GRID_VISIT = "grid_visit"
    HOTLINE = "hotline"
    WALK_IN = "walk_in"
    OPEN311 = "open311"


class Status(StrEnum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    MERGED = "merged"
    CLOSED = "closed"


OPEN_STATUSES = (Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED)
TERMINAL_STATUSES = (Status.REJECTED, Status.MERGED, Status.CLOSED)
HANDLING_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS)      # a department holds the case


class Attention(StrEnum):
    """What a case is flagged for on a supervising center's lists (Case.attention; the lists' `attention` filter)."""
    OVERDUE = "overdue"
    EXTENSION = "extension"
    RETURNED = "returned"
    APPEAL = "appeal"
    BAD_REVIEW = "bad_review"


class Verdict(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    BAD = "bad"


class Level(StrEnum):
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


LEVELS = tuple(Level)                                              # top down
CENTER_LEVELS = (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.PREFECTURE)   # escalation order
DEPARTMENT_LEVELS = (Level.TOWNSHIP, Level.COUNTY, Level.PREFECTURE)   # where departments sit (and are ranked)
CenterLevel = Literal[tuple(level.value for level in CENTER_LEVELS)]   # for a schema: the values, by name


class Stage(StrEnum):
    """The timed stages of a case, each with its deadline."""
    TRIAGE = "triage"
    REPORT_IN = "report_in"
    RESOLVE = "resolve"
    EVALUATION = "evaluation"


class Share(StrEnum):
    """A department's share of a dispatch."""
    LEAD = "lead"              # 牵头
    CO = "co"                  # 协同

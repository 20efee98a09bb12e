"""Roles. The names here are the only spelling: tokens, Cognito groups and policies use them."""
from dataclasses import dataclass
from typing import Literal, NamedTuple

GRID_MEMBER = "grid_member"
STATION = "station"            # receiving station ("民情110") at a village/community
DISPATCHER = "dispatcher"      # grid service management center at township, county, prefecture
DEPARTMENT = "department"
POINTS_EVALUATOR = "points_evaluator"
CLERK = "clerk"                # points-supermarket clerk
LEADER = "leader"              # read-only
ADMIN = "admin"                # county admin

OPEN311 = "open311"            # a third-party client holding an API key (not a user, not a Cognito group)

ALL_ROLES = (GRID_MEMBER, STATION, DISPATCHER, DEPARTMENT, POINTS_EVALUATOR, CLERK, LEADER, ADMIN)
CENTER_ROLES = (STATION, DISPATCHER)
RoleName = Literal[ALL_ROLES]   # a role in a request body (an administrator assigning one)


SYSTEM = "system"              # what Gridloop itself does (deadline notices, photos): not a person's role


class Principal(NamedTuple):
    """Who is asking: taken from a verified token."""
    user_id: str
    role: str
    name: str = ""
    node: str | None = None          # jurisdiction node (center, leader, admin, evaluator, clerk)
    department: str | None = None    # department staff
    grid: str | None = None          # grid member

    def describe(self) -> dict:
        return {"user_id": self.user_id, "role": self.role, "name": self.name}


def open311_client(key_id: str) -> Principal:
    """The caller behind an Open311 API key."""
    return Principal(f"open311:{key_id}", OPEN311, name=f"Open311 client {key_id}")


@dataclass
class Actor:
    """Who did something, as the timeline records it."""
    user_id: str
    role: str
    name: str = ""

    @classmethod
    def of(cls, p: Principal) -> "Actor":
        return cls(p.user_id, p.role, p.name)


GRIDLOOP = Actor(SYSTEM, SYSTEM, "Gridloop")

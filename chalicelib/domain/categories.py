"""The category catalog of demands and disputes (from the county configuration)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Routing:
    level: str                        # the center a triaged case is diverted to
    department_kind: str | None       # the kind of department suggested as lead


@dataclass(frozen=True)
class Category:
    code: str
    kind: str                         # demand | dispute
    names: dict
    public: bool                      # may appear on Open311
    sensitive: bool                   # cases are visible only to their handling chain
    complex: bool                     # longer resolve deadline
    routing: Routing

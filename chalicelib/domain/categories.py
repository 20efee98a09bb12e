"""The category catalog of demands and disputes (from the county configuration)."""
from typing import NamedTuple


class Routing(NamedTuple):
    """Where a triaged case of a category goes: the center's level and the kind of lead department."""
    level: str                        # the center a triaged case is diverted to
    department_kind: str | None       # the kind of department suggested as lead


class Category(NamedTuple):
    """A kind of problem the county handles, with its routing and what may be published."""
    code: str
    kind: str                         # demand | dispute
    names: dict
    public: bool                      # may appear on Open311
    sensitive: bool                   # cases are visible only to their handling chain
    complex: bool                     # longer resolve deadline
    routing: Routing

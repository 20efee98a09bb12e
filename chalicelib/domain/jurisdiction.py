"""The jurisdiction tree: prefecture > county > township > village > grid, and departments.

Codes are path-like ("BZ.RQ.TGLK.YKS.G01"), so subtree tests are prefix tests.
"""
from typing import NamedTuple


class Node(NamedTuple):
    """A place in the county's tree (county, township, village, grid); names by language."""
    code: str
    level: str
    names: dict
    case_prefix: str | None = None


class Department(NamedTuple):
    """A functional department at a node, of a kind that routing and dispatch name."""
    id: str
    node: str
    kind: str
    names: dict


def within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` or lies below it."""
    return code == ancestor or code.startswith(ancestor + ".")


class Jurisdiction:
    def __init__(self, nodes: list[Node], departments: list[Department]):
        self.nodes = {n.code: n for n in nodes}
        self.departments = {d.id: d for d in departments}
        self.root = nodes[0]

    def node(self, code: str) -> Node | None:
        return self.nodes.get(code)

    def department(self, department_id: str) -> Department | None:
        return self.departments.get(department_id)

    def ancestors(self, code: str) -> list[Node]:
        """The node and its ancestors, nearest first."""
        parts = code.split(".")
        return [self.nodes[".".join(parts[:i])] for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in self.nodes]

    def ancestor_at(self, code: str, level: str) -> Node | None:
        return next((n for n in self.ancestors(code) if n.level == level), None)

    def center_above(self, center_code: str) -> Node | None:
        """The next center up the escalation ladder, or None at the top."""
        parent = ".".join(center_code.split(".")[:-1])
        return self.nodes.get(parent) if parent else None

    def county_of(self, code: str) -> Node | None:
        return self.ancestor_at(code, "county")

    def grids(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.level == "grid"]

    def grids_under(self, code: str) -> list[str]:
        """The codes of the grids at or below `code`, sorted."""
        return sorted(n.code for n in self.grids() if within(n.code, code))

    def departments_of_kind(self, kind: str, on_path_of: str) -> list[Department]:
        """Departments of a kind that sit on the path from `on_path_of` to the root, nearest first."""
        path = [n.code for n in self.ancestors(on_path_of)]
        found = [d for d in self.departments.values() if d.kind == kind and d.node in path]
        return sorted(found, key=lambda d: path.index(d.node))

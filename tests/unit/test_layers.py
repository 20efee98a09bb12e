"""The layers hold, read from the source: the domain imports nothing from AWS, HTTP or the outer layers, the
services nothing from the adapters, and no module but the roles and the access policy names a role."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHALICELIB = ROOT / "chalicelib"
ROLE_NAMES = {"grid_member", "station", "dispatcher", "department", "points_evaluator", "clerk", "leader", "admin",
              "open311"}                                            # the product's roles, written out here
ROLE_CONSTANTS = {"GRID_MEMBER", "STATION", "DISPATCHER", "DEPARTMENT", "POINTS_EVALUATOR", "CLERK", "LEADER",
                  "ADMIN", "OPEN311", "CENTER_ROLES", "ALL_ROLES"}


def modules(layer: str) -> list[Path]:
    return sorted((CHALICELIB / layer).glob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def outside(names: set[str], allowed: tuple[str, ...]) -> set[str]:
    return {n for n in names if not any(n == a or n.startswith(a + ".") for a in allowed)}


STDLIB_USED = ("__future__", "abc", "collections", "copy", "dataclasses", "datetime", "enum", "fractions",
               "functools", "hashlib", "hmac", "json", "logging", "math", "re", "secrets", "typing", "zoneinfo")


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library_validation_the_calendar_and_itself(path):
    assert outside(imported(path), STDLIB_USED + ("pydantic", "chinese_calendar", "chalicelib.domain")) == set()


@pytest.mark.parametrize("path", modules("services"), ids=lambda p: p.name)
def test_the_services_import_no_adapter_nor_anything_of_aws_or_http(path):
    assert outside(imported(path), ("chalicelib.adapters", "boto3", "botocore", "pynamodb", "chalice")) \
        == imported(path)


def role_named(path: Path) -> list[str]:
    """Where a module names a role: a role constant of chalicelib.domain.roles, or a role's text next to `.role`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "roles" \
                and node.attr in ROLE_CONSTANTS:
            found.append(f"{path.name}:{node.lineno} roles.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "chalicelib.domain.roles":
            found += [f"{path.name}:{node.lineno} imports {a.name}" for a in node.names if a.name in ROLE_CONSTANTS]
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            texts = {c.value for side in sides for c in ast.walk(side) if isinstance(c, ast.Constant)}
            if any(isinstance(s, ast.Attribute) and s.attr == "role" for s in sides) and texts & ROLE_NAMES:
                found.append(f"{path.name}:{node.lineno} compares .role with {sorted(texts & ROLE_NAMES)}")
    return found


@pytest.mark.parametrize("path", modules("services") + modules("api") + modules("domain"), ids=lambda p: p.name)
def test_no_module_but_the_roles_and_the_access_policy_names_a_role(path):
    if path.name in ("roles.py", "access.py"):
        return
    assert role_named(path) == []


def test_the_check_finds_a_role_named_by_text_or_by_constant(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from chalicelib.domain import roles\n"
                      "def f(p):\n    return p.role == 'admin' or p.role in (roles.CLERK,)\n")
    assert role_named(sample) == ["sample.py:3 compares .role with ['admin']", "sample.py:3 roles.CLERK"]

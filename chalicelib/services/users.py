"""The deployment's users, managed by its administrator: list by role, create, set role and place, disable.

Users live in the identity provider, never in a table: the API trusts the token for role (one group) and place
(`custom:node`, `custom:department` or `custom:grid`), so only an administrator may set them. `UserDirectory`
is the port; the stack's Cognito user pool is its one adapter (chalicelib/adapters/cognito_users.py). Where the
deployment trusts an external OIDC issuer, or the local stack (which has no user pool), the API refuses with a
machine code and says where users are managed instead.
"""
from __future__ import annotations

import abc

from chalicelib.domain import access, commands
from chalicelib.domain.errors import Forbidden, Invalid, UsersManagedElsewhere
from chalicelib.domain.roles import Principal

PLACE_ATTRIBUTES = access.PLACE_ATTRIBUTES   # a user holds the one their role takes (access.place_attribute)


class UserDirectory(abc.ABC):
    """The identity provider's users, as the administrator sees them."""

    @abc.abstractmethod
    def page(self, role: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """Users of one role: {username, name, enabled, status, node, department, grid}; the next cursor."""

    @abc.abstractmethod
    def create(self, username: str, name: str, role: str, place: dict[str, str]) -> str:
        """A new user in the role's group with its place; the temporary password (to be changed at sign-in)."""

    @abc.abstractmethod
    def assign(self, username: str, role: str, place: dict[str, str]) -> None:
        """Exactly this role's group, and this place (the other place attributes removed)."""

    @abc.abstractmethod
    def disable(self, username: str) -> None: ...

    @abc.abstractmethod
    def subject(self, username: str) -> str:
        """The user's subject (the token's `sub`, which the API knows callers by); NotFound if there is none."""


def _administrator(p: Principal) -> None:
    if not access.may_administer(p):
        raise Forbidden("only the administrator manages users")


def _directory(directory: UserDirectory | None, config) -> UserDirectory:
    if config.oidc is not None:
        raise UsersManagedElsewhere(
            f"this deployment's users live in its OIDC issuer {config.oidc.issuer}: create them, set their role "
            "and place claims and disable them there (docs/deploy.md, 'Adding users')")
    if directory is None:
        raise UsersManagedElsewhere(
            "this stage has no user pool (the local stack signs in the people of its seed file, "
            "local/seed/<county>-people.yaml): edit that file and restart `make run`")
    return directory


def _place(config, role: str, place: str) -> dict[str, str]:
    """The place attribute for the role, checked against the jurisdiction."""
    attribute = access.place_attribute(role)
    if attribute == "department":
        found = config.jurisdiction.department(place) is not None
        what = "a department id"
    else:
        node = config.jurisdiction.node(place)
        found = node is not None and (node.level == "grid") == (attribute == "grid")
        what = "a grid code" if attribute == "grid" else "a node code (not a grid)"
    if not found:
        raise Invalid(f"a {role} is placed by {what}; '{place}' is not one of this deployment", field="place")
    return {attribute: place}


def list_users(directory, config, p: Principal, role: str, limit: int, cursor: str | None) -> dict:
    _administrator(p)
    if role not in access.ASSIGNABLE_ROLES:
        raise Invalid(f"role must be one of {', '.join(access.ASSIGNABLE_ROLES)}", field="role")
    items, next_cursor = _directory(directory, config).page(role, limit, cursor)
    return {"items": items, "cursor": next_cursor, "role": role}


def create_user(directory, config, p: Principal, body: commands.CreateUser) -> dict:
    _administrator(p)
    users = _directory(directory, config)
    place = _place(config, body.role, body.place)
    password = users.create(body.username, body.name, body.role, place)
    return {"username": body.username, "name": body.name, "role": body.role, **place,
            "temporary_password": password}


def assign_user(directory, config, p: Principal, username: str, body: commands.AssignUser) -> dict:
    _administrator(p)
    users = _directory(directory, config)
    place = _place(config, body.role, body.place)
    if users.subject(username) == p.user_id:
        raise Forbidden("nobody changes their own role or place: ask another administrator")
    users.assign(username, body.role, place)
    return {"username": username, "role": body.role, **place}


def disable_user(directory, config, p: Principal, username: str) -> dict:
    _administrator(p)
    users = _directory(directory, config)
    if users.subject(username) == p.user_id:
        raise Forbidden("an administrator cannot disable themselves")
    users.disable(username)
    return {"username": username, "enabled": False}


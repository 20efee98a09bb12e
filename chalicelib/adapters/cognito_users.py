"""The stack's Cognito user pool as the administrator's user directory (chalicelib/services/users.py).

Role is the user's one Gridloop group; place is `custom:node`, `custom:department` or `custom:grid` (the app
client lets no user write them: only these administrator calls do, with the API function's role). A new user gets
a temporary password, returned once to the administrator to hand over (no invitation message: a county's staff
may have neither e-mail nor an SMS-capable account); Cognito asks for a new one, and MFA, at first sign-in.
"""
from __future__ import annotations

import secrets
import string

from botocore.exceptions import ClientError

from chalicelib.adapters import aws
from chalicelib.adapters.paging import decode_cursor, encode_cursor
from chalicelib.domain import access
from chalicelib.domain.errors import NotFound, UserExists
from chalicelib.services.users import PLACE_ATTRIBUTES, UserDirectory


def temporary_password() -> str:
    """16 characters with every class the pool's policy requires (upper, lower, digit, symbol)."""
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#%+-=?@^_"]
    chosen = [secrets.choice(c) for c in classes] + [secrets.choice("".join(classes)) for _ in range(12)]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def _user(raw: dict) -> dict:
    attributes = {a["Name"]: a["Value"] for a in raw.get("Attributes", raw.get("UserAttributes", []))}
    return {"username": raw["Username"], "name": attributes.get("name", ""), "enabled": raw.get("Enabled", True),
            "status": raw.get("UserStatus", ""),
            **{p: attributes.get(f"custom:{p}") for p in PLACE_ATTRIBUTES}}


class CognitoUsers(UserDirectory):
    def __init__(self, pool_id: str):
        self.pool_id = pool_id
        self.client = aws.client_in("cognito-idp", pool_id.split("_", 1)[0])   # "<region>_<id>"

    def _call(self, operation: str, **params):
        try:
            return getattr(self.client, operation)(UserPoolId=self.pool_id, **params)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "UserNotFoundException":
                raise NotFound(f"no user {params.get('Username')}") from None
            if code == "UsernameExistsException":
                raise UserExists(f"a user {params.get('Username')} exists already",
                                 fields=[{"field": "username", "message": "taken"}]) from None
            raise

    def page(self, role, limit, cursor):
        fingerprint = f"users:{role}"
        token = decode_cursor(cursor, fingerprint).get("t") if cursor else None
        answer = self._call("list_users_in_group", GroupName=role, Limit=limit,
                            **({"NextToken": token} if token else {}))
        following = answer.get("NextToken")
        return ([_user(u) for u in answer.get("Users", [])],
                encode_cursor({"f": fingerprint, "t": following}) if following else None)

    def create(self, username, name, role, place):
        password = temporary_password()
        attributes = [{"Name": "name", "Value": name}] + [{"Name": f"custom:{k}", "Value": v} for k, v in place.items()]
        self._call("admin_create_user", Username=username, UserAttributes=attributes, TemporaryPassword=password,
                   MessageAction="SUPPRESS")
        self._call("admin_add_user_to_group", Username=username, GroupName=role)
        return password

    def assign(self, username, role, place):
        groups = self._call("admin_list_groups_for_user", Username=username).get("Groups", [])
        held = {g["GroupName"] for g in groups} & set(access.ASSIGNABLE_ROLES)
        for group in held - {role}:
            self._call("admin_remove_user_from_group", Username=username, GroupName=group)
        if role not in held:
            self._call("admin_add_user_to_group", Username=username, GroupName=role)
        self._call("admin_update_user_attributes", Username=username,
                   UserAttributes=[{"Name": f"custom:{k}", "Value": v} for k, v in place.items()])
        held_now = {a["Name"] for a in self._call("admin_get_user", Username=username).get("UserAttributes", [])}
        others = [f"custom:{p}" for p in PLACE_ATTRIBUTES if p not in place and f"custom:{p}" in held_now]
        if others:   # only those the user has: Cognito refuses to delete an attribute that is not there
            self._call("admin_delete_user_attributes", Username=username, UserAttributeNames=others)

    def disable(self, username):
        self._call("admin_disable_user", Username=username)

    def subject(self, username):
        attributes = self._call("admin_get_user", Username=username).get("UserAttributes", [])
        return next((a["Value"] for a in attributes if a["Name"] == "sub"), username)

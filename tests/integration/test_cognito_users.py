"""The administrator's user management on a Cognito user pool (moto's cognito-idp), through the service and the
Cognito adapter, as the API function: every call is checked against its grants in the synthesised stack.

The pool is made here as the stack makes it (custom:node/department/grid, one group per role); what each call
did is read back with the harness's own client, never through the adapter under test."""
import os

import boto3
import pytest

from chalicelib import county_config, entrypoints, environment
from chalicelib.adapters.cognito_users import CognitoUsers
from chalicelib.domain.commands import AssignUser, CreateUser
from chalicelib.domain.errors import Forbidden, Invalid, NotFound, UserExists, UsersManagedElsewhere
from chalicelib.domain.roles import Principal
from chalicelib.services import users

ROLES = ["grid_member", "station", "dispatcher", "department", "points_evaluator", "clerk", "leader", "admin"]
POOL_REGION = county_config.load("demo").spec.deployment.region
ADMIN = Principal("admin-sub", "admin", node="BZ")


@pytest.fixture
def pool(aws, monkeypatch):
    idp = boto3.client("cognito-idp", region_name=POOL_REGION)   # the stack's region: no user pools in China
    pool_id = idp.create_user_pool(PoolName="gridloop-local-users", Schema=[
        {"Name": name, "AttributeDataType": "String", "Mutable": True} for name in ("node", "department", "grid")],
        MfaConfiguration="OFF")["UserPool"]["Id"]
    for role in ROLES:
        idp.create_group(UserPoolId=pool_id, GroupName=role)
    monkeypatch.setenv(environment.USER_POOL_ID, pool_id)
    yield idp, pool_id
    idp.delete_user_pool(UserPoolId=pool_id)


@pytest.fixture
def config():
    return county_config.load("demo")


def as_api(call, *args):
    with entrypoints.running_as(entrypoints.API_HANDLER):
        return call(*args)


def attributes(idp, pool_id, username):
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in found["UserAttributes"]}, found["Enabled"]


def groups(idp, pool_id, username):
    return sorted(g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id,
                                                                         Username=username)["Groups"])


def test_a_user_is_created_in_one_role_with_the_place_attribute_of_that_role(pool, config):
    idp, pool_id = pool
    created = as_api(users.create_user, CognitoUsers(pool_id), config, ADMIN, CreateUser(
        username="fu.rongqing", name="付某", role="grid_member", place="BZ.RQ.TGLK.YKS.G01"))
    assert created["grid"] == "BZ.RQ.TGLK.YKS.G01" and len(created["temporary_password"]) == 16
    found, enabled = attributes(idp, pool_id, "fu.rongqing")
    assert (found["name"], found["custom:grid"], enabled) == ("付某", "BZ.RQ.TGLK.YKS.G01", True)
    assert "custom:node" not in found and "custom:department" not in found
    assert groups(idp, pool_id, "fu.rongqing") == ["grid_member"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="fu.rongqing")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_setting_role_and_place_leaves_exactly_one_group_and_one_place_attribute(pool, config):
    idp, pool_id = pool
    directory = CognitoUsers(pool_id)
    as_api(users.create_user, directory, config, ADMIN, CreateUser(
        username="ma.wenbin", name="马某", role="grid_member", place="BZ.RQ.TGLK.YKS.G01"))
    moved = as_api(users.assign_user, directory, config, ADMIN, "ma.wenbin",
                   AssignUser(role="station", place="BZ.RQ.TGLK.YKS"))
    assert moved == {"username": "ma.wenbin", "role": "station", "node": "BZ.RQ.TGLK.YKS"}
    found, _ = attributes(idp, pool_id, "ma.wenbin")
    assert found["custom:node"] == "BZ.RQ.TGLK.YKS" and "custom:grid" not in found
    assert groups(idp, pool_id, "ma.wenbin") == ["station"]
    as_api(users.assign_user, directory, config, ADMIN, "ma.wenbin", AssignUser(role="department", place="rq-agri"))
    found, _ = attributes(idp, pool_id, "ma.wenbin")
    assert found["custom:department"] == "rq-agri" and "custom:node" not in found
    assert groups(idp, pool_id, "ma.wenbin") == ["department"]


def test_a_disabled_user_stays_listed_as_disabled_and_lists_page_by_role(pool, config):
    idp, pool_id = pool
    directory = CognitoUsers(pool_id)
    for n in range(3):
        as_api(users.create_user, directory, config, ADMIN, CreateUser(
            username=f"station.{n}", name=f"Station {n}", role="station", place="BZ.RQ.TGLK.YKS"))
    as_api(users.create_user, directory, config, ADMIN, CreateUser(
        username="leader.1", name="Leader", role="leader", place="BZ.RQ"))
    assert as_api(users.disable_user, directory, config, ADMIN, "station.1") == {"username": "station.1",
                                                                                 "enabled": False}
    assert attributes(idp, pool_id, "station.1")[1] is False
    seen, cursor, pages = [], None, 0
    while True:
        page = as_api(users.list_users, directory, config, ADMIN, "station", 2, cursor)
        seen += page["items"]
        cursor, pages = page["cursor"], pages + 1
        if cursor is None:
            break
    assert pages == 2 and sorted(u["username"] for u in seen) == ["station.0", "station.1", "station.2"]
    assert {u["username"]: u["enabled"] for u in seen}["station.1"] is False
    assert {u["username"]: u["node"] for u in seen}["station.2"] == "BZ.RQ.TGLK.YKS"


def test_refusals_name_the_field_or_the_reason(pool, config):
    idp, pool_id = pool
    directory = CognitoUsers(pool_id)
    with pytest.raises(Invalid) as wrong_place:                     # a station is placed by a node, not a grid
        as_api(users.create_user, directory, config, ADMIN, CreateUser(
            username="x.station", name="X", role="station", place="BZ.RQ.TGLK.YKS.G01"))
    assert wrong_place.value.field == "place"
    with pytest.raises(Invalid):
        as_api(users.create_user, directory, config, ADMIN, CreateUser(
            username="x.dept", name="X", role="department", place="no-such-department"))
    as_api(users.create_user, directory, config, ADMIN, CreateUser(
        username="twice", name="T", role="leader", place="BZ"))
    with pytest.raises(UserExists):
        as_api(users.create_user, directory, config, ADMIN, CreateUser(
            username="twice", name="T", role="leader", place="BZ"))
    with pytest.raises(NotFound):
        as_api(users.disable_user, directory, config, ADMIN, "nobody.here")
    with pytest.raises(Forbidden):
        as_api(users.list_users, directory, config, Principal("s", "station", node="BZ.RQ.TGLK.YKS"), "station", 10,
               None)
    sub = attributes(idp, pool_id, "twice")[0]["sub"]              # the administrator moving themselves
    with pytest.raises(Forbidden):
        as_api(users.assign_user, directory, config, Principal(sub, "admin", node="BZ"), "twice",
               AssignUser(role="admin", place="BZ"))
    assert groups(idp, pool_id, "twice") == ["leader"]


def test_an_external_issuer_or_no_pool_is_refused_with_where_users_are_managed(config):
    yuli = county_config.load("yuli")
    with pytest.raises(UsersManagedElsewhere) as external:
        users.list_users(CognitoUsers(f"{POOL_REGION}_unused"), yuli, ADMIN, "station", 10, None)
    assert yuli.oidc.issuer in external.value.message and "docs/deploy.md" in external.value.message
    with pytest.raises(UsersManagedElsewhere) as local:
        users.list_users(None, config, ADMIN, "station", 10, None)
    assert "no user pool" in local.value.message
    assert os.environ.get(environment.USER_POOL_ID) is None

"""`make run COUNTY=<name>` without a people file: people generated for the county's own places.

Expected counts are read off chalicelib/counties/yuli.yaml by hand: one prefecture (BZ), one county (BZ.YL),
one township (BZ.YL.YLZ), two villages (DYS, XHS), four grids, seven departments."""
from chalicelib import county_config
from local.seed import generate_people, people_for


def test_every_place_of_a_county_without_a_people_file_gets_its_people():
    yuli = county_config.load("yuli")
    people, source = people_for(yuli)
    assert source == "generated from the county's places"
    by_role = {}
    for u in people["users"]:
        by_role.setdefault(u["role"], []).append(u)
    assert sorted(u["grid"] for u in by_role["grid_member"]) == [
        "BZ.YL.YLZ.DYS.G01", "BZ.YL.YLZ.DYS.G02", "BZ.YL.YLZ.XHS.G01", "BZ.YL.YLZ.XHS.G02"]
    for role in ("station", "points_evaluator", "clerk"):
        assert sorted(u["node"] for u in by_role[role]) == ["BZ.YL.YLZ.DYS", "BZ.YL.YLZ.XHS"]
    assert sorted(u["node"] for u in by_role["dispatcher"]) == ["BZ", "BZ.YL", "BZ.YL.YLZ"]
    assert sorted(u["node"] for u in by_role["leader"]) == ["BZ", "BZ.YL"]
    assert sorted(u["department"] for u in by_role["department"]) == [
        "bz-justice", "bz-water", "yl-agri", "yl-justice", "yl-transport", "yl-water", "ylz-office"]
    assert [u["node"] for u in by_role["admin"]] == ["BZ"]
    assert len({u["user_id"] for u in people["users"]}) == len(people["users"]) == 23
    assert len(people["households"]) == 8 and {h["grid"] for h in people["households"]} == {
        u["grid"] for u in by_role["grid_member"]}


def test_the_same_county_always_generates_the_same_people():
    yuli = county_config.load("yuli")
    assert generate_people(yuli) == generate_people(yuli)   # stable ids: tokens and households survive restarts


def test_a_county_with_a_people_file_reads_it():
    people, source = people_for(county_config.load("demo"))
    assert source == "local/seed/demo-people.yaml" and any(u["user_id"] == "gm-yks-01" for u in people["users"])

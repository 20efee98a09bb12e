"""The county configuration: the demo loads; a bad file is refused with every problem and its path."""
import copy
import re

import pytest
import yaml

from chalicelib import county_config
from chalicelib.county_config import COUNTIES_DIR, ConfigError, parse


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load((COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8"))


def test_the_demo_deployment_has_what_the_issue_asks_for(config):
    nodes = config.jurisdiction.nodes.values()
    by_level = {level: [n for n in nodes if n.level == level] for level in
                ("prefecture", "county", "township", "village", "grid")}
    assert [n.code for n in by_level["prefecture"]] == ["BZ"]
    assert {"BZ.RQ", "BZ.HJ"} <= {n.code for n in by_level["county"]}
    assert {"BZ.RQ.TGLK", "BZ.HJ.BYBLK"} <= {n.code for n in by_level["township"]}
    assert {"BZ.RQ.TGLK.YKS", "BZ.HJ.BYBLK.ELB"} <= {n.code for n in by_level["village"]}
    assert len(by_level["township"]) >= 4 and len(by_level["village"]) >= 8 and len(by_level["grid"]) >= 24
    assert len(config.jurisdiction.departments) >= 10
    assert {config.jurisdiction.node(d.node).level for d in config.jurisdiction.departments.values()} == {
        "township", "county", "prefecture"}
    assert len(config.categories) >= 15
    assert {c.kind for c in config.categories.values()} == {"demand", "dispute"}
    assert any(c.sensitive for c in config.categories.values()) and any(c.public for c in config.categories.values())
    for node in nodes:
        assert node.names["zh"] and node.names["en"]


def test_the_demo_deadline_policy_is_design_section_4(config):
    policy = config.deadlines
    expected = {  # docs/architecture.md (Time, deadlines and escalation), written out
        ("triage", "emergency"): (30, "minutes"), ("triage", "urgent"): (120, "minutes"),
        ("triage", "normal"): (1, "working_days"),
        ("report_in", "emergency"): (30, "minutes"), ("report_in", "urgent"): (120, "minutes"),
        ("report_in", "normal"): (1, "working_days"),
        ("resolve", "emergency"): (1440, "minutes"), ("resolve", "urgent"): (3, "working_days"),
        ("resolve", "normal"): (5, "working_days"),
    }
    for (stage, urgency), (amount, unit) in expected.items():
        d = policy.duration(stage, urgency)
        assert (d.amount, d.unit) == (amount, unit), (stage, urgency)
    complex_normal = policy.duration("resolve", "normal", complex_category=True)
    assert (complex_normal.amount, complex_normal.unit) == (15, "working_days")


def test_the_configuration_holds_no_phone_numbers_or_secrets():
    text = (COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8")
    import re
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), "a mobile phone number in the config"
    assert not re.search(r"(?i)(secret|password|token)\s*:", text)


def test_a_bad_file_is_refused_with_every_problem_and_its_path(raw):
    bad = copy.deepcopy(raw)
    bad["root"]["children"][0]["case_prefix"] = None                    # a county without a case prefix
    bad["categories"][0]["kind"] = "complaint"                          # not demand/dispute
    bad["deadlines"]["triage"]["urgent"] = {"hours": 2, "minutes": 5}    # two units
    bad["calendar"]["timezone"] = "Mars/Olympus"
    bad["departments"][0]["node"] = "BZ.NOWHERE"
    with pytest.raises(ConfigError) as refused:
        parse(bad, source="bad.yaml")
    paths = [path for path, _ in refused.value.problems]
    assert "root.children.0" in paths
    assert "categories.0.kind" in paths
    assert "deadlines.triage.urgent" in paths
    assert "calendar.timezone" in paths
    assert len(refused.value.problems) >= 4
    assert "bad.yaml" in str(refused.value)


def test_cross_references_are_checked_after_the_shape(raw):
    bad = copy.deepcopy(raw)
    bad["departments"][0]["node"] = "BZ.NOWHERE"
    bad["categories"][0]["routing"]["department_kind"] = "astronomy"
    with pytest.raises(ConfigError) as refused:
        parse(bad)
    message = str(refused.value)
    assert "BZ.NOWHERE" in message and "astronomy" in message


def test_unknown_keys_are_refused_rather_than_ignored(raw):
    bad = copy.deepcopy(raw)
    bad["root"]["nmes"] = {}
    with pytest.raises(ConfigError) as refused:
        parse(bad)
    assert ("root.nmes", "Extra inputs are not permitted") in refused.value.problems


def test_a_child_must_sit_one_level_below_and_inside_its_parent(raw):
    bad = copy.deepcopy(raw)
    township = bad["root"]["children"][0]["children"][0]
    township["children"][0]["code"] = "BZ.XX.YY"
    with pytest.raises(ConfigError) as refused:
        parse(bad)
    assert "must start with its parent's code" in str(refused.value)


def test_invalid_yaml_is_reported_not_half_loaded(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError) as refused:
        county_config.load_file(path)
    assert refused.value.problems[0][0] == "(file)"


def _line_of(text: str, fragment: str) -> int:
    """1-based line of the first occurrence of `fragment` (the expected lines are found in the text itself)."""
    return text[: text.index(fragment)].count("\n") + 1


def test_check_config_lists_shape_and_cross_reference_problems_together_with_file_and_line(tmp_path, monkeypatch,
                                                                                          capsys):
    """Six problems, three of the shape and three between parts: all in one run, each at its line."""
    import sys
    sys.path.insert(0, str(COUNTIES_DIR.parent.parent / "infra"))
    import check_config
    text = (COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8")
    edits = {   # fragment as written -> as broken (each fragment occurs first where it is meant)
        "case_prefix: RQ": "case_prefix: rq",                                   # shape: pattern
        "timezone: Asia/Shanghai": "timezone: Mars/Olympus",                    # shape: not a zone
        "triage:                       # station": "triage: {emergency: {minutes: 30}}\n  x_triage:   # station",
        "department_kind: agriculture": "department_kind: astronomy",           # cross: no such kind
        "- id: rq-water\n    node: BZ.RQ\n": "- id: rq-water\n    node: BZ.NOWHERE\n",   # cross: no such node
        "- id: rq-police": "- id: rq-agri",                                     # cross: id used twice
    }
    for before, after in edits.items():
        assert before in text
        text = text.replace(before, after, 1)
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(check_config, "COUNTIES_DIR", tmp_path)
    assert check_config.main("broken") == 1
    report = capsys.readouterr().err
    expected = {
        _line_of(text, "case_prefix: rq"): "root.children.0.case_prefix",
        _line_of(text, "timezone: Mars/Olympus"): "calendar.timezone",
        _line_of(text, "triage: {emergency"): "deadlines.triage",
        _line_of(text, "x_triage"): "deadlines.x_triage",
        _line_of(text, "department_kind: astronomy"): "categories.0.routing.department_kind",
        _line_of(text, "node: BZ.NOWHERE"): "departments",
        _line_of(text, "- id: rq-agri\n    node: BZ.RQ\n    kind: police"): "departments",
    }
    for line, path in expected.items():
        assert any(f"broken.yaml:{line}: {path}" in shown for shown in report.splitlines()), (line, path, report)
    assert "BZ.NOWHERE" in report and "astronomy" in report and "'rq-agri' is used twice" in report


def test_an_unknown_county_lists_the_deployments_that_exist(capsys):
    import sys
    sys.path.insert(0, str(COUNTIES_DIR.parent.parent / "infra"))
    import check_config
    assert check_config.main("atlantis") == 2
    listed = re.search(r"The deployments that exist: (.*?) \(", capsys.readouterr().err).group(1).split(", ")
    # (another test may add a county file for a moment while this one runs: both of ours must be listed, in order)
    assert {"demo", "yuli"} <= set(listed) and listed == sorted(listed)
    with pytest.raises(ConfigError) as refused:
        county_config.load("atlantis")
    assert "demo" in str(refused.value) and "yuli" in str(refused.value)


def test_a_package_reads_the_configuration_validated_when_it_was_built(raw, tmp_path, monkeypatch):
    import json
    import pickle
    validated = parse({**raw, "name": "as-packaged"})
    (tmp_path / "demo.pickle").write_bytes(pickle.dumps(validated))
    (tmp_path / "demo.json").write_text(json.dumps(raw, default=str), encoding="utf-8")   # name "demo"
    monkeypatch.setattr(county_config, "COUNTIES_DIR", tmp_path)
    county_config.load.cache_clear()
    try:
        assert county_config.load("demo").name == "as-packaged"
    finally:
        county_config.load.cache_clear()


def test_an_unreadable_packaged_configuration_is_validated_from_its_json_instead(raw, tmp_path, monkeypatch,
                                                                                 caplog):
    import json
    (tmp_path / "demo.pickle").write_bytes(b"written by another build")
    (tmp_path / "demo.json").write_text(json.dumps(raw, default=str), encoding="utf-8")
    monkeypatch.setattr(county_config, "COUNTIES_DIR", tmp_path)
    county_config.load.cache_clear()
    try:
        deployment = county_config.load("demo")
    finally:
        county_config.load.cache_clear()
    assert deployment.spec == parse(raw).spec
    assert "demo.pickle unreadable" in caplog.text and "validating the configuration instead" in caplog.text


def test_a_packaged_configuration_reads_its_file_as_written_only_when_asked_and_falls_back_to_the_json(
        raw, tmp_path, monkeypatch, caplog):
    """The pickled Deployment carries the spec as a pickle of its own, read on first use; one that cannot be read
    back (written by another build) is validated from the county's JSON instead, the rest of the Deployment kept."""
    import json
    import pickle
    packaged = pickle.loads(pickle.dumps(parse(raw)))
    assert "spec" not in vars(packaged) and "point_rules" not in vars(packaged)      # not read yet
    assert packaged.spec == parse(raw).spec and len(packaged.point_rules) == len(raw["points"]["rules"])
    broken = pickle.loads(pickle.dumps(parse(raw)))
    broken._spec_pickled = b"written by another build"
    (tmp_path / "demo.json").write_text(json.dumps(raw, default=str), encoding="utf-8")
    monkeypatch.setattr(county_config, "COUNTIES_DIR", tmp_path)
    assert broken.spec == parse(raw).spec and broken.calendar is broken.working_calendar
    assert "demo's spec unreadable" in caplog.text

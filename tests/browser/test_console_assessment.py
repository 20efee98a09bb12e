"""The department's scorecard and appeal, and the county center's appeal decision, in a real browser; checked
against the API afterwards."""
from tests.browser.test_console_cases import report

ACCEPT = {"kind": "demand", "category": "irrigation", "urgency": "normal", "public_summary": "irrigation"}
BAD = {"scores": {"response_speed": 2, "performance": 1, "completion": 2, "feedback": 2}, "verdict": "bad"}
REASON = "The resident's plot was dry because the neighbour closed the sluice, not our channel."


def badly_reviewed(stack, title):
    case = report(stack, title=title)
    for user, action, body in [("station-yks", "accept", ACCEPT), ("dispatcher-rq", "dispatch", {"lead": "rq-agri"}),
                               ("dept-rq-agri", "acknowledge", {}), ("dept-rq-agri", "resolve", {"note": "channel dredged"}),
                               ("gm-yks-01", "evaluate", BAD)]:
        stack.ok(user, "POST", f"/cases/{case['id']}/{action}", body)
    return case


def test_the_bureau_appeals_a_bad_review_and_the_county_center_voids_it(console):
    stack = console.stack
    case = badly_reviewed(stack, "Reviewed badly: dry plot")
    before = stack.ok("dept-rq-agri", "GET", "/scorecards/rq-agri")

    bureau = console.sign_in("dept-rq-agri")
    bureau.get_by_role("navigation").get_by_role("link", name="考核与申诉").click()
    bureau.locator("#scorecard").wait_for()
    item = bureau.locator(f"section[aria-labelledby='appeal-open'] li[data-case='{case['id']}']")
    item.get_by_role("button", name="提出申诉").click()                  # without a reason: refused by the server
    item.locator(".field-error").wait_for()
    item.get_by_label("理由").fill(REASON)
    item.get_by_role("button", name="提出申诉").click()
    bureau.get_by_role("status").filter(has_text="申诉已提交").wait_for()
    bureau.locator(f"section[aria-labelledby='appeal-waiting'] li[data-case='{case['id']}']").wait_for()
    console.axe("scorecard and appeals", bureau)
    console.screenshot("scorecard", bureau)
    appeal = stack.ok("dept-rq-agri", "GET", f"/cases/{case['id']}")["evaluations"][0]["appeal"]
    assert (appeal["status"], appeal["by"]["user_id"]) == ("pending", "dept-rq-agri")

    center = console.sign_in("dispatcher-rq", page=console.new_tab())
    center.get_by_role("navigation").get_by_role("link", name="申诉裁决").click()
    item = center.locator(f"li[data-case='{case['id']}']")
    assert "申诉理由" in item.inner_text()
    item.get_by_label("决定").select_option("void")
    item.get_by_label("备注").fill("Sluice log confirms it")
    console.axe("appeal decisions", center)
    console.screenshot("appeal-decisions", center)
    item.get_by_role("button", name="裁决").click()
    center.get_by_role("status").filter(has_text="已裁决").wait_for()
    item.wait_for(state="detached")

    evaluation = stack.ok("dispatcher-rq", "GET", f"/cases/{case['id']}")["evaluations"][0]
    assert evaluation["voided"] is True and evaluation["appeal"]["status"] == "voided"
    after = stack.ok("dept-rq-agri", "GET", "/scorecards/rq-agri")
    assert (after["appeals"], after["voided"]) == (before["appeals"] + 1, before["voided"] + 1)

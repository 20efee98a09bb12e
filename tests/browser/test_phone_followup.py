"""After the report, on the phone: my reports with their timeline, the evaluation of resolved cases (a good one
closes the case, "not fixed" reopens it), the households of the grid and a visit; checked against the API."""
import time

from tests.browser.phone import phones  # noqa: F401
from tests.browser.test_console_assessment import ACCEPT
from tests.browser.test_console_cases import report

GM = "gm-yks-01"


def resolved(stack, title):
    case = report(stack, title=title)
    for user, action, body in [("station-yks", "accept", ACCEPT), ("dispatcher-rq", "dispatch", {"lead": "rq-agri"}),
                               ("dept-rq-agri", "acknowledge", {}), ("dept-rq-agri", "resolve", {"note": "dredged"})]:
        stack.ok(user, "POST", f"/cases/{case['id']}/{action}", body)
    return case


def evaluate(page, number, scores, verdict, fixed):
    page.get_by_role("navigation").get_by_role("link", name="评价回访").click()
    page.get_by_role("link", name=number).click()
    form = page.locator("form.evaluation")
    for legend, score in zip(["响应速度", "办理表现", "完成情况", "反馈"], scores):
        form.get_by_role("group", name=legend).get_by_label(str(score), exact=True).check()
    form.get_by_role("group", name="评价", exact=True).get_by_label(verdict, exact=True).check()
    form.get_by_role("group", name="问题已解决").get_by_label(fixed).check()
    return form


def test_a_good_evaluation_from_the_phone_closes_the_case_and_not_fixed_reopens_it(phones):
    phone = phones()
    stack = phone.stack
    tag = time.time_ns()
    good, bad = resolved(stack, f"Canal dredged {tag}"), resolved(stack, f"Canal still dry {tag}")
    page = phone.sign_in(GM)

    form = evaluate(page, good["number"], [5, 5, 4, 5], "满意", "已解决")
    phone.axe("phone evaluation")
    phone.screenshot("evaluation")
    form.get_by_role("button", name="提交评价").click()
    page.get_by_role("status").filter(has_text="评价已提交").wait_for()
    assert stack.ok(GM, "GET", f"/cases/{good['id']}")["status"] == "closed"

    form = evaluate(page, bad["number"], [2, 1, 1, 2], "不满意", "未解决（重新办理）")
    form.get_by_role("button", name="提交评价").click()
    page.get_by_role("status").filter(has_text="评价已提交").wait_for()
    after = stack.ok(GM, "GET", f"/cases/{bad['id']}")
    assert after["status"] not in ("closed", "resolved") and after["reopen_count"] == 1


def test_my_reports_show_status_and_timeline_and_a_household_visit_is_logged(phones):
    phone = phones()
    stack = phone.stack
    case = report(stack, title=f"Timeline {time.time_ns()}")
    page = phone.sign_in(GM)
    page.get_by_role("navigation").get_by_role("link", name="我的上报").click()
    page.get_by_role("link", name=case["number"]).click()
    page.locator("ol.timeline li").first.wait_for()
    assert "已上报" in page.locator("dl.facts").inner_text()
    phone.axe("phone case")
    phone.screenshot("my-report")

    page.get_by_role("navigation").get_by_role("link", name="住户走访").click()
    first = page.locator("li.household").first
    first.wait_for()
    phone.axe("phone households")
    phone.screenshot("households")
    head = first.locator("strong").inner_text()
    first.get_by_role("link").click()
    page.get_by_label("走访情况").fill("Talked about the canal; the family wants the sluice repaired.")
    page.get_by_label("群众诉求（每行一条）").fill("repair the sluice")
    phone.axe("phone visit")
    phone.screenshot("visit")
    page.get_by_role("button", name="保存走访").click()
    page.locator("li.household").first.wait_for()
    visits = stack.ok(GM, "GET", "/visits?grid=BZ.RQ.TGLK.YKS.G01&limit=100")["items"]
    assert any(v["demands_raised"] == ["repair the sluice"] for v in visits), head


def test_the_phone_page_in_uyghur_reads_right_to_left(phones):
    phone = phones()
    page = phone.page
    page.goto(phone.stack.url + "/console/phone")
    page.locator("button.sign-in-button").wait_for()
    phone.axe("phone sign-in")
    phone.screenshot("sign-in")
    page = phone.sign_in(GM)
    page.get_by_label("语言").select_option("ug")
    page.get_by_role("navigation").get_by_role("link", name="مەلۇم قىلىش").wait_for()
    assert page.evaluate("() => [document.documentElement.dir, document.documentElement.lang]") == ["rtl", "ug-CN"]
    assert page.get_by_role("heading", level=1).inner_text() == "مەسىلە مەلۇم قىلىش"
    phone.axe("phone report (Uyghur)")
    phone.screenshot("report-uyghur")


def test_a_household_past_the_first_hundred_of_the_grid_is_found_and_its_visit_logged(phones):
    phone = phones()
    stack = phone.stack
    grid, street = "BZ.RQ.TGLK.YKS.G02", f"{time.time_ns() % 10_000}街"
    ids = [stack.ok("station-yks", "POST", "/households", {"grid": grid, "head": f"阿依古丽{i}", "members": 4,
                                                             "address": f"{street}{i}号"}, status=201)["id"]
           for i in range(105)]                                   # more than one page of the list (100)
    page = phone.sign_in("gm-yks-02")
    page.get_by_role("navigation").get_by_role("link", name="住户走访").click()
    page.get_by_label("查找").fill(f"{street}104号")
    found = page.locator("li.household")
    found.filter(has_text=f"{street}104号").wait_for()
    assert found.count() == 1
    phone.screenshot("households-found")
    found.get_by_role("link").click()
    page.get_by_label("走访情况").fill("Asked about the winter heating subsidy.")
    page.get_by_role("button", name="保存走访").click()
    page.get_by_label("查找").wait_for()                            # back on the list: saved
    visits = stack.ok("gm-yks-02", "GET", f"/visits?grid={grid}&limit=100")["items"]
    assert any(v["household_id"] == ids[104] for v in visits)

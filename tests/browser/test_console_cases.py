"""The work queue, the case panel and the department inbox in a real browser, checked against the API."""
import io
import time
import uuid
from datetime import datetime, timedelta

from tests.browser.phone import phones  # noqa: F401

from PIL import Image

YKS_GRID = "BZ.RQ.TGLK.YKS.G01"


def report(stack, title="72 mu of resettled land without irrigation", user="gm-yks-01", grid=YKS_GRID,
           category="irrigation", at=(40.6035, 87.6865), urgency="normal"):
    return stack.ok(user, "POST", "/cases", {
        "kind": "demand", "category": category, "urgency": urgency, "grid": grid, "title": title,
        "description": "Three resettled households were allotted 72 mu; the irrigation system is incomplete.",
        "location": {"lat": at[0], "lon": at[1], "address": "Yakinson Village"},
        "residents": [{"name": "王某", "phone": "13900000007"}]}, status=201)


def open_case(page, menu: str, number: str):
    page.get_by_role("navigation").get_by_role("link", name=menu).click()
    page.get_by_role("link", name=number).click()
    page.locator("#case-title").wait_for()


def act(page, button: str, fill: dict | None = None):
    page.locator(".action-buttons").get_by_role("button", name=button, exact=True).click()
    form = page.locator("form.action-form")
    for label, value in (fill or {}).items():
        form.get_by_label(label).fill(value)
    return form


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def test_the_articles_case_from_the_station_through_the_whistle_to_the_bureaus_resolution(console, phones, tmp_path):
    from tests.browser.phone import cases_titled, fill_report, photo
    from tests.browser.test_phone_followup import evaluate
    stack = console.stack
    # the grid member reports from the lane on the phone page, with a photo of the dry plots
    phone = phones()
    lane = phone.sign_in("gm-yks-01")
    title = f"72 mu of resettled land without irrigation {time.time_ns()}"
    fill_report(lane, title, [photo(tmp_path, "dry.jpg")],
                description="Three resettled households were allotted 72 mu; the irrigation system is incomplete.")
    lane.get_by_role("button", name="发送", exact=True).click()
    lane.get_by_role("status").filter(has_text="已送达").wait_for()
    case, = cases_titled(stack, "gm-yks-01", title)
    # the receiving station triages it from its queue
    station = console.sign_in("station-yks")
    open_case(station, "待办队列", case["number"])
    console.axe("case panel (station)")
    console.screenshot("case-panel-station")
    form = act(station, "受理", {"公开摘要": "Irrigation missing for newly allotted farmland"})
    form.get_by_role("button", name="受理", exact=True).click()
    station.get_by_role("status").filter(has_text="已完成").wait_for()

    # the county center blows the whistle: the suggested lead preselected, a co-handler added
    center = console.sign_in("dispatcher-rq", page=console.new_tab())
    open_case(center, "待办队列", case["number"])
    form = act(center, "派遣（吹哨）", {"备注": "Inspect and restore irrigation"})
    assert form.get_by_label("主办部门").input_value() == "rq-agri"
    form.get_by_label("若羌县水利局").check()
    form.get_by_role("button", name="派遣（吹哨）").click()
    center.get_by_role("status").filter(has_text="已完成").wait_for()

    # the bureau reports in from its inbox with one click, then resolves with an after-photo from the browser
    bureau = console.sign_in("dept-rq-agri", page=console.new_tab())
    bureau.get_by_role("navigation").get_by_role("link", name="部门收件箱").click()
    row = bureau.locator(f"tr[data-case='{case['id']}']")
    row.wait_for()                               # the inbox loaded: shot and checked as people see it
    console.screenshot("inbox", bureau)
    console.axe("department inbox", bureau)
    row.get_by_role("button", name="签收（报到）").click()
    row.get_by_role("button").wait_for(state="detached")
    row.get_by_role("link", name=case["number"]).click()
    photo = tmp_path / "after.jpg"
    photo.write_bytes(jpeg())
    form = act(bureau, "办结", {"备注": "Water from a neighbour's machine well; a channel dredged to the plots.",
                               "根源问题跟进": "A lined canal is being planned."})
    form.get_by_label("办理后照片（JPEG、PNG 或 WebP）").set_input_files(str(photo))
    form.get_by_role("button", name="办结").click()
    bureau.get_by_role("status").filter(has_text="已完成").wait_for()

    # what the API says afterwards
    found = stack.ok("dispatcher-rq", "GET", f"/cases/{case['id']}")
    assert found["status"] == "resolved" and found["lead_department"] == "rq-agri"
    assert {a["department"] for a in found["assignments"]} == {"rq-agri", "rq-water"}
    timeline = [e["action"] for e in stack.ok("dispatcher-rq", "GET", f"/cases/{case['id']}/timeline")["items"]]
    assert [a for a in timeline if a in ("report", "accept", "dispatch", "acknowledge", "resolve")] == [
        "report", "accept", "dispatch", "acknowledge", "resolve"]
    deadline = time.time() + 20
    while len(found["photos"]) < 2 and time.time() < deadline:
        time.sleep(0.3)           # the worker decodes the upload and attaches it
        found = stack.ok("dispatcher-rq", "GET", f"/cases/{case['id']}")
    assert sorted(p["phase"] for p in found["photos"]) == ["after", "before"]
    # the grid's member evaluates on the phone: the loop closes
    form = evaluate(lane, case["number"], [5, 5, 4, 5], "满意", "已解决")
    form.get_by_role("button", name="提交评价").click()
    lane.get_by_role("status").filter(has_text="评价已提交").wait_for()
    assert stack.ok("gm-yks-01", "GET", f"/cases/{case['id']}")["status"] == "closed"


def test_a_title_written_as_html_is_shown_as_text(console):
    title = "<img src=x onerror=alert(1)>"
    case = report(console.stack, title=title)
    dialogs = []
    station = console.sign_in("station-yks")
    station.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    station.get_by_role("navigation").get_by_role("link", name="待办队列").click()
    row = station.locator(f"tr[data-case='{case['id']}']")
    assert row.locator("td.case-title").inner_text() == title
    assert row.locator("img").count() == 0
    console.axe("queue")
    console.screenshot("queue")
    row.get_by_role("link", name=case["number"]).click()
    assert station.locator("#case-title .case-title").inner_text() == title
    assert station.locator("article img[src='x']").count() == 0 and dialogs == []


def test_the_deadline_light_turns_yellow_when_the_warning_goes_out_and_red_when_the_deadline_passes(console):
    case = report(console.stack, title="Burst pipe flooding the lane", urgency="urgent")   # triage within 2 hours
    created = datetime.fromisoformat(case["created_at"])
    due = datetime.fromisoformat(case["deadlines"]["triage_due"])
    assert due - created == timedelta(hours=2)
    warning = created + timedelta(minutes=90)                       # 75% of two calendar hours
    assert datetime.fromisoformat(case["warnings"]["triage_due"]) == warning
    station = console.page
    station.clock.set_fixed_time(warning - timedelta(minutes=5))
    console.sign_in("station-yks")
    for moment, colour in ((warning - timedelta(minutes=5), "green"), (warning + timedelta(minutes=1), "yellow"),
                           (due + timedelta(minutes=1), "red")):
        station.clock.set_fixed_time(moment)
        station.reload()
        station.get_by_role("navigation").get_by_role("link", name="待办队列").click()
        light = station.locator(f"tr[data-case='{case['id']}'] .light")
        light.wait_for()
        assert light.get_attribute("class") == f"light {colour}", moment


def test_two_tabs_on_one_case_the_second_sees_the_conflict_keeps_its_text_and_lands_after_a_reload(console):
    stack = console.stack
    case = report(stack)
    stack.ok("station-yks", "POST", f"/cases/{case['id']}/accept", {
        "kind": "demand", "category": "irrigation", "urgency": "normal", "public_summary": "irrigation"})
    stack.ok("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch", {"lead": "rq-agri"})
    stack.ok("dept-rq-agri", "POST", f"/cases/{case['id']}/acknowledge", {})
    first = console.sign_in("dept-rq-agri")
    second = console.sign_in("dept-rq-agri", page=console.new_tab())
    for page in (first, second):
        open_case(page, "部门收件箱", case["number"])
    note = "Fixed the channel; water reaches every plot."
    form = act(second, "办结", {"备注": note})               # the second tab starts typing ...
    extension = act(first, "申请延期", {"理由": "Parts on order", "申请的新时限（本县时间）": "2031-06-30T18:00"})
    extension.get_by_role("button", name="申请延期").click()    # ... while the first one acts
    first.get_by_role("status").filter(has_text="已完成").wait_for()
    form.get_by_role("button", name="办结").click()
    alert = second.locator(".conflict")
    alert.wait_for()
    assert "已被他人修改" in alert.inner_text()
    assert form.get_by_label("备注").input_value() == note     # nothing typed is lost
    console.screenshot("conflict", second)
    alert.get_by_role("button", name="重新加载案件").click()
    alert.wait_for(state="detached")                   # read again: the form now carries the new version
    form.get_by_role("button", name="办结").click()
    second.get_by_role("status").filter(has_text="已完成").wait_for()
    found = stack.ok("dept-rq-agri", "GET", f"/cases/{case['id']}")
    assert found["status"] == "resolved" and found["resolution"]["note"] == note
    entries = stack.ok("dept-rq-agri", "GET", f"/cases/{case['id']}/timeline")["items"]
    asked = [e for e in entries if e["action"] == "request_extension"]
    assert [e["action"] for e in entries].count("resolve") == 1 and len(asked) == 1
    assert "2031-06-30T10:00:00Z" in str(asked[0])        # typed in the county's time (UTC+8)


def test_a_case_outside_my_place_shows_not_found_and_nothing_of_it(console):
    secret = f"Hejing only {uuid.uuid4().hex[:6]}"
    case = report(console.stack, title=secret, user="gm-dg-01", grid="BZ.HJ.HJZ.DG.G01",
                  at=(42.315, 86.375))
    station = console.sign_in("station-yks")
    station.goto(f"{console.stack.url}/console#/cases/{case['id']}")
    station.get_by_role("alert").filter(has_text="未找到").wait_for()
    assert secret not in station.content() and case["number"] not in station.content()


def test_the_case_panel_shows_the_whole_timeline_however_many_pages_it_takes(console):
    stack = console.stack
    case = report(stack, title=f"Long history {uuid.uuid4().hex[:6]}")
    stack.ok("station-yks", "POST", f"/cases/{case['id']}/accept",
             {"kind": "demand", "category": "irrigation", "urgency": "normal", "public_summary": "irrigation"})
    stack.ok("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch", {"lead": "rq-agri"})
    stack.ok("dept-rq-agri", "POST", f"/cases/{case['id']}/acknowledge", {})
    entries = stack.ok("dispatcher-rq", "GET", f"/cases/{case['id']}/timeline?limit=100")["items"]
    center = console.sign_in("dispatcher-rq")
    # the server answers the panel two entries a page (the page size rewritten on the way), so it must follow the
    # cursor to the end to show them all
    center.route(f"**/cases/{case['id']}/timeline?*",
                 lambda route: route.continue_(url=route.request.url.replace("limit=100", "limit=2")))
    center.goto(center.url.split("#")[0] + f"#/cases/{case['id']}")
    center.locator("ol.timeline li").nth(len(entries) - 1).wait_for()
    assert center.locator("ol.timeline li").count() == len(entries) >= 4

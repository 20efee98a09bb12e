"""The administrator's screens in a real browser: Open311 keys (issued, shown once, revoked by keyboard alone),
the access log with filters, households of a grid, the configuration read-only; checked against the API."""
import uuid

from support.article import REPORT

GRID = "BZ.RQ.TGLK.YKS.G01"


def test_the_administrator_issues_a_key_sees_it_once_and_revokes_it_with_the_keyboard_only(console):
    stack, name = console.stack, f"County app {uuid.uuid4().hex[:6]}"
    page = console.sign_in("admin-bz", language="en")
    page.get_by_role("navigation").get_by_role("link", name="Open311 keys").click()
    page.get_by_label("Name (who it is for)").fill(name)
    page.keyboard.press("Enter")                                       # submits the form
    shown = page.get_by_role("status").filter(has_text=name).locator("code.secret")
    key = shown.inner_text()
    key_id = key.split(".", 1)[0]
    row = page.locator(f"tr[data-key='{key_id}']")
    row.wait_for()
    console.axe("admin keys", page)
    console.screenshot("admin-keys", page)

    page.reload()                                                       # shown once: gone after a reload
    row.wait_for()
    assert key.split(".", 1)[1] not in page.content()
    row.get_by_role("button", name="Revoke").focus()
    page.keyboard.press("Enter")                                        # asks first; "Yes" takes the focus
    confirm = row.get_by_role("group", name=f"Revoke the key for “{name}”?")
    focused_on = lambda label: page.wait_for_function(  # noqa: E731
        "(label) => document.activeElement && document.activeElement.textContent === label", arg=label)
    focused_on("Yes")
    page.keyboard.press("Escape")                                       # Escape cancels, focus back on Revoke
    confirm.wait_for(state="detached")
    focused_on("Revoke")
    page.keyboard.press("Enter")
    focused_on("Yes")
    page.keyboard.press("Enter")
    row.get_by_text("Revoked").wait_for()

    listed = {k["key_id"]: k for k in stack.ok("admin-bz", "GET", "/admin/open311-keys?limit=100")["items"]}
    assert listed[key_id]["revoked"] is True and listed[key_id]["name"] == name


def test_the_access_log_screen_filters_by_case_and_names_a_bad_window_by_its_field(console):
    stack = console.stack
    case = stack.ok("gm-yks-01", "POST", "/cases", REPORT, status=201)["id"]
    purpose = f"return visit {uuid.uuid4().hex[:6]}"
    stack.ok("gm-yks-01", "GET", f"/cases/{case}/contacts?purpose={purpose.replace(' ', '%20')}")
    page = console.sign_in("admin-bz")
    page.get_by_role("navigation").get_by_role("link", name="个人信息访问日志").click()
    page.get_by_label("事件编号").fill(case)
    page.get_by_role("button", name="查询").click()
    row = page.locator("table.access-log tbody tr")
    row.filter(has_text=purpose).wait_for()
    assert row.count() == 1 and "gm-yks-01" in row.inner_text() and "网格员" in row.inner_text()
    assert f"case_id={case}" in page.url                                # the filter is in the URL: bookmarkable
    console.axe("access log", page)
    console.screenshot("admin-access-log", page)

    page.get_by_label("起始日期").fill("2026-11-02")
    page.get_by_label("截止日期").fill("2026-11-01")
    page.get_by_role("button", name="查询").click()
    page.locator("#log-from-error").wait_for()
    console.axe("access log, refused window", page)


def test_the_administrator_registers_a_household_in_a_grid_and_sees_it_listed(console):
    stack, head = console.stack, f"阿依古丽{uuid.uuid4().hex[:4]}"
    page = console.sign_in("admin-bz")
    page.get_by_role("navigation").get_by_role("link", name="住户登记").click()
    page.get_by_label("网格").select_option(GRID)
    form = page.locator("form[aria-label='登记住户']")
    form.get_by_role("button", name="登记住户").click()                 # no head: refused, the field named
    form.locator("#household-head-error").wait_for()
    # the API's machine code and limit, worded in the page's language (the API itself answers in English)
    assert form.locator("#household-head-error").inner_text() == "至少 1 个字符"
    form.get_by_label("户主").fill(head)
    form.get_by_label("人口").fill("5")
    form.get_by_role("button", name="登记住户").click()
    page.locator("tr[data-household]").filter(has_text=head).wait_for()
    console.axe("households", page)
    console.screenshot("admin-households", page)
    listed = stack.ok("admin-bz", "GET", f"/households?grid={GRID}&limit=100")["items"]
    assert [(h["head"], h["members"]) for h in listed if h["head"] == head] == [(head, 5)]


def test_the_configuration_is_shown_read_only_in_uyghur_right_to_left(console):
    page = console.sign_in("admin-bz", language="ug")
    page.get_by_role("navigation").get_by_role("link", name="سەپلىمە").click()
    page.get_by_role("heading", name="ئورۇنلاشتۇرۇش").wait_for()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert "ap-southeast-1" in page.locator("#admin-config-deployment").locator("..").inner_text()
    assert page.locator("main input, main select, main textarea").count() == 0   # read-only
    console.axe("configuration (Uyghur)", page)
    console.screenshot("admin-configuration-ug", page)


def test_the_users_screen_says_where_users_are_managed_when_the_stack_has_no_user_pool(console):
    page = console.sign_in("admin-bz")
    page.get_by_role("navigation").get_by_role("link", name="用户管理").click()
    elsewhere = page.locator("#admin-users-elsewhere").locator("..")
    elsewhere.get_by_text("no user pool").wait_for()                     # the server's own words, kept in English
    assert "people.yaml" in elsewhere.inner_text() and "admin-create-user" in elsewhere.inner_text()
    assert page.locator("form[aria-label='新建用户']").count() == 0       # read-only: nothing to submit
    console.axe("users (no user pool)", page)
    console.screenshot("admin-users-local", page)


def test_uyghur_pages_write_times_as_year_month_day_and_the_county_clock_not_in_chinese(console):
    """The browser runs in New York; the county is in Asia/Shanghai; Chromium has no Uyghur date pattern."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    key = console.stack.ok("admin-bz", "POST", "/admin/open311-keys", {"name": "ۋاقىت سىنىقى"}, status=201)
    expected = datetime.fromisoformat(key["created_at"].replace("Z", "+00:00")).astimezone(
        ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    page = console.sign_in("admin-bz", language="ug")
    page.get_by_role("navigation").get_by_role("link", name="Open311 ئاچقۇچلىرى").click()
    shown = page.locator(f"tr[data-key='{key['key_id']}'] time")
    shown.wait_for()
    text = shown.inner_text()
    assert text.strip("\u2066\u2069") == expected
    assert not any("\u4e00" <= c <= "\u9fff" for c in text)          # no Chinese in a Uyghur page's dates
    console.axe("keys (Uyghur)", page)
    console.screenshot("admin-keys-ug", page)

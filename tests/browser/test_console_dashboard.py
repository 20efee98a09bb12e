"""The leaders' dashboard in a real browser: figures as the API counts them, charts drawn under the CSP (no HTML
tooltips), the big screen, the CSV download."""
from tests.browser.test_console_cases import report


def test_the_dashboard_shows_the_apis_figures_draws_its_charts_and_downloads_csv(console):
    report(console.stack, title="dashboard case")
    page = console.sign_in("leader-rq")
    page.get_by_role("navigation").get_by_role("link", name="统计大屏").click()
    cards = page.locator(".stat-card")
    cards.first.wait_for()
    month = page.locator("input[type=month]").input_value()
    stats = console.stack.ok("leader-rq", "GET", f"/statistics?node=BZ.RQ&period={month}")
    shown = {c.locator(".stat-label").inner_text(): c.locator(".stat-value").inner_text() for c in cards.all()}
    assert shown["上报"] == str(stats["metrics"]["reported"]["total"]) and stats["metrics"]["reported"]["total"] >= 1
    assert shown["办结"] == str(stats["metrics"]["resolved"]["total"])
    page.locator("#dash-map").locator("xpath=..").locator("canvas").wait_for()
    assert page.locator(".chart canvas").count() == 2          # the trend and the map
    places = page.locator("#dash-places").locator("xpath=..")
    assert "铁干里克镇" in places.inner_text() or "Tieganlik" in places.inner_text()
    console.axe("dashboard")
    console.screenshot("dashboard")
    with page.expect_download() as done:
        page.get_by_role("button", name="下载 CSV").click()
    csv = open(done.value.path(), encoding="utf-8-sig").read()
    assert csv.splitlines()[0] and "上报" in csv
    page.get_by_role("button", name="大屏模式").click()
    page.locator("body.big-screen").wait_for()
    assert not page.locator("nav.menu").is_visible()
    console.screenshot("dashboard-big-screen")
    console.axe("big screen")

"""The grid member's phone page: reports made on a bad network, with photos, and nothing lost or doubled.

Everything is checked against the API afterwards: which cases exist, with how many photos."""
import time

import pytest

from tests.browser.phone import (INSIDE_G01, OUTSIDE, cases_titled, fill_report, gzip_bytes, phones,  # noqa: F401
                                 photo, wait_for_photos)

GM = "gm-yks-01"
G01 = "BZ.RQ.TGLK.YKS.G01"


@pytest.mark.parametrize("service_workers", ["allow", "block"])
def test_two_reports_made_offline_arrive_once_each_with_their_photos(phones, tmp_path, service_workers):
    phone = phones(service_workers=service_workers)
    page = phone.sign_in(GM)
    tag = f"{service_workers}-{time.time_ns()}"
    phone.context.set_offline(True)
    fill_report(page, f"Dry canal A {tag}", [photo(tmp_path, "a1.jpg"), photo(tmp_path, "a2.jpg", (2000, 3000))])
    page.get_by_role("button", name="发送", exact=True).click()
    page.get_by_role("status").filter(has_text="已保存在手机上").wait_for()
    fill_report(page, f"Broken sluice B {tag}", [photo(tmp_path, "b1.jpg", colour=(200, 40, 40))])
    page.get_by_role("button", name="发送", exact=True).click()
    page.locator(".outbox-status").filter(has_text="2 条上报等待发送").wait_for()
    if service_workers == "allow":
        phone.screenshot("outbox-offline")
    assert cases_titled(phone.stack, GM, f"Dry canal A {tag}") == []

    phone.context.set_offline(False)            # the browser's `online` event sends what waits
    page.locator(".outbox-status").wait_for(state="detached")
    first, = cases_titled(phone.stack, GM, f"Dry canal A {tag}")
    second, = cases_titled(phone.stack, GM, f"Broken sluice B {tag}")
    first = wait_for_photos(phone.stack, GM, first["id"], 2)
    second = wait_for_photos(phone.stack, GM, second["id"], 1)
    assert [p["phase"] for p in first["photos"]] == ["before", "before"]
    assert [p["phase"] for p in second["photos"]] == ["before"]
    # shrunk on the phone: 3000x2000 and 2000x3000 arrive with 1,600 px on their longest side
    assert sorted((p["width"], p["height"]) for p in first["photos"]) == [(1067, 1600), (1600, 1067)]
    assert first["observed_at"] and first["observed_at"] <= first["created_at"]
    assert first["location"]["lat"] == pytest.approx(INSIDE_G01["latitude"]) and first["grid"] == G01


def test_a_report_whose_answer_was_lost_is_made_once(phones):
    phone = phones()
    page = phone.sign_in(GM)
    title = f"Answer lost {time.time_ns()}"
    lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()                 # the server makes the case ...
            lost.append(route.request.headers.get("idempotency-key"))
            route.abort("connectionreset")   # ... and the phone never hears back
        else:
            route.continue_()
    page.route("**/cases", lose_the_first_answer)
    fill_report(page, title)
    page.get_by_role("button", name="发送", exact=True).click()
    page.get_by_role("status").filter(has_text="已保存在手机上").wait_for()   # the round ended without an answer
    page.locator(".outbox-status").filter(has_text="1 条上报等待发送").wait_for()
    deadline = time.time() + 60
    while not lost and time.time() < deadline:    # under load the server may answer after the form gave up waiting
        page.wait_for_timeout(300)
    assert len(cases_titled(phone.stack, GM, title)) == 1          # it was made, the phone does not know

    page.get_by_role("button", name="立即发送").click()             # the retry carries the same key
    page.locator(".outbox-status").wait_for(state="detached")
    assert len(cases_titled(phone.stack, GM, title)) == 1 and lost[0]


def test_a_position_inside_the_members_grid_preselects_it(phones):
    phone = phones(geolocation=INSIDE_G01)
    page = phone.sign_in(GM)
    page.locator("#position-text").filter(has_text="40.60350").wait_for()
    assert page.get_by_label("网格", exact=True).input_value() == G01
    assert page.locator("#outside-note").count() == 0
    phone.axe("phone report")
    phone.screenshot("report")


def test_outside_every_grid_the_member_must_choose_and_sees_the_servers_location_check(phones):
    phone = phones(geolocation=OUTSIDE)
    page = phone.sign_in(GM)
    page.locator("#outside-note").wait_for()
    assert page.get_by_label("网格", exact=True).input_value() == ""
    title = f"Outside {time.time_ns()}"
    fill_report(page, title)
    page.get_by_role("button", name="发送", exact=True).click()
    page.locator("#grid-error").filter(has_text="请选择网格").wait_for()       # nothing sent without a grid
    page.get_by_label("网格", exact=True).select_option(G01)
    page.get_by_role("button", name="发送", exact=True).click()
    refusal = page.locator("fieldset.where #location-error")
    refusal.filter(has_text="位置在网格外").wait_for()                      # the server's refusal, by the field,
    assert "米（最多允许 300 米）" in refusal.inner_text()                    # worded from its code and limits
    assert page.get_by_label("标题").input_value() == title                  # what the member typed is kept
    phone.axe("phone report refused")
    phone.screenshot("report-location-refused")
    assert cases_titled(phone.stack, GM, title) == []


def test_a_send_that_gets_401_keeps_the_report_and_sends_it_once_after_sign_in(phones):
    """Every send answered 401 (the refresh token is tried once, and refused too): the member must sign in."""
    phone = phones()
    page = phone.sign_in(GM)
    title = f"After sign-in {time.time_ns()}"
    page.route("**/cases", lambda route: route.fulfill(status=401, content_type="application/json", body=(
        '{"error": {"code": "unauthenticated", "message": "the token has expired"}}'))
        if route.request.method == "POST" else route.continue_())
    fill_report(page, title)
    page.get_by_role("button", name="发送", exact=True).click()
    status = page.locator(".outbox-status")
    status.filter(has_text="登录已过期").wait_for()
    status.filter(has_text="1 条上报等待发送").wait_for()
    phone.screenshot("signed-out-waiting")
    page.unroute("**/cases")
    assert cases_titled(phone.stack, GM, title) == []

    status.get_by_role("button", name="登录").click()                        # the issuer, then back to the page
    page.locator(f"a[href$='user={GM}']").click()
    page.locator("nav.phone-tabs").wait_for()
    page.locator(".outbox-status").wait_for(state="detached")
    assert len(cases_titled(phone.stack, GM, title)) == 1


def test_the_page_opens_offline_from_its_service_worker(phones):
    phone = phones(service_workers="allow")
    page = phone.sign_in(GM)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")    # clients.claim() on activation
    phone.context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="农田灌溉", exact=True).wait_for()
    page.get_by_label("网格", exact=True).wait_for()


def test_the_report_page_weighs_at_most_100_kb_gzip_on_a_cold_cache(phones):
    """Every response until the form is usable (page, scripts, stylesheet, the language, who the member is, the
    grid outlines, the categories), counted as the gzip bytes a deployed stage sends (gzip level 6)."""
    phone = phones(service_workers="block")
    page = phone.sign_in(GM)
    cdp = phone.context.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")
    seen = []
    page.on("response", lambda r: seen.append(r))
    page.reload()
    page.get_by_role("button", name="农田灌溉", exact=True).wait_for()
    page.locator("#position-text").filter(has_text="40.60350").wait_for()
    sizes = {}
    for response in seen:
        if response.request.resource_type in ("document", "script", "stylesheet", "fetch", "xhr", "image", "font",
                                              "manifest"):
            sizes[response.url.split("?")[0].rsplit("/", 1)[-1]] = gzip_bytes(response.body())
    total = sum(sizes.values())
    print(f"\nphone report page, cold cache: {total:,} bytes gzip in {len(sizes)} responses: "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])))
    assert {"phone", "me", "jurisdiction", "categories"} <= set(sizes)
    assert total <= 100 * 1024

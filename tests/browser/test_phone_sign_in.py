"""Staying signed in on the phone: the refresh token kept in IndexedDB, traded for a new ID token when the old one
is gone or refused, rotated (the spent one is refused by the issuer), and a report that met a 401 sent once."""
import json
import time

from tests.browser.phone import cases_titled, fill_report, phones  # noqa: F401

GM = "gm-yks-01"
KEPT_REFRESH_TOKEN = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('gridloop-phone');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('kept').objectStore('kept').get('refresh-token');
    get.onsuccess = () => resolve(get.result || null);
  };
})"""


def spend(phone, refresh_token: str) -> int:
    answer = phone.page.request.post(phone.stack.url + "/local-issuer/token", form={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "gridloop-local"})
    return answer.status


def test_a_new_session_signs_in_with_the_kept_refresh_token_and_rotates_it(phones):
    phone = phones()
    page = phone.sign_in(GM)
    first = page.evaluate(KEPT_REFRESH_TOKEN)
    assert first and page.evaluate("() => localStorage.getItem('gridloop.token')") is None
    page.evaluate("() => sessionStorage.clear()")         # the app closed and opened again: a new session
    page.reload()
    page.locator("nav.phone-tabs").wait_for()
    page.get_by_role("button", name="农田灌溉", exact=True).wait_for()
    assert page.locator(".outbox-status").count() == 0                    # signed in, not "signed out"
    assert page.evaluate("() => sessionStorage.getItem('gridloop.token')")
    second = page.evaluate(KEPT_REFRESH_TOKEN)
    assert second and second != first
    assert spend(phone, first) == 400                                    # the spent one is refused


def test_a_401_is_answered_by_the_refresh_token_and_the_report_goes_once_without_a_new_sign_in(phones):
    phone = phones()
    page = phone.sign_in(GM)
    title = f"Refreshed {time.time_ns()}"
    refused = []

    def refuse_the_first(route):
        if route.request.method == "POST" and not refused:
            refused.append(route.request.headers["authorization"])
            route.fulfill(status=401, content_type="application/json",
                          body=json.dumps({"error": {"code": "unauthenticated", "message": "token expired"}}))
        else:
            route.continue_()
    page.route("**/cases", refuse_the_first)
    fill_report(page, title)
    page.get_by_role("button", name="发送", exact=True).click()
    deadline = time.time() + 60
    while not cases_titled(phone.stack, GM, title) and time.time() < deadline:
        page.wait_for_timeout(300)    # not time.sleep: Playwright runs the route handler only while it is called
    page.locator(".outbox-status").wait_for(state="detached")
    assert len(cases_titled(phone.stack, GM, title)) == 1 and len(refused) == 1

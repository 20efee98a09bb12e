"""The console's languages in a real browser: the case panel and the supervision screen in Uyghur, right to left,
with no English fallback in their labels; an action the catalogue does not know is labelled from the API's summary."""
import re

from tests.browser.test_console_cases import report

ACCEPT = {"kind": "demand", "category": "irrigation", "urgency": "normal", "public_summary": "irrigation"}
LABELS = "h1, h2, h3, th, label, legend, button, nav a, dt, option"
# Latin words a Uyghur page may still show in its labels: product and format names
ALLOWED = {"Open311", "CSV", "JPEG", "PNG", "WebP", "RQ", "English"}   # English: the language picker's own name


def dispatched(stack, title):
    case = report(stack, title=title)
    stack.ok("station-yks", "POST", f"/cases/{case['id']}/accept", ACCEPT)
    return stack.ok("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch", {"lead": "rq-agri"})


def latin_words(page) -> set[str]:
    texts = page.locator(LABELS).all_inner_texts()
    texts = [re.sub(r"\b[A-Z]{2}-\d{4}-\d{6}\b", "", t) for t in texts]   # case numbers (other tests' cases too)
    return {w for text in texts for w in re.findall(r"[A-Za-z]{2,}", text)} - ALLOWED


def test_the_case_panel_and_supervision_in_uyghur_run_right_to_left_with_every_label_translated(console):
    case = dispatched(console.stack, "سۇ يوق")
    page = console.sign_in("dispatcher-bz", language="ug")
    assert page.evaluate("() => [document.documentElement.dir, document.documentElement.lang]") == ["rtl", "ug-CN"]
    page.goto(f"{console.stack.url}/console#/cases/{case['id']}")
    page.locator("#case-title").wait_for()
    page.locator(".action-buttons button").first.click()           # the supervision notice's form
    page.locator("form.action-form").wait_for()
    assert latin_words(page) == set()
    assert page.locator("nav.menu").evaluate("(n) => getComputedStyle(n).direction") == "rtl"
    console.axe("case panel (Uyghur)")
    console.screenshot("case-panel-ug")
    page.get_by_role("navigation").get_by_role("link", name="نازارەت").click()
    page.locator("section[aria-labelledby='sup-returned']").wait_for()
    assert latin_words(page) == set()
    console.axe("supervision (Uyghur)")
    console.screenshot("supervision-ug")


def test_an_action_the_catalogue_does_not_know_is_labelled_from_the_apis_summary(console):
    """The catalogues as served, less the supervision notice's entry: what a newly added action looks like."""
    def without_supervise(route):
        answer = route.fetch()
        text, removed = re.subn(r'"action\.supervise":"[^"]*",', "", answer.text())
        assert removed == 1
        route.fulfill(response=answer, body=text)

    for language in ("zh", "en"):
        console.context.route(re.compile(rf"/console/{language}\.[A-Z0-9]+\.js$"), without_supervise)
    case = dispatched(console.stack, "Supervised without a catalogue entry")
    page = console.sign_in("dispatcher-bz")
    page.goto(f"{console.stack.url}/console#/cases/{case['id']}")
    page.locator("#case-title").wait_for()
    button = page.locator(".action-buttons").get_by_role("button", name="Supervision notice (督办)")
    button.click()
    page.locator("form.action-form").get_by_label("备注").fill("Report progress by Friday")
    page.locator("form.action-form").get_by_role("button", name="Supervision notice (督办)").click()
    page.get_by_role("status").filter(has_text="Supervision notice (督办)").wait_for()
    assert page.get_by_text("supervise", exact=True).count() == 0
    last = console.stack.ok("dispatcher-bz", "GET", f"/cases/{case['id']}/timeline")["items"][-1]
    assert (last["action"], last["note"]) == ("supervise", "Report progress by Friday")


def test_a_refusal_reads_in_uyghur_with_the_apis_own_words_kept_left_to_right(console):
    stack = console.stack
    home = stack.ok("gm-yks-01", "POST", "/households", {"grid": "BZ.RQ.TGLK.YKS.G01", "head": "ئەخمەت", "members": 2},
                    status=201)["id"]                                  # no points yet
    page = console.sign_in("clerk-yks", language="ug")
    page.goto(f"{console.stack.url}/console#/redemptions?grid=BZ.RQ.TGLK.YKS.G01&household={home}")
    page.locator("#rd-sku").select_option("soap")
    page.locator("form.action-form button[type=submit]").click()
    refusal = page.locator(".problem").filter(has_text="ئائىلىنىڭ نومۇرى يېتىشمەيدۇ")
    refusal.wait_for()
    detail = refusal.locator(".server-detail")
    assert detail.get_attribute("lang") == "en"
    assert detail.evaluate("(n) => getComputedStyle(n).direction") == "ltr"
    assert refusal.evaluate("(n) => getComputedStyle(n).direction") == "rtl"
    console.axe("redemption refused (Uyghur)", page)
    console.screenshot("redemption-refused-ug", page)

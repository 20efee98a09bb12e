"""The case panel by keyboard alone: Tab reaches an action's button with a visible focus ring, Enter opens its
form with the focus in it, Escape closes it and gives the focus back, and an accept is typed and submitted
without the mouse; the API then holds the accepted case."""
from tests.browser.test_console_cases import report


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        const label = e.labels && e.labels[0] ? e.labels[0].textContent : '';
        return {tag: e.tagName, text: e.textContent.trim(), label: label.trim(), in_form: !!e.closest('form'),
                outline: getComputedStyle(e).outlineStyle}; }""")


def tab_to(page, matches, limit=80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"Tab never reached it; last focus: {focused(page)}")


def test_a_station_accepts_a_case_with_the_keyboard_only(console):
    stack = console.stack
    case = report(stack, title="Accepted from the keyboard")
    page = console.sign_in("station-yks")
    page.goto(f"{stack.url}/console#/cases/{case['id']}")
    page.locator("#case-title").wait_for()

    button = tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "受理")
    assert button["outline"] != "none"                                     # the focus is visible
    page.keyboard.press("Enter")                                           # opens the form, focus inside
    page.locator("form.action-form").wait_for()
    page.wait_for_function("() => document.activeElement.closest('form.action-form') !== null")
    page.keyboard.press("Escape")                                          # closes it; focus back on the button
    page.locator("form.action-form").wait_for(state="detached")
    page.wait_for_function("() => document.activeElement.textContent.trim() === '受理'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('form.action-form') !== null")
    tab_to(page, lambda f: f["label"].startswith("公开摘要"))
    page.keyboard.type("Irrigation missing for newly allotted farmland")   # a textarea: Enter is a new line
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "受理" and f["in_form"])
    page.keyboard.press("Enter")                                           # the form's own submit button
    page.get_by_role("status").filter(has_text="已完成").wait_for()
    console.axe("case panel after a keyboard accept")

    answer = stack.ok("station-yks", "GET", f"/cases/{case['id']}")
    assert answer["status"] == "accepted"
    assert answer["public_summary"] == "Irrigation missing for newly allotted farmland"

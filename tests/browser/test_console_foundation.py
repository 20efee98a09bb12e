"""The console's foundation in a real browser: served from the API's origin under its CSP, signed in with code +
PKCE, reading who the caller is, in Chinese, English and Uyghur (right to left)."""
import gzip
import urllib.request


def test_signing_in_with_code_and_pkce_shows_who_and_where_i_am(console):
    page = console.sign_in("station-yks")
    header = page.locator("header.bar")
    assert "马文斌" in header.inner_text() and "民情110受理站" in header.inner_text()
    assert page.get_by_role("heading", level=1).inner_text().startswith("您好")
    place = page.locator("#home-place").locator("xpath=..")
    assert "亚克仁松村" in place.inner_text() and "Yakinson Village" in place.inner_text()
    assert "ياكىنسون كەنتى" in place.inner_text()                       # the village's Uyghur name
    # the token lives in this tab's sessionStorage only: nothing in localStorage, no cookie
    storage = page.evaluate("() => ({session: Object.keys(sessionStorage), local: Object.keys(localStorage)})")
    assert storage["session"] == ["gridloop.token"]
    assert storage["local"] == ["gridloop.language"]
    assert console.context.cookies() == []
    console.axe("home")
    console.screenshot("home-zh")


def test_the_sign_in_screen_and_the_local_people_picker_pass_axe(console):
    page = console.page
    page.goto(console.stack.url + "/")
    page.locator("button.primary").wait_for()
    console.axe("sign-in")
    console.screenshot("sign-in")
    page.locator("button.primary").click()
    page.locator("a[href$='user=dispatcher-rq']").wait_for()
    console.axe("local people picker")


def test_a_token_from_a_forged_sign_in_answer_is_never_stored(console):
    """Back at the console with a code but a state this tab never sent: no token exchange, the sign-in screen."""
    page = console.page
    page.goto(console.stack.url + "/console?code=stolen&state=not-mine")
    page.locator("button.primary").wait_for()
    assert page.evaluate("() => sessionStorage.getItem('gridloop.token')") is None
    assert "登录未完成" in page.locator("main").inner_text()


def test_switching_to_uyghur_lays_the_page_out_right_to_left(console):
    page = console.sign_in("dispatcher-rq")
    page.get_by_label("语言").select_option("ug")
    page.locator("html[dir=rtl]").wait_for()
    assert page.evaluate("() => document.documentElement.lang") == "ug-CN"
    assert "ياخشىمۇسىز" in page.get_by_role("heading", level=1).inner_text()
    menu, content = page.locator("nav.menu").bounding_box(), page.locator("main").bounding_box()
    assert menu["x"] > content["x"]                        # the menu sits at the start side: the right
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["x"] + heading["width"] > content["x"] + content["width"] - 40   # text starts at the right
    console.axe("home in Uyghur")
    console.screenshot("home-ug")
    page.reload()                                          # the choice is kept
    page.locator("html[dir=rtl]").wait_for()


def test_english_is_offered_and_names_follow_the_language(console):
    page = console.sign_in("dept-rq-agri")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("heading", name="Welcome", exact=False).wait_for()
    assert "Ruoqiang County Agriculture and Rural Bureau" in page.locator("header.bar").inner_text()
    console.axe("home in English")


def test_static_files_are_typed_hashed_cached_for_a_year_and_gzipped(stack):
    page = urllib.request.urlopen(urllib.request.Request(stack.url + "/console", headers={"Accept-Encoding": "gzip"}))
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "require-trusted-types-for 'script'" in csp and "unsafe" not in csp
    html = page.read()
    html = gzip.decompress(html) if page.headers.get("Content-Encoding") == "gzip" else html
    import re
    script = re.search(rb'src="console/(main\.[A-Z0-9]+\.js)"', html).group(1).decode()
    asset = urllib.request.urlopen(urllib.request.Request(f"{stack.url}/console/{script}",
                                                          headers={"Accept-Encoding": "gzip"}))
    assert asset.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(asset.read())
    assert len(body) > 1024
    plain = urllib.request.urlopen(f"{stack.url}/console/{script}")       # no Accept-Encoding: no gzip
    assert plain.headers.get("Content-Encoding") is None and plain.read() == body

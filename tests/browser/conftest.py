"""The browser tier: the web console in Debian's Chromium, driven by Playwright, against `make run` for real.

One local stack and one browser per test process (each xdist worker has its own), a fresh browser context per
test. The page's Content-Security-Policy is enforced as served (never bypassed): any `securitypolicyviolation`
event or uncaught script error fails the test. axe-core (tests/browser/vendor/axe.min.js, from the console's npm
lock file) is injected through `evaluate`, never as a script tag. Screenshots go to test-artifacts/console/.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from local.harness import StackProcess
from support.console_stack import CHROMIUM, CHROMIUM_FLAGS, ROOT

ARTIFACTS = Path(os.environ.get("GRIDLOOP_ARTIFACTS", ROOT / "test-artifacts")) / "console"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WATCH_PAGE = """
document.addEventListener('securitypolicyviolation', (e) => window.__gridloopViolation(
  `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        for item in items:
            if "tests/browser/" in item.nodeid:
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing: `make test` installs it"))


@pytest.fixture(autouse=True)
def _calls_checked(grant_check, transaction_tokens):
    """The local stack's AWS calls are checked against the grants as in the e2e tier (support/pytest_plugin.py)."""


@pytest.fixture(scope="session")
def stack(tmp_path_factory, grant_check):
    """`make run` on free ports, once per test process."""
    from support.pytest_plugin import watch
    state = tmp_path_factory.mktemp("console-stack")
    watch(state / "grants")
    local = StackProcess(state, PYTHONPATH=str(ROOT / "support" / "boot"), GRIDLOOP_GRANTS_SINK=str(state / "grants"),
                         GRIDLOOP_TEMPLATE=str(grant_check.template_path))
    try:
        local.start()
    except RuntimeError as failed:
        pytest.fail(str(failed))
    tokens = local.tokens
    yield Stack(local.api, tokens["tokens"], {u["user_id"]: u for u in tokens["users"]})
    local.stop()


class Stack:
    """The running stack and its HTTP API, as the demo people (to set up and check what the console did)."""

    def __init__(self, url: str, tokens: dict, users: dict):
        self.url, self.tokens, self.users = url, tokens, users

    def call(self, user: str | None, method: str, path: str, body=None, headers=None):
        import urllib.error
        import urllib.request
        h = {"Content-Type": "application/json", **(headers or {})}
        if user:
            h["Authorization"] = f"Bearer {self.tokens[user]}"
        request = urllib.request.Request(self.url + path, method=method, headers=h,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, (json.loads(text) if text else None)

    def ok(self, user, method, path, body=None, status=200):
        code, answer = self.call(user, method, path, body)
        assert code == status, answer
        return answer


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Console:
    """One browser tab on the console, watched for CSP violations and script errors."""

    def __init__(self, context, stack: Stack, request):
        self.context, self.stack, self.request = context, stack, request
        self.problems: list[str] = []
        context.expose_function("__gridloopViolation", lambda text: self.problems.append(f"CSP: {text}"))
        context.add_init_script(WATCH_PAGE)
        self.page = self.new_tab()

    def new_tab(self):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        return page

    def sign_in(self, user: str, page=None, language: str | None = None):
        page = page or self.page
        page.goto(self.stack.url + "/")
        if language:   # once the page has booted: booting stores the language it chose, which would overwrite ours
            page.locator("button.primary").wait_for()
            page.evaluate("(l) => localStorage.setItem('gridloop.language', l)", language)
            page.reload()
        page.locator("button.primary").click()
        page.locator(f"a[href$='user={user}']").click()
        page.locator("nav.menu").wait_for()
        return page

    def axe(self, name: str, page=None) -> None:
        """axe-core on the page as it is: no serious or critical violation."""
        page = page or self.page
        page.evaluate(AXE)
        found = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
              .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
        }""")
        assert found == [], f"axe on {name}: {json.dumps(found, ensure_ascii=False, indent=1)}"

    def screenshot(self, name: str, page=None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def console(browser, stack, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  timezone_id="America/New_York")   # times must still show in the county's zone
    context.set_default_timeout(45000)   # a wait, not a target: the suite runs beside others on 2 cores
    tab = Console(context, stack, request)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{i}.png"), full_page=True)
    problems = list(tab.problems)
    context.close()
    assert problems == [], "the page broke its policy or threw:\n" + "\n".join(problems)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


"""The grid member's phone page in the browser tier: a 360x640 touch phone (Playwright's mobile emulation on
Debian's Chromium) with a GPS position, watched as the console is (CSP violations and script errors fail)."""
from __future__ import annotations

import gzip
import io
import json
import time

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, Console

PHONE = {"width": 360, "height": 640}
INSIDE_G01 = {"latitude": 40.6035, "longitude": 87.6865}      # Yakinson grid 1 (a 0.01-degree tile from 87.68 E)
OUTSIDE = {"latitude": 40.7000, "longitude": 87.9000}          # no grid of the member's


class Phone(Console):
    def sign_in(self, user: str, page=None):
        page = page or self.page
        page.goto(self.stack.url + "/console/phone")
        page.locator("button.sign-in-button").first.click()
        page.locator(f"a[href$='user={user}']").click()
        page.locator("nav.phone-tabs").wait_for()
        return page

    def screenshot(self, name: str, page=None):
        (ARTIFACTS.parent / "phone").mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS.parent / "phone" / f"{name}.png"
        (page or self.page).screenshot(path=str(path), full_page=False)
        return path

    def waiting(self, page=None) -> str:
        status = (page or self.page).locator(".outbox-status")
        return status.inner_text() if status.count() else ""


def new_phone(browser, stack, request, service_workers="allow", geolocation=INSIDE_G01) -> Phone:
    context = browser.new_context(viewport=PHONE, screen=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", geolocation=geolocation,
                                  permissions=["geolocation"], service_workers=service_workers)
    context.set_default_timeout(45000)
    return Phone(context, stack, request)


@pytest.fixture
def phones(browser, stack, request):
    """new(...) opens a phone; each is closed and checked for CSP violations and script errors at the end."""
    opened: list[Phone] = []

    def new(**options) -> Phone:
        opened.append(new_phone(browser, stack, request, **options))
        return opened[-1]
    yield new
    problems = []
    failed = getattr(request.node, "rep_call", None)
    for n, phone in enumerate(opened):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for i, page in enumerate(phone.context.pages):
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-phone{n}-{i}.png"))
        problems += phone.problems
        phone.context.close()
    assert problems == [], "the phone page broke its policy or threw:\n" + "\n".join(problems)


def photo(tmp_path, name: str, size=(3000, 2000), colour=(30, 140, 60)):
    """A camera-sized JPEG (the page shrinks it to 1,600 px on its longest side before it is kept)."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=95)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return path


def fill_report(page, title: str, photos=(), category="农田灌溉", description="渠道干了，72 亩地浇不上水。"):
    page.get_by_role("button", name=category, exact=True).click()
    page.get_by_label("标题").fill(title)
    page.get_by_label("问题描述").fill(description)
    if photos:
        before = page.locator(".thumb").count()
        page.locator("#report-photos").set_input_files([str(p) for p in photos])
        page.locator(".thumb").nth(before + len(photos) - 1).wait_for()


def cases_titled(stack, user: str, title: str) -> list[dict]:
    items = stack.ok(user, "GET", "/cases/mine?limit=50")["items"]
    return [c for c in items if c["title"] == title]


def wait_for_photos(stack, user: str, case_id: str, count: int, seconds=60) -> dict:
    """The worker attaches an upload after checking it: poll the case until `count` photos are on it."""
    deadline = time.time() + seconds
    while True:
        found = stack.ok(user, "GET", f"/cases/{case_id}")
        if len(found["photos"]) >= count or time.time() > deadline:
            return found
        time.sleep(0.5)


def gzip_bytes(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6, mtime=0))


__all__ = ["phones", "photo", "fill_report", "cases_titled", "wait_for_photos", "gzip_bytes", "INSIDE_G01",
           "OUTSIDE"]

"""The web console as a browser meets it (Debian's Chromium, against `make run` on free ports).

- the grid member's phone report page at 360x640: the same figures, until the category buttons are on screen and
  the grid is preselected from the position (the browser test tests/browser/test_phone_report.py also sums the gzip
  size of each response and holds it to 100 KB);
- the work queue: bytes over the wire (compressed sizes, every request: page, scripts, styles, the API's reads)
  and the time from navigation to the queue's rows on screen, on a first load (empty cache) and a second load
  (the hashed files from the cache, the reference data revalidated with its ETag: 304);
- the leaders' dashboard for a county with 100,000 cases of history (June 2024 to May 2026): its statistics
  counters are written as whole items holding the totals the write path's ADDs reach for those cases (the same
  keys as chalicelib.domain.aggregates: every ancestor of the grid, day and month, kind|category slice), then the
  time from navigation to the cards and both charts drawn, first and second load.

    .venv/bin/python bench/console_load.py
No target is asserted: the figures are printed (docs/performance.md).
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib.domain import aggregates  # noqa: E402
from local.harness import StackProcess  # noqa: E402
from support.console_stack import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

HISTORY_CASES = 100_000
QUEUE_CASES = 20


def seed_queue(url: str, token: str) -> None:
    import json
    import urllib.request
    for i in range(QUEUE_CASES):
        body = {"kind": "demand", "category": "irrigation", "urgency": "normal", "grid": "BZ.RQ.TGLK.YKS.G01",
                "title": f"Bench case {i}", "description": "for the console benchmark",
                "location": {"lat": 40.6035, "lon": 87.6865}}
        request = urllib.request.Request(url + "/cases", method="POST", data=json.dumps(body).encode(), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=30).read()


def history_counters(grids: list[str], categories: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Counter items of HISTORY_CASES closed cases, as the write path's increments would sum them."""
    rng, tz = random.Random(16), ZoneInfo("Asia/Shanghai")
    start = datetime(2024, 6, 1, tzinfo=timezone.utc)
    span = (datetime(2026, 6, 1, tzinfo=timezone.utc) - start).total_seconds()
    items: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(HISTORY_CASES):
        grid, (kind, category) = rng.choice(grids), rng.choice(categories)
        at = start + timedelta(seconds=rng.random() * span)
        metrics = ["reported", "accepted", "dispatched", "resolved", "evaluated", "good"]
        metrics += ["acknowledged_on_time"] if rng.random() < 0.9 else ["overdue"]
        for node in aggregates.ancestors(grid):
            for period in aggregates.period_keys(at, tz):
                key = f"{node}#{period}#{aggregates.case_slice(kind, category)}"
                for metric in metrics:
                    items[key][metric] += 1
    return items


def write_counters(aws_url: str, items: dict[str, dict[str, int]]) -> None:
    import boto3
    table = boto3.resource("dynamodb", endpoint_url=aws_url, region_name="cn-northwest-1", aws_access_key_id="local",
                           aws_secret_access_key="local").Table("gridloop-local-stats")
    with table.batch_writer() as batch:
        for key, counters in items.items():
            batch.put_item(Item={"key": key, **counters})


def sign_in(page, url: str, user: str, entry: str = "/", signed_in: str = "nav.menu") -> None:
    page.goto(url + entry)
    page.locator("button.primary").first.click()
    page.locator(f"a[href$='user={user}']").click()
    page.locator(signed_in).wait_for()


def measure(page, cdp, url: str, ready: list[str], cold: bool) -> tuple[float, int, int]:
    """(seconds to ready, bytes received, requests) for one navigation."""
    received = {"bytes": 0, "requests": 0}

    def finished(event):
        received["bytes"] += event["encodedDataLength"]
        received["requests"] += 1
    page.goto("about:blank")
    if cold:
        cdp.send("Network.clearBrowserCache")
    cdp.on("Network.loadingFinished", finished)
    began = time.perf_counter()
    page.goto(url)
    for selector in ready:
        page.locator(selector).first.wait_for()
    elapsed = time.perf_counter() - began
    page.wait_for_load_state("networkidle")
    cdp.remove_listener("Network.loadingFinished", finished)
    return elapsed, received["bytes"], received["requests"]


def main() -> int:
    from playwright.sync_api import sync_playwright
    from chalicelib import county_config
    config = county_config.load("demo")
    grids = [n.code for n in config.jurisdiction.nodes.values() if n.level == "grid" and n.code.startswith("BZ.RQ.")]
    categories = [(c.kind, code) for code, c in sorted(config.categories.items())]
    with tempfile.TemporaryDirectory() as state:
        stack = StackProcess(Path(state)).start()
        try:
            tokens = stack.tokens["tokens"]
            seed_queue(stack.api, tokens["gm-yks-01"])
            began = time.perf_counter()
            items = history_counters(grids, categories)
            write_counters(stack.aws, items)
            print(f"history: {HISTORY_CASES:,} cases in {len(grids)} grids of Ruoqiang -> {len(items):,} counter items "
                  f"written in {time.perf_counter() - began:.1f} s")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                print(f"{'screen':<28}{'load':<8}{'ready (s)':>10}{'bytes':>12}{'requests':>10}")
                phone = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
                         "geolocation": {"latitude": 40.6035, "longitude": 87.6865}, "permissions": ["geolocation"],
                         "service_workers": "block"}     # the first load of a phone, before its worker is installed
                for user, path, ready, name in (
                        ("gm-yks-01", "/console/phone", ["button.category", "#position-text:has-text('40.60350')"],
                         "phone report page (360x640)"),
                        ("station-yks", "/console#/queue", ["table.cases tbody tr"], "queue (20 cases)"),
                        ("leader-rq", "/console#/dashboard?period=2026-05", [".stat-card", "#dash-map ~ * canvas",
                                                                              "#dash-trend ~ * canvas"],
                         "dashboard (100,000 cases)")):
                    on_phone = path.startswith("/console/phone")
                    context = browser.new_context(**(phone if on_phone else {"viewport": {"width": 1280, "height": 800}}))
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    sign_in(page, stack.api, user, *(("/console/phone", "nav.phone-tabs") if on_phone else ()))
                    for cold in (True, False):
                        seconds, size, requests = measure(page, cdp, stack.api + path, ready, cold)
                        print(f"{name:<28}{'first' if cold else 'second':<8}{seconds:>10.2f}{size:>12,}{requests:>10}")
                    context.close()
                browser.close()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

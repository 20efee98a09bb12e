"""The points evaluator and the supermarket clerk in a real browser, checked against the API afterwards."""
import uuid

GRID = "BZ.RQ.TGLK.YKS.G01"


def household(stack, head):
    return stack.ok("gm-yks-01", "POST", "/households", {"grid": GRID, "head": head, "members": 4}, status=201)["id"]


def test_the_evaluator_records_points_for_a_household_and_reverses_the_entry(console):
    stack = console.stack
    head = f"艾力{uuid.uuid4().hex[:4]}"
    home = household(stack, head)
    page = console.sign_in("evaluator-yks")
    page.get_by_role("navigation").get_by_role("link", name="积分评定").click()
    page.get_by_label("网格").select_option(GRID)
    page.get_by_role("link", name=head).click()
    form = page.locator("form[aria-label='记录积分']")
    form.get_by_role("button", name="记录积分").click()             # no rule, no reason: refused, fields named
    form.locator("#pt-reason-error").wait_for()
    form.get_by_label("评分细则").select_option("helped_mediate")
    form.get_by_label("理由").fill("Helped settle the water-turn dispute")
    form.get_by_role("button", name="记录积分").click()
    page.get_by_role("status").filter(has_text="已记录 10 分").wait_for()
    row = page.locator("table.ledger tr[data-seq='1']")
    row.get_by_role("button", name="冲正").click()
    row.get_by_label("理由").fill("Recorded for the wrong household")
    console.axe("points", page)
    console.screenshot("points")
    row.get_by_role("button", name="冲正").click()
    page.get_by_role("status").filter(has_text="已冲正").wait_for()
    page.locator("table.ledger tr[data-seq='2']").wait_for()

    ledger = stack.ok("evaluator-yks", "GET", f"/households/{home}/ledger")
    assert ledger["balance"] == 0
    assert [(e["kind"], e["points"], e.get("rule"), e.get("reverses")) for e in ledger["items"]] == [
        ("award", 10, "helped_mediate", None), ("reversal", -10, "helped_mediate", 1)]


def test_the_clerk_redeems_a_households_points_for_soap_and_the_stock_goes_down(console):
    stack = console.stack
    head = f"古丽{uuid.uuid4().hex[:4]}"
    home = household(stack, head)
    stack.ok("evaluator-yks", "POST", f"/households/{home}/points", {"rule": "helped_mediate", "reason": "mediation"},
             status=201)
    before = {i["sku"]: i["stock"] for i in stack.ok("clerk-yks", "GET", "/supermarkets/yks-market/stock")["items"]}
    page = console.sign_in("clerk-yks")
    page.get_by_role("navigation").get_by_role("link", name="积分兑换").click()
    page.get_by_label("网格").select_option(GRID)
    link = page.locator(f"a[href*='household={home}']")
    assert link.inner_text() == head[0] + "*" * (len(head) - 1)      # a clerk reads the head's name masked
    link.click()
    form = page.locator("form[aria-label='兑换']")
    form.get_by_label("商品").select_option("soap")
    form.get_by_label("数量").fill("2")
    console.axe("redemptions", page)
    console.screenshot("redemptions")
    form.get_by_role("button", name="兑换").click()
    page.get_by_role("status").filter(has_text="扣 10 分").wait_for()

    assert stack.ok("clerk-yks", "GET", f"/households/{home}/ledger")["balance"] == 0
    after = {i["sku"]: i["stock"] for i in stack.ok("clerk-yks", "GET", "/supermarkets/yks-market/stock")["items"]}
    assert after["soap"] == before["soap"] - 2 and after["rice-5kg"] == before["rice-5kg"]

    # nothing left to spend: the refusal is worded in the reader's language, the API's own words kept beside it
    form.get_by_label("数量").fill("1")
    form.get_by_role("button", name="兑换").click()
    refusal = page.locator(".problem").filter(has_text="积分余额不足")
    refusal.wait_for()
    assert page.get_by_role("status").filter(has_text="扣 10 分").count() == 0   # the earlier success is not left beside it
    detail = refusal.locator(".server-detail[lang='en']")
    assert detail.inner_text().strip() and "积分" not in detail.inner_text()
    console.screenshot("redemption-refused", page)
    still = {i["sku"]: i["stock"] for i in stack.ok("clerk-yks", "GET", "/supermarkets/yks-market/stock")["items"]}
    assert still == after and stack.ok("clerk-yks", "GET", f"/households/{home}/ledger")["balance"] == 0


def test_the_clerk_finds_a_household_past_the_first_hundred_of_its_grid_by_its_address(console):
    stack = console.stack
    grid, street = "BZ.RQ.TGLK.YKS.G02", f"{uuid.uuid4().hex[:4]}巷"
    ids = [stack.ok("station-yks", "POST", "/households", {"grid": grid, "head": f"买买提{i}", "members": 3,
                                                             "address": f"{street}{i}号"}, status=201)["id"]
           for i in range(105)]                                   # more than one page of the list (100)
    total = len(stack.ok("clerk-yks", "GET", f"/households?grid={grid}&limit=100")["items"])
    page = console.sign_in("clerk-yks")
    page.get_by_role("navigation").get_by_role("link", name="积分兑换").click()
    page.get_by_label("网格").select_option(grid)
    page.get_by_role("status").filter(has_text="显示").wait_for()   # every page loaded
    assert total == 100 and page.locator("ul.households li").count() >= 105
    page.get_by_label("查找").fill(f"{street}104号")
    page.locator("ul.households li").nth(1).wait_for(state="detached")
    assert page.locator("ul.households li").count() == 1
    console.axe("redemptions, a household found", page)
    console.screenshot("redemptions-found", page)
    page.locator(f"a[href*='household={ids[104]}']").click()
    page.get_by_role("heading", name="当前积分：0").wait_for()


def test_the_evaluator_sees_a_long_ledger_newest_first_and_reads_back_to_its_first_entry(console):
    stack = console.stack
    head = f"吐尔逊{uuid.uuid4().hex[:4]}"
    home = household(stack, head)
    for _ in range(51):                                             # past one page of 50
        stack.ok("evaluator-yks", "POST", f"/households/{home}/points",
                 {"rule": "illegal_dumping", "reason": "rubbish by the canal"}, status=201)
    page = console.sign_in("evaluator-yks")
    page.get_by_role("navigation").get_by_role("link", name="积分评定").click()
    page.get_by_label("网格").select_option(GRID)
    page.get_by_label("查找").fill(head)
    page.get_by_role("link", name=head).click()
    rows = page.locator("table.ledger tbody tr")
    rows.first.wait_for()
    assert rows.first.get_attribute("data-seq") == "51" and rows.count() == 50
    assert page.locator("table.ledger tr[data-seq='1']").count() == 0
    page.get_by_role("button", name="更早的记录").click()
    page.locator("table.ledger tr[data-seq='1']").wait_for()
    assert rows.count() == 51 and page.get_by_role("button", name="更早的记录").count() == 0

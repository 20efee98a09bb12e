"""Intake on a resident's behalf in a real browser: the village station registers a walk-in's demand; a refused
submit keeps what was typed and names the field; the case the API holds afterwards is the one typed."""
GRID = "BZ.RQ.TGLK.YKS.G01"
TITLE = "Street light out at the school gate"


def test_the_station_registers_a_walk_in_and_the_api_holds_the_case_as_typed(console):
    stack = console.stack
    station = console.sign_in("station-yks")
    station.get_by_role("navigation").get_by_role("link", name="代群众登记").click()
    form = station.locator("form.intake")
    form.get_by_label("来源渠道").select_option("walk_in")
    form.get_by_label("类别").select_option("irrigation")
    form.get_by_label("标题").fill(TITLE)
    form.get_by_label("问题描述").fill("Dark since Monday; children walk home after six.")
    form.get_by_label("姓名").fill("王某")
    form.get_by_label("电话").fill("13900000008")
    form.get_by_role("button", name="登记").click()
    # no grid chosen: the server's message next to the grid, everything typed still there
    station.locator("#in-grid-error").wait_for()
    assert form.get_by_label("网格").get_attribute("aria-invalid") == "true"
    assert form.get_by_label("标题").input_value() == TITLE
    console.axe("intake (refused)")
    console.screenshot("intake-refused")

    form.get_by_label("网格").select_option(GRID)
    assert form.get_by_label("纬度").input_value() != ""          # the grid's centre, inside its outline
    station.locator("form.intake svg.grid-map .pin").wait_for()
    console.screenshot("intake")
    form.get_by_role("button", name="登记").click()
    station.locator("#case-title").wait_for()
    number = station.locator("#case-title").inner_text()

    mine = stack.ok("station-yks", "GET", f"/cases?grid={GRID}&limit=50")["items"]
    (case,) = [c for c in mine if c["title"] == TITLE]
    assert case["number"] in number
    found = stack.ok("station-yks", "GET", f"/cases/{case['id']}")
    assert (found["channel"], found["category"], found["kind"], found["grid"], found["status"]) == \
        ("walk_in", "irrigation", "demand", GRID, "reported")
    assert found["reporter"]["user_id"] == "station-yks"
    assert [r["name"] for r in found["residents"]] == ["王某"] and found["residents"][0]["phone"].startswith("139")

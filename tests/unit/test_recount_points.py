"""The points recount against a hand-worked ledger: balances, entry counts, rosters and the month items, and the
differences it names when what is stored drifts."""
from admin.recount import differences, recount_points, stored_points

G1, G2 = "BZ.RQ.TGLK.YKS.G01", "BZ.RQ.TGLK.YKS.G02"
HOUSEHOLDS = [{"id": "h1", "grid": G1, "balance": 7, "entries": 4}, {"id": "h2", "grid": G1, "balance": 0, "entries": 0},
              {"id": "h3", "grid": G2, "balance": -5, "entries": 1}]
LEDGER = [
    {"household_id": "h1", "seq": 1, "kind": "award", "points": 10, "month": "2026-06"},
    {"household_id": "h1", "seq": 2, "kind": "award", "points": 3, "month": "2026-07"},
    {"household_id": "h1", "seq": 3, "kind": "reversal", "points": -3, "month": "2026-07"},   # of seq 2
    {"household_id": "h1", "seq": 4, "kind": "redemption", "points": -3, "month": "2026-07"},  # spent, not earned
    {"household_id": "h3", "seq": 1, "kind": "penalty", "points": -5, "month": "2026-07"},
]
# worked by hand from the table above
EXPECTED = {
    "household#h1": {"balance": 7, "entries": 4}, "household#h2": {"balance": 0, "entries": 0},
    "household#h3": {"balance": -5, "entries": 1},
    f"roster#{G1}": {"h1": 1, "h2": 1, "value": 2}, f"roster#{G2}": {"h3": 1, "value": 1},
    f"points#{G1}#2026-06": {"h1": 10}, f"points#{G1}#2026-07": {"h1": 0}, f"points#{G2}#2026-07": {"h3": -5},
}
STORED_COUNTERS = [
    {"name": f"roster#{G1}", "value": 2, "h1": "王*", "h2": "李*"}, {"name": f"roster#{G2}", "value": 1, "h3": "赵*"},
    {"name": f"points#{G1}#2026-06", "h1": 10}, {"name": f"points#{G1}#2026-07", "h1": 0},
    {"name": f"points#{G2}#2026-07", "h3": -5}, {"name": "RQ-2026", "value": 41},   # a case-number sequence: not ours
]


def test_the_recount_of_a_hand_worked_ledger():
    assert recount_points(HOUSEHOLDS, LEDGER) == EXPECTED


def test_a_consistent_store_has_no_difference_and_each_drift_is_named():
    assert differences(recount_points(HOUSEHOLDS, LEDGER), stored_points(HOUSEHOLDS, STORED_COUNTERS)) == []
    drifted = [dict(c) for c in STORED_COUNTERS]
    drifted[2]["h1"] = 13                                 # a month line out of step with the ledger
    del drifted[0]["h2"]                                  # a household missing from its grid's roster
    households = [dict(h) for h in HOUSEHOLDS]
    households[0]["balance"] = 4                          # a balance that is not its ledger's sum
    assert differences(recount_points(HOUSEHOLDS, LEDGER), stored_points(households, drifted)) == [
        ("household#h1", "balance", 7, 4), (f"points#{G1}#2026-06", "h1", 10, 13), (f"roster#{G1}", "h2", 1, 0)]

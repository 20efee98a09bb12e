"""Drive cases over HTTP as the demo people of the article's case (its request bodies: support/article.py)."""
from support.article import ACCEPT, GRID, REPORT, SCORES  # noqa: F401  (the e2e tests import them from here)


def ok(result, status=200):
    code, body = result
    assert code == status, body
    return body


def new_case(api, body=None, user="gm-yks-01"):
    return ok(api.call(user, "POST", "/cases", body or REPORT), 201)


def drive(api, case_id, to):
    """Move a reported case on to `to` with the people who would do it."""
    steps = {
        "accepted": [("station-yks", "accept", ACCEPT)],
        "dispatched": [("station-yks", "accept", ACCEPT),
                       ("dispatcher-rq", "dispatch", {"lead": "rq-agri", "co_handlers": ["rq-water"]})],
        "in_progress": [("station-yks", "accept", ACCEPT),
                        ("dispatcher-rq", "dispatch", {"lead": "rq-agri", "co_handlers": ["rq-water"]}),
                        ("dept-rq-agri", "acknowledge", {})],
        "resolved": [("station-yks", "accept", ACCEPT),
                     ("dispatcher-rq", "dispatch", {"lead": "rq-agri", "co_handlers": ["rq-water"]}),
                     ("dept-rq-agri", "acknowledge", {}), ("dept-rq-agri", "resolve", {"note": "water restored"})],
        "closed": [("station-yks", "accept", ACCEPT),
                   ("dispatcher-rq", "dispatch", {"lead": "rq-agri", "co_handlers": ["rq-water"]}),
                   ("dept-rq-agri", "acknowledge", {}), ("dept-rq-agri", "resolve", {"note": "water restored"}),
                   ("gm-yks-01", "evaluate", {"scores": SCORES, "verdict": "good"})],
        "rejected": [("station-yks", "reject", {"reason": "not a grid matter"})],
        "reported": [],
    }[to]
    body = None
    for user, action, payload in steps:
        body = ok(api.call(user, "POST", f"/cases/{case_id}/{action.replace('_', '-')}", payload))
    return body


def household_ready_to_redeem(api) -> str:
    """A household of Yakinson grid 1 with 30 points (three mediations) and two bars of soap in stock at the
    village supermarket."""
    home = ok(api.call("gm-yks-01", "POST", "/households", {"grid": GRID, "head": "王小明", "members": 3}), 201)["id"]
    for _ in range(3):
        ok(api.call("evaluator-yks", "POST", f"/households/{home}/points", {"rule": "helped_mediate", "reason": "r"}),
           201)
    ok(api.call("clerk-yks", "POST", "/supermarkets/yks-market/stock", {"sku": "soap", "add": 2}))
    return home

"""Department assessment: rates, the 平安建设 score, year-end eligibility, the ranking composite."""
from __future__ import annotations


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def scorecard(counters: dict, policy) -> dict:
    """A scorecard from its counters. Co-handlers count in `assigned`/`acknowledged_on_time` only."""
    c = {k: int(counters.get(k, 0)) for k in ("assigned", "acknowledged", "acknowledged_on_time", "lead_dispatches",
                                             "resolved", "resolved_on_time", "evaluated", "good", "fair", "bad",
                                             "reopened", "appeals", "voided")}
    bad_reviews = c["bad"] - c["voided"]
    score = policy.base_score - policy.bad_review_deduction * bad_reviews
    return {**c, "bad_reviews": bad_reviews,
            "response_rate": _rate(c["acknowledged_on_time"], c["assigned"]),
            "resolution_rate": _rate(c["resolved"], c["lead_dispatches"]),
            # a voided review no longer counts at all: not as bad, not as evaluated
            "satisfaction_rate": _rate(c["good"] + c["fair"], c["evaluated"] - c["voided"]),
            "score": score, "eligible": bad_reviews <= policy.max_bad_reviews}


def composite(card: dict, policy) -> float:
    """The ranking value: the configured weights over the three rates and score / base score."""
    weights = policy.ranking
    return round(weights.response_rate * (card["response_rate"] or 0)
                 + weights.resolution_rate * (card["resolution_rate"] or 0)
                 + weights.satisfaction_rate * (card["satisfaction_rate"] or 0)
                 + weights.score * card["score"] / policy.base_score, 4)

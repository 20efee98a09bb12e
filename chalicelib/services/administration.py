"""What the deployment's administrator reads: the Open311 keys (never a secret), the access log of personal-data
reads (filtered, paged, as CSV), and the configuration the deployment runs with (the county file holds no secret:
certificates are named by ARN and issuers by their public URLs)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from chalicelib.domain import access
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.roles import Principal
from chalicelib.services import exports

DEFAULT_DAYS = 30
MAX_DAYS = 366
ACCESS_LOG_COLUMNS = [("at", "时间 (UTC)", "time (UTC)"), ("user_id", "用户", "user"), ("role", "角色", "role"),
                      ("case_id", "事件编号", "case id"), ("purpose", "用途", "purpose"),
                      ("entry_id", "记录编号", "entry id")]


def _admin_only(p: Principal, what: str) -> None:
    if not access.may_administer(p):
        raise Forbidden(f"only the administrator reads {what}")


def api_keys_page(keys, p: Principal, limit: int, cursor: str | None) -> dict:
    if not access.may_manage_api_keys(p):
        raise Forbidden("only the county admin lists Open311 API keys")
    items, next_cursor = keys.page(limit, cursor)
    return {"items": items, "cursor": next_cursor}


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"'{name}' must be a date, YYYY-MM-DD", field=name) from None


def access_window(config, since: str | None, until: str | None, now: datetime) -> tuple[datetime, datetime]:
    """[first day's start, the day after the last day's start) in the county's time zone; both days inclusive.
    Without `to`: today; without `from`: thirty days before it."""
    last = _day(until, "to") or now.astimezone(config.timezone).date()
    first = _day(since, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("'from' must not be after 'to'", field="from")
    if (last - first).days >= MAX_DAYS:
        raise Invalid(f"the window is at most {MAX_DAYS} days", field="from")
    start = datetime.combine(first, time(), config.timezone)
    return start, datetime.combine(last + timedelta(days=1), time(), config.timezone)


def access_log_page(log, config, p: Principal, *, since: str | None, until: str | None, case_id: str | None,
                    user_id: str | None, limit: int, cursor: str | None, now: datetime) -> dict:
    _admin_only(p, "the access log")
    start, end = access_window(config, since, until, now)
    items, next_cursor = log.page(since=start, until=end, case_id=case_id, user_id=user_id, limit=limit,
                                  cursor=cursor)
    return {"items": items, "cursor": next_cursor, "from": start.date().isoformat(),
            "to": (end - timedelta(days=1)).date().isoformat()}


def access_log_csv(page: dict, language: str) -> str:
    return exports.write(ACCESS_LOG_COLUMNS, page["items"], language)


def configuration(config, p: Principal) -> dict:
    """The county file as loaded, without what other routes already serve in full (the jurisdiction tree with
    its boundaries, categories, departments, the points catalogue): those are counted instead."""
    _admin_only(p, "the configuration")
    spec = config.spec
    shown = spec.model_dump(mode="json", exclude={"root", "categories", "departments", "points"})
    auth = spec.deployment.auth
    return {
        **shown,
        "issuer": "cognito" if auth.cognito else "oidc",
        "counts": {"nodes": len(config.jurisdiction.nodes), "grids": len(config.jurisdiction.grids()),
                   "grids_with_boundary": len(config.grid_boundaries), "departments": len(spec.departments),
                   "categories": len(spec.categories), "point_rules": len(spec.points.rules),
                   "supermarkets": len(spec.points.supermarkets), "privileges": len(spec.points.privileges)},
    }

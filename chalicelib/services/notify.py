"""Turning a notification message into words and sending it on its channel."""
from __future__ import annotations

from typing import NamedTuple

from chalicelib.domain.actions import ACTIONS, Audience
from chalicelib.domain.case import Case

STAGE_NAMES = {"triage": ("受理", "triage"), "report_in": ("报到", "report-in"), "resolve": ("办结", "resolution"),
               "evaluation": ("评价", "evaluation")}


class Undeliverable(Exception):
    """A message that will never go through (no target, bad address): straight to the dead-letter queue."""


class TryLater(Exception):
    """A failure worth retrying (the endpoint is down, rate-limited, or timed out)."""


class Delivery(NamedTuple):
    channel: str
    status: str   # sent | skipped
    detail: str = ""


def _what_and_where(message: dict, config) -> list[str]:
    """The case by its number, category and place (names from the configuration, never the case's free text)."""
    category = config.categories.get(message.get("category", ""))
    category_name = category.names.get("zh", category.code) if category else message.get("category", "")
    grid = config.jurisdiction.node(message.get("grid", ""))
    village = config.jurisdiction.ancestor_at(grid.code, "village") if grid else None
    place = " ".join(n.names.get("zh", n.code) for n in (village, grid) if n and n.level in ("village", "grid"))
    return [f"案件 case: {message['number']}", f"类别 category: {category_name}",
            f"地点 place: {place or message.get('grid', '')}"]


def department_text(message: dict, config) -> tuple[str, list[str]]:
    department = config.jurisdiction.department(message["department"])
    name = department.names.get("zh", message["department"]) if department else message["department"]
    event, case = message["event"], _what_and_where(message, config)
    if event in ("dispatch", "redispatch"):
        role = "牵头办理 lead" if message.get("role") == "lead" else "协同办理 co-handling"
        return (f"【派单 dispatch】{message['number']}", [
            f"{name}：{role}", *case,
            f"报到时限 report in by: {message['due']['report_in']}", f"办结时限 resolve by: {message['due']['resolve']}"])
    row = ACTIONS.get(event)
    if row is not None and Audience.LEAD in row.notifies:   # an action the lead department hears about, by name
        zh, en = row.names
        return (f"【{zh} {en}】{message['number']}", [f"{name}：{zh} {en}", *case, "详见案件时间线 see the case's timeline"])
    zh, en = STAGE_NAMES.get(message.get("stage", ""), (message.get("stage", ""), message.get("stage", "")))
    if message.get("supervision"):
        return (f"【督办 supervision】{message['number']}", [
            f"{name}：{zh}已超时 {en} deadline breached", *case, f"时限 was due: {message['due']}"])
    return (f"【预警 warning】{message['number']}", [
        f"{name}：{zh}时限将至 {en} deadline approaching", *case, f"时限 due: {message['due']}"])


def sms_text(message: dict, case: Case) -> str:
    words = {"accept": "已受理 has been accepted", "resolve": "已办结 has been resolved",
             "resolve_on_spot": "已现场办结 was resolved on the spot", "evaluate": "已评价 has been evaluated",
             "auto_close": "已结案 is closed", "close": "已结案 is closed"}
    return f"【网格通 Gridloop】您反映的事项 {case.number} {words.get(message['event'], 'updated')}。回复TD退订 Reply TD to opt out."


def alert_text(message: dict, config) -> tuple[str, str]:
    zh, en = STAGE_NAMES.get(message.get("stage", ""), ("", message.get("stage", "")))
    subject = f"Gridloop supervision: {message['number']} {en} deadline breached"
    body = (f"督办 {message['number']}\n" + "\n".join(_what_and_where(message, config)) + "\n"
            f"{zh}超时 {en} deadline breached (due {message['due']}).\n"
            f"The case is now held by center {message['center']} ({message['level']}).")
    return subject[:100], body

"""CSV files the API writes for people to open in a spreadsheet (statistics, rankings, the bank's list).

UTF-8 with a BOM so spreadsheet programs keep the Chinese text intact. A cell that would start a formula
(=, +, -, @, tab or carriage return) is written with a leading apostrophe, so a spreadsheet shows it as text and
never runs it (OWASP "CSV injection"); numbers stay numbers. Headers are in one language: the deployment's
(Chinese by default) or English on request; yes/no values are words people read, not True/False.
"""
from __future__ import annotations

import csv
import io

LANGUAGES = ("zh", "en")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}


def cell(value, language: str):
    """What one cell holds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = YES_NO[language]
        return yes if value else no
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write(columns: list[tuple[str, str, str]], rows: list[dict], language: str) -> str:
    """`columns`: (key in each row, Chinese header, English header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([zh if language == "zh" else en for _, zh, en in columns])
    for row in rows:
        writer.writerow([cell(row.get(key), language) for key, _, _ in columns])
    return "\ufeff" + out.getvalue()


def name_in(names: dict, language: str) -> str:
    """A configured name in the language (every name has zh and en)."""
    return names.get(language) or names.get("zh", "")

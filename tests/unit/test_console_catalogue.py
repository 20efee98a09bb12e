"""The console's translation catalogues (console/src/i18n/*.js) and the labels the API gives actions.

Every key is in Chinese, English and Uyghur; a Uyghur entry is written in the Uyghur (Arabic) script, not an English
copy; an action of the domain's table has a label in every catalogue, and the OpenAPI summary the console falls
back on for an action its catalogue does not know reads as words, never as the raw key.
"""
import re
from pathlib import Path

import pytest

from chalicelib.api.cases import action_summary
from chalicelib.domain.actions import ACTIONS

CATALOGUES = Path(__file__).resolve().parents[2] / "console" / "src" / "i18n"
ENTRY = re.compile(r"^\s*'([^']+)':\s*(['\"])(.*)\2,\s*$")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
# written alike in every language: product and format names, and entries that are only a placeholder
SAME_IN_EVERY_SCRIPT = {"channel.open311"}


def catalogue(language: str) -> dict[str, str]:
    entries = {}
    for line in (CATALOGUES / f"{language}.js").read_text(encoding="utf-8").splitlines():
        found = ENTRY.match(line)
        if found:
            assert found.group(1) not in entries, f"{language}: {found.group(1)} twice"
            entries[found.group(1)] = found.group(3)
    return entries


def test_chinese_english_and_uyghur_have_every_key():
    zh, en, ug = catalogue("zh"), catalogue("en"), catalogue("ug")
    assert len(zh) > 250
    assert sorted(set(zh) ^ set(en)) == []
    assert sorted(set(zh) - set(ug)) == []
    assert sorted(set(ug) - set(zh)) == []


def test_every_uyghur_entry_is_written_in_the_uyghur_script():
    ug = catalogue("ug")
    latin_only = [k for k, v in ug.items() if k not in SAME_IN_EVERY_SCRIPT and not ARABIC_SCRIPT.search(v)]
    assert latin_only == []


def test_placeholders_are_the_same_in_every_language():
    zh, en, ug = catalogue("zh"), catalogue("en"), catalogue("ug")
    names = lambda text: sorted(re.findall(r"\{(\w+)\}", text))   # noqa: E731
    assert [k for k in zh if not names(zh[k]) == names(en[k]) == names(ug[k])] == []


@pytest.mark.parametrize("language", ["zh", "en", "ug"])
def test_every_action_of_the_table_has_a_label(language):
    entries = catalogue(language)
    assert [a for a in ACTIONS if f"action.{a}" not in entries] == []


def test_an_actions_openapi_summary_reads_as_words_with_its_chinese_name_where_the_table_has_one():
    assert action_summary(ACTIONS["supervise"]) == "Supervision notice (督办)"
    assert action_summary(ACTIONS["request_extension"]) == "Request extension"
    assert [a for a in ACTIONS if "_" in action_summary(ACTIONS[a])] == []

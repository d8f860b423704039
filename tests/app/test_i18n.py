"""One translation table: every key in both languages, same placeholders, and every key the code uses exists."""

import re
import string
from pathlib import Path

import pytest

from ui.i18n import TEXT, translate

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "dashboard.py", *sorted((ROOT / "ui").rglob("*.py"))]
# Keys built at run time from a fixed set of suffixes: prefix → the suffixes the code can produce.
DYNAMIC = {
    "nav.": ["overview", "ranking", "branch", "yoy", "rectify", "rubrics", "upload"],
    "sort.": ["total_desc", "total_asc", "group_rank", "name"],
    "overview.heat_": ["township", "field"],
    "upload.": ["rows_total", "rows_scored", "rows_with_warnings", "rows_rejected"],
    "rubrics.": ["file", "line", "column", "code", "message", "field", "reason", "rows"],
    "progress.": ["select", "kpis", "grades", "heat", "weak", "charts"],  # the overview's build stages
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXT))
def test_both_languages_present_with_the_same_placeholders(key):
    zh, en = TEXT[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)


def test_every_literal_key_in_the_code_exists():
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert used, "no t(...) calls found"
    assert sorted(used - set(TEXT)) == []


def test_dynamic_keys_exist():
    missing = [prefix + suffix for prefix, suffixes in DYNAMIC.items() for suffix in suffixes if prefix + suffix not in TEXT]
    assert missing == []


def test_every_f_string_key_prefix_is_listed():
    prefixes = set()
    for path in SOURCES:
        prefixes |= set(re.findall(r"""\bt\(\s*f["']([a-z_]+\.[a-z_]*)\{""", path.read_text(encoding="utf-8")))
    assert prefixes <= set(DYNAMIC) | {"col.", "hdr."}


def test_chinese_is_the_default_and_unknown_language_falls_back():
    assert translate("nav.overview", "zh") == "总览"
    assert translate("nav.overview", "en") == "Overview"
    assert translate("nav.overview", "xx") == "总览"

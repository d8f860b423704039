"""Every word ingestion understands, in one place: yes/no, not-applicable, level synonyms and units.

Words are compared after `fold_cell` (NFKC, lower case, no spaces), so '是 ', 'ＹＥＳ' and 'yes' are one word.
Only unambiguous spellings are listed: a cell that could mean two things is reported, never guessed.
"""

from __future__ import annotations

from functools import lru_cache

from scoring.rubricset import normalize_label

# Normalization kinds, as counted in ValidationReport.normalizations.
FULLWIDTH_DIGITS = "全角数字"
FULLWIDTH_SIGNS = "全角符号"
SPACES = "空格"
THOUSANDS = "千分位"
PERCENT_SIGN = "百分比"
PERCENT_NUMBER = "百分数"
UNIT = "单位"
UNIT_CONVERSION = "单位换算"
YES_NO = "是否"
LEVEL = "等次"
PERIOD = "年度"
FIELD_ALIAS = "领域别称"

TRUE_WORDS = frozenset({"是", "有", "√", "✓", "✔", "☑", "y", "yes", "true"})
FALSE_WORDS = frozenset({"否", "无", "×", "✗", "✘", "☒", "n", "no", "false", "没有"})
CANONICAL_YES_NO = frozenset({"是", "否"})

# Cells that say "this item does not apply to this branch". A lone "-" is deliberately absent: Excel's
# accounting format saves 0 as "-" in CSV, so it is reported instead of guessed.
NOT_APPLICABLE_WORDS = frozenset({"不适用", "不涉及", "无需", "无须", "无此项", "n/a", "na", "—", "——", "/"})

# Level spellings that mean the same judgement. A group maps its other words onto a column's level only
# when exactly one of the column's levels is in the group, so no group can make a cell ambiguous.
LEVEL_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"好", "优秀", "优", "很好", "非常好"}),
    frozenset({"较好", "良好", "良", "比较好"}),
    frozenset({"一般", "中", "中等"}),
    frozenset({"差", "较差", "不合格"}),
    frozenset({"合格", "达标"}),
    frozenset({"基本合格", "基本达标"}),
    frozenset({"五星", "五星级", "★★★★★"}),
    frozenset({"四星", "四星级", "★★★★"}),
    frozenset({"三星", "三星级", "★★★"}),
    frozenset({"二星", "二星级", "两星", "两星级", "★★"}),
    frozenset({"一星", "一星级", "★"}),
)

# Unit spelling → (canonical unit, family, factor to the family's base). Units of one family convert;
# a unit with a factor other than 1 is only accepted when the column declares a unit of that family.
UNITS: dict[str, tuple[str, str, float]] = {
    "㎡": ("㎡", "area", 1.0), "m2": ("㎡", "area", 1.0), "平方米": ("㎡", "area", 1.0),
    "平米": ("㎡", "area", 1.0), "平方": ("㎡", "area", 1.0),
    "元": ("元", "money", 1.0), "千元": ("千元", "money", 1e3), "万元": ("万元", "money", 1e4),
    "万": ("万元", "money", 1e4), "亿元": ("亿元", "money", 1e8),
    "分": ("分", "points", 1.0),
    "次": ("次", "times", 1.0), "回": ("次", "times", 1.0),
    "个": ("个", "items", 1.0), "项": ("项", "entries", 1.0), "处": ("处", "places", 1.0),
    "人": ("人", "people", 1.0), "名": ("人", "people", 1.0), "户": ("户", "households", 1.0),
    "天": ("天", "days", 1.0), "日": ("天", "days", 1.0),
    "小时": ("小时", "hours", 1.0), "h": ("小时", "hours", 1.0),
    "学时": ("学时", "lessons", 1.0), "课时": ("学时", "lessons", 1.0),
    "个月": ("个月", "months", 1.0), "月": ("个月", "months", 1.0), "年": ("年", "years", 1.0),
    "篇": ("篇", "articles", 1.0), "场": ("场", "sessions", 1.0), "期": ("期", "issues", 1.0),
    "件": ("件", "cases", 1.0), "条": ("条", "lines", 1.0),
}

# Values that mean "the first/only row of a serial-number column": kept aside without a warning.
SERIAL_HEADERS = frozenset({"序号", "序", "no", "no.", "行号"})

# Trailing lines such as "填表人：张三" under the table: reported as notes, not as broken branches.
TOTAL_ROW = r"\s*[^\s\d]{0,20}?(?:合|小|总|共)\s*计\s*[:：]?\s*"  # 合计, 小 计, 东镇小计, 总计：a row that sums the ones above
TOTAL_MARK = "计"  # in every text TOTAL_ROW matches
NOTE_PREFIXES = ("注", "备注：", "说明", "填表人", "填报人", "制表", "审核人", "联系人", "联系电话", "填表日期", "填报日期")


def fold_cell(text: str) -> str:
    """A cell folded for word lookup: NFKC, lower case, every space removed."""
    return normalize_label(text)


@lru_cache(maxsize=256)
def level_table(levels: tuple[str, ...]) -> dict[str, tuple[int, bool]]:
    """Folded spelling → (position in `levels`, is a synonym) for one column's levels, best first."""
    table: dict[str, tuple[int, bool]] = {fold_cell(name): (i, False) for i, name in enumerate(levels)}
    for group in LEVEL_GROUPS:
        folded = {fold_cell(word) for word in group}
        hits = [table[w][0] for w in folded if w in table and not table[w][1]]
        if len(hits) != 1:
            continue
        for word in folded:
            table.setdefault(word, (hits[0], True))
    return table


def unit_of(text: str) -> tuple[str, str, float] | None:
    """The (canonical unit, family, factor) of a unit spelling, or None when unknown."""
    return UNITS.get(fold_cell(text))

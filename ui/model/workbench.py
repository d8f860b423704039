"""The rubric workbench as data: a rubric's editable tables, the draft edits a changed table makes, and what-if views."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import yaml

from scoring.conditions import OPERATORS
from scoring.draft import AddItem, Draft, DraftError, Edit, KeyPath, Origin, RemoveItem, ResetValue, SetValue, key_path
from scoring.methods import METHODS
from scoring.rubric import Rubric
from scoring.whatif import Impact

WriteTo = Literal["own", "source"]
Kind = Literal["number", "text", "grade", "column", "op", "method", "params", "flag", "rounding"]

ITEM = "item"
ORIGIN = "origin"
PARAMS = "params"
METHOD = "method.kind"
ROUNDINGS = ("ceil", "floor", "round")
CELL_CHARS = 2_000  # the longest text read from one cell
CELL_NODES = 500  # the most values one cell's YAML may hold (after aliases are expanded)
GROWS = frozenset({"quotas", "floors", "direct", "vetoes", "bottom"})  # rule tables where rows can be added and removed


@dataclass(frozen=True)
class Col:
    """One editable column of a table: a dotted key inside each row's item, and what kind of value it holds."""

    key: str
    kind: Kind


@dataclass(frozen=True)
class Section:
    """An editable table of a rubric: which items are its rows and which of their values can be edited."""

    id: str
    group: Literal["standards", "grading"]
    columns: tuple[Col, ...]


_INDICATOR = (Col("name", "text"), Col("points", "number"), Col(METHOD, "method"), Col(PARAMS, "params"),
              Col("allow_not_applicable", "flag"))
_WHEN = (Col("when.column", "column"), Col("when.op", "op"), Col("when.value", "text"))
SECTIONS: dict[str, Section] = {s.id: s for s in (
    Section("standards", "standards", (Col("name", "text"), Col("points", "number"))),
    Section("indicators", "standards", _INDICATOR),
    Section("adjustments", "standards", _INDICATOR),
    Section("settings", "standards", (Col("value", "number"),)),
    Section("bands", "grading", (Col("min", "number"),)),
    Section("quotas", "grading", (Col("group_by", "column"), Col("grade", "grade"), Col("max_share", "number"), Col("reason", "text"))),
    Section("floors", "grading", (Col("min_share", "number"), Col("cap", "grade"), Col("reason", "text"))),
    Section("direct", "grading", (*_WHEN, Col("grade", "grade"), Col("reason", "text"))),
    Section("vetoes", "grading", (*_WHEN, Col("force", "grade"), Col("cap", "grade"), Col("flag", "text"), Col("reason", "text"))),
    Section("bottom", "grading", (Col("group_by", "column"), Col("share", "number"), Col("rounding", "rounding"),
                                  Col("min_group_size", "number"), Col("flag", "text"), Col("force", "grade"), Col("reason", "text"))),
    Section("alerts", "grading", (Col("max_unmet", "number"),)),
)}
SETTINGS: dict[KeyPath, str] = {("total",): "total", ("bonus", "cap"): "bonus_cap", ("penalty", "cap"): "penalty_cap",
                                ("grading", "alerts", "unmet_below"): "unmet_below"}


@dataclass(frozen=True)
class Table:
    """A section of one rubric as rows: the frame to edit (item, editable columns, origin) and each row's key path."""

    section: Section
    frame: pd.DataFrame
    paths: tuple[KeyPath, ...]
    cells: tuple[dict[KeyPath, Origin | None], ...]


def _items(rubric: Rubric, section: str) -> Iterator[tuple[KeyPath, str, dict[str, Any]]]:
    """(key path, row label, values) of every row of a section."""
    dump = rubric.model_dump()
    grading = dump["grading"]
    if section == "standards":
        for s in dump["standards"]:
            yield ("standards", s["id"]), s["id"], s
    elif section == "indicators":
        for s in dump["standards"]:
            for i in s["indicators"]:
                yield ("standards", s["id"], "indicators", i["id"]), f"{s['name']} / {i['id']}", i
    elif section == "adjustments":
        for part in ("bonus", "penalty"):
            for i in (dump[part] or {}).get("indicators", ()):
                yield (part, "indicators", i["id"]), f"{dump[part]['name']} / {i['id']}", i
    elif section == "settings":
        for path, name in SETTINGS.items():
            value: Any = dump
            for step in path:
                value = value.get(step) if isinstance(value, dict) else None
            if value is not None:
                yield path, name, {"value": value}
    elif section == "bands":
        for b in grading["bands"]:
            yield ("grading", "bands", b["name"]), b["name"], b
    elif section == "alerts":
        for level in (grading["alerts"] or {}).get("levels", ()):
            yield ("grading", "alerts", "levels", level["name"]), level["name"], level
    else:
        for rule in grading[section]:
            yield ("grading", section, rule["id"]), rule["id"], rule


def _cell(values: Mapping[str, Any], col: Col) -> Any:
    """The value shown in a cell (conditions' values and method parameters as YAML flow text)."""
    if col.kind == "params":
        method = dict(values["method"])
        kind = method.pop("kind")
        fields = METHODS[kind].model_fields if kind in METHODS else {}
        defaults = {n: f.default for n, f in fields.items() if not f.is_required()}
        return show({k: v for k, v in method.items() if defaults.get(k, object()) != v})
    value: Any = values
    for step in col.key.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    if col.kind == "number":
        return None if value is None else float(value)
    if col.kind == "flag":
        return bool(value)
    return show(value) if col.key == "when.value" else value


def show(value: Any) -> str | None:
    """A value as the YAML flow text a user types (None stays empty)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dict, list, tuple)):
        text = yaml.safe_dump(_plain(value), allow_unicode=True, default_flow_style=True, sort_keys=False, width=1 << 16).strip()
        return "" if text in ("{}", "[]") else text
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def shown_items(labels: Iterable[object], names: Mapping[str, str]) -> list[str]:
    """Row labels in the user's language: each Chinese name in “标准 / id” or a grade or colour by its English name."""
    return [" / ".join(names.get(part, part) for part in str(label).split(" / ")) for label in labels]


def table(draft: Draft, rubric: Rubric, section: str) -> Table:
    """A section of `rubric` as an editable table, with where each of its values is written."""
    spec = SECTIONS[section]
    rows, paths, cells = [], [], []
    for path, label, values in _items(rubric, section):
        rows.append({ITEM: label, **{c.key: _cell(values, c) for c in spec.columns}})
        paths.append(path)
        cells.append({key: origin(draft, rubric.id, path + key) for key in _value_keys(spec)})
    frame = pd.DataFrame(rows, columns=[ITEM, *(c.key for c in spec.columns)])
    return Table(spec, frame, tuple(paths), tuple(cells))


def _value_keys(spec: Section) -> list[KeyPath]:
    """The key paths (inside a row's item) of the values a section edits; a method counts as one value."""
    if spec.id == "settings":
        return [()]
    keys = [("method",) if c.kind in ("method", "params") else key_path(c.key) for c in spec.columns]
    return list(dict.fromkeys(keys))


def row_origin(cells: Mapping[KeyPath, Origin | None]) -> Origin | None:
    """The origin shown for a row: a value its own file writes (overrides first), else where the first value comes from."""
    written = [o for o in cells.values() if o is not None]
    return next((o for o in written if o.overrides), next((o for o in written if not o.inherited), written[0] if written else None))


def origin(draft: Draft, rubric_id: str, path: KeyPath) -> Origin | None:
    """Where a value is written, or None for a value left at its default."""
    try:
        return draft.origin(rubric_id, path)
    except DraftError:
        return None


def overrides(tables: Sequence[Table]) -> list[tuple[KeyPath, Origin]]:
    """Every editable value of the tables that the rubric's own file overrides (what a reset can bring back)."""
    return [(path + key, o) for tab in tables for path, cells in zip(tab.paths, tab.cells) for key, o in cells.items()
            if o is not None and o.overrides]


# ---------------------------------------------------------------------------------------------------------------
# From edited tables to draft edits


class CellError(ValueError):
    """A cell whose text cannot be read as the value its column holds."""


def parse(kind: Kind, value: Any) -> Any:
    """The YAML value of an edited cell (numbers without a needless .0, texts of values read as YAML)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == "flag":
        return bool(value)
    if kind == "params":
        text = str(value).strip()
        parsed = read_yaml(text if text.startswith("{") else f"{{{text}}}")
        if not isinstance(parsed, dict):
            raise CellError(text)
        return parsed
    return str(value).strip()


def read_yaml(text: str) -> Any:
    """A cell's YAML value (yaml.safe_load), refused when the text or the value it expands to is too large for one cell."""
    if len(text) > CELL_CHARS:
        raise CellError(text[:40])
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CellError(text) from exc
    budget = [CELL_NODES]

    def count(node: Any) -> None:  # aliases count every time they are used, so a "billion laughs" stops at once
        budget[0] -= 1
        if budget[0] < 0:
            raise CellError(text[:40])
        for child in (node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()):
            count(child)
    count(value)
    return value


def _differs(old: Any, new: Any) -> bool:
    def blank(v: Any) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""
    if blank(old) and blank(new):
        return False
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not blank(old) and not blank(new):
        return not math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-12)
    return bool(old != new)


@dataclass(frozen=True)
class Edits:
    """The edits a set of changed tables makes, and the cells that could not be read (row label, column, text)."""

    edits: tuple[Edit, ...]
    bad: tuple[tuple[str, str, str], ...]


def edits(draft: Draft, rubric_id: str, tab: Table, edited: pd.DataFrame, write_to: WriteTo) -> Edits:
    """The edits that turn the table into the edited one: changed values (inherited ones overridden or edited at source),
    and in the rule tables that grow, removed rows and added ones (in the rubric's own file)."""
    out: list[Edit] = []
    bad: list[tuple[str, str, str]] = []
    for row, path in enumerate(tab.paths):
        label = str(tab.frame.at[row, ITEM])
        if row not in edited.index:
            if tab.section.id in GROWS:
                out.append(RemoveItem(rubric_id, path))
            continue
        if _differs(label, edited.at[row, ITEM]):
            bad.append((label, ITEM, str(edited.at[row, ITEM])))
        method_changed = False
        for col in tab.section.columns:
            new = edited.at[row, col.key]
            if not _differs(tab.frame.at[row, col.key], new):
                continue
            if col.kind in ("method", "params"):
                method_changed = True
                continue
            read, value = _read(col, new, label, bad)
            if read:
                target = path if tab.section.id == "settings" else path + key_path(col.key)
                out.append(_set(draft, rubric_id, target, value, write_to))
        if method_changed:
            read, params = _read(Col(PARAMS, "params"), edited.at[row, PARAMS], label, bad)
            if read:
                out.append(_set(draft, rubric_id, (*path, "method"), {"kind": edited.at[row, METHOD], **(params or {})}, write_to))
    if tab.section.id in GROWS:
        for at in [i for i in edited.index if i not in range(len(tab.paths))]:
            item = _new_item(tab.section, edited.loc[at], bad)
            if item is not None:
                out.append(AddItem(rubric_id, ("grading", tab.section.id), item))
    return Edits(tuple(out), tuple(bad))


def _read(col: Col, new: Any, label: str, bad: list[tuple[str, str, str]]) -> tuple[bool, Any]:
    """(True, value) for a cell that reads as its column's value; (False, None) after noting one that does not."""
    try:
        value = parse(col.kind, new)
        if col.key == "when.value" and isinstance(value, str):
            value = read_yaml(value)
    except (CellError, ValueError, OverflowError):
        bad.append((label, col.key, str(new)))
        return False, None
    return True, value


def _new_item(spec: Section, row: pd.Series, bad: list[tuple[str, str, str]]) -> dict[str, Any] | None:
    """A rule from an added row: its id and every filled value (dotted keys become nested maps)."""
    rule_id = parse("text", row.get(ITEM))
    if rule_id is None:
        bad.append(("—", ITEM, ""))
        return None
    item: dict[str, Any] = {"id": rule_id}
    for col in spec.columns:
        read, value = _read(col, row.get(col.key), str(rule_id), bad)
        if not read:
            return None
        if value is not None:
            *head, last = col.key.split(".")
            node = item
            for step in head:
                node = node.setdefault(step, {})
            node[last] = value
    return item


def _set(draft: Draft, rubric_id: str, path: KeyPath, value: Any, write_to: WriteTo) -> SetValue:
    """Set a value in the rubric's own file, or where it is written when the user chose to edit inherited values at source."""
    where = origin(draft, rubric_id, path) if write_to == "source" else None
    if where is not None and where.inherited:
        return SetValue(draft.rubric_in(where.file), path, value)
    return SetValue(rubric_id, path, value)


def resets(rubric_id: str, paths: Sequence[KeyPath]) -> tuple[Edit, ...]:
    """Edits that drop the rubric's overrides at these paths."""
    return tuple(ResetValue(rubric_id, p) for p in paths)


def apply(base: Draft, changes: Sequence[Edit]) -> tuple[Draft, str | None]:
    """The base draft with the edits applied, or the base and the reason when an edit cannot be applied."""
    try:
        return base.apply(*changes), None
    except DraftError as error:
        return base, str(error)


# ---------------------------------------------------------------------------------------------------------------
# Choices offered by the forms


def grade_options(rubric: Rubric) -> list[str]:
    """Grades from best to worst."""
    return list(rubric.grade_names())


def column_options(rubric: Rubric) -> list[str]:
    """Every column a condition or a group can read: declared columns, then indicator columns."""
    return list(dict.fromkeys([*(c.id for c in rubric.columns), *(i.column_id for i in rubric.indicators())]))


def operator_options() -> list[str]:
    """Every condition operator."""
    return list(OPERATORS)


def method_options() -> list[str]:
    """Every scoring method kind."""
    return list(METHODS)


# ---------------------------------------------------------------------------------------------------------------
# What-if views


MIX_COLUMNS = ("before", "after", "change")
CHANGE_COLUMNS = ("branch_id", "name", "field", "township", "period", "total_before", "total_after",
                  "grade_before", "grade_after", "move", "reason")


def mix_rows(mix: pd.DataFrame, changed_only: bool) -> pd.DataFrame:
    """A grade mix (tidy) with only the groups whose counts changed, when asked."""
    if not changed_only or mix.empty:
        return mix
    keys = [c for c in mix.columns if c not in (*MIX_COLUMNS, "grade")]
    moved = mix.groupby(keys, dropna=False)["change"].transform(lambda s: s.ne(0).any()) if keys else mix["change"].ne(0)
    return mix[moved.astype(bool)].reset_index(drop=True)


def changes_table(changes: pd.DataFrame, rubric_id: str | None = None) -> pd.DataFrame:
    """The branches whose grade changed, with the rule that moved them (optionally those of one rubric)."""
    frame = changes
    if rubric_id is not None and "rubric" in frame:
        frame = frame[frame["rubric"] == rubric_id]
    return frame[[c for c in CHANGE_COLUMNS if c in frame]].reset_index(drop=True)


GRADE_COLUMNS = ("grade", "grade_before", "grade_after")


def named(frame: pd.DataFrame, shown: Mapping[str, str]) -> pd.DataFrame:
    """A what-if table with grade names in the user's language (`shown`: Chinese → shown name; empty keeps them)."""
    if not shown:
        return frame
    return frame.assign(**{c: frame[c].map(lambda g: shown.get(g, g)) for c in GRADE_COLUMNS if c in frame})


def impact_lines(impacts: Sequence[Impact], names: Mapping[str, str], lang: str = "zh") -> list[str]:
    """One sentence per impact, led by its rubric's name and period: the scoring core's Chinese text, or its English counterpart."""
    return [f"{' · '.join(str(p) for p in (names.get(i.rubric, i.rubric), i.period) if p)}：{i.text if lang != 'en' else _english(i)}"
            for i in impacts]


def _english(i: Impact) -> str:
    moved = i.threshold_after is not None and i.threshold_before is not None and i.threshold_after != i.threshold_before
    lead = (f"With the line {'lowered' if (i.threshold_after or 0) < (i.threshold_before or 0) else 'raised'} to {i.threshold_after:g}, "
            if moved and i.threshold_after is not None else "After the change, ")
    text = f"{lead}{i.reached_after} branches reach the {i.grade} line and {i.final_after} get it"
    if i.held:
        text += "; held back: " + ", ".join(f"{h.count} by “{h.reason}”" for h in i.held)
    return f"{text} (before: {i.final_before})"


def sweep_grades(rubric: Rubric) -> list[str]:
    """The grades whose line can move (every band but the lowest)."""
    return list(rubric.grade_names()[:-1])


def sweep_series(sweep: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """One period of a threshold sweep (threshold, grade, count, current)."""
    if period is not None and "period" in sweep:
        sweep = sweep[sweep["period"] == period]
    return sweep[["threshold", "grade", "count", "current"]].reset_index(drop=True)


def texts_to_keep(draft: Draft) -> dict[str, str]:
    """The draft's YAML texts by plain file name: what a workspace keeps as its rubric (parents included)."""
    from pathlib import PurePath

    return {PurePath(name).name: text for name, text in draft.texts.items()}


def band_seeds(tab: Table, rubric_id: str, kept: Sequence[Edit]) -> tuple[dict[int, Any], tuple[Edit, ...]]:
    """Split kept edits into grade-line values to put back in their inputs (by row) and every other edit."""
    rows = {(*path, "min"): row for row, path in enumerate(tab.paths)}
    seeds: dict[int, Any] = {}
    rest: list[Edit] = []
    for edit in kept:
        if isinstance(edit, SetValue) and edit.rubric == rubric_id and tuple(edit.path) in rows:
            seeds[rows[tuple(edit.path)]] = edit.value
        else:
            rest.append(edit)
    return seeds, tuple(rest)

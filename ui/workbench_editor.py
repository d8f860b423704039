"""The workbench's editing widgets: score lines as a form, every other rule and indicator as a table, resets of overrides.

Every widget starts from the adopted rubric and keeps the user's changes in its own state; the draft is the adopted
YAML with the edits those changes make, recomputed on every run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scoring.draft import Draft, Edit, Origin
from scoring.rubric import Rubric
from ui import state
from ui.i18n import t
from ui.model import workbench as wb
from ui.model.names import english_names
from ui.safe import md
from ui.workbench_text import COLUMN_KEYS, SECTION_KEYS, SETTING_KEYS

FORM = "bands"  # grade lines are a form of number inputs; every other section is a table


def origin_text(where: Origin | None) -> str:
    """Where a value is written, in the user's language (file names only, never a server path)."""
    if where is None:
        return t("wb.origin_default")
    if where.inherited:
        return t("wb.origin_inherited", file=where.file_name, line=where.line)
    if where.overrides:
        return t("wb.origin_override", file=where.file_name, line=where.line)
    return t("wb.origin_own", file=where.file_name, line=where.line)


def draft_edits(base: Draft, rubric: Rubric, tables: dict[str, wb.Table], key: str) -> wb.Edits:
    """Draw the forms and tables of one rubric; the edits they hold (and cells that could not be read)."""
    labels = {"own": t("wb.write_own"), "source": t("wb.write_source")}  # plain labels: the key changes with the language
    chosen = st.radio(t("wb.write_to"), list(labels.values()), key=f"wb_write_{key}_{state.lang()}", horizontal=True,
                      help=t("wb.write_help"))
    write_to: wb.WriteTo = "source" if chosen == labels["source"] else "own"
    found: list[Edit] = []
    bad: list[tuple[str, str, str]] = []
    grading, standards = st.tabs([t("wb.tab_grading"), t("wb.tab_standards")])
    for group, tab in (("grading", grading), ("standards", standards)):
        with tab:
            if group == "grading":
                found += _bands(base, rubric, tables[FORM], key, write_to)
            for section in (s.id for s in wb.SECTIONS.values() if s.group == group and s.id != FORM):
                part = _editor(base, rubric, tables[section], key, write_to)
                found += part.edits
                bad += part.bad
    found += _resets(rubric, list(tables.values()), key)
    return wb.Edits(tuple(found), tuple(bad))


def _bands(base: Draft, rubric: Rubric, tab: wb.Table, key: str, write_to: wb.WriteTo) -> list[Edit]:
    """A number input per grade line, each with where its value is written."""
    st.markdown(f"**{t('wb.section_bands')}**")
    edited = tab.frame.copy()
    shown = {b.name: b.name_en for b in rubric.grading.bands if b.name_en and state.lang() == "en"}
    columns = st.columns(len(tab.paths))
    for row, (column, cells) in enumerate(zip(columns, tab.cells)):
        name = str(tab.frame.at[row, wb.ITEM])
        current = float(tab.frame["min"].iloc[row])
        with column:
            state.seed(f"wb_band_{key}_{row}", current)  # a draft kept across pages may have seeded it already
            edited.at[row, "min"] = st.number_input(t("wb.band_min", grade=md(shown.get(name, name))), step=1.0,
                                                    min_value=0.0, key=f"wb_band_{key}_{row}")
            st.caption(origin_text(cells[("min",)]))
    return list(wb.edits(base, rubric.id, tab, edited, write_to).edits)


def _config(rubric: Rubric, tab: wb.Table) -> dict[str, Any]:
    """Column settings of a section's editor: choices from the rubric where a value must be one of them."""
    cc = st.column_config
    choices = {"grade": wb.grade_options(rubric), "column": wb.column_options(rubric), "op": wb.operator_options(),
               "method": wb.method_options(), "rounding": list(wb.ROUNDINGS)}
    config: dict[str, Any] = {wb.ITEM: cc.TextColumn(t("wb.col_item"), disabled=tab.section.id not in wb.GROWS,
                                                     help=t("wb.item_help") if tab.section.id in wb.GROWS else None),
                              wb.ORIGIN: cc.TextColumn(t("wb.col_origin"), disabled=True)}
    for col in tab.section.columns:
        label = t(COLUMN_KEYS.get(col.key, "wb.col_value"))
        if col.kind == "number":
            config[col.key] = cc.NumberColumn(label, format="%g")
        elif col.kind == "flag":
            config[col.key] = cc.CheckboxColumn(label)
        elif col.kind in choices:
            config[col.key] = cc.SelectboxColumn(label, options=choices[col.kind])
        else:
            config[col.key] = cc.TextColumn(label, help=t("wb.params_help") if col.kind == "params" else None)
    return config


def _editor(base: Draft, rubric: Rubric, tab: wb.Table, key: str, write_to: wb.WriteTo) -> wb.Edits:
    """One section as an editable table with a read-only origin column."""
    if tab.frame.empty:
        return wb.Edits((), ())
    st.markdown(f"**{t(SECTION_KEYS[tab.section.id])}**")
    shown = tab.frame.copy()
    if tab.section.id == "settings":
        shown[wb.ITEM] = [t(SETTING_KEYS[str(v)]) for v in shown[wb.ITEM]]
    elif tab.section.id not in wb.GROWS and state.lang() == "en":  # rule ids are typed by users; names are shown in English
        shown[wb.ITEM] = wb.shown_items(shown[wb.ITEM], english_names([rubric]))
    shown[wb.ORIGIN] = [origin_text(wb.row_origin(cells)) for cells in tab.cells]
    edited = st.data_editor(shown, key=f"wb_{tab.section.id}_{key}", hide_index=True, width="stretch",
                            column_config=_config(rubric, tab), num_rows="dynamic" if tab.section.id in wb.GROWS else "fixed")
    if tab.section.id not in wb.GROWS:
        edited[wb.ITEM] = tab.frame[wb.ITEM]
    found = wb.edits(base, rubric.id, tab, pd.DataFrame(edited), write_to)
    for label, column, text in found.bad:
        if column == wb.ITEM:
            st.error(t("wb.bad_item", item=md(label)), icon=":material/error:")
        else:
            name = t(COLUMN_KEYS.get(column, "wb.col_value"))
            st.error(t("wb.bad_cell", item=md(label), column=md(name), text=md(text, 200)), icon=":material/error:")
    return found


def _resets(rubric: Rubric, tables: list[wb.Table], key: str) -> list[Edit]:
    """Choose overridden values to bring back their inherited value."""
    found = wb.overrides(tables)
    if not found:
        return []
    choices = {t("wb.reset_option", path=".".join(map(str, path)), origin=origin_text(where)): path for path, where in found}
    picked = st.multiselect(t("wb.reset"), list(choices), key=f"wb_reset_{key}_{state.lang()}", help=t("wb.reset_help"))
    return [*wb.resets(rubric.id, [choices[label] for label in picked])]


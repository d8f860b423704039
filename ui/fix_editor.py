"""The fix-rows editor shared by the single-file upload and the workspace: identity and problem columns only, problem cells marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.ingest import Ingested
from scoring.ingest.fixes import PROBLEM_CELLS, FixView, fix_view
from ui import common, data, state
from ui.i18n import t


def fix_editor(ingested: Ingested, key: str) -> tuple[FixView, pd.DataFrame]:
    """Draw the editor over a file's rejected rows; the narrowed view and what the user made of it."""
    view = fix_view(ingested, state.lang())
    st.caption(t("upload.fix_help"))
    marked = {c: st.column_config.TextColumn(f"⚠ {c}") for c in view.problems}  # the columns with cells to fix
    config = common.column_config([data.REASON], {"_index": t("hdr.行"), PROBLEM_CELLS: t("upload.problem_cells"), **marked})
    edited = st.data_editor(view.frame, key=key, disabled=[data.REASON, PROBLEM_CELLS], width="stretch", column_config=config)
    return view, edited

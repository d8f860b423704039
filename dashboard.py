"""支部标准化评分看板 — the router: page config, navigation and the shared sidebar; each page lives in ui/."""

from pathlib import Path

import streamlit as st

from ui import memory, sidebar, snapshot_view, state, workspace_view
from ui.boundary import guarded
from ui.i18n import t

HERE = Path(__file__).parent
PAGES = {
    "overview": ":material/dashboard:", "ranking": ":material/leaderboard:", "branch": ":material/account_tree:",
    "yoy": ":material/trending_up:", "rectify": ":material/warning:", "ledger": ":material/fact_check:", "rubrics": ":material/menu_book:",
    "upload": ":material/upload_file:",
}

memory.tune()  # large columns go back to the system when freed, so a million-row upload does not stay resident
state.start()
st.set_page_config(page_title=t("app.title"), page_icon=":material/flag:", layout="wide")
pages = {slug: st.Page(HERE / "ui" / "screens" / f"{slug}.py", title=t(f"nav.{slug}"), icon=icon, url_path=slug, default=slug == "overview")
         for slug, icon in PAGES.items()}
current = st.navigation(list(pages.values()))
slug = next((s for s, p in pages.items() if p.url_path == current.url_path), "overview")
if snapshot_view.gate() and workspace_view.gate():  # False: this run showed a snapshot screen (access code, refusal, deletion) instead
    if (goto := state.pending_page()) and goto != slug:
        st.switch_page(pages[goto])
    sidebar.render(state.dataset(), slug)
    snapshot_view.banner()
    guarded(current.run)
    state.finish(slug)

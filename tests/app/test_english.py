"""The English UI: walking every page (texts, tables, charts) shows no Chinese outside rubric content and user data."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from html import escape

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from ledger.sheet import ENGLISH as ENGLISH_HEADERS
from ledger.sheet import LAYOUT
from scoring import export
from scoring.errors import InputError, RubricError
from scoring.export import ENGLISH
from tests.app import files
from tests.app.conftest import PAGES, go, no_errors, open_app
from tests.app.files import ROOT
from tests.app.test_flows import BROKEN
from tests.app.test_views import _Collect  # the tags and text nodes of an HTML page
from tests.rubrics.test_problem_texts import chinese_left
from ui import data as data_module
from ui import exports
from ui.data import REASON, problems_csv, sample_dataset
from ui.i18n import translate
from ui.model import rectify as rectify_model
from ui.model.names import english_names
from ui.model.view import Filters
from ui.safe import md

CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff，。、；：（）《》]")  # “ ” are English quotes too
LANGUAGE_SWITCH = "lang"
PROBLEM_USER_COLUMNS = ("列名", "值")  # the problem list's header as written and the cell's value: the user's file
TOWNSHIP = "栖云街道"  # a township of several fields: its downloads are small but cover every sheet
USER_COLUMNS = ("branch_id", "name", "field", "district", "township", "parent", "period", "org_type", "secretary", "remarks")
# What users wrote into the 整顿台账 (or the rule text recorded when a branch was designated) stays as written.
USER_COLUMNS += ("leader", "responsible", "reason", "decided_by", "source", "source_before", "problems", "measures", "notes")
LEDGER_USER_FIELDS = ("name", "parent", "problems", "measures", "leader", "responsible", "delay_reason", "result", "notes", "reason",
                      "decided_by")  # the 台账's columns of what users wrote
# Texts the core still writes in Chinese only (none today). An entry leaves this set once its producer speaks English;
# then its texts are checked like the rest.
CORE_TEXTS_PENDING_TRANSLATION: frozenset[str] = frozenset()


def _strings(value: object) -> Iterator[str]:
    """Every string inside a nested structure (a rubric model dump, a figure spec)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)  # e.g. the level names of a level method
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _pattern(user_texts: set[str]) -> re.Pattern[str]:
    """User data (`user_texts`) and rubric content: the texts that may stay Chinese in the English UI."""
    data = sample_dataset()
    b = data.results.branches
    texts = set(user_texts) | {str(v) for c in USER_COLUMNS if c in b for v in b[c].dropna().unique()}
    texts |= {f"{n}（{c}）" for n, c in zip(b["name"], b["branch_id"], strict=True)}  # the branch picker's choices
    kept = pd.read_csv(ROOT / "sample_data" / "ledger_2024.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for header, key in LAYOUT:  # the sample city's 台账: what its users wrote (a reason's rule part is an entry's source)
        if key in LEDGER_USER_FIELDS and header in kept:
            texts |= {v for value in kept[header] for v in (value, value.split("：", 1)[-1])}
    for rubric in data.rubrics.rubrics:
        texts |= set(_strings(rubric.model_dump(mode="json")))
    texts |= {"加分项", "减分项"}  # scoring/explain.py's section names for bonus and penalty items (rubric sections)
    for text in data.rubrics.documents.values():
        texts |= {line.strip() for line in text.splitlines()}
    translated = set(english_names(data.rubrics))  # grades, warning colours, moves, named standards: must show in English
    words = sorted((t for t in texts - translated if t and CHINESE.search(t)), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@pytest.fixture(scope="module")
def allowed() -> re.Pattern[str]:
    """User data of the sample city and rubric content."""
    return _pattern(set())


def _chinese_left(text: str, allowed: re.Pattern[str]) -> str:
    """The Chinese characters of a text once user data and rubric content are taken out ("" when none)."""
    rest = allowed.sub(" ", text.replace("\\", ""))
    return "".join(CHINESE.findall(rest))


def _page_texts(at, page: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a page shows: elements, widget labels and options, tables and chart texts."""
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success", "error", "button",
                 "tabs", "expander", "toggle", "checkbox"):
        for element in getattr(at, kind, []):
            for attr in ("value", "label", "help"):
                value = getattr(element, attr, None)
                if isinstance(value, str):
                    yield f"{kind}.{attr}", value
    for metric in at.metric:
        yield "metric", f"{metric.label} {metric.value} {metric.proto.help}"
    for widget in [*at.selectbox, *at.multiselect, *at.text_input, *at.radio, *at.get("segmented_control")]:
        if getattr(widget, "key", None) == LANGUAGE_SWITCH:  # 语言 / Language with 中文 | English: bilingual on purpose
            continue
        yield "widget", f"{getattr(widget, 'label', '')} {getattr(widget, 'help', '') or ''} {getattr(widget, 'placeholder', '') or ''}"
        for option in getattr(widget, "options", None) or []:
            yield "option", str(option)
    for button in at.get("download_button"):
        yield "download", f"{button.proto.label} {button.proto.help}"
    for frame in at.dataframe:
        table: pd.DataFrame = frame.value
        config = json.loads(frame.proto.columns or "{}")
        rejected = REASON in table  # rejected rows: the file's own columns (user data) beside the reason
        for column in table.columns:
            if not rejected or str(column) == REASON:
                yield "header", str(config.get(str(column), {}).get("label", column))  # the header as shown
        for column in table.columns:
            user = str(column) in (*USER_COLUMNS, *PROBLEM_USER_COLUMNS) or (rejected and str(column) != REASON)
            if user or str(column) in CORE_TEXTS_PENDING_TRANSLATION or table[column].dtype.kind in "biuf":
                continue
            for value in table[column].dropna().astype(str).unique():
                yield f"cell:{column}", value
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for key in ("name", "hovertemplate", "text", "theta", "x", "y"):
                yield from ((f"chart.{key}", s) for s in _strings(trace.get(key)))
            yield from (("chart.node", s) for s in _strings(trace.get("node", {}).get("label")))
        yield from (("chart.layout", s) for s in _strings(spec.get("layout", {})) if not s.startswith("#"))


@pytest.mark.parametrize("page", PAGES)
def test_no_chinese_reaches_the_english_ui_outside_rubric_content_and_user_data(page, allowed):
    at = open_app(page, lang="en")
    no_errors(at)
    texts = list(_page_texts(at, page))
    assert len(texts) > 10
    leaks = sorted({(where, text[:120]) for where, text in texts if _chinese_left(text, allowed)})
    assert leaks == [], "\n".join(map(str, leaks))


def test_the_checker_finds_chinese_ui_text(allowed):
    assert _chinese_left("Grade：先进 · 等次", allowed) != ""
    assert _chinese_left("Advanced", allowed) == ""
    assert _chinese_left("鹿鸣区教育系统党委 (sector)", allowed) == ""
    assert _chinese_left("后进", allowed) != "" and _chinese_left("绿", allowed) != ""  # these have English names


def _user_headers() -> set[str]:
    """Headers of downloaded columns that hold user data (in English): their cells may be Chinese."""
    columns = sample_dataset().rubrics.columns
    return {ENGLISH.get(columns[c].label, columns[c].label) for c in USER_COLUMNS if c in columns}


def _table_texts(name: str, rows: list[list[object]], user: set[str]) -> Iterator[tuple[str, str]]:
    """(where, text) for a downloaded table's header and its text cells outside user data."""
    header = [str(h) for h in rows[0]]
    yield from ((f"{name} header", h) for h in header)
    for row in rows[1:]:
        yield from ((f"{name}:{h}", v) for h, v in zip(header, row, strict=False) if isinstance(v, str) and v and h not in user)


def _download_texts() -> Iterator[tuple[str, str]]:
    """Every text of the English downloads: the results workbook (all sheets), the results CSV and the notice list."""
    data = sample_dataset()
    user = _user_headers()
    filters = Filters(townships=(TOWNSHIP,))
    book = openpyxl.load_workbook(io.BytesIO(exports.results_xlsx(data, filters, "en")()), read_only=True)
    for sheet in book.worksheets:
        yield "sheet name", sheet.title
        yield from _table_texts(f"xlsx {sheet.title}", [list(r) for r in sheet.iter_rows(values_only=True)], user)
    rows: list[list[object]] = list(csv.reader(io.StringIO(exports.results_csv(data, filters, "en")().decode("utf-8-sig"))))
    yield from _table_texts("csv", rows, user)
    notice = rectify_model.notice_list(data.results, data.rubrics, filters, "Persistent problems", *exports.language(data.rubrics, "en"))
    yield from _table_texts("notice", [list(notice.columns), *notice.astype(object).where(notice.notna(), None).to_numpy().tolist()], user)
    both = data.results.take(data.results.branches.index[(data.results.branches["township"] == TOWNSHIP).to_numpy()])
    moves = export.to_csv_bytes(both, data.rubrics, export.MOVES, "en", english_names(data.rubrics))
    yield from _table_texts("moves csv", list(csv.reader(io.StringIO(moves.decode("utf-8-sig")))), user)


def test_no_chinese_reaches_the_english_downloads_outside_rubric_content_and_user_data(allowed):
    texts = list(_download_texts())
    assert {where for where, _ in texts if where == "sheet name"} and len(texts) > 1000
    leaks = sorted({(where, text[:120]) for where, text in texts if _chinese_left(text, allowed)})
    assert leaks == [], "\n".join(map(str, leaks[:60]))


def test_english_downloads_keep_their_number_formats():
    data = sample_dataset()
    book = openpyxl.load_workbook(io.BytesIO(exports.results_xlsx(data, Filters(townships=(TOWNSHIP,)), "en")()))
    sheet = book["Ranking"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("% of points") + 1).number_format == "0.0%"
    assert sheet.cell(2, header.index("Total") + 1).number_format.startswith("0.")
    assert sheet.cell(2, header.index("Rank in group") + 1).number_format == "0"


@pytest.mark.parametrize("name", ["messy.csv", "generated-messy.csv"])
def test_the_upload_report_speaks_english(name):
    raw = (ROOT / "sample_data" / "messy.csv").read_bytes() if name == "messy.csv" else files.messy_csv()[0]
    frame = pd.read_csv(io.BytesIO(raw), dtype=str, header=None, encoding="utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "gbk")
    allowed = _pattern({str(v) for v in frame.stack().dropna()})
    at = open_app("upload", lang="en")
    at.file_uploader(key="up_file").set_value((name, raw, "text/csv")).run()
    no_errors(at)
    problems = next(f.value for f in at.dataframe if "说明" in f.value)
    assert len(problems) >= 3 and problems["说明"].str.len().min() > 10
    texts = list(_page_texts(at, "upload"))
    report = data_module.ingest(raw, name, data_module.builtin_rubrics(), None, None).report
    texts += [("problems csv", cell) for row in csv.reader(io.StringIO(problems_csv(report, "en").decode("utf-8-sig")))
              for cell in row[:3] + row[6:]]  # code, severity, row … message (header as written and value are the file's)
    leaks = sorted({(where, text[:160]) for where, text in texts if _chinese_left(text, allowed)})
    assert leaks == [], "\n".join(map(str, leaks))


@pytest.fixture
def clicked(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """The callables of the download buttons rendered, by file id: the server calls one when its button is clicked,
    outside the script run (so it cannot read the session's language then)."""
    kept: dict[str, Callable[[], object]] = {}
    original = MediaFileManager.add_deferred

    def add(self: MediaFileManager, data: Callable[[], object], *args: object, **kwargs: object) -> str:
        file_id = original(self, data, *args, **kwargs)  # type: ignore[arg-type]
        kept[file_id] = data
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add)
    return kept


def test_the_printable_sheet_downloaded_in_english_is_english_and_escapes_user_text(clicked):
    raw = files.hostile_csv()
    name = files.HOSTILE_NAMES[0]  # <script>alert('x')</script>支部
    at = open_app("upload", lang="en")
    at.file_uploader(key="up_file").set_value(("hostile.csv", raw, "text/csv")).run()
    at.button(key="up_use").click().run()
    go(at, "ranking")
    table = at.dataframe(key="rank_table").value.reset_index(drop=True)
    at.session_state["rank_table"] = {"selection": {"rows": [int(table.index[table["name"] == name][0])], "columns": []}}
    at.run()
    no_errors(at)
    button = next(b for b in at.get("download_button") if b.proto.id.endswith("br_sheet"))
    page = str(clicked[button.proto.deferred_file_id]())  # as the server builds it on a click
    assert escape(name) in page and name not in page
    parsed = _Collect()
    parsed.feed(page)
    assert {"script", "img"}.isdisjoint(parsed.tags) and name in "".join(parsed.text)
    assert '<html lang="en">' in page
    cells = pd.read_csv(io.BytesIO(raw), dtype=str, header=None, encoding="utf-8-sig").stack().dropna()
    allowed = _pattern({str(v) for v in cells})
    leaks = sorted({text[:160] for text in parsed.text if _chinese_left(text, allowed)})
    assert leaks == [], "\n".join(leaks)


def _file_texts(name: str, data: object, user: set[str]) -> Iterator[tuple[str, str]]:
    """(where, text) of a downloaded file as a user opens it: a workbook's sheets, a CSV's cells or an HTML page's text."""
    raw = data.encode() if isinstance(data, str) else bytes(data)  # type: ignore[call-overload]
    if raw.startswith(b"PK"):
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        for sheet in book.worksheets:
            yield f"{name} sheet name", sheet.title
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if rows and sum(v is not None for v in rows[0]) == 1:  # a title row above the header
                yield f"{name} title", str(rows.pop(0)[0])
            yield from _table_texts(f"{name} {sheet.title}", rows, user)
    elif raw.lstrip().startswith(b"<!DOCTYPE html"):
        parsed = _Collect()
        parsed.feed(raw.decode("utf-8"))
        yield from ((name, text) for text in parsed.text)
    else:
        yield from _table_texts(name, list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))), user)


# the pages whose files are built on a click (the rubric page's and the upload page's report are built in the run)
@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("rubrics", "upload")])
def test_every_download_of_the_english_ui_is_english_when_clicked(page, clicked, allowed):
    at = open_app(page, lang="en")
    no_errors(at)
    buttons = [b for b in at.get("download_button") if b.proto.deferred_file_id]
    user = _user_headers() | {ENGLISH_HEADERS[k] for k in LEDGER_USER_FIELDS}
    texts = [t for b in buttons for t in _file_texts(b.proto.id.rsplit("-", 1)[-1], clicked[b.proto.deferred_file_id](), user)]
    assert buttons and texts
    leaks = sorted({(where, text[:120]) for where, text in texts if _chinese_left(text, allowed)})
    assert leaks == [], "\n".join(map(str, leaks[:60]))


def test_a_broken_rubric_uploaded_in_english_lists_its_problems_in_english():
    with pytest.raises(RubricError) as refused:
        data_module.custom_rubrics("broken.yaml", BROKEN, data_module.builtin_rubrics())
    expected = refused.value.problems
    at = open_app("rubrics", lang="en")
    at.file_uploader(key="rb_file").set_value(("broken.yaml", BROKEN.encode(), "application/x-yaml")).run()
    no_errors(at)
    assert at.error[0].value.startswith(f"The rubric has {len(expected)} problems")
    shown = next(f.value for f in at.dataframe if "message" in f.value.columns)
    assert list(shown["message"]) == [p.text("en") for p in expected]
    assert not set(shown["message"]) & {p.message for p in expected}  # none left in Chinese
    assert [chinese_left(p) for p in expected] == [""] * len(expected)


def test_a_core_only_upload_is_refused_in_either_language():
    core = (ROOT / "rubrics" / "core.yaml").read_text(encoding="utf-8")
    with pytest.raises(RubricError) as refused:
        data_module.custom_rubrics("core.yaml", core, data_module.builtin_rubrics())
    (problem,) = refused.value.problems
    assert problem.code == "abstract-only" and "公共核心" in problem.message
    assert problem.text("en") == "this file defines only a shared core (abstract), no rubric to score with"


# Files the app cannot read at all, one for each place that says why: the workbook check before reading (a damaged
# .xlsx), the reading itself (an empty CSV, a WPS file); Chinese names, as users give them, stay as written.
UNREADABLE = [("损坏的考评.xlsx", b"PK\x03\x04" + bytes(200)), ("空表.csv", b""),
              ("考评.et", (ROOT / "tests" / "ingest" / "fixtures" / "assessment.xls").read_bytes())]


def _refused(name: str, raw: bytes) -> InputError:
    with pytest.raises(InputError) as refused:
        data_module.ingest(raw, name, data_module.builtin_rubrics())
    return refused.value


@pytest.mark.parametrize(("name", "raw"), UNREADABLE, ids=["damaged-xlsx", "empty-csv", "wps"])
def test_an_unreadable_upload_is_explained_in_english(name, raw):
    error = _refused(name, raw)
    at = open_app("upload", lang="en")
    at.file_uploader(key="up_file").set_value((name, raw, "application/octet-stream")).run()
    no_errors(at)
    assert [e.value for e in at.error] == [translate("upload.unreadable", "en", message=md(error.text("en"), 600))]
    shown = at.error[0].value.replace("\\", "")
    assert error.text("en") in shown and str(error) not in shown
    assert CHINESE.findall(shown.replace(name, " ")) == []  # none outside the file name


def test_an_unreadable_file_for_a_new_workspace_is_explained_in_english(store):
    name, raw = UNREADABLE[1]
    at = open_app("upload", lang="en")
    at.file_uploader(key="ws_files").set_value([(name, raw, "text/csv")]).run()
    at.button(key="ws_create").click().run()
    no_errors(at)
    (shown,) = [e.value.replace("\\", "") for e in at.error]
    assert _refused(name, raw).text("en") in shown
    assert CHINESE.findall(shown.replace(name, " ")) == []

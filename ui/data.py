"""Loading at the edge: rubrics, the sample city and uploads are parsed and scored once per content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

from scoring.engine import score
from scoring.errors import RubricError, RubricProblem, said
from scoring.ingest import Ingested, ValidationReport, read_assessments
from scoring.ingest import sheet_names as workbook_sheet_names
from scoring.ingest.fixes import revalidate
from scoring.ingest.workbook import WorkbookLimits
from scoring.loader import load_rubrics, parse_rubrics
from scoring.results import Results
from scoring.rubricset import RubricSet
from ui.memo import LruCache, budget_from_env, footprint

ROOT = Path(__file__).resolve().parent.parent
RUBRIC_DIR = ROOT / "rubrics"
SAMPLE_FILE = ROOT / "sample_data" / "city.csv"
SAMPLE_LABEL = "sample"
REASON = "reason"


@dataclass(frozen=True, eq=False)
class Dataset:
    """What every page shows: rubrics, results and the ingestion report, with the bytes they came from."""

    key: str
    label: str
    rubrics: RubricSet
    results: Results
    report: ValidationReport | None = None
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: bytes | None = None
    filename: str = ""
    custom_rubric: str = ""

    @property
    def is_sample(self) -> bool:
        """Whether this is the built-in sample city."""
        return self.label == SAMPLE_LABEL


def restored(label: str, rubrics: RubricSet, results: Results, key: str, report: ValidationReport | None = None, *,
             rejected: pd.DataFrame | None = None, filename: str | None = None, custom_rubric: str = "") -> Dataset:
    """A data set rebuilt from stored parts (e.g. a shared snapshot); `key` must identify its content."""
    return Dataset(digest("restored", key), label, rubrics, results, report,
                   pd.DataFrame() if rejected is None else rejected, None, label if filename is None else filename, custom_rubric)


def digest(*parts: bytes | str) -> str:
    """A short content hash used as a cache key."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:24]


def rubric_key(rubrics: RubricSet) -> str:
    """A content hash of the YAML a rubric set was built from."""
    texts = sorted({**rubrics.library, **rubrics.documents}.items())
    return digest(*(f"{name}\n{text}" for name, text in texts))


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.y*ml")))


@st.cache_resource(show_spinner=False, max_entries=4)
def _builtin(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> RubricSet:
    return load_rubrics([Path(folder)], relative_to=ROOT)  # named rubrics/core.yaml in messages, not by the server's path


def builtin_rubrics() -> RubricSet:
    """The rubrics shipped in rubrics/ (reloaded when a file changes)."""
    return _builtin(str(RUBRIC_DIR), _stamp(RUBRIC_DIR))


def custom_rubrics(name: str, text: str, builtin: RubricSet) -> RubricSet:
    """A user's rubric file over the built-in ones: it replaces built-ins with the same id or the same fields.

    Raises RubricError with located problems when the file is not a valid rubric.
    """
    own = parse_rubrics({name: text}, library=builtin.documents)
    if not own.concrete:
        raise RubricError([RubricProblem.at(name, 1, 1, "abstract-only", said("abstract-only"))])
    taken_ids = {r.id for r in own.concrete}
    taken_fields = {f for r in own.concrete for f in r.fields}
    kept = {}
    for doc, body in builtin.documents.items():
        rid = (yaml.safe_load(body) or {}).get("id")
        rubric = next((r for r in builtin.rubrics if r.id == rid), None)
        if rubric is None or rubric.abstract or rid in taken_ids or taken_fields.intersection(rubric.fields):
            continue
        kept[doc] = body
    return parse_rubrics({name: text, **kept}, library=builtin.documents)


# ---- ingestion and scoring, cached on content hashes ----------------------------------------------------------------


def upload_limit() -> int:
    """The largest accepted upload in bytes: server.maxUploadSize megabytes of 10^6 bytes.

    Streamlit's server allows maxUploadSize × 2^20 bytes and its browser widget maxUploadSize × 10^6 (or × 2^20 on
    some systems): counting in 10^6 keeps the app's limit within both, so Streamlit never refuses, in English, a
    file the app says it accepts, and messages print the same number of MB the setting holds.
    """
    return int(st.get_option("server.maxUploadSize")) * 1_000_000


def _read(data: bytes, filename: str, rubrics: RubricSet, sheet: str | None) -> Ingested:
    return read_assessments(data, rubrics, filename=filename, sheet=sheet, max_bytes=upload_limit())


@st.cache_data(show_spinner=False, max_entries=8)
def sheet_names(content: str, filename: str, _data: bytes) -> list[str]:
    """The worksheet names of a workbook, visible first (empty for a CSV); InputError when it cannot be read."""
    return workbook_sheet_names(_data, filename, WorkbookLimits.from_env())


def content_hash(data: bytes) -> str:
    """A file's SHA-256: the key its readings are cached under, the same a workspace keeps the file by."""
    return hashlib.sha256(data).hexdigest()


@st.cache_data(show_spinner=False, max_entries=8)
def upload_digest(file_id: str, _data: bytes) -> str:
    """The content hash of an uploaded file, computed once per upload (hashing 300 MB takes about a second)."""
    return content_hash(_data)


# Read and scored uploads are the largest objects the server holds: kept by content within a byte budget.
_UPLOADS = LruCache(budget_from_env(), footprint)


def ingest(data: bytes, filename: str, rubrics: RubricSet, sheet: str | None = None, content: str | None = None) -> Ingested:
    """Read and validate an assessment file (cached on its bytes and the rubrics; `content`: content_hash(data) if known)."""
    return ingest_kept(lambda: data, content or content_hash(data), filename, rubrics, sheet)


def ingest_kept(fetch: Callable[[], bytes], sha256: str, filename: str, rubrics: RubricSet, sheet: str | None = None) -> Ingested:
    """A file known by its SHA-256, read and validated once per rubrics; `fetch` is called for its bytes only when it was not."""
    return _UPLOADS.get(("ingest", sha256, rubric_key(rubrics), filename, sheet), lambda: _read(fetch(), filename, rubrics, sheet))


def scored(data: bytes, filename: str, rubrics: RubricSet, ingested: Ingested, sheet: str | None = None,
           custom_rubric: str = "", content: str | None = None) -> Dataset:
    """Score an ingested file into a data set (cached on the same keys as `ingest`)."""
    key = (content or content_hash(data), rubric_key(rubrics), filename, sheet)
    results = _UPLOADS.get(("score", *key), lambda: score(ingested.frame, rubrics, ingested.not_applicable))
    return Dataset(digest(*key[:3], sheet or ""), filename, rubrics, results, ingested.report, ingested.rejected,
                   data, filename, custom_rubric)


def problems_csv(report: ValidationReport, lang: str = "zh") -> bytes:
    """The problem list as formula-safe CSV, headers, severities and messages in `lang`."""
    from scoring.export import problems_to_csv_bytes

    return problems_to_csv_bytes(report, lang)


def rescore(data: Dataset, rubrics: RubricSet, custom_name: str = "") -> Dataset:
    """The same data scored with other rubrics (from the original file when there is one)."""
    if data.source is not None:
        ingested = ingest(data.source, data.filename, rubrics)
        out = scored(data.source, data.filename, rubrics, ingested)
    else:
        results = score(data.results.inputs, rubrics, data.results.not_applicable)
        out = Dataset(digest(data.key, rubric_key(rubrics)), data.label, rubrics, results, data.report)
    return Dataset(out.key, data.label, rubrics, out.results, out.report, out.rejected, out.source, out.filename, custom_name)


# ---- the sample city ----------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def _sample(path: str, stamp: tuple[int, int], rubrics_id: str, _rubrics: RubricSet) -> Dataset:
    data = Path(path).read_bytes()
    ingested = read_assessments(data, _rubrics, filename=Path(path).name)  # our own file: no upload limit
    results = score(ingested.frame, _rubrics, ingested.not_applicable)
    return Dataset(digest(data, rubrics_id), SAMPLE_LABEL, _rubrics, results, ingested.report, ingested.rejected,
                   data, Path(path).name)


def sample_dataset() -> Dataset:
    """The sample city the dashboard opens on."""
    rubrics = builtin_rubrics()
    if not SAMPLE_FILE.exists():
        return _synthetic_city(rubric_key(rubrics), rubrics)
    st_ = SAMPLE_FILE.stat()
    return _sample(str(SAMPLE_FILE), (st_.st_mtime_ns, st_.st_size), rubric_key(rubrics), rubrics)


@st.cache_resource(show_spinner=False, max_entries=2)
def _synthetic_city(rubrics_id: str, _rubrics: RubricSet) -> Dataset:
    """A stand-in city (two periods, several townships) until sample_data/city.csv exists."""
    from scoring.synthetic import synthetic_frame

    frames = []
    for i, rubric in enumerate(_rubrics.concrete):
        for j, period in enumerate(("2024", "2025")):
            f = synthetic_frame(rubric, 240, seed=10 * i + j, groups=12, period=period)
            f["branch_id"] = f"{rubric.id}-" + f["branch_id"].astype(str)
            number = f["parent"].str.extract(r"(\d+)$")[0].astype(int)
            f["district"] = "示例" + (number % 3).map({0: "东区", 1: "西区", 2: "南区"}).astype(str)
            f["township"] = "示例" + (number % 6).map(lambda k: f"镇{k + 1}").astype(str)
            frames.append(f)
    frame = pd.concat(frames, ignore_index=True)
    return Dataset(digest("synthetic", rubrics_id), SAMPLE_LABEL, _rubrics, score(frame, _rubrics))


def builtin_texts(rubrics: RubricSet) -> Mapping[str, str]:
    """The YAML texts of a rubric set, by file name."""
    return {Path(name).name: text for name, text in {**rubrics.library, **rubrics.documents}.items()}


def fix_rejected(data: Dataset, edited: pd.DataFrame) -> tuple[Dataset, Ingested]:
    """Check edited rejected rows again against the accepted ones and score those that now validate with the rest."""
    accepted = pd.concat([data.results.inputs, data.results.unscored.drop(columns="reason", errors="ignore")])
    again = revalidate(edited, accepted, data.rubrics, filename=f"{data.filename}（修正）")
    inputs = pd.concat([accepted, again.frame], ignore_index=True)
    na = pd.concat([data.results.not_applicable, again.not_applicable], ignore_index=True)
    na = na.reindex(index=inputs.index, fill_value=False).fillna(False).astype(bool)
    results = score(inputs, data.rubrics, na)
    fixed = Dataset(digest(data.key, edited.to_csv()), data.label, data.rubrics, results, data.report, again.rejected,
                    data.source, data.filename, data.custom_rubric)
    return fixed, again


def rubric_source(rubrics: RubricSet, rubric_id: str) -> str:
    """The YAML text a rubric was written in (empty when unknown)."""
    for text in {**rubrics.library, **rubrics.documents}.values():
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(doc, dict) and doc.get("id") == rubric_id:
            return text
    return ""

"""A data set and its view frozen into a snapshot payload and back, exactly; pure (no Streamlit calls, no scoring).

The payload carries everything a page reads: the eight result frames (so opening never re-scores), the rejected
rows, the full rubric texts (documents and library, re-parsed on open), the ingestion report and the view.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from ledger.frozen import FrozenLedgerInvalid, from_json
from ledger.frozen import to_json as ledger_json
from ledger.model import Entry
from scoring.errors import RubricError
from scoring.ingest import ValidationReport
from scoring.ingest.report import Problem
from scoring.loader import parse_rubrics
from scoring.results import Results
from scoring.rubricset import RubricSet
from snapshots import SnapshotCorrupt, SnapshotPayload
from ui.data import Dataset, restored
from ui.model.view import ViewState, from_query_params, to_query_params

CODEC = 1
RESULT_FRAMES = ("branches", "indicators", "standards", "rules", "flags", "inputs", "not_applicable", "unscored")
_RESULTS = "results/"
_REJECTED = "rejected"
_DOCUMENT = "rubric/"
_LIBRARY = "library/"
_REPORT = "report.json"
_LEDGER = "ledger.json"

Parse = Callable[[Mapping[str, str], Mapping[str, str]], RubricSet]


def dataset_to_payload(data: Dataset, view: ViewState, ledger: Sequence[Entry] | None = None) -> SnapshotPayload:
    """Freeze a data set (results, rejected rows, rubric texts, report), the view it is shown with and its 台账, if any."""
    frames = {f"{_RESULTS}{name}": getattr(data.results, name) for name in RESULT_FRAMES}
    frames[_REJECTED] = data.rejected
    texts = {f"{_DOCUMENT}{name}": text for name, text in data.rubrics.documents.items()}
    texts.update({f"{_LIBRARY}{name}": text for name, text in data.rubrics.library.items()})
    if data.report is not None:
        texts[_REPORT] = report_to_json(data.report)
    if ledger is not None:
        texts[_LEDGER] = ledger_json(ledger)
    state = {
        "codec": CODEC,
        "view": to_query_params(view),
        "dataset": {"label": data.label, "filename": data.filename, "custom_rubric": data.custom_rubric, "key": data.key},
    }
    return SnapshotPayload(frames=frames, texts=texts, state=state)


def payload_to_dataset(payload: SnapshotPayload, key: str, parse: Parse = parse_rubrics) -> tuple[Dataset, ViewState]:
    """The data set and view a payload froze; `key` identifies its content (e.g. the payload's SHA-256).

    Raises SnapshotCorrupt when the payload is not one this codec wrote or its rubric texts no longer parse.
    """
    state = payload.state
    try:
        if state.get("codec") != CODEC:
            raise SnapshotCorrupt()
        results = Results(**{name: payload.frames[f"{_RESULTS}{name}"] for name in RESULT_FRAMES})
        documents = _prefixed(payload.texts, _DOCUMENT)
        library = _prefixed(payload.texts, _LIBRARY)
        report = report_from_json(payload.texts[_REPORT]) if _REPORT in payload.texts else None
        about = state["dataset"]
        view = from_query_params(state["view"])
        rubrics = parse(documents, library)
        data = restored(str(about["label"]), rubrics, results, key, report, rejected=payload.frames[_REJECTED],
                        filename=str(about["filename"]), custom_rubric=str(about["custom_rubric"]))
    except (KeyError, TypeError, ValueError, AttributeError, RubricError) as exc:
        raise SnapshotCorrupt() from exc
    return data, view


def payload_ledger(payload: SnapshotPayload) -> tuple[Entry, ...] | None:
    """The 台账 a payload froze (None for snapshots taken without one); raises SnapshotCorrupt for a malformed one."""
    if _LEDGER not in payload.texts:
        return None
    try:
        return from_json(payload.texts[_LEDGER])
    except FrozenLedgerInvalid as exc:
        raise SnapshotCorrupt() from exc


def _prefixed(texts: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {name.removeprefix(prefix): text for name, text in texts.items() if name.startswith(prefix)}


def report_to_json(report: ValidationReport) -> str:
    """The ingestion report as JSON text with exactly its fields."""
    return json.dumps(asdict(report), ensure_ascii=False)


def report_from_json(text: str) -> ValidationReport:
    """The report `report_to_json` wrote; fields a later version added keep their defaults."""
    raw = json.loads(text)
    known = {f.name for f in fields(ValidationReport)}
    values: dict[str, Any] = {k: v for k, v in raw.items() if k in known}
    problem_fields = {f.name for f in fields(Problem)}
    values["problems"] = tuple(Problem(**{k: v for k, v in p.items() if k in problem_fields}) for p in raw.get("problems", ()))
    return ValidationReport(**values)


def fingerprint(data: Dataset) -> str:
    """The data's SHA-256: of the file it was read from, else of its content key (e.g. rescored or restored data)."""
    return hashlib.sha256(data.source if data.source is not None else data.key.encode("utf-8")).hexdigest()


def snapshot_metadata(data: Dataset, view: ViewState, taken_at: datetime) -> dict[str, Any]:
    """What the banner and the administrator's list show about a snapshot: rubrics, fingerprint, rows, time."""
    used = set(data.results.branches["rubric"].astype(str)) if "rubric" in data.results.branches else set()
    rubrics = [r for r in data.rubrics.concrete if r.id in used] or list(data.rubrics.concrete)
    return {
        "rubrics": [{"id": r.id, "name": r.name, "version": str(r.version)} for r in rubrics],
        "fingerprint": fingerprint(data),
        "dataset_key": data.key,
        "source": data.filename,
        "rows": len(data.results),
        "page": view.page,
        "taken_at": taken_at.isoformat(),
    }

"""The command-line interface: a thin shell over the scoring library (python -m scoring ...)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scoring.errors import InputError, RubricError, ScoringError
from scoring.loader import load_rubrics
from scoring.results import Results
from scoring.rubricset import RubricSet

OK, PROBLEMS, USAGE = 0, 1, 2
_PROGRESS_ROWS = 10_000


class _Progress:
    """Stage messages on stderr for long runs, so a user knows the tool is working."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m scoring", description="党支部标准化评分：校验评分细则、校验与评分考评数据、生成模板。")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate-rubric", help="校验评分细则 YAML，列出全部错误（文件:行:列）")
    p.add_argument("paths", nargs="+", type=Path)

    p = sub.add_parser("describe-rubric", help="把评分细则排成可打印的文档")
    p.add_argument("path", type=Path)
    p.add_argument("--format", choices=["markdown"], default="markdown")
    p.add_argument("-o", "--output", type=Path)

    for name, text in (("validate", "校验考评数据，输出问题清单"), ("score", "评分并评定等次")):
        p = sub.add_parser(name, help=text)
        p.add_argument("data", type=Path)
        p.add_argument("--rubrics", type=Path, required=True, help="评分细则文件或目录")
        p.add_argument("--sheet", help="Excel 工作表名称（默认第一个）")
        if name == "validate":
            p.add_argument("--format", choices=["text", "json", "csv"], default="text")
        else:
            p.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
            p.add_argument("--progress", action="store_true", help="总是显示进度")
        p.add_argument("-o", "--output", type=Path)

    p = sub.add_parser("compare", help="比较两个考核期：分数变化与晋位升级")
    p.add_argument("data", type=Path)
    p.add_argument("--rubrics", type=Path, required=True)
    p.add_argument("--before", help="较早的考核期（默认倒数第二个）")
    p.add_argument("--after", help="较晚的考核期（默认最后一个）")
    p.add_argument("-o", "--output", type=Path)

    p = sub.add_parser("template", help="生成某一领域的空白填报模板")
    p.add_argument("--rubrics", type=Path, required=True)
    p.add_argument("--field", required=True, help="领域，如 农村")
    p.add_argument("-o", "--output", type=Path, help=".csv（UTF-8 带 BOM）或 .xlsx；默认输出到屏幕")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return 0 ok, 1 problems found in the input, 2 wrong usage."""
    args = build_parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args))
    except RubricError as exc:
        print("评分细则有错误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return PROBLEMS
    except (InputError, ScoringError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return PROBLEMS
    except OSError as exc:
        print(f"错误：无法读写文件 {exc.filename}：{exc.strerror}", file=sys.stderr)
        return USAGE


def _write(args: argparse.Namespace, data: bytes | str) -> None:
    """Write to -o/--output, or to standard output."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if args.output:
        args.output.write_bytes(raw)
    else:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()


def _validate_rubric(args: argparse.Namespace) -> int:
    rubrics = load_rubrics(args.paths)
    for rubric in rubrics.rubrics:
        kind = "公共核心" if rubric.abstract else "、".join(rubric.fields)
        extends = f"，继承 {rubric.extends}" if rubric.extends else ""
        print(f"✓ {rubric.id}（{rubric.name}，版本 {rubric.version}，{kind}{extends}）：{len(rubric.indicators())} 项指标")
    return OK


def _describe_rubric(args: argparse.Namespace) -> int:
    from scoring.describe import rubric_markdown

    rubrics = load_rubrics([args.path])
    wanted = [r for r in rubrics.rubrics if str(args.path) in rubrics.documents] or list(rubrics.rubrics)
    _write(args, "\n\n".join(rubric_markdown(r) for r in wanted))
    return OK


def _ingest(args: argparse.Namespace) -> tuple[RubricSet, Any]:
    from scoring.ingest import read_assessments

    rubrics = load_rubrics([args.rubrics])
    return rubrics, read_assessments(args.data, rubrics, filename=args.data.name, sheet=args.sheet)


def _validate(args: argparse.Namespace) -> int:
    _, ingested = _ingest(args)
    report = ingested.report
    if args.format == "json":
        _write(args, report.to_json())
    elif args.format == "csv":
        from scoring.export import problems_to_csv_bytes

        _write(args, problems_to_csv_bytes(report))
    else:
        _write(args, report.to_text() + "\n")
    return PROBLEMS if report.has_errors else OK


def _score(args: argparse.Namespace) -> int:
    progress = _Progress(args.progress or args.data.stat().st_size > _PROGRESS_ROWS * 200)
    progress(f"读取 {args.data}")
    rubrics, ingested = _ingest(args)
    report = ingested.report
    progress(f"已读取 {report.rows_total} 行：可评分 {len(ingested.frame)} 行，拒收 {report.rows_rejected} 行；开始评分")
    from scoring.engine import score

    results = score(ingested.frame, rubrics, ingested.not_applicable)
    progress(f"已评分 {len(results)} 行；写出 {args.format}")
    if args.format == "json":
        _write(args, results_json(results, rubrics))
    else:
        from scoring import export

        writer = export.to_xlsx_bytes if args.format == "xlsx" else export.to_csv_bytes
        _write(args, writer(results, rubrics))
    for problem in report.problems:
        if problem.severity == "error":
            print(f"  第 {problem.row} 行 {problem.column or ''} {problem.column_name or ''}：{problem.message}", file=sys.stderr)
    if len(results.unscored):
        print(f"{len(results.unscored)} 行没有对应的评分细则，未评分。", file=sys.stderr)
    progress("完成")
    return PROBLEMS if report.has_errors or len(results.unscored) else OK


def results_json(results: Results, rubrics: RubricSet) -> str:
    """One JSON object per branch and period, with points, grade, reasons and flags."""
    from scoring.explain import reason_table

    b = results.branches
    reasons = reason_table(results, rubrics).groupby("row", sort=False)["text"].agg(list)
    flags = results.flag_lists()
    records = []
    for label, standards, indicators in zip(b.index, results.standards.to_dict("records"), results.indicators.to_dict("records")):
        row = b.loc[label]
        records.append({
            "branch_id": row.get("branch_id"), "name": row.get("name"), "field": row.get("field"),
            "period": row.get("period"), "total": float(row["total"]), "max_total": float(row["max_total"]),
            "grade": row["grade"], "rank": int(row["rank"]),
            "standards": _finite(standards), "indicators": _finite(indicators),
            "reasons": reasons.get(label, []), "flags": flags.loc[label],
        })
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def _finite(points: dict[Any, Any]) -> dict[str, float | None]:
    """Points rounded for output; not-applicable items become null."""
    return {k: (None if v is None or np.isnan(v) else round(float(v), 4)) for k, v in points.items()}


def _compare(args: argparse.Namespace) -> int:
    from scoring.compare import compare_periods, periods
    from scoring.engine import score
    from scoring.export import neutralize_frame

    rubrics, ingested = _ingest(args)
    results = score(ingested.frame, rubrics, ingested.not_applicable)
    found = periods(results)
    if len(found) < 2 and not (args.before and args.after):
        print(f"错误：数据中只有 {len(found)} 个考核期（{'、'.join(found)}），无法比较；请提供两个考核期的数据。", file=sys.stderr)
        return PROBLEMS
    before, after = args.before or found[-2], args.after or found[-1]
    table = compare_periods(results, rubrics, before, after)
    _write(args, neutralize_frame(table).to_csv(index=False).encode("utf-8-sig"))
    return OK


def _template(args: argparse.Namespace) -> int:
    from scoring.template import template_bytes

    rubrics = load_rubrics([args.rubrics])
    rubric = rubrics.for_field(args.field)
    if rubric is None:
        print(f"错误：没有领域“{args.field}”的评分细则；可用的领域：{'、'.join(rubrics.field_names())}", file=sys.stderr)
        return PROBLEMS
    xlsx = args.output is not None and args.output.suffix.lower() == ".xlsx"
    _write(args, template_bytes(rubric, xlsx=xlsx))
    return OK


_COMMANDS = {
    "validate-rubric": _validate_rubric, "describe-rubric": _describe_rubric, "validate": _validate,
    "score": _score, "compare": _compare, "template": _template,
}

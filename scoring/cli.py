"""The command-line interface: a thin shell over the scoring library (python -m scoring ...)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from scoring.ingest import Ingested, ValidationReport
    from scoring.results import Results
    from scoring.rubricset import RubricSet

# Heavy modules (pandas, pydantic, the engine, the writers) are imported by the command that needs them, so that
# `--help` and wrong usage answer at once.
OK, PROBLEMS, USAGE = 0, 1, 2
FORMATS = ("csv", "xlsx", "json", "jsonl", "parquet")
_PROGRESS_ROWS = 10_000


class _Progress:
    """Stage messages on stderr for long runs, so a user knows the tool is working."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message}{_peak_memory()}", file=sys.stderr, flush=True)


def _peak_memory() -> str:
    """The process's peak resident memory so far, where the platform reports it."""
    try:
        import resource
    except ImportError:  # Windows
        return ""
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**10 if sys.platform == "darwin" else 1)
    return f"（内存峰值 {kilobytes / 2**20:.1f} GB）"


def _release_memory() -> None:
    """Hand freed heap back to the system between stages: glibc keeps what the reader's threads freed in their
    arenas (about 2 GB after a 1,000,000-row file), which would otherwise add to the scoring stage's peak."""
    import ctypes

    with suppress(OSError, AttributeError):  # not glibc: its allocator returns memory by itself or not at all
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
        _input_arguments(p)
        if name == "validate":
            p.add_argument("--format", choices=["text", "json", "csv"], default="text")
        else:
            p.add_argument("--format", choices=FORMATS, default="csv", help="结果格式（默认 csv）")
            p.add_argument("--progress", action="store_true", help="总是显示进度")
        p.add_argument("-o", "--output", type=Path)

    p = sub.add_parser("compare", help="比较两个考核期：分数变化与晋位升级")
    _input_arguments(p)
    p.add_argument("--before", help="较早的考核期（默认倒数第二个）")
    p.add_argument("--after", help="较晚的考核期（默认最后一个）")
    p.add_argument("--format", choices=FORMATS, default="csv", help="结果格式（默认 csv）")
    p.add_argument("-o", "--output", type=Path)

    p = sub.add_parser("template", help="生成某一领域的空白填报模板")
    p.add_argument("--rubrics", type=Path, required=True)
    p.add_argument("--field", required=True, help="领域，如 农村")
    p.add_argument("-o", "--output", type=Path, help=".csv（UTF-8 带 BOM）或 .xlsx；默认输出到屏幕")
    return parser


def _input_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of every command that reads an assessment file: the file, the rubrics, the sheet, the size limit."""
    p.add_argument("data", type=Path)
    p.add_argument("--rubrics", type=Path, required=True, help="评分细则文件或目录")
    p.add_argument("--sheet", help="Excel 工作表名称（默认第一个）")
    p.add_argument("--max-bytes", type=_byte_count, default=None, metavar="N",
                   help="拒绝大于 N 字节的数据文件（默认不限制；看板的上限见 server.maxUploadSize）")


def _byte_count(text: str) -> int:
    """A positive whole number of bytes (underscores allowed: 200_000_000)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数字节数，例如 200000000") from None
    if value < 1:
        raise argparse.ArgumentTypeError("必须是正整数字节数")
    return value



def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return 0 ok, 1 problems found in the input, 2 wrong usage."""
    args = build_parser().parse_args(argv)  # --help and wrong usage end here, before any import of the core
    from scoring.errors import RubricError, ScoringError

    try:
        return int(_COMMANDS[args.command](args))
    except RubricError as exc:
        print("评分细则有错误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return PROBLEMS
    except ScoringError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return PROBLEMS
    except OSError as exc:
        print(f"错误：无法读写文件 {exc.filename}：{exc.strerror}", file=sys.stderr)
        return USAGE


def _write(args: argparse.Namespace, data: bytes | str) -> None:
    """Write to -o/--output, or to standard output."""
    with _sink(args) as sink:
        sink.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def _sink(args: argparse.Namespace) -> Iterator[BinaryIO]:
    """The binary stream of -o/--output (replaced only once complete), or standard output."""
    if not args.output:
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    partial = args.output.with_name(f".{args.output.name}.partial")
    try:
        with partial.open("wb") as sink:
            yield sink
        partial.replace(args.output)
    finally:
        partial.unlink(missing_ok=True)


def _load_rubrics(paths: list[Path]) -> RubricSet:
    from scoring.loader import load_rubrics

    return load_rubrics(paths)


def _validate_rubric(args: argparse.Namespace) -> int:
    rubrics = _load_rubrics(args.paths)
    for rubric in rubrics.rubrics:
        kind = "公共核心" if rubric.abstract else "、".join(rubric.fields)
        extends = f"，继承 {rubric.extends}" if rubric.extends else ""
        print(f"✓ {rubric.id}（{rubric.name}，版本 {rubric.version}，{kind}{extends}）：{len(rubric.indicators())} 项指标")
    return OK


def _describe_rubric(args: argparse.Namespace) -> int:
    from scoring.describe import rubric_markdown

    rubrics = _load_rubrics([args.path])
    wanted = [r for r in rubrics.rubrics if str(args.path) in rubrics.documents] or list(rubrics.rubrics)
    _write(args, "\n\n".join(rubric_markdown(r) for r in wanted))
    return OK


def _ingest(args: argparse.Namespace) -> tuple[RubricSet, Ingested]:
    from scoring.ingest import read_assessments

    rubrics = _load_rubrics([args.rubrics])
    return rubrics, read_assessments(args.data, rubrics, filename=args.data.name, sheet=args.sheet, max_bytes=args.max_bytes)


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


def _scored(args: argparse.Namespace, progress: _Progress) -> tuple[RubricSet, ValidationReport, Results]:
    """Read, validate and score the input file, freeing each stage's memory before the next."""
    from scoring.engine import score

    progress(f"读取 {args.data}")
    rubrics, ingested = _ingest(args)
    report = ingested.report
    progress(f"已读取 {report.rows_total} 行：可评分 {len(ingested.frame)} 行，拒收 {report.rows_rejected} 行；开始评分")
    _release_memory()
    results = score(ingested.frame, rubrics, ingested.not_applicable)
    del ingested
    _release_memory()
    progress(f"已评分 {len(results)} 行")
    return rubrics, report, results


def _score(args: argparse.Namespace) -> int:
    progress = _Progress(args.progress or args.data.stat().st_size > _PROGRESS_ROWS * 200)
    rubrics, report, results = _scored(args, progress)
    progress(f"写出 {args.format}")
    from scoring.output import check_excel_rows, write_results

    if args.format == "xlsx":
        check_excel_rows(len(results))
    with _sink(args) as sink:
        write_results(results, rubrics, args.format, sink)
    for problem in report.problems:
        if problem.severity == "error":
            print(f"  第 {problem.row} 行 {problem.column or ''} {problem.column_name or ''}：{problem.message}", file=sys.stderr)
    if len(results.unscored):
        print(f"{len(results.unscored)} 行没有对应的评分细则，未评分。", file=sys.stderr)
    progress("完成")
    return PROBLEMS if report.has_errors or len(results.unscored) else OK


def _compare(args: argparse.Namespace) -> int:
    from scoring.compare import periods
    from scoring.export import MOVES, moves_view
    from scoring.output import write_table

    rubrics, _, results = _scored(args, _Progress(enabled=False))
    found = periods(results)
    if len(found) < 2 and not (args.before and args.after):
        print(f"错误：数据中只有 {len(found)} 个考核期（{'、'.join(found)}），无法比较；请提供两个考核期的数据。", file=sys.stderr)
        return PROBLEMS
    before, after = args.before or found[-2], args.after or found[-1]
    table = moves_view(results, rubrics, before, after)
    if table is None:
        return PROBLEMS  # unreachable: before and after are both set
    with _sink(args) as sink:
        write_table(table, args.format, sink, sheet=MOVES)
    return OK


def _template(args: argparse.Namespace) -> int:
    from scoring.template import template_bytes

    rubrics = _load_rubrics([args.rubrics])
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

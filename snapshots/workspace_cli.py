"""Script a workspace: `python -m snapshots workspace create|add|list-files|versions|restore|status|export`.

Exit status as `python -m scoring`: 0 done, 1 refused or failed (unknown id or wrong code, damaged data, store
unreachable, a file that cannot be read), 2 usage. The access code comes from --code or $WORKSPACE_ACCESS_CODE.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from scoring.errors import ScoringError
from snapshots.config import open_database
from snapshots.db import Database
from snapshots.errors import SnapshotConfigError, SnapshotError
from snapshots.workspaces import Access, WorkspaceService

OK, FAILED, USAGE = 0, 1, 2
CODE_ENV = "WORKSPACE_ACCESS_CODE"


def main(argv: Sequence[str], out: TextIO | None = None) -> int:
    """Run one workspace command and return the exit status."""
    stdout = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        db = open_database(args.store)
    except SnapshotConfigError as exc:
        print(f"python -m snapshots workspace: error: {exc}", file=sys.stderr)
        return USAGE
    except SnapshotError as exc:
        print(f"无法打开工作区库：{exc}", file=sys.stderr)
        return FAILED
    try:
        return int(args.run(WorkspaceService(db), args, stdout, db))
    except (SnapshotError, ScoringError) as exc:  # refusals, damaged data, store failures, unreadable files or rubrics
        print(f"错误：{exc}", file=sys.stderr)
        return FAILED
    finally:
        db.close()


def _create(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    access = service.create(args.name, access_code=_code(args))
    print(access.id, file=out)
    print(f"已创建工作区“{args.name}”；链接：/?workspace={access.id}", file=sys.stderr)
    return OK


def _add(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    access = _open(service, args)
    present = {entry.name for entry in service.manifest(access)[1].files}
    for path in args.files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"错误：无法读取文件“{path}”：{exc.strerror or exc}", file=sys.stderr)
            return FAILED
        if path.name in present and args.replace:
            version = service.replace_file(access, path.name, path.name, data, sheets=args.sheet or ())
        else:
            version = service.add_file(access, path.name, data, source=args.source, sheets=args.sheet or ())
        print(f"第 {version.number} 版：{version.description}", file=out)
    return OK


def _list_files(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    version, manifest = service.manifest(_open(service, args), args.version)
    print(f"第 {version.number} 版（{version.created_at:%Y-%m-%d %H:%M} UTC）：{version.description}", file=out)
    for entry in manifest.files:
        sheets = f"  工作表：{'、'.join(entry.sheets)}" if entry.sheets else ""
        print(f"{entry.name}\t{entry.size}\t{entry.sha256[:12]}\t来源：{entry.source}{sheets}", file=out)
    print(f"{len(manifest.files)} 个文件，{len(manifest.fixes)} 处修正，{len(manifest.decisions)} 个冲突已决定", file=out)
    return OK


def _versions(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    for version in service.versions(_open(service, args)):
        print(f"{version.number}\t{version.created_at:%Y-%m-%d %H:%M:%S}\t{version.description}", file=out)
    return OK


def _restore(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    version = service.restore(_open(service, args), args.number)
    print(f"第 {version.number} 版：{version.description}", file=out)
    return OK


def _export(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    access = _open(service, args)
    version, manifest = service.manifest(access, args.version)
    target: Path = args.directory
    if target.exists() and any(target.iterdir()):
        print(f"错误：目录“{target}”不是空的；请指定一个新目录，以免覆盖已有文件。", file=sys.stderr)
        return FAILED
    (target / "rubrics").mkdir(parents=True, exist_ok=True)
    for entry in manifest.files:  # names were checked on the way in (no directories), so they stay inside `target`
        (target / entry.name).write_bytes(service.file_bytes(access, entry))
    for name, text in manifest.rubrics.items():
        (target / "rubrics" / Path(name).name).write_text(text, encoding="utf-8")
    (target / "manifest.json").write_text(json.dumps({"version": version.number, "description": version.description,
                                                      **json.loads(manifest.to_json())}, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"已导出第 {version.number} 版的 {len(manifest.files)} 个文件到 {target}", file=out)
    return OK


def _status(service: WorkspaceService, args: argparse.Namespace, out: TextIO, db: Database) -> int:
    from snapshots.workspace_data import combined, pieces, rubrics_for

    access = _open(service, args)
    _, manifest = service.manifest(access, args.version)
    result = combined(pieces(service, access, manifest, rubrics_for(manifest, args.rubrics)), manifest)
    print("文件\t行数\t计分\t有警告\t拒收\t因冲突暂不计入", file=out)
    for account in (*result.accounts, result.total):
        print(f"{account.file}\t{account.rows_in}\t{account.scored}\t{account.warned}\t{account.rejected}\t{account.withheld}", file=out)
    for conflict in result.conflicts:
        places = "、".join(f"{loc.file} 第 {loc.row} 行" for loc in conflict.locations)
        cells = "；".join(f"{d.header}：{' / '.join(d.values)}" for d in conflict.differences) or "内容相同"
        state = f"已决定：{manifest.decisions[conflict.id]}" if conflict.id in manifest.decisions else "待决定"
        print(f"冲突 {conflict.id}（{state}）：{places}；{cells}", file=out)
    return OK


def _open(service: WorkspaceService, args: argparse.Namespace) -> Access:
    return service.open(args.id, _code(args)).access


def _code(args: argparse.Namespace) -> str | None:
    code = args.code if args.code is not None else os.environ.get(CODE_ENV)
    return code.strip() or None if code else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m snapshots workspace", description="工作区：多文件、多年度、可回溯的考评数据。")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="sqlite:///path or postgresql://...; default $SNAPSHOT_STORE_URL, else $SCORING_DATA_DIR")
    common.add_argument("--code", help=f"访问码（也可用环境变量 {CODE_ENV}）")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create", parents=[common], help="新建工作区，输出其 id")
    p.add_argument("name")
    p.set_defaults(run=_create)
    p = sub.add_parser("add", parents=[common], help="添加文件（每个文件一个新版本）")
    p.add_argument("id")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--source", help="来源（如乡镇名）；同一来源重新报送的文件用 --replace 整体替换")
    p.add_argument("--sheet", action="append", help="选用的工作表（可重复）")
    p.add_argument("--replace", action="store_true", help="同名文件整体替换为新版本")
    p.set_defaults(run=_add)
    for name, run, text in (("list-files", _list_files, "列出某一版本（默认最新）的文件"), ("status", _status, "逐文件与合计的行数核算，以及冲突"),
                            ("versions", _versions, "列出全部版本")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("id")
        if name != "versions":
            p.add_argument("--version", type=int)
        if name == "status":
            p.add_argument("--rubrics", type=Path, default=Path("rubrics"), help="内置评分细则目录（工作区设了自定义细则时与之合并）")
        p.set_defaults(run=run)
    p = sub.add_parser("restore", parents=[common], help="把某一早先版本恢复为新的最新版本")
    p.add_argument("id")
    p.add_argument("number", type=int)
    p.set_defaults(run=_restore)
    p = sub.add_parser("export", parents=[common], help="把某一版本的原始文件、评分细则和清单导出到新目录")
    p.add_argument("id")
    p.add_argument("directory", type=Path)
    p.add_argument("--version", type=int)
    p.set_defaults(run=_export)
    return parser

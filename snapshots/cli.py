"""Administer the store: `python -m snapshots list|purge [--store URL]`, and `workspace …`; exit 0 ok, 1 store unreachable, 2 usage.

`list` prints every readable snapshot and names each stored row it cannot read (on stderr; the exit status stays 0).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from snapshots.config import DEFAULT_MAX_BYTES, open_store
from snapshots.errors import SnapshotConfigError, SnapshotError
from snapshots.service import SnapshotMeta, SnapshotService


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run one admin command and return the exit status."""
    stdout = out or sys.stdout
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["workspace"]:
        from snapshots.workspace_cli import main as workspace_main

        return workspace_main(arguments[1:], stdout)
    parser = _parser()
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_usage(sys.stderr)
        return 2
    try:
        store = open_store(args.store)
    except SnapshotConfigError as exc:
        print(f"python -m snapshots: error: {exc}", file=sys.stderr)
        return 2
    except SnapshotError as exc:
        print(f"cannot open the snapshot store: {exc} ({exc.__cause__})", file=sys.stderr)
        return 1
    try:
        # The size limit only matters when creating, so a bad $SNAPSHOT_MAX_BYTES must not block administration.
        service = SnapshotService(store, max_bytes=DEFAULT_MAX_BYTES)
        if args.command == "list":
            metas, damaged = service.inventory()
            _print_list(metas, stdout)
            for row in damaged:
                print(f"damaged row {row.id!r}: {row.reason} (refused as 已损坏 when opened; delete it or restore it from a backup)",
                      file=sys.stderr)
        else:
            print(f"purged {service.purge()} expired snapshot(s)", file=stdout)
    except SnapshotError as exc:
        print(f"snapshot store error: {exc} ({exc.__cause__})", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m snapshots", description="Administer the shared-snapshot store.")
    store_help = "sqlite:///path or postgresql://...; default $SNAPSHOT_STORE_URL, else $SCORING_DATA_DIR/snapshots.sqlite3"
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("list", help="list every snapshot: id, size, created, expiry, title").add_argument("--store", help=store_help)
    sub.add_parser("purge", help="delete expired snapshots and print how many").add_argument("--store", help=store_help)
    sub.add_parser("workspace", help="script a workspace: create|add|list-files|versions|restore|status|export (see workspace -h)")
    return parser


def _print_list(metas: list[SnapshotMeta], out: TextIO) -> None:
    now = datetime.now(UTC)
    print(f"{'id':<24}  {'size':>10}  {'created (UTC)':<16}  {'expires (UTC)':<16}  code  title", file=out)
    for meta in metas:
        expires = "never" if meta.expires_at is None else _when(meta.expires_at) + (" (expired)" if meta.expired(now) else "")
        code = "yes" if meta.has_access_code else "no"
        print(f"{meta.id:<24}  {meta.size:>10}  {_when(meta.created_at):<16}  {expires:<16}  {code:<4}  {meta.title}", file=out)
    print(f"{len(metas)} snapshot(s), {sum(m.size for m in metas)} bytes", file=out)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")

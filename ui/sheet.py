"""A printable per-branch sheet as a standalone HTML file; every value is escaped, nothing is shown in the app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import pandas as pd

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 18px 0 6px; border-bottom: 1px solid #999; }
.meta { color: #555; font-size: 12px; } table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; white-space: nowrap; }
ol { font-size: 12px; padding-left: 20px; } .sign { margin-top: 28px; font-size: 12px; }
@page { size: A4; margin: 14mm; } @media print { body { margin: 0; } tr { page-break-inside: avoid; } }
"""


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "<td></td>"
    if isinstance(value, int | float):
        return f'<td class="num">{escape(f"{value:g}")}</td>'
    return f"<td>{escape(str(value))}</td>"


def _table(frame: pd.DataFrame, headers: Mapping[str, str]) -> str:
    head = "".join(f"<th>{escape(str(headers.get(str(c), c)))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def branch_sheet(title: str, facts: Sequence[tuple[str, object]], sections: Sequence[tuple[str, pd.DataFrame | list[str]]],
                 headers: Mapping[str, str], lang: str = "zh", footer: str = "") -> str:
    """A complete HTML page: heading, key facts, then each section as a table or a numbered list."""
    colon = "：" if lang == "zh" else ": "
    meta = " · ".join(f"{escape(k)}{colon}{escape(str(v))}" for k, v in facts)
    parts = [f"<h1>{escape(title)}</h1>", f'<p class="meta">{meta}</p>']
    for name, content in sections:
        parts.append(f"<h2>{escape(name)}</h2>")
        if isinstance(content, pd.DataFrame):
            parts.append(_table(content, headers))
        else:
            parts.append("<ol>" + "".join(f"<li>{escape(str(item))}</li>" for item in content) + "</ol>")
    if footer:
        parts.append(f'<p class="sign">{escape(footer)}</p>')
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>")

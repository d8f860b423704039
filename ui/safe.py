"""Showing user-supplied text as plain text in elements that read Markdown (headers, captions, labels)."""

from __future__ import annotations

import re

LONG = 120  # characters of a user value shown in a heading or caption before it is cut

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them also
# defuses Streamlit's own syntax (:red[...] colours, :material/icons:, $maths$) and raw HTML.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def clip(text: object, limit: int = LONG) -> str:
    """One line of text, cut to `limit` characters with an ellipsis."""
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def md(text: object, limit: int = LONG) -> str:
    """User text escaped so that Markdown shows it literally, on one line and cut to `limit` characters."""
    return _PUNCTUATION.sub(r"\\\1", clip(text, limit))


def plain(text: object) -> str:
    """Text escaped so that Markdown shows it literally and whole, its line breaks kept."""
    return "  \n".join(_PUNCTUATION.sub(r"\\\1", line) for line in str(text).splitlines())


def filename(text: object, limit: int = 60) -> str:
    """A piece of a download file name: letters, digits (any script), dash and underscore only."""
    cleaned = re.sub(r"[^\w\-]+", "_", str(text)).strip("_")
    return cleaned[:limit] or "file"

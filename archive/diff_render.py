"""Renderers of a :class:`~archive.diff.Diff`, in a registry keyed by format name.

``text`` marks changes like ``git diff --word-diff`` (``[-old-]{+new+}``), or in colour on a
terminal (red removed, green added, as ``git diff --color-words``); ``json`` is the machine
form (every op, always); ``html`` is a standalone page with ``<del>``/``<ins>`` in which every
scraped character is escaped, since a page's text may well contain markup.

Text and HTML show the changed paragraphs with ``context`` unchanged paragraphs around them,
in hunks headed ``@@ paragraphs 3-5 of 12 @@`` (the title is paragraph 1), or the whole
article with ``context=None``. A paragraph is a line of the stored text; an edit that joins
or splits paragraphs keeps the lines it touches in one.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from archive.diff import Diff, DiffOp
from archive.exceptions import UnknownFormatError
from archive.registry import Registry
from parsers.constants import TERMINAL_UNSAFE_RE

DEFAULT_CONTEXT = 1  # unchanged paragraphs shown before and after each changed one
# ANSI SGR colours of the text renderer: removed, added, headers, hunk headers
_RED, _GREEN, _BOLD, _CYAN, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[1m", "\x1b[36m", "\x1b[0m"


@dataclass(frozen=True)
class RenderOptions:
    """How much to show: ``context`` paragraphs around each change (None: the whole article),
    and ``color`` (ANSI colours instead of markers; text only)."""

    context: int | None = DEFAULT_CONTEXT
    color: bool = False


@dataclass(frozen=True)
class Hunk:
    """Paragraphs ``first``..``last`` (0-based, inclusive) of the diff, with their ops."""

    first: int
    last: int
    paragraphs: list[list[DiffOp]]
    total: int

    def header(self) -> str:
        """``@@ paragraphs 3-5 of 12 @@``, 1-based as a reader counts."""
        span = (
            f"paragraph {self.first + 1}"
            if self.first == self.last
            else f"paragraphs {self.first + 1}-{self.last + 1}"
        )
        return f"@@ {span} of {self.total} @@"


Renderer = Callable[[Diff, RenderOptions], str]

RENDERERS: Registry[Renderer] = Registry("diff format", UnknownFormatError)


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer for format ``name``."""
    return RENDERERS.entry(name)


def render(diff: Diff, fmt: str, options: RenderOptions | None = None) -> str:
    """Render ``diff`` in format ``fmt``; an unknown format names the known ones."""
    return RENDERERS.lookup(fmt)(diff, options or RenderOptions())


def summary(diff: Diff) -> str:
    """Return the one-line count of words added and removed."""
    added, removed = diff.words_added, diff.words_removed
    return (
        f"{added} word{'' if added == 1 else 's'} added, "
        f"{removed} word{'' if removed == 1 else 's'} removed"
    )


def split_paragraphs(ops: Sequence[DiffOp]) -> list[list[DiffOp]]:
    """Return the ops line by line: unchanged text is cut at its newlines; a change that holds
    a newline stays whole in the paragraph where it starts."""
    paragraphs: list[list[DiffOp]] = [[]]
    for op in ops:
        if op.op != "equal" or "\n" not in op.new:
            paragraphs[-1].append(op)
            continue
        for i, piece in enumerate(op.new.split("\n")):
            if i:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append(DiffOp("equal", piece, piece))
    if len(paragraphs) > 1 and not paragraphs[-1]:
        paragraphs.pop()  # the text's final newline
    return paragraphs


def hunks(diff: Diff, context: int | None) -> list[Hunk]:
    """Return the changed paragraphs with ``context`` paragraphs around each, overlapping
    hunks merged; ``context=None`` is one hunk of the whole article."""
    paragraphs = split_paragraphs(diff.ops)
    total = len(paragraphs)
    if context is None:
        return [Hunk(0, total - 1, paragraphs, total)]
    changed = [i for i, ops in enumerate(paragraphs) if any(op.op != "equal" for op in ops)]
    spans: list[list[int]] = []
    for i in changed:
        first, last = max(0, i - context), min(total - 1, i + context)
        if spans and first <= spans[-1][1] + 1:
            spans[-1][1] = last
        else:
            spans.append([first, last])
    return [Hunk(a, b, paragraphs[a : b + 1], total) for a, b in spans]


def changed_words(diff: Diff, limit: int = 200) -> tuple[str, str]:
    """Return the removed and the added text (runs joined by " … "), each cut to ``limit``
    characters: the short "what changed" of a feed entry or a notification."""
    removed = [op.old.strip() for op in diff.ops if op.op != "equal" and op.old.strip()]
    added = [op.new.strip() for op in diff.ops if op.op != "equal" and op.new.strip()]
    return _cut(" … ".join(removed), limit), _cut(" … ".join(added), limit)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe(text: str) -> str:
    return TERMINAL_UNSAFE_RE.sub("\ufffd", text)


@renderer("text")
def render_text(diff: Diff, options: RenderOptions) -> str:
    """Plain text with [-removed-] and {+added+} markers (or colours) and a summary line."""
    color = options.color

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    parts = [
        paint(_BOLD, f"diff article {diff.article_id} {_safe(diff.url)}") + "\n",
        paint(_BOLD, f"--- version {diff.from_version} ({diff.from_fetched_at})") + "\n",
        paint(_BOLD, f"+++ version {diff.to_version} ({diff.to_fetched_at})") + "\n",
    ]
    full = options.context is None
    for hunk in hunks(diff, options.context):
        if not full:
            parts.append(paint(_CYAN, hunk.header()) + "\n")
        for ops in hunk.paragraphs:
            for op in ops:
                if op.op == "equal":
                    parts.append(_safe(op.new))
                    continue
                if op.old:
                    old = _safe(op.old)
                    parts.append(paint(_RED, old) if color else f"[-{old}-]")
                if op.new:
                    new = _safe(op.new)
                    parts.append(paint(_GREEN, new) if color else f"{{+{new}+}}")
            parts.append("\n")
    return "".join(parts) + summary(diff) + "\n"


@renderer("json")
def render_json(diff: Diff, options: RenderOptions) -> str:
    """JSON: {"from": N, "to": M, "ops": [{"op", "old", "new"}, ...]} and the counts."""
    return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2) + "\n"


_HTML_PAGE = """<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "Sarabun", "Noto Sans Thai", "Tahoma", sans-serif; max-width: 50em;
       margin: 2em auto; padding: 0 1em; line-height: 1.7; color: #222; }}
.diff {{ white-space: pre-wrap; word-wrap: break-word; }}
del {{ background: #fdd; color: #900; }}
ins {{ background: #dfd; color: #060; text-decoration: none; }}
.meta {{ color: #555; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="meta"><a href="{url}">{url_text}</a><br>
version {from_n} ({from_at}) &rarr; version {to_n} ({to_at})<br>
{summary}</p>
<div class="diff">{body}</div>
</body>
</html>
"""


@renderer("html")
def render_html(diff: Diff, options: RenderOptions) -> str:
    """A standalone HTML page with <del> and <ins>; every piece of text is escaped."""
    esc = html.escape
    body = []
    full = options.context is None
    for hunk in hunks(diff, options.context):
        if not full:
            body.append(f'<p class="meta">{esc(hunk.header())}</p>')
        for ops in hunk.paragraphs:
            for op in ops:
                if op.op == "equal":
                    body.append(esc(op.new))
                    continue
                if op.old:
                    body.append(f"<del>{esc(op.old)}</del>")
                if op.new:
                    body.append(f"<ins>{esc(op.new)}</ins>")
            body.append("\n")
    safe_url = diff.url if diff.url.startswith(("http://", "https://")) else "#"
    return _HTML_PAGE.format(
        title=esc(f"Changes to article {diff.article_id}"),
        url=esc(safe_url, quote=True),
        url_text=esc(diff.url),
        from_n=diff.from_version,
        to_n=diff.to_version,
        from_at=esc(str(diff.from_fetched_at)),
        to_at=esc(str(diff.to_fetched_at)),
        summary=esc(summary(diff)),
        body="".join(body),
    )

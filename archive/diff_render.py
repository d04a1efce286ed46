"""Renderers of a :class:`~archive.diff.Diff`, in a registry keyed by format name.

``text`` marks changes like ``git diff --word-diff`` (``[-old-]{+new+}``); ``json`` is the
machine form; ``html`` is a standalone page with ``<del>``/``<ins>`` in which every scraped
character is escaped, since a page's text may well contain markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from archive.diff import Diff
from archive.exceptions import UnknownFormatError
from archive.registry import Registry

Renderer = Callable[[Diff], str]

RENDERERS: Registry[Renderer] = Registry("diff format", UnknownFormatError)


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer for format ``name``."""
    return RENDERERS.entry(name)


def render(diff: Diff, fmt: str) -> str:
    """Render ``diff`` in format ``fmt``; an unknown format names the known ones."""
    return RENDERERS.lookup(fmt)(diff)


def summary(diff: Diff) -> str:
    """Return the one-line count of words added and removed."""
    added, removed = diff.words_added, diff.words_removed
    return (
        f"{added} word{'' if added == 1 else 's'} added, "
        f"{removed} word{'' if removed == 1 else 's'} removed"
    )


@renderer("text")
def render_text(diff: Diff) -> str:
    """Plain text with [-removed-] and {+added+} markers and a summary line."""
    parts = [
        f"diff article {diff.article_id} {diff.url}\n",
        f"--- version {diff.from_version} ({diff.from_fetched_at})\n",
        f"+++ version {diff.to_version} ({diff.to_fetched_at})\n",
    ]
    for op in diff.ops:
        if op.op == "equal":
            parts.append(op.new)
            continue
        if op.old:
            parts.append(f"[-{op.old}-]")
        if op.new:
            parts.append(f"{{+{op.new}+}}")
    body = "".join(parts)
    if not body.endswith("\n"):
        body += "\n"
    return body + summary(diff) + "\n"


@renderer("json")
def render_json(diff: Diff) -> str:
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
def render_html(diff: Diff) -> str:
    """A standalone HTML page with <del> and <ins>; every piece of text is escaped."""
    esc = html.escape
    body = []
    for op in diff.ops:
        if op.op == "equal":
            body.append(esc(op.new))
            continue
        if op.old:
            body.append(f"<del>{esc(op.old)}</del>")
        if op.new:
            body.append(f"<ins>{esc(op.new)}</ins>")
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

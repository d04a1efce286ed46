"""The message template of notifications: how each new or changed article is written.

A template is ``str.format`` text over the fields of :data:`FIELDS`; ``[notify] template`` in
the config file sets it for every site, a profile's ``notify_template`` for its own. Lines
that come out empty (an excerpt a new article does not have, a web link nobody configured)
are dropped. Checked when the config or the profile loads, so a typo is one error line
rather than a message that fails at the first news.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

# field -> what it holds (docs/scheduler.md lists them)
FIELDS: dict[str, str] = {
    "title": "the article's title (its URL when it has none)",
    "url": "the original page",
    "site": "the site profile's name",
    "version": "the version number",
    "label": "ใหม่ (new) or แก้ไข (changed)",
    "note": "' (v2)', ' (v3, back to v1)' for a change; empty for a new article",
    "excerpt": "the first change with a few words around it, [-old-]{+new+}",
    "removed": "the words the change removed, cut short",
    "added": "the words the change added, cut short",
    "diff_url": "the web page's word diff of the change ([notify] web_url); empty without it",
    "link": "diff_url when there is one, else the web page's version, else url",
}
DEFAULT_TEMPLATE = "- {title}{note}\n  {link}\n  {excerpt}"


def check_template(template: object) -> str:
    """Return ``template`` if it formats with :data:`FIELDS`; raise ValueError saying why."""
    if not isinstance(template, str) or not template.strip():
        raise ValueError("must be a non-empty string")
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"not a valid template: {exc}") from exc
    unknown = sorted(n for n in names if n not in FIELDS)  # no {title.attr} or {title[0]}
    if unknown or "" in names:
        bad = unknown[0] if unknown else "{}"
        raise ValueError(f"unknown field {bad!r} (known: {', '.join(FIELDS)})")
    try:
        template.format(**dict.fromkeys(FIELDS, ""))
    except (ValueError, IndexError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a valid template: {exc}") from exc
    return template


def render_item(template: str, fields: Mapping[str, object]) -> list[str]:
    """Return the lines of one article's entry, empty ones dropped."""
    text = template.format(**{name: fields.get(name, "") for name in FIELDS})
    return [line.rstrip() for line in text.split("\n") if line.strip()]

"""Notifications through apprise: one message per run that found something, and health warnings.

A message lists the run's new and changed articles, each written by the message template
(``crawler.monitor.templates``: by default its title, a link to the web page's word diff, or
the original page when no web page is configured, and for a change a short word-diff excerpt
in ``[-old-]{+new+}`` form, Thai segmented by the archive's diff), the
articles it found removed or restored (with the date and what the site answered), then any
health warning that appeared with this run. Every apprise URL is tried on its own so that one
broken notifier neither hides the others nor fails the run: each delivery is logged, and
recorded in the ``scheduler_notifications`` table next to the run it reports (``opdcwatch runs``
shows the failures).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from archive import queries
from archive.events import events_for_runs
from archive.feed import LABEL_REMOVED, LABEL_RESTORED, web_link
from archive.recording import add_notifications
from crawler.config import NotifyConfig
from crawler.exceptions import NotifyError
from crawler.monitor.health import HealthWarning
from crawler.monitor.templates import render_item
from parsers.segment import is_word, split_words

logger = logging.getLogger(__name__)

LABEL_NEW = "ใหม่ (new)"
LABEL_CHANGED = "แก้ไข (changed)"
LABEL_HEALTH = "คำเตือน (health warning)"
_SPACES_RE = re.compile(r"\s+")
MAX_CHANGE_WORDS = 30  # words of the old or new side shown in an excerpt before "…"
CHANGED_CHARS = 200  # of the removed and of the added words, for the template's fields


@dataclass(frozen=True)
class ChangedArticle:
    """One version a run created: enough to tell a reader what happened and where."""

    article_id: int
    version: int
    url: str
    title: str | None
    excerpt: str | None = None
    revert_of: int | None = None
    removed: str = ""
    added: str = ""

    @property
    def is_new(self) -> bool:
        """True for an article seen for the first time."""
        return self.version == 1


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one message to one apprise URL."""

    target: str
    ok: bool
    error: str | None = None


def _head(text: str, words: int) -> str:
    tokens = split_words(text)
    kept: list[str] = []
    count = 0
    for token in tokens:
        count += is_word(token)
        if count > words:
            return "".join(kept).rstrip() + "…"
        kept.append(token)
    return "".join(kept)


def _tail(text: str, words: int) -> str:
    tokens = split_words(text)
    kept: list[str] = []
    count = 0
    for token in reversed(tokens):
        count += is_word(token)
        if count > words:
            return "…" + "".join(reversed(kept)).lstrip()
        kept.append(token)
    return "".join(reversed(kept))


def _flat(text: str) -> str:
    """Collapse whitespace runs (newlines too) to one space, keeping a space at either end."""
    return _SPACES_RE.sub(" ", text)


def excerpt_from_ops(ops: Sequence[Mapping[str, Any]], context_words: int) -> str | None:
    """Return the first change of a word diff with a little context, ``[-old-]{+new+}`` style.

    ``ops`` is the archive's diff JSON (``op`` equal/insert/delete/replace, ``old``, ``new``).
    """
    changed = [i for i, op in enumerate(ops) if op["op"] != "equal"]
    if not changed:
        return None
    first = changed[0]
    parts = []
    if first > 0:
        parts.append(_tail(_flat(ops[first - 1].get("old") or ""), context_words))
    op = ops[first]
    if op.get("old") and op["op"] in ("delete", "replace"):
        parts.append(f"[-{_head(_flat(op['old']), MAX_CHANGE_WORDS)}-]")
    if op.get("new") and op["op"] in ("insert", "replace"):
        parts.append(f"{{+{_head(_flat(op['new']), MAX_CHANGE_WORDS)}+}}")
    if first + 1 < len(ops) and ops[first + 1]["op"] == "equal":
        parts.append(_head(_flat(ops[first + 1].get("new") or ""), context_words))
    text = "".join(parts).strip()
    if len(changed) > 1:
        text += f" (+{len(changed) - 1} more)"
    return text


def _changed(old: Mapping[str, Any], new: Mapping[str, Any], context_words: int) -> dict:
    """Diff two versions as ``opdcwatch diff`` does (title and body, Thai segmented): the
    excerpt, and the words removed and added."""
    from archive.diff import Diff, document, word_diff  # when needed: pulls in pythainlp
    from archive.diff_render import changed_words

    ops = word_diff(document(dict(old)), document(dict(new)))
    removed, added = changed_words(Diff(0, "", 0, 0, None, None, ops), CHANGED_CHARS)
    excerpt = excerpt_from_ops([op.to_dict() for op in ops], context_words)
    return {"excerpt": excerpt, "removed": removed, "added": added}


def run_changes(conn: Connection, run_id: int, *, context_words: int = 12) -> list[ChangedArticle]:
    """Return the versions a run created, oldest first, with a diff excerpt for each change."""
    found = []
    for row in queries.run_versions(conn, run_id):
        changed: dict[str, Any] = {}
        if row["number"] > 1:
            old = {"title": row["prev_title"], "text": row["prev_text"] or ""}
            new = {"title": row["title"], "text": row["text"]}
            changed = _changed(old, new, context_words)
        found.append(
            ChangedArticle(
                row["article_id"],
                row["number"],
                row["url"],
                row["title"],
                revert_of=row["revert_of"],
                **changed,
            )
        )
    return found


def item_fields(site: str, item: ChangedArticle, web_url: str = "") -> dict[str, object]:
    """Return the template fields of one article (see ``crawler.monitor.templates.FIELDS``)."""
    note = ""
    if not item.is_new:
        note = f" (v{item.version}" + (f", back to v{item.revert_of}" if item.revert_of else "")
        note += ")"
    web = (
        web_link(web_url)({"article_id": item.article_id, "version": item.version})
        if web_url
        else ""
    )
    return {
        "title": _flat(item.title or item.url).strip(),
        "url": item.url,
        "site": site,
        "version": item.version,
        "label": LABEL_NEW if item.is_new else LABEL_CHANGED,
        "note": note,
        "excerpt": item.excerpt or "",
        "removed": item.removed,
        "added": item.added,
        "diff_url": web if web and not item.is_new else "",
        "link": web or item.url,
    }


def run_events(conn: Connection, run_id: int) -> list[dict[str, Any]]:
    """Return the removals and restorations a run saw (``archive.events`` records), oldest
    first."""
    return events_for_runs(conn, [run_id]).get(run_id, [])


def _event_lines(group: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for event in group:
        title = _flat(event.get("title") or event["url"]).strip()
        lines.append(f"- {title} ({event['happened_at'][:10]}, {event['how']})")
        lines.append(f"  {event['url']}")
    return lines


def build_message(
    site: str,
    changes: Sequence[ChangedArticle],
    warnings: Sequence[HealthWarning],
    config: NotifyConfig,
    events: Sequence[Mapping[str, Any]] = (),
    template: str | None = None,
) -> tuple[str, str] | None:
    """Return (title, body) of the message for one run, or None when there is nothing to say.

    ``events`` are the run's removals and restorations (see :func:`run_events`); each new or
    changed article is written by ``template`` (the site profile's ``notify_template``), else
    by ``config.template``.
    """
    template = template or config.template
    if not changes and not warnings and not events:
        return None
    new = [c for c in changes if c.is_new]
    changed = [c for c in changes if not c.is_new]
    removed = [e for e in events if e["kind"] == "removed"]
    restored = [e for e in events if e["kind"] == "restored"]
    counts = []
    if new:
        counts.append(f"{len(new)} {LABEL_NEW}")
    if changed:
        counts.append(f"{len(changed)} {LABEL_CHANGED}")
    if removed:
        counts.append(f"{len(removed)} {LABEL_REMOVED}")
    if restored:
        counts.append(f"{len(restored)} {LABEL_RESTORED}")
    if warnings:
        counts.append(f"{len(warnings)} {LABEL_HEALTH}")
    title = f"opdcwatch {site}: " + ", ".join(counts)
    lines: list[str] = []
    shown = 0
    for label, group in ((LABEL_NEW, new), (LABEL_CHANGED, changed)):
        if not group:
            continue
        lines.append(f"{label}:")
        for item in group:
            if shown >= config.max_items:
                break
            shown += 1
            lines.extend(render_item(template, item_fields(site, item, config.web_url)))
        lines.append("")
    for label, happened in ((LABEL_REMOVED, removed), (LABEL_RESTORED, restored)):
        room = max(config.max_items - shown, 0)
        if happened and room:
            lines.append(f"{label}:")
            lines.extend(_event_lines(happened[:room]))
            lines.append("")
            shown += min(len(happened), room)
    if len(changes) + len(events) > shown:
        more = len(changes) + len(events) - shown
        lines.append(f"… and {more} more (opdcwatch articles --site {site})")
        lines.append("")
    if warnings:
        lines.append(f"{LABEL_HEALTH}:")
        lines.extend(f"! [{w.rule}] {w.message}" for w in warnings)
    return title, "\n".join(lines).strip() + "\n"


def _redact(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://…" if sep else "(not a URL)"


def check_urls(urls: Iterable[str], source: str = "notify.urls") -> None:
    """Raise :class:`NotifyError` naming the first URL apprise cannot use, before any crawl.

    The daemon and the workers call it when they start: a typo found at the first news would
    cost that news. The URL is shown with everything after its scheme hidden (it may hold a
    password or a token).
    """
    import apprise

    apprise_log = logging.getLogger("apprise")
    for index, url in enumerate(urls, 1):
        propagate, apprise_log.propagate = apprise_log.propagate, False  # the error says it
        try:
            usable = apprise.Apprise().add(url)
        finally:
            apprise_log.propagate = propagate
        if not usable:
            raise NotifyError(
                f"{source}: notification URL {index} ({_redact(url)}) is not a URL apprise "
                "can send to (see https://github.com/caronc/apprise/wiki)"
            )


def send(title: str, body: str, urls: Iterable[str]) -> list[Delivery]:
    """Send one message to every URL on its own; never raises for a failing notifier."""
    import apprise

    deliveries = []
    for url in urls:
        sender = apprise.Apprise()
        with apprise.LogCapture(level=logging.WARNING) as captured:
            added = sender.add(url)
            target = (
                sender.urls(privacy=True)[0].partition("?")[0]
                if added and len(sender)
                else _redact(url)
            )
            try:
                ok = bool(added) and bool(
                    sender.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
                )
            except Exception as exc:  # a notifier plugin bug must not fail the run
                logger.warning("notifier %s raised", target, exc_info=True)
                ok, captured_error = False, f"{type(exc).__name__}: {exc}"
            else:
                captured_error = ""
            log_lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        error = None
        if not ok:
            if not added:
                error = "not a valid apprise URL"
            else:
                error = captured_error or (
                    log_lines[-1].split(" - ", 2)[-1]
                    if log_lines
                    else "the notifier reported a failure"
                )
            logger.warning("notification to %s failed: %s", target, error)
        else:
            logger.info("notification sent to %s", target)
        deliveries.append(Delivery(target, ok, error))
    return deliveries


def record_deliveries(
    conn: Connection,
    site: str,
    run_id: int | None,
    deliveries: Iterable[Delivery],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Store each delivery (failed ones with their error) beside the run it reported."""
    now = now or dt.datetime.now(dt.UTC)
    rows = [
        {
            "run_id": run_id,
            "site": site,
            "sent_at": now,
            "target": d.target,
            "ok": d.ok,
            "error": d.error,
        }
        for d in deliveries
    ]
    add_notifications(conn, rows)


def deliveries_for_runs(conn: Connection, run_ids: Iterable[int]) -> dict[int, list[Delivery]]:
    """Return the recorded deliveries of each run (for ``opdcwatch runs``)."""
    recorded = queries.run_notifications(conn, list(run_ids))
    return {run_id: [Delivery(**note) for note in notes] for run_id, notes in recorded.items()}

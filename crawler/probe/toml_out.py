"""The profile a probe proposes, as commented TOML in the format of ``crawler/sites/*.toml``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from crawler.probe.site import ProbeResult

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _string(value: str) -> str:
    """A TOML literal string ('...', no escapes: regular expressions read as written), or a
    basic string with escapes when the value holds a quote or a control character."""
    if "'" in value or _CONTROL_RE.search(value):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return f"'{value}'"


def _comment(text: str) -> str:
    """Scraped text fit for a comment line: a line break in a title must not end the comment."""
    return _CONTROL_RE.sub(" ", text)


def _list(values: list[str]) -> str:
    if not values:
        return "[]"
    if len(values) == 1:
        return f"[{_string(values[0])}]"
    return "[\n" + "".join(f"    {_string(v)},\n" for v in values) + "]"


def profile_toml(result: ProbeResult) -> str:
    """Return the profile for ``result``; comments say what each list was made from."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Written by `opdcwatch probe {result.url}` on {now}",
        f"# ({result.requests} requests, {result.seconds:g} s). Check it, then crawl it:",
        f"#   opdcwatch crawl --profile THIS_FILE {result.name}",
        "#",
        "# URL shapes seen (links, pages sampled, judged as):",
    ]
    lines += [
        f"#   {_comment(g.shape)}  {g.links} links, {g.sampled} sampled: {g.kind}"
        + (" (pagination)" if g.pagination else "")
        for g in result.groups
    ]
    if result.samples:
        lines.append("# Sample articles read:")
        lines += [
            f"#   {s.published or 'no date'}  {s.body_chars} chars  "
            + _comment(s.title or "(no title)")
            for s in result.samples
        ]
    lines += [
        f"name = {_string(result.name)}",
        f"description = {_string('news of ' + result.allowed_domains[0] + ' (written by probe)')}",
        "# the home page, and the first page of each news list found on it",
        f"start_urls = {_list(result.start_urls)}",
        '# feeds that list articles (<link rel="alternate"> and RSS-looking links)',
        f"feeds = {_list(result.feeds)}",
        "# sitemaps (robots.txt Sitemap: lines, else /sitemap.xml) that hold articles",
        f"sitemaps = {_list(result.sitemaps)}",
        f"allowed_domains = {_list(result.allowed_domains)}",
        "# listings: pages of many article links, and their pagination",
        f"follow = {_list(result.follow)}",
        "# articles: pages where the extractor found a dated body",
        f"articles = {_list(result.articles)}",
        'schedule = "every 12h"',
        "max_pages = 500",
        "",
        "[settings]",
        "DOWNLOAD_DELAY = 2  # seconds between requests: a government site is not a CDN",
        "",
    ]
    return "\n".join(lines)

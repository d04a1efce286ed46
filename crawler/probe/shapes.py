"""URL shapes: which of a site's links are the same kind of page, and a pattern for each kind.

``/node/1031`` and ``/node/1036`` have one shape, ``/node/#``; so have
``page.php?cat=1&id=1385&url=tab_view`` and ``page.php?cat=D&id=1390&url=tab_view``:
``page.php?cat=&id=#&url=tab_view``. A path segment or a query value made of digits, or that
looks like an id or a slug (hyphens, percent-encoded Thai, base64-like mixed case), is a
placeholder; other segments and short words (``tab_view``, ``com_content``) are kept, since
they tell a CMS's kinds of page apart. A query value that is not a plain word (``cat=D``
next to ``cat=1``) is left open. Patterns are written for URLs in canonical form
(``parsers.urls.canonical_url``: query parameters sorted), which is what a profile's
patterns are matched against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

NUMBER = "#"
OPEN = "*"
_DIGITS_RE = re.compile(r"^\d+$")
_WORD_RE = re.compile(r"^[a-z][a-z_]{1,30}$")  # tab_view, com_content, article, news
_MIXED_RE = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9_-]{5,}$")  # MTAwMQ: base64 ids
BINARY_RE = re.compile(
    r"\.(pdf|jpe?g|png|gif|svg|webp|zip|rar|docx?|xlsx?|pptx?|mp[34]|css|js|ico)$", re.I
)


def segment_class(segment: str) -> str:
    """``#`` for digits, ``*`` for an id or slug, else the segment itself."""
    if _DIGITS_RE.match(segment):
        return NUMBER
    if "-" in segment or "%" in segment or _MIXED_RE.match(segment) or len(segment) > 30:
        return OPEN
    return segment


def value_class(value: str) -> str:
    """``#`` for digits, the value for a plain lower-case word, else ``*``."""
    if _DIGITS_RE.match(value):
        return NUMBER
    if _WORD_RE.match(value):
        return value
    return OPEN


def shape_of(url: str) -> str:
    """The shape of a canonical URL: ``/node/#``, ``/page.php?cat=*&id=#&url=tab_view``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = [segment_class(s) for s in path.split("/")]
    shape = "/".join(segments)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        shape += "?" + "&".join(f"{k}={value_class(v)}" for k, v in pairs)
    return shape


def family_of(shape: str) -> str:
    """A shape whose id-like query values are one: ``cat=1`` and ``cat=D`` join one family;
    words (``url=tab_view``, ``view=article``) still tell families apart."""
    path, _, query = shape.partition("?")
    if not query:
        return path
    pairs = [pair.split("=", 1) for pair in query.split("&")]
    return path + "?" + "&".join(f"{n}={OPEN if v == NUMBER else v}" for n, v in pairs)


@dataclass
class Group:
    """The links of one family, in the order they were met."""

    family: str
    urls: list[str] = field(default_factory=list)
    kind: str | None = None  # article, listing, other (after sampling)
    sampled: list[str] = field(default_factory=list)

    def add(self, url: str) -> None:
        if url not in self.urls:
            self.urls.append(url)


def group_links(urls: Iterable[str], groups: dict[str, Group] | None = None) -> dict[str, Group]:
    """Add canonical same-site ``urls`` to ``groups`` (family -> Group), binaries left out."""
    groups = {} if groups is None else groups
    for url in urls:
        if BINARY_RE.search(urlsplit(url).path):
            continue
        family = family_of(shape_of(url))
        groups.setdefault(family, Group(family)).add(url)
    return groups


def pattern_for(urls: list[str]) -> str:
    """A regular expression matching every URL of one family, and the rest of its kind.

    A segment or value that is the same in every URL is written out, one that varies is
    ``\\d+`` (all digits) or a run of non-separators. Anchored at the path's start and the
    URL's end, so a print version (``&print=1``) or a feed under an article is not matched.
    """
    split = [urlsplit(u) for u in urls]
    paths = [p.path.split("/") for p in split]
    length = len(paths[0])
    path_parts = []
    for i in range(length):
        values = {p[i] for p in paths if len(p) == length}
        if len(values) == 1:
            value = next(iter(values))
            classed = segment_class(value)
            if classed == NUMBER and i > 0:
                path_parts.append(r"\d+")
            elif classed == OPEN:
                path_parts.append("[^/]+")
            else:
                path_parts.append(re.escape(value))
        elif all(_DIGITS_RE.match(v) for v in values):
            path_parts.append(r"\d+")
        else:
            path_parts.append("[^/]+")
    pattern = "/".join(path_parts)
    queries = [parse_qsl(p.query, keep_blank_values=True) for p in split]
    if queries[0]:
        names = [k for k, _ in queries[0]]
        query_parts = []
        for index, name in enumerate(names):
            values = {q[index][1] for q in queries if len(q) == len(names)}
            if all(_DIGITS_RE.match(v) for v in values):
                text = r"\d+"
            elif len(values) == 1 and value_class(next(iter(values))) != OPEN:
                text = re.escape(next(iter(values)))
            else:
                text = "[^&]+"
            query_parts.append(f"{re.escape(name)}={text}")
        pattern += r"\?" + "&".join(query_parts)
    return "^https?://[^/]+" + pattern + "$"

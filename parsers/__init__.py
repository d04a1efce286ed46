"""Pure functions that turn HTML or text into a clean :class:`~parsers.article.Article`.

Nothing here imports Scrapy or touches the network or the archive. The entry points are
:func:`parse_page` (what the crawler calls once per page: the article and the links),
:func:`parse_bytes`, :func:`parse_html`,
:func:`parse_text` and :func:`decode_html`.
"""

from __future__ import annotations

from parsers.api import (
    ParsedPage,
    find_links,
    parse_bytes,
    parse_html,
    parse_page,
    parse_text,
    sniff_kind,
)
from parsers.article import Article, content_hash
from parsers.encoding import decode_bytes, decode_html
from parsers.exceptions import (
    BinaryInputError,
    EmptyInputError,
    NotAPageError,
    ParseError,
    SelectorError,
)
from parsers.links import PageLinks
from parsers.normalize import normalize_line, normalize_text
from parsers.options import EXTRACTOR_VERSION, ParseOptions

__all__ = [
    "EXTRACTOR_VERSION",
    "Article",
    "BinaryInputError",
    "EmptyInputError",
    "NotAPageError",
    "PageLinks",
    "ParseError",
    "ParseOptions",
    "ParsedPage",
    "SelectorError",
    "content_hash",
    "decode_bytes",
    "decode_html",
    "find_links",
    "normalize_line",
    "normalize_text",
    "parse_bytes",
    "parse_html",
    "parse_page",
    "parse_text",
    "sniff_kind",
]

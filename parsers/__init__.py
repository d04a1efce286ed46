"""Pure functions that turn HTML or text into a clean :class:`~parsers.article.Article`.

Nothing here imports Scrapy or touches the network or the archive. The entry points are
:func:`parse_page` (what the crawler calls once per page: the article and the links),
:func:`parse_bytes`, :func:`parse_html`,
:func:`parse_text` and :func:`decode_html`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parsers.api import (
        ParsedPage,
        find_links,
        parse_bytes,
        parse_html,
        parse_page,
        parse_text,
        ready_without_scripts,
        sniff_kind,
    )
    from parsers.article import Article, content_hash
    from parsers.encoding import decode_bytes, decode_html
    from parsers.exceptions import (
        BinaryInputError,
        EmptyInputError,
        NotAPageError,
        PageTooComplexError,
        ParseError,
        SelectorError,
        SiteRuleError,
    )
    from parsers.links import PageLinks
    from parsers.normalize import normalize_line, normalize_text
    from parsers.options import EXTRACTOR_VERSION, ParseOptions

# name -> module, imported on first use: ``import parsers.exceptions`` (every command does,
# for the error base class) must not pull in lxml and pythainlp (~0.25 s of start-up)
_EXPORTS = {
    "EXTRACTOR_VERSION": "parsers.options",
    "Article": "parsers.article",
    "BinaryInputError": "parsers.exceptions",
    "EmptyInputError": "parsers.exceptions",
    "NotAPageError": "parsers.exceptions",
    "PageLinks": "parsers.links",
    "PageTooComplexError": "parsers.exceptions",
    "ParseError": "parsers.exceptions",
    "ParseOptions": "parsers.options",
    "ParsedPage": "parsers.api",
    "SelectorError": "parsers.exceptions",
    "SiteRuleError": "parsers.exceptions",
    "content_hash": "parsers.article",
    "decode_bytes": "parsers.encoding",
    "decode_html": "parsers.encoding",
    "find_links": "parsers.api",
    "normalize_line": "parsers.normalize",
    "normalize_text": "parsers.normalize",
    "parse_bytes": "parsers.api",
    "parse_html": "parsers.api",
    "parse_page": "parsers.api",
    "parse_text": "parsers.api",
    "ready_without_scripts": "parsers.api",
    "sniff_kind": "parsers.api",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'parsers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "EXTRACTOR_VERSION",
    "Article",
    "BinaryInputError",
    "EmptyInputError",
    "NotAPageError",
    "PageLinks",
    "PageTooComplexError",
    "ParseError",
    "ParseOptions",
    "ParsedPage",
    "SelectorError",
    "SiteRuleError",
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
    "ready_without_scripts",
    "sniff_kind",
]

"""Pure functions that turn HTML or text into a clean :class:`~parsers.article.Article`.

Nothing here imports Scrapy or touches the network or the archive.
"""

from __future__ import annotations

from parsers.article import Article, content_hash
from parsers.exceptions import ParseError
from parsers.normalize import normalize_line, normalize_text

__all__ = ["Article", "ParseError", "content_hash", "normalize_line", "normalize_text"]

"""What the spider hands to the archive pipeline: one fetched page, or a 304 for one."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers import Article


@dataclass
class PageItem:
    """A fetched article page; ``article`` is None for a page that is gone (404/410).

    ``not_modified`` marks a 304 answer to a conditional request: nothing to parse, the
    archive only notes that the URL was seen unchanged.
    """

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    body: bytes = field(default=b"", repr=False)  # kept out of Scrapy's "Scraped" log lines
    article: Article | None = None
    not_modified: bool = False

"""Titles and publication dates: opdcwatch against trafilatura, on real and agency pages.

Run by hand (needs the ``bench`` extra)::

    .venv/bin/python bench/metadata.py

Three sets, each with its gold (see :mod:`parsers.quality_fields` for what counts as right):

- ``tests/fixtures/realworld/fundus``: 16 real news pages (Japanese, Korean, Chinese,
  Vietnamese, English), gold title and date from the fundus project;
- ``tests/fixtures/realworld/htmldate``: 22 real pages, gold date from htmldate;
- ``tests/fixtures/agency``: the synthetic Thai agency templates, gold title and date
  (exact, Bangkok offset included, for opdcwatch; the same day for trafilatura, which
  gives no time).

Both tools get the same decoded string. CPU time is per page: opdcwatch's is a whole parse
(body included), trafilatura's its metadata step alone, so the ratio flatters trafilatura.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import ParseError, parse_html  # noqa: E402
from parsers.encoding import decode_html  # noqa: E402
from parsers.quality_fields import GoldPage, gold_pages, same_date, same_title  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SETS = (
    ("fundus (real)", FIXTURES / "realworld" / "fundus", ("title", "published")),
    ("htmldate (real)", FIXTURES / "realworld" / "htmldate", ("published",)),
    ("Thai agency (synthetic)", FIXTURES / "agency", ("title", "published")),
)
Reader = Callable[[str, str | None], tuple[str | None, str | None]]


def opdcwatch(html: str, url: str | None) -> tuple[str | None, str | None]:
    try:
        article = parse_html(html, url=url)
    except ParseError:
        return None, None
    return article.title, article.published


def load_trafilatura() -> Reader | None:
    try:
        import trafilatura
    except ImportError:
        return None
    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    def run(html: str, url: str | None) -> tuple[str | None, str | None]:
        meta = trafilatura.extract_metadata(html, default_url=url)
        return (meta.title, meta.date) if meta else (None, None)

    return run


def score(
    reader: Reader, pages: list[tuple[GoldPage, str]], field: str, exact: bool
) -> tuple[int, float]:
    """Return how many pages ``reader`` gets right and its CPU seconds per page."""
    right = 0
    started = time.process_time()
    for page, html in pages:
        title, published = reader(html, page.url)
        if field == "title":
            right += same_title(title, page.gold["title"])
        elif exact:
            right += published == page.gold["published"]
        else:
            right += same_date(published, page.gold["published"])
    return right, (time.process_time() - started) / max(len(pages), 1)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    readers: dict[str, Reader] = {"opdcwatch": opdcwatch}
    trafilatura = load_trafilatura()
    if trafilatura is not None:
        readers["trafilatura"] = trafilatura
    print(f"{'set':26} {'field':10} " + " ".join(f"{name:>24}" for name in readers))
    for label, folder, fields in SETS:
        for field in fields:
            pages = [
                (page, decode_html(page.html.read_bytes(), page.content_type))
                for page in gold_pages(folder, field)
            ]
            cells = []
            for name, reader in readers.items():
                exact = name == "opdcwatch" and "agency" in label
                right, cpu = score(reader, pages, field, exact)
                cells.append(f"{right:>3}/{len(pages):<3} ({cpu * 1000:6.1f} ms/page)")
            print(f"{label:26} {field:10} " + " ".join(f"{c:>24}" for c in cells))


if __name__ == "__main__":
    main()

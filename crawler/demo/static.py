"""The replica written out as files, for a static web server to serve (the crawl benchmark's).

Python's threaded server renders each page per request and tops out near the speed of the
crawler it is meant to feed; nginx serving the same pages from files does not. The files
follow the replica's URL scheme: ``/content.php?content_id=N`` is ``content/N.html``,
``/news.php?page=N`` is ``news/N.html``, so a server maps the query parameter to a file
(see ``bench/static_server.py``) and answers conditional requests from the files' mtimes.
"""

from __future__ import annotations

from pathlib import Path

from crawler.demo import pages
from crawler.demo.site import ReplicaSite


def export_static(site: ReplicaSite, folder: Path, base_url: str) -> dict[str, int]:
    """Write every page of ``site`` (current phase) under ``folder``; return counts by kind.

    The listing goes two pages past the last article, as the live replica's endless pager
    does: those pages bring no article of their own, only the sidebar's, so a crawler stops
    at the second (one such page is followed: ``OPDCWATCH_STALE_LISTINGS``). No sitemap is
    written, so robots.txt names none.
    """
    folder = Path(folder)
    (folder / "content").mkdir(parents=True, exist_ok=True)
    (folder / "news").mkdir(exist_ok=True)
    articles = site.articles()
    for article in articles:
        body, _ = pages.render_article(site, article, base_url)
        (folder / "content" / f"{article.id}.html").write_bytes(body)
    last_page = -(-len(articles) // site.per_page) + 2
    for page in range(1, last_page + 1):
        (folder / "news" / f"{page}.html").write_bytes(pages.render_listing(site, page))
    robots = pages.render_robots(base_url).decode("ascii")
    robots = "".join(line + "\n" for line in robots.splitlines() if not line.startswith("Sitemap:"))
    (folder / "robots.txt").write_text(robots, encoding="ascii")
    return {"articles": len(articles), "listings": last_page}

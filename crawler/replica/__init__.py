"""A local replica of an OPDC-like news site, served on 127.0.0.1 for tests, the demo and
the crawl benchmark (no internet needed).

It reproduces what makes real Thai government news sites hard to monitor: boilerplate with a
view counter, an "updated" stamp and a rotating sidebar that change on every request,
windows-874 pages with and without a declared charset, a flaky page, a slow page, a binary
behind an article link, a robots.txt-disallowed path and endless pagination. ``set_phase(2)``
edits the site the way a newsroom does (a sentence, a title, a removal, a new article).
"""

from __future__ import annotations

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaArticle, ReplicaSite

__all__ = ["ReplicaArticle", "ReplicaServer", "ReplicaSite"]

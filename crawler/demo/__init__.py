"""The replica news site: a fixture for the demo, the tests and the crawl benchmark, served on
127.0.0.1 (no internet needed). It is an OPDC-like site, not part of the crawl path.

It reproduces what makes real Thai government news sites hard to monitor: boilerplate with a
view counter, an "updated" stamp and a rotating sidebar that change on every request,
windows-874 pages with and without a declared charset, a flaky page, a slow page, a binary
behind an article link, a robots.txt-disallowed path and endless pagination. ``set_phase(2)``
edits the site the way a newsroom does (a sentence, a title, a new article; and, off the
listings, a quiet correction, a deletion and a redirect to the home page).
"""

from __future__ import annotations

from crawler.demo.server import ReplicaServer
from crawler.demo.site import ReplicaArticle, ReplicaSite

__all__ = ["ReplicaArticle", "ReplicaServer", "ReplicaSite"]

"""``opdcwatch probe``: look at a site for a few dozen requests and say how to crawl it.

The home page's links, its feeds (``<link rel="alternate">`` and RSS-looking links) and its
sitemaps (robots.txt, ``/sitemap.xml``) are grouped by URL shape (:mod:`crawler.probe.shapes`);
a sample of each group is fetched and read with the project's parser. A page where the
extractor finds a dated body is an article; a page whose own links (not the menu and sidebar
every page repeats) hold many of one shape is a listing; a listing shape with a page number
is pagination; a page that redirects to another or whose ``<link rel="canonical">`` names
another (a short link, a print version) is none of its own. The groups become a profile's
``articles`` and ``follow`` patterns.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.exceptions import ProbeError
from crawler.feeds import feed_links
from crawler.probe.fetch import Fetched, PoliteFetcher
from crawler.probe.shapes import Group, group_links, pattern_for
from crawler.urls import find_canonical, host_matches
from parsers import ParseError, decode_bytes, parse_page
from parsers.constants import HTML_CONTENT_TYPES
from parsers.urls import canonical_url

logger = logging.getLogger(__name__)

ARTICLE = "article"
LISTING = "listing"
OTHER = "other"
LIST_MIN = 4  # own links of one shape that make a page a listing
BODY_MIN = 200  # characters of body a dated article has at least
CHROME_SHARE = 0.6  # a link on this share of the sampled pages is menu or sidebar
SAMPLES_PER_GROUP = 2
MAX_FEEDS = 4
MAX_SITEMAP_URLS = 300
MAX_START_LISTINGS = 4
_FEED_HINT_RE = re.compile(r"(rss|atom|feed)", re.I)
_PAGINATION_RE = re.compile(r"([?&](page|paged|limitstart|start|offset)=\d+|/page/\d+)")
_SITEMAP_LINE_RE = re.compile(r"^\s*sitemap:\s*(\S+)", re.I | re.M)
HTML_TYPES = (*HTML_CONTENT_TYPES, "")  # "": no Content-Type, read as a page


@dataclass(frozen=True)
class SampleArticle:
    """An article the probe read: what the crawl would archive."""

    url: str
    title: str | None
    published: str | None
    body_chars: int


@dataclass
class Sampled:
    """One fetched sample page and what the parser made of it."""

    url: str
    family: str
    links: list[str]
    article: SampleArticle | None = None
    kind: str = OTHER
    copy_of: str | None = None  # the <link rel="canonical"> of a page that names another


@dataclass
class GroupReport:
    """A group of links as the probe judged it."""

    shape: str
    kind: str
    links: int
    sampled: int
    pattern: str
    pagination: bool = False


@dataclass
class ProbeResult:
    """What ``opdcwatch probe`` found, and the profile it proposes."""

    url: str
    name: str
    allowed_domains: list[str]
    start_urls: list[str]
    feeds: list[str]
    sitemaps: list[str]
    articles: list[str]
    follow: list[str]
    groups: list[GroupReport] = field(default_factory=list)
    samples: list[SampleArticle] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON form ``probe --json`` prints."""
        return asdict(self)


def without_page(url: str) -> str:
    """The URL with its page number taken out: the listing's first page."""
    parts = urlsplit(url)
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not re.match(r"(page|paged|limitstart|start|offset)=", pair)
    )
    path = re.sub(r"/page/\d+", "", parts.path) or "/"
    return canonical_url(parts._replace(path=path, query=query).geturl())


def _same_page(one: str, other: str) -> bool:
    """Equal but for the scheme and a ``www.``: a canonical link of an https site on an
    http page, or a site's own redirect to https, names the same page."""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        return parts.netloc.lower().removeprefix("www."), parts.path or "/", parts.query

    return key(one) == key(other)


def _is_html(answer: Fetched | None) -> bool:
    return answer is not None and answer.status == 200 and answer.kind in HTML_TYPES


def _tree(answer: Fetched) -> etree._Element | None:
    try:
        text = decode_bytes(answer.body, answer.content_type)[0]
        return html.fromstring(text)
    except (ParseError, etree.ParserError, ValueError):
        return None


def _feed_candidates(tree: etree._Element, base: str, hrefs: list[str]) -> list[str]:
    """``<link rel="alternate">`` feeds first, then links that look like feeds."""
    found = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and ("rss" in kind or "atom" in kind) and link.get("href"):
            found.append(canonical_url(urljoin(base, link.get("href"))))
    for href in hrefs:
        if _FEED_HINT_RE.search(urlsplit(href).path + "?" + urlsplit(href).query):
            found.append(href)
    return list(dict.fromkeys(found))


def _sitemap_locs(body: bytes) -> tuple[str, list[str]]:
    """Return ``("index"|"urlset"|"", locs)`` of a sitemap's bytes."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return "", []
    if root is None:
        return "", []
    kind = "index" if etree.QName(root).localname == "sitemapindex" else "urlset"
    locs = [el.text.strip() for el in root.iter("{*}loc") if el.text and el.text.strip()]
    return kind, locs


class SiteProbe:
    """One probe of one site; :meth:`run` returns the :class:`ProbeResult`."""

    def __init__(
        self, url: str, *, name: str | None = None, fetcher: PoliteFetcher | None = None
    ) -> None:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ProbeError(f"{url!r} is not an http(s) URL")
        self.url = url
        self.fetcher = fetcher or PoliteFetcher()
        self.host = (urlsplit(url).hostname or "").lower()
        self.domain = self.host.removeprefix("www.")
        self.name = name or self.domain
        self.groups: dict[str, Group] = {}
        self.samples: dict[str, Sampled] = {}
        self.started = time.monotonic()
        self.excluded: set[str] = set()  # feeds and sitemaps: not pages to group

    def _own(self, base: str, hrefs: tuple[str, ...] | list[str]) -> list[str]:
        urls = []
        for href in hrefs:
            href = href.strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            url = canonical_url(urljoin(base, href))
            if urlsplit(url).scheme in ("http", "https") and host_matches(url, (self.domain,)):
                urls.append(url)
        return list(dict.fromkeys(urls))

    def run(self) -> ProbeResult:
        home = self.fetcher.fetch(self.url)
        if home is None and self.fetcher.refused:
            raise ProbeError(f"robots.txt does not allow opdcwatch to fetch {self.url}")
        if home is None:
            raise ProbeError(f"{self.url}: no answer")
        if not _is_html(home):
            raise ProbeError(f"{self.url}: answered HTTP {home.status} ({home.kind or '?'})")
        home_url = canonical_url(home.url)
        self.host = (urlsplit(home_url).hostname or self.host).lower()
        self.domain = self.host.removeprefix("www.")
        tree = _tree(home)
        hrefs = [a.get("href") or "" for a in tree.iter("a")] if tree is not None else []
        links = self._own(home_url, hrefs)
        feeds = self._find_feeds(tree, home_url, links)
        sitemaps = self._find_sitemaps(home_url)
        self._record(home_url, home)
        group_links([u for u in links if u not in self.excluded], self.groups)
        group_links([u for f in feeds.values() for u in f], self.groups)
        group_links([u for s in sitemaps.values() for u in s][:MAX_SITEMAP_URLS], self.groups)
        self._sample()
        return self._result(home_url, feeds, sitemaps)

    # --- discovery -------------------------------------------------------------------------

    def _find_feeds(
        self, tree: etree._Element | None, base: str, links: list[str]
    ) -> dict[str, list[str]]:
        """Fetch the candidate feeds; return those that list items, with their item URLs."""
        feeds: dict[str, list[str]] = {}
        if tree is None:
            return feeds
        for url in _feed_candidates(tree, base, links)[: MAX_FEEDS * 2]:
            self.excluded.add(url)
            if len(feeds) >= MAX_FEEDS or self.fetcher.left < 20:
                break
            answer = self.fetcher.fetch(url)
            if answer is None or answer.status != 200 or answer.kind in HTML_CONTENT_TYPES:
                continue
            items = self._own(answer.url, feed_links(answer.body, answer.content_type))
            if items:
                feeds[url] = items
        return feeds

    def _find_sitemaps(self, home_url: str) -> dict[str, list[str]]:
        """The sitemaps robots.txt names (else ``/sitemap.xml``) that list pages, with the
        page URLs in them (an index: in its first two parts)."""
        robots = self.fetcher.robots_text.decode("utf-8", "replace")
        named = [canonical_url(u) for u in _SITEMAP_LINE_RE.findall(robots)]
        candidates = named or [canonical_url(urljoin(home_url, "/sitemap.xml"))]
        found: dict[str, list[str]] = {}
        for url in candidates[:2]:
            self.excluded.add(url)
            answer = self.fetcher.fetch(url)
            if answer is None or answer.status != 200:
                continue
            kind, locs = _sitemap_locs(answer.body)
            urls: list[str] = []
            if kind == "index":
                for child in locs[:2]:
                    self.excluded.add(canonical_url(child))
                    sub = self.fetcher.fetch(child)
                    if sub is not None and sub.status == 200:
                        urls += self._own(child, _sitemap_locs(sub.body)[1])
            else:
                urls += self._own(url, locs)
            if urls:
                found[url] = list(dict.fromkeys(urls))
        return found

    # --- sampling --------------------------------------------------------------------------

    def _record(self, url: str, answer: Fetched | None) -> None:
        """Read a fetched page; keep its links (added to the groups) and its article."""
        family = group_links([url], {})
        sample = Sampled(url, next(iter(family), ""), [])
        self.samples[url] = sample
        if not _is_html(answer):
            return
        assert answer is not None
        try:
            page = parse_page(answer.body, url=url, content_type=answer.content_type)
        except ParseError:
            tree = _tree(answer)
            hrefs = [a.get("href") or "" for a in tree.iter("a")] if tree is not None else []
            sample.links = self._own(url, hrefs)
        else:
            sample.links = self._own(url, page.links.hrefs)
            canonical = find_canonical(answer.body, answer.url) or canonical_url(answer.url)
            if not _same_page(canonical, url) and host_matches(canonical, (self.domain,)):
                sample.copy_of = canonical  # a print version, a short link: not its own page
            text = page.article.text
            sample.article = SampleArticle(
                url, page.article.title, page.article.published, len(text)
            )
        group_links([u for u in sample.links if u not in self.excluded], self.groups)

    def _sample(self) -> None:
        """Fetch up to SAMPLES_PER_GROUP pages of every group, biggest groups first, within
        the request budget and the deadline; groups the samples reveal are sampled too."""
        while True:
            todo = [
                g
                for g in self.groups.values()
                if len(g.sampled) < min(SAMPLES_PER_GROUP, len(g.urls))
            ]
            if not todo:
                return
            if self.fetcher.left <= 0:
                logger.info("probe: out of requests or time, %d groups unsampled", len(todo))
                return
            # every group once before any twice; lone links (a menu's "contact") last
            todo.sort(
                key=lambda g: (
                    len(g.sampled),
                    len(g.urls) < 2 and not _PAGINATION_RE.search(g.urls[0]),
                    -len(g.urls),
                )
            )
            group = todo[0]
            url = next(u for u in group.urls if u not in group.sampled)
            group.sampled.append(url)
            if url not in self.samples:
                self._record(url, self.fetcher.fetch(url))

    # --- judging ---------------------------------------------------------------------------

    def _classify(self) -> None:
        pages = [s for s in self.samples.values() if s.links]
        counts = Counter(link for s in pages for link in set(s.links))
        chrome = (
            {link for link, n in counts.items() if n >= CHROME_SHARE * len(pages)}
            if len(pages) >= 3
            else set()
        )
        family_of = {url: f for f, g in self.groups.items() for url in g.urls}
        for sample in self.samples.values():
            own = [u for u in sample.links if u not in chrome and u != sample.url]
            by_family = Counter(family_of.get(u) for u in own if family_of.get(u))
            most = by_family.most_common(1)[0][1] if by_family else 0
            article = sample.article
            paged = any(
                _PAGINATION_RE.search(u) and without_page(u) == without_page(sample.url)
                for u in sample.links
                if u != sample.url
            )
            if sample.copy_of:
                sample.kind = OTHER
            elif most >= LIST_MIN or (paged and most >= 2):
                sample.kind = LISTING
            elif article and article.published and article.body_chars >= BODY_MIN:
                sample.kind = ARTICLE
            else:
                sample.kind = OTHER
        for group in self.groups.values():
            kinds = {self.samples[u].kind for u in group.urls if u in self.samples}
            if kinds == {ARTICLE}:
                group.kind = ARTICLE
            elif LISTING in kinds and ARTICLE not in kinds:
                group.kind = LISTING
            elif kinds:
                group.kind = OTHER
        for group in self.groups.values():  # a listing's later pages, however short, too
            if self._pages_of_listing(group):
                group.kind = LISTING

    def _pages_of_listing(self, group: Group) -> bool:
        """True when the group's URLs are a listing's with a page number (``&page=2``,
        ``/page/2/``, ``?limitstart=10``): the same listing, further on."""
        first = group.urls[0]
        if not _PAGINATION_RE.search(first):
            return False
        family = next(iter(group_links([without_page(first)], {})), None)
        listing = self.groups.get(family) if family else None
        return listing is not None and listing is not group and listing.kind == LISTING

    def _result(
        self, home_url: str, feeds: dict[str, list[str]], sitemaps: dict[str, list[str]]
    ) -> ProbeResult:
        self._classify()
        home_family = self.samples[home_url].family
        article_groups = [g for g in self.groups.values() if g.kind == ARTICLE]
        article_urls = {u for g in article_groups for u in g.urls}
        listing_groups = [
            g
            for g in self.groups.values()
            if g.kind == LISTING
            and g.family != home_family
            and any(
                link in article_urls
                for u in g.urls
                if u in self.samples
                for link in self.samples[u].links
            )
        ]
        articles = [pattern_for(g.urls) for g in article_groups]
        follow = [pattern_for(g.urls) for g in listing_groups]
        compiled = [re.compile(p) for p in articles]

        def is_article(url: str) -> bool:
            return any(p.search(url) for p in compiled)

        reports = []
        for group in sorted(self.groups.values(), key=lambda g: -len(g.urls)):
            if group.kind is None:
                continue
            reports.append(
                GroupReport(
                    group.family,
                    group.kind,
                    len(group.urls),
                    len(group.sampled),
                    pattern_for(group.urls),
                    group.kind == LISTING and bool(_PAGINATION_RE.search(group.urls[0])),
                )
            )
        lists = [
            g.urls[0]
            for g in listing_groups
            if not _PAGINATION_RE.search(g.urls[0]) and g.urls[0] != home_url
        ]
        starts = [home_url, *lists[:MAX_START_LISTINGS]]
        samples = [
            self.samples[u].article
            for g in article_groups
            for u in g.sampled
            if u in self.samples and self.samples[u].article is not None
        ]
        return ProbeResult(
            url=self.url,
            name=self.name,
            allowed_domains=[self.domain],
            start_urls=starts,
            feeds=[f for f, items in feeds.items() if any(is_article(u) for u in items)],
            sitemaps=[s for s, urls in sitemaps.items() if any(is_article(u) for u in urls)],
            articles=articles,
            follow=follow,
            groups=reports,
            samples=[s for s in samples if s is not None],
            requests=self.fetcher.requests,
            seconds=round(time.monotonic() - self.started, 2),
            refused=self.fetcher.refused,
        )


def probe_site(url: str, *, name: str | None = None, delay: float = 0.3) -> ProbeResult:
    """Probe the site at ``url`` (its home page, usually); raises ProbeError."""
    return SiteProbe(url, name=name, fetcher=PoliteFetcher(delay=delay)).run()

"""A small polite fetcher for ``opdcwatch probe``: a few dozen requests, one at a time.

A probe reads at most a few dozen pages, so it needs no Scrapy (and no reactor, which could
not run again in the same process): urllib, the crawler's User-Agent, the site's robots.txt,
a pause between requests, a byte cap per answer and a hard cap on the number of requests.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from crawler.settings import DOWNLOAD_MAXSIZE, USER_AGENT

logger = logging.getLogger(__name__)

MAX_REQUESTS = 50  # the probe's whole budget, robots.txt included
TIMEOUT = 10.0
SECONDS = 27.0  # no request starts after this, none outlasts it: a probe answers in < 30 s


@dataclass(frozen=True)
class Fetched:
    """One answer: the final URL (after redirects), status, Content-Type and bytes."""

    url: str
    status: int
    content_type: str
    body: bytes

    @property
    def kind(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by :class:`PoliteFetcher` itself, so each hop is counted."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class PoliteFetcher:
    """Fetches on one site: robots.txt honoured, ``delay`` seconds between requests."""

    delay: float = 0.3
    max_requests: int = MAX_REQUESTS
    timeout: float = TIMEOUT
    seconds: float = SECONDS
    requests: int = 0
    refused: list[str] = field(default_factory=list)
    robots_text: bytes = b""  # the first host's robots.txt, for its Sitemap: lines
    _robots: dict[str, RobotFileParser | None] = field(default_factory=dict)
    _last: float = 0.0
    _deadline: float | None = None

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect)

    @property
    def seconds_left(self) -> float:
        if self._deadline is None:
            return self.seconds
        return self._deadline - time.monotonic()

    @property
    def left(self) -> int:
        """Requests left: none once the budget or the time is spent."""
        return self.max_requests - self.requests if self.seconds_left > self.delay else 0

    def allowed(self, url: str) -> bool:
        """What the site's robots.txt says of ``url`` for our User-Agent (read once a host)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            robots_url = origin + "/robots.txt"
            answer = self._get(robots_url)
            parser: RobotFileParser | None = None
            if answer is not None and answer.status == 200:
                parser = RobotFileParser(robots_url)
                parser.parse(answer.body.decode("utf-8", "replace").splitlines())
            self._robots[origin] = parser
            if parser is not None and answer is not None and not self.robots_text:
                self.robots_text = answer.body
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(USER_AGENT, url)

    def fetch(self, url: str, max_hops: int = 3) -> Fetched | None:
        """Return the answer at ``url`` (redirects followed), or None: over budget, refused
        by robots.txt, or no answer at all."""
        for _ in range(max_hops + 1):
            if not self.allowed(url):
                self.refused.append(url)
                logger.info("probe: robots.txt disallows %s", url)
                return None
            answer = self._get(url)
            if answer is None or answer.status not in (301, 302, 303, 307, 308):
                return answer
            url = answer.url
        return None

    def _get(self, url: str) -> Fetched | None:
        if self._deadline is None:
            self._deadline = time.monotonic() + self.seconds
        if self.left <= 0:
            return None
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        timeout = min(self.timeout, self.seconds_left)
        if timeout <= 0:
            return None
        self.requests += 1
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with self._opener.open(request, timeout=timeout) as response:
                answer = Fetched(
                    response.url,
                    response.status,
                    response.headers.get("Content-Type", ""),
                    response.read(DOWNLOAD_MAXSIZE),
                )
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.headers else None
            target = urljoin(url, location) if location else url
            body = exc.read(DOWNLOAD_MAXSIZE) if exc.fp is not None else b""
            answer = Fetched(target, exc.code, exc.headers.get("Content-Type", ""), body)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            logger.info("probe: no answer from %s: %s", url, exc)
            answer = None
        finally:
            self._last = time.monotonic()
        logger.debug("probe: %s -> %s", url, answer.status if answer else "no answer")
        return answer

"""Opt-in JavaScript rendering: a profile's ``[render]`` table, and what a crawl makes of it.

Some sites send an empty shell and fill it with JavaScript; a plain fetch archives "Loading…".
A profile names the URLs that need a browser (``articles``, ``listings``: regexes), the CSS
selector that marks a page as ready (``wait_for``), seconds per page (``timeout``) and the
resource types never loaded (``block``). Only those URLs go through Debian's Chromium, driven
by scrapy-playwright; everything else is fetched as before, and a crawl whose profile has no
``[render]`` table never starts a browser nor imports playwright.

A page that matches is fetched plainly first: when its HTML already holds what ``wait_for``
marks, or its article body in a JSON script (Next.js, JSON-LD: ``parsers.script_body``), no
browser is needed. Rendering costs about 15 times the CPU of a plain fetch.

Nothing here imports Scrapy or playwright at module level: the profiles load without them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.exceptions import ProfileError, RenderUnavailableError

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser playwright downloads
# Chromium as root in a container needs --no-sandbox; the rest keep it from phoning home
# (updates, sync, field trials) and from QUIC, which a crawler's proxy-less fetches never need.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
RENDER_KEYS = ("articles", "listings", "wait_for", "timeout", "block")
# Playwright's resource types; "document" is the page itself and cannot be blocked
RESOURCE_TYPES = (
    "stylesheet",
    "image",
    "media",
    "font",
    "script",
    "texttrack",
    "xhr",
    "fetch",
    "eventsource",
    "websocket",
    "manifest",
    "other",
)
DEFAULT_BLOCK = ("image", "font", "media")
DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 300.0
# pages per browser context before the context is closed and a fresh one used: a long-lived
# context keeps its cache, its workers and its memory for the whole crawl
PAGES_PER_CONTEXT = 50
PAGES_IN_FLIGHT = 8  # pages open at once in one context (each is a renderer's worth of memory)
# on the requests of pages a profile renders: "plain" for the first, browserless try, then
# "browser" (then crawler.middlewares sends no conditional headers)
META_RENDER = "opdcwatch_render"
PLAIN, BROWSER = "plain", "browser"
VALIDATORS = ("ETag", "Last-Modified")


@dataclass(frozen=True)
class RenderSpec:
    """A profile's ``[render]`` table, validated; see the module docstring."""

    articles: tuple[re.Pattern[str], ...] = ()
    listings: tuple[re.Pattern[str], ...] = ()
    wait_for: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    block: tuple[str, ...] = DEFAULT_BLOCK

    def wants(self, url: str, kind: str) -> bool:
        """True when a page of this kind ("article", "listing") at ``url`` is to be rendered."""
        patterns = {"article": self.articles, "listing": self.listings}.get(kind, ())
        return any(p.search(url) for p in patterns)

    def describe(self) -> str:
        """One line for ``opdcwatch sites -l``: which pages, ready when, what is blocked."""
        parts = [
            f"{kind} {' '.join(p.pattern for p in patterns)}"
            for kind, patterns in (("articles", self.articles), ("listings", self.listings))
            if patterns
        ]
        parts.append(f"wait_for {self.wait_for!r}" if self.wait_for else "wait_for network idle")
        parts.append(f"timeout {self.timeout:g} s")
        parts.append(f"block {', '.join(self.block) or '-'}")
        return "; ".join(parts)

    def playwright_meta(self) -> dict[str, Any]:
        """The request meta that has scrapy-playwright render a page (``crawler.browser``
        picks its context).

        Only names and plain values (PageMethod pickles), so rendered requests wait in the
        JOBDIR's disk queue like the others. The page is closed after its content is read.
        """
        from scrapy_playwright.page import PageMethod

        ms = self.timeout * 1000
        if self.wait_for:
            ready = PageMethod("wait_for_selector", self.wait_for, state="visible", timeout=ms)
        else:
            ready = PageMethod("wait_for_load_state", "networkidle", timeout=ms)
        return {
            "playwright": True,
            "playwright_include_page": False,
            "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": ms},
            "playwright_page_methods": [ready],
        }


def _patterns(value: Any, key: str, source: str) -> tuple[re.Pattern[str], ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(source, "must be a list of URL regexes", f"render.{key}")
    compiled = []
    for text in value:
        try:
            compiled.append(re.compile(text.strip()))
        except re.error as exc:
            raise ProfileError(
                source, f"invalid regular expression '{text}': {exc}", f"render.{key}"
            ) from exc
    return tuple(compiled)


def _wait_for(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(source, "must be a non-empty CSS selector", "render.wait_for")
    from parsers.exceptions import SelectorError
    from parsers.selectors import compile_selector

    try:  # the plain try reads it with lxml, the browser with its own engine: CSS both know
        compile_selector(value.strip())
    except SelectorError as exc:
        raise ProfileError(source, str(exc), "render.wait_for") from exc
    return value.strip()


def _timeout(value: Any, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(source, "must be a number of seconds", "render.timeout")
    if not 0 < value <= MAX_TIMEOUT:
        raise ProfileError(
            source, f"must be more than 0 and at most {MAX_TIMEOUT:g}", "render.timeout"
        )
    return float(value)


def _block(value: Any, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(source, "must be a list of resource types", "render.block")
    for kind in value:
        if kind not in RESOURCE_TYPES:
            known = ", ".join(RESOURCE_TYPES)
            raise ProfileError(
                source, f"unknown resource type {kind!r} (known: {known})", "render.block"
            )
    return tuple(dict.fromkeys(value))


def parse_render(value: Any, source: str) -> RenderSpec | None:
    """Validate a profile's ``[render]`` table; None when the profile has none."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ProfileError(source, "must be a table", "render")
    for key in value:
        if key not in RENDER_KEYS:
            raise ProfileError(
                source, f"unknown key (known: {', '.join(RENDER_KEYS)})", f"render.{key}"
            )
    spec = RenderSpec(
        articles=_patterns(value.get("articles", []), "articles", source),
        listings=_patterns(value.get("listings", []), "listings", source),
        wait_for=_wait_for(value.get("wait_for"), source),
        timeout=_timeout(value.get("timeout", DEFAULT_TIMEOUT), source),
        block=_block(value.get("block", list(DEFAULT_BLOCK)), source),
    )
    if not (spec.articles or spec.listings):
        raise ProfileError(source, "renders nothing: give articles or listings", "render")
    return spec


def render_settings(spec: RenderSpec, chromium: str) -> dict[str, Any]:
    """Scrapy settings that route this profile's ``playwright`` requests through Chromium.

    One browser per crawler (a profile's crawl), started on its first rendered page; contexts
    are recycled every PAGES_PER_CONTEXT pages (see ``crawler.browser``), at most two alive.
    """
    handler = "crawler.browser.RenderingHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium,
            "headless": True,
            "args": list(CHROMIUM_ARGS),
            # the crawl stops on SIGINT/SIGTERM and closes the browser itself
            "handle_sigint": False,
            "handle_sigterm": False,
            "handle_sighup": False,
        },
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": spec.timeout * 1000,
        # a navigation the browser aborts is waited on this long in case it became a file
        # download (30 s by default); a file is never an article page
        "PLAYWRIGHT_DOWNLOAD_TIMEOUT": 2000,
        "PLAYWRIGHT_MAX_CONTEXTS": 2,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": PAGES_IN_FLIGHT,
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": "crawler.browser.headers_without_validators",
        "OPDCWATCH_RENDER_BLOCK": list(spec.block),
        "OPDCWATCH_RENDER_PAGES_PER_CONTEXT": PAGES_PER_CONTEXT,
    }


def chromium_path(profile: Any, overrides: Mapping[str, Any]) -> str:
    """The browser a profile renders with: ``-s OPDCWATCH_CHROMIUM``, its [settings], Debian's."""
    chosen = overrides.get("OPDCWATCH_CHROMIUM") or profile.settings.get("OPDCWATCH_CHROMIUM")
    return str(chosen or CHROMIUM)


def check_renderable(profiles: Iterable[Any], overrides: Mapping[str, Any]) -> None:
    """Raise RenderUnavailableError, one line, when a profile asks for rendering and Chromium
    or scrapy-playwright is missing: such a crawl would archive empty JavaScript shells."""
    for profile in profiles:
        if profile.render is None:
            continue
        chromium = chromium_path(profile, overrides)
        if not (Path(chromium).is_file() or shutil.which(chromium)):
            raise RenderUnavailableError(
                f"{profile.name}: [render] needs Chromium at {chromium}, which is missing "
                "(apt-get install chromium)"
            )
        try:
            import scrapy_playwright  # noqa: F401
        except ImportError as exc:
            raise RenderUnavailableError(
                f"{profile.name}: [render] needs scrapy-playwright: pip install 'opdcwatch[render]'"
            ) from exc


def strip_validators(headers: Mapping[str, str]) -> dict[str, str]:
    """A rendered capture's headers without ETag / Last-Modified.

    The shell's validators do not change when the content its scripts load does, and a
    conditional navigation fails in the browser (a 304 is never delivered to a page).
    """
    drop = {v.lower() for v in VALIDATORS}
    return {k: v for k, v in headers.items() if k.lower() not in drop}

"""The public boundary of the parsers: bytes or text in, an :class:`Article` out.

Inside, helpers raise what they like; here every failure becomes a :class:`ParseError`
subclass (EmptyInputError, BinaryInputError, NotAPageError, SelectorError) with one readable
message, so the crawler and the command line never see a library's internals.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from parsers.article import Article, content_hash
from parsers.boilerplate import LOADING_PLACEHOLDER, SCRIPT_TAGS
from parsers.encoding import decode_bytes
from parsers.exceptions import (
    EmptyInputError,
    NotAPageError,
    PageTooComplexError,
    ParseError,
    ScriptShellError,
)
from parsers.extract import extract_content, paragraphs_of
from parsers.flat_text import flat_text
from parsers.links import NO_LINKS, PageLinks, links_in
from parsers.metadata import dates_from_lines, read_meta
from parsers.normalize import normalize_text_settled
from parsers.options import DEFAULT_OPTIONS, ParseOptions
from parsers.render import element_text
from parsers.script_body import body_from_scripts, script_texts
from parsers.selectors import select_all, select_date, select_title
from parsers.site_rules import drop_ignored_lines, remove_elements
from parsers.textclean import clean_text_dump

logger = logging.getLogger(__name__)

KINDS = ("html", "text")
_HTML_SNIFF_RE = re.compile(
    r"<(?:!doctype\s+html|html|head|body|div|p|table|meta|title|br|span|article|section|font|"
    r"td|h[1-6]|a\s|script|style|ul|li)[\s>/]",
    re.IGNORECASE,
)
_HTML_DOCUMENT_RE = re.compile(r"^\s*<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_SNIFF_CHARS = 4096
# Characters libxml2 refuses: C0 controls (bar tab/LF/CR), lone surrogates, non-characters.
_UNPARSEABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>")
# The parse budget. No news page comes near either; a page past them is hostile or broken and
# is reported as too complex instead of holding a crawl (every step is linear in the input,
# but 10 MB of empty tags is still seconds of work).
MAX_ELEMENTS = 500_000
DEFAULT_TIME_LIMIT = 10.0  # seconds for one page: decoding, parsing and extraction
# Comments and processing instructions go at parse time, so their tails join the text. Plain
# etree elements, not lxml.html's: its per-element class lookup costs ~10% of a page's time.
_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


def sniff_kind(text: str, content_type: str | None = None) -> str:
    """Return "html" or "text": the Content-Type if it says, else the first markup seen.

    A page served as text/plain is still HTML if it opens like one (old servers mislabel).
    """
    head = text[:_SNIFF_CHARS]
    if content_type:
        lowered = content_type.lower()
        if "html" in lowered or "xml" in lowered:
            return "html"
        if "text/plain" in lowered:
            return "html" if _HTML_DOCUMENT_RE.search(head) else "text"
    return "html" if _HTML_SNIFF_RE.search(head) else "text"


def _parse_tree(html: str) -> etree._Element:
    html = _XML_DECL_RE.sub("", _UNPARSEABLE_RE.sub("", html))
    if not html.strip():
        raise EmptyInputError("input is empty")
    try:
        root = etree.fromstring(html, parser=_HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise NotAPageError(f"not a page: {exc}") from exc
    if root is None:
        raise NotAPageError("not a page: no markup")
    elements = sum(1 for _ in root.iter())
    if elements > MAX_ELEMENTS:
        raise PageTooComplexError(f"too complex: {elements:,} elements (at most {MAX_ELEMENTS:,})")
    return root


def _check(deadline: float | None, step: str) -> None:
    """Raise PageTooComplexError when the page's time budget ran out before ``step``."""
    if deadline is not None and time.monotonic() > deadline:
        raise PageTooComplexError(f"too complex: not read within the time limit ({step})")


@dataclass(frozen=True)
class ParsedPage:
    """An article and the links of the page it was read from: one parse for both."""

    article: Article
    links: PageLinks


def _article(
    title: str | None,
    paragraphs: list[str],
    message: str,
    ignore: tuple[str, ...] = (),
    **fields: str | None,
) -> Article:
    """Return the Article of a normalised body; raise NotAPageError when nothing is left.

    The body is normalised here once; its content hash does not normalise it again unless a
    second pass would change it (see :func:`parsers.normalize.normalize_text_settled`). The
    site's ``ignore`` rules drop whole lines of the normalised text, which leaves it settled.
    """
    text, settled = normalize_text_settled("\n".join(paragraphs))
    text = drop_ignored_lines(text, ignore)
    if not text:
        raise NotAPageError(message)
    if LOADING_PLACEHOLDER.match(text):
        raise ScriptShellError(f"{message}: only {text!r}, the page builds its text in JavaScript")
    digest = content_hash(title, text, text_settled=settled)
    return Article(title=title, text=text, content_hash=digest, **fields)


def parse_html(
    html: str,
    *,
    url: str | None = None,
    selectors: Mapping[str, str] | None = None,
    options: ParseOptions | None = None,
) -> Article:
    """Return the article in an HTML page; a site's options (selectors) override generic fields.

    ``selectors`` is shorthand for ``options=ParseOptions(selectors=...)``.

    libxml2 gives up on pathological markup (elements nested thousands deep, as some
    WYSIWYG editors emit) and returns a tree without the text; such a page is read again in
    one pass (:mod:`parsers.flat_text`) and handled as a text dump.
    """
    return _read_html(html, url, _options(selectors, options), None, None)


def _read_html(
    html: str,
    url: str | None,
    options: ParseOptions,
    links: list[PageLinks] | None,
    deadline: float | None,
) -> Article:
    """parse_html's work; the page's links are appended to ``links`` when it is a list."""
    try:
        return _parse_html_tree(html, url=url, options=options, links=links, deadline=deadline)
    except NotAPageError:
        _check(deadline, "markup lxml could not read")
        text = flat_text(_UNPARSEABLE_RE.sub("", html), deadline=deadline, remove=options.remove)
        if not text.strip():
            raise
        logger.debug("%s: no text through lxml; read as flat text", url or "input")
        return parse_text(text, url=url, options=options)


def _options(selectors: Mapping[str, str] | None, options: ParseOptions | None) -> ParseOptions:
    if selectors is not None and options is not None:
        raise ValueError("give selectors or options, not both")
    if options is not None:
        return options
    return ParseOptions(selectors=tuple(selectors.items())) if selectors else DEFAULT_OPTIONS


def _parse_html_tree(
    html: str,
    *,
    url: str | None,
    options: ParseOptions,
    links: list[PageLinks] | None = None,
    deadline: float | None = None,
) -> Article:
    root = _parse_tree(html)
    _check(deadline, "parsed")
    if links is not None:
        links.append(links_in(root))  # before extraction strips the navigation
    if options.remove:  # the site's own furniture goes before anything is read
        remove_elements(root, options.remove)
    selectors = options.selector_map
    meta = read_meta(root)
    title = select_title(root, selectors) or meta.title
    selected_date = select_date(root, selectors)
    scripts = script_texts(root)
    etree.strip_elements(root, *SCRIPT_TAGS, with_tail=False)
    body_elements = select_all(root, selectors, "body")
    selected_body = paragraphs_of(body_elements, title) if body_elements else []
    _check(deadline, "read its metadata")
    extraction = extract_content(root, title)
    _check(deadline, "extracted")
    paragraphs = selected_body or body_from_scripts(extraction.paragraphs, scripts, title)
    seen_published, seen_modified = dates_from_lines(extraction.date_lines, extraction.body_start)
    return _article(
        title,
        paragraphs,
        "no article text found in the page",
        options.ignore,
        published=selected_date or meta.published or seen_published,
        modified=meta.modified or seen_modified,
        url=url,
    )


def parse_text(
    text: str, *, url: str | None = None, options: ParseOptions | None = None
) -> Article:
    """Return the article in a text dump (title first, then body), boilerplate removed.

    Of ``options`` only the ``ignore`` rules apply: a text dump has no elements to remove.
    """
    if not text.strip():
        raise EmptyInputError("input is empty")
    cleaned = clean_text_dump(_UNPARSEABLE_RE.sub("", text))
    return _article(
        cleaned.title,
        cleaned.paragraphs,
        "no article text found (only a title or furniture)",
        (options or DEFAULT_OPTIONS).ignore,
        published=cleaned.published,
        modified=cleaned.modified,
        url=url,
    )


def parse_bytes(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    selectors: Mapping[str, str] | None = None,
    kind: str | None = None,
    options: ParseOptions | None = None,
) -> Article:
    """Return the article in downloaded bytes: decode, sniff HTML vs text, extract.

    ``kind`` is "html", "text" or None (sniff). Bad input raises only ParseError subclasses;
    a ``kind`` outside those three, or both ``selectors`` and ``options``, is the caller's bug
    and raises ValueError.
    """
    return _read_bytes(data, url, content_type, kind, _options(selectors, options), None, None)


def parse_page(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    options: ParseOptions | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> ParsedPage:
    """Return :func:`parse_bytes`'s article and the page's links, from one parse.

    What the crawler calls once per article page. A text dump has no links; the same errors
    as :func:`parse_bytes`, and PageTooComplexError for a page past the budget: more than
    MAX_ELEMENTS elements, or more than ``time_limit`` seconds of work (None: no limit).
    """
    links: list[PageLinks] = []
    deadline = None if time_limit is None else time.monotonic() + time_limit
    article = _read_bytes(
        data, url, content_type, None, options or DEFAULT_OPTIONS, links, deadline
    )
    return ParsedPage(article, links[0] if links else NO_LINKS)


def find_links(data: bytes, *, content_type: str | None = None) -> PageLinks:
    """Return the links of downloaded bytes, read as :func:`parse_page` reads them.

    For pages whose article nobody wants (a listing): decoded and parsed, nothing extracted.
    A page that cannot be read (binary, empty, no markup, past the element budget) has none.
    """
    try:
        return links_in(_parse_tree(decode_bytes(data, content_type)[0]))
    except ParseError:
        return NO_LINKS


def ready_without_scripts(
    data: bytes, *, content_type: str | None = None, selector: str | None = None
) -> str | None:
    """Say why a page needs no JavaScript run to be read, or None when it may.

    ``"selector"``: an element ``selector`` matches holds text in the HTML as served;
    ``"script"``: the page holds an article body in a JSON script (Next.js, JSON-LD), which
    :func:`parse_page` reads (see :mod:`parsers.script_body`). The crawler asks before it
    sends a page to a browser.
    """
    try:
        root = _parse_tree(decode_bytes(data, content_type)[0])
    except ParseError:
        return None
    scripts = script_texts(root)
    if selector:
        etree.strip_elements(root, *SCRIPT_TAGS, with_tail=False)
        if any(element_text(el).strip() for el in select_all(root, {"body": selector}, "body")):
            return "selector"
    return "script" if body_from_scripts([], scripts) else None


def _read_bytes(
    data: bytes,
    url: str | None,
    content_type: str | None,
    kind: str | None,
    options: ParseOptions,
    links: list[PageLinks] | None,
    deadline: float | None,
) -> Article:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, not {kind!r}")
    text, codec = decode_bytes(data, content_type)
    logger.debug("decoded %d bytes of %s as %s", len(data), url or "input", codec)
    kind = kind or sniff_kind(text, content_type)
    if kind == "html":
        return _read_html(text, url, options, links, deadline)
    return parse_text(text, url=url, options=options)

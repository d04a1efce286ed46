"""Links out of RSS 2.0, RSS 1.0 and Atom feeds: the cheapest way to find new articles."""

from __future__ import annotations

import logging
import re

from lxml import etree

from parsers import ParseError, decode_bytes

logger = logging.getLogger(__name__)

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
# lxml refuses a str that still declares an encoding: the bytes are decoded already.
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# Characters XML 1.0 forbids (control bytes some feeds carry): one would end the parse there.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def feed_links(body: bytes, content_type: str | None = None) -> list[str]:
    """Return the article links of a feed, in feed order, without duplicates.

    The bytes are decoded as pages are (:func:`parsers.decode_bytes`): a Thai feed labelled
    tis-620 that holds windows-874 bytes (curly quotes 0x93/0x94) is read whole, where lxml
    on the raw bytes stops at the first byte its codec lacks and loses the items after it.
    Namespaces are ignored (feeds in the wild mix them up); an item's ``<link>`` text, an
    Atom ``<link href>`` (``rel="alternate"`` or none) and a permalink ``<guid>`` all count.
    """
    try:
        text = decode_bytes(body, content_type)[0]
    except ParseError as exc:
        logger.info("not a feed: %s", exc)
        return []
    text = _XML_INVALID_RE.sub("", _XML_DECLARATION_RE.sub("", text, count=1))
    try:
        root = etree.fromstring(text, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        logger.info("not a feed: %s", exc)
        return []
    if root is None:
        return []
    links: list[str] = []
    for entry in root.iter("{*}item", "{*}entry"):
        found = None
        for link in entry.iter("{*}link"):
            href = link.get("href")
            if href and link.get("rel", "alternate") == "alternate":
                found = href
                break
            if link.text and link.text.strip():
                found = link.text.strip()
                break
        if found is None:
            for guid in entry.iter("{*}guid"):
                if guid.get("isPermaLink", "true") == "true" and (guid.text or "").startswith(
                    "http"
                ):
                    found = guid.text.strip()
                    break
        if found:
            links.append(found)
    return list(dict.fromkeys(links))

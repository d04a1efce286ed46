"""Links out of RSS 2.0, RSS 1.0 and Atom feeds: the cheapest way to find new articles."""

from __future__ import annotations

import logging

from lxml import etree

logger = logging.getLogger(__name__)

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def feed_links(body: bytes) -> list[str]:
    """Return the article links of a feed, in feed order, without duplicates.

    Namespaces are ignored (feeds in the wild mix them up); an item's ``<link>`` text, an
    Atom ``<link href>`` (``rel="alternate"`` or none) and a permalink ``<guid>`` all count.
    """
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
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

"""What a parse depends on besides the page: the extractor's version and a site's options.

The archive compares content hashes to tell a changed article from an unchanged one, so it
must know what made each hash. :func:`ParseOptions.extraction_key` names that: the extractor
version and the options, hashed. When the key of a stored hash differs from today's, the
archive re-derives the stored text with today's parser before it believes a change (see
docs/archive.md, "Upgrades").

The rule for :data:`EXTRACTOR_VERSION`: bump it in any change that can alter the title or
text an unchanged page yields (extraction, boilerplate rules, text joins, normalisation,
decoding, the title rules). A change that only fixes a crash, or touches dates alone, need
not. Forgetting the bump does no damage to stored versions, but the first crawl after the
upgrade records a version for every article whose text the change altered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

# 1 was release 0.1.0; 2 joins inline elements as a browser does and weighs <article>,
# articleBody, subscription and newsletter boxes, and bodies held in JSON scripts; 3 reads
# the visible headline of old templates, cuts site names on any separator, and decodes
# undeclared legacy pages by dictionary words and charset-normalizer; 4 reads markup libxml2
# gives up on in one linear pass instead of a BeautifulSoup tree (the same text on every saved
# page, but its tokenizer is not BeautifulSoup's in every corner).
EXTRACTOR_VERSION = 4
EXTRACTION_KEY_CHARS = 16  # hex digits kept of the SHA-256: 64 bits, stored on every version


@dataclass(frozen=True)
class ParseOptions:
    """A site profile's say in how its pages are parsed; hashable and comparable.

    ``selectors`` pins fields to CSS selectors (``title``, ``body``, ``date``); a mapping is
    accepted and kept as sorted pairs. ``remove`` (CSS selectors of elements dropped before
    extraction) and ``ignore`` (regular expressions: body lines in which one is found are
    dropped before hashing) are the site's noise rules (:mod:`parsers.site_rules`); a list is
    accepted and kept in its order. An option added later must default to "off", so that the
    keys of existing profiles, which leave it off, stay what they were.
    """

    selectors: tuple[tuple[str, str], ...] = ()
    remove: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        selectors = self.selectors
        pairs = selectors.items() if isinstance(selectors, Mapping) else selectors
        normal = tuple(sorted((str(k), str(v)) for k, v in pairs))
        if normal:  # lxml and the date rules: not for the defaults every command builds
            from parsers.selectors import check_selectors

            check_selectors(dict(normal))
        object.__setattr__(self, "selectors", normal)
        remove, ignore = (
            (value,) if isinstance(value, str) else tuple(map(str, value))
            for value in (self.remove, self.ignore)
        )
        if remove or ignore:
            from parsers.site_rules import check_rules

            check_rules(ignore, remove)
        object.__setattr__(self, "remove", remove)
        object.__setattr__(self, "ignore", ignore)

    @property
    def selector_map(self) -> dict[str, str]:
        """The selectors as the parsers read them: field name -> CSS."""
        return dict(self.selectors)

    def extraction_key(self) -> str:
        """Return the hash of EXTRACTOR_VERSION and every option not at its default."""
        return _extraction_key(self, EXTRACTOR_VERSION)


@lru_cache(maxsize=256)  # asked for every page the archive records
def _extraction_key(options: ParseOptions, version: int) -> str:
    given: dict[str, Any] = {}
    for f in fields(options):
        value = getattr(options, f.name)
        if value != f.default:
            given[f.name] = value
    payload = json.dumps(
        {"extractor": version, "options": given}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:EXTRACTION_KEY_CHARS]


DEFAULT_OPTIONS = ParseOptions()

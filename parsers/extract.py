"""Generic main-content extraction over an lxml tree, judged by characters, not words.

Thai has no spaces between words, so word counts (jusText, goose) see one "word" per clause.
Here a page is cut into text blocks at block-level tags and ``<br>``; each block of real prose
(enough characters, few of them in links) scores its container and the container's ancestors;
class and id names nudge the score; the best-scoring container, plus siblings that score
nearly as well, is the article. Blocks inside it that read as furniture (share lines, view
counters, credits, related-news lists) are then dropped line by line with the same rules the
text cleaner uses. 2008-era table layouts work because a ``<td>`` holding ``<br><br>``
paragraphs is itself a container; sidebars with long teasers lose on link density and on
their class names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from parsers.boilerplate import (
    DROP_TAGS,
    HIDDEN_STYLE,
    LEAD_NAMES,
    NEGATIVE_NAMES,
    NEVER_DROP_TAGS,
    PARAGRAPH_TAGS,
    POSITIVE_NAMES,
    UNLIKELY_NAMES,
)
from parsers.dates import is_date_line
from parsers.render import rendered_lines
from parsers.textclean import LineKind, classify_line, finish_paragraphs, same_text

logger = logging.getLogger(__name__)

MIN_PARAGRAPH_CHARS = 25  # shorter blocks do not vote for a container
MAX_LINK_DENSITY = 0.5  # blocks with more of their characters in links are navigation
CLASS_WEIGHT = 25.0
ARTICLE_TAG_WEIGHT = CLASS_WEIGHT  # <article>: the page says "this is an article"
ARTICLE_BODY_WEIGHT = 2 * CLASS_WEIGHT  # itemprop="articleBody": it says "this is its body"
ARTICLE_BODY_PROP = re.compile(r"\barticleBody\b", re.IGNORECASE)
SIBLING_SHARE = 0.2  # a sibling scoring this share of the best container joins it
NEAR_BEST_SHARE = 0.75  # containers scoring this share of the best are parts of one article
MAX_RIVALS = 5
_PROTECT_SHARE = 0.5  # a negatively named element holding this share of the text is kept
MAX_LEAD_GAP = 6  # blocks between a headline and the body that may hold the lead
MIN_LEAD_CHARS = 80
LEAD_NAME_DEPTH = 3  # the block's element and its two nearest ancestors
MAX_LEAD_LINK_DENSITY = 0.25
MAX_DATE_LINE = 120  # longer blocks are prose that mentions a date, not a date line
_YEAR_RE = re.compile(r"\d\d")
_COMMA_RE = re.compile(r"[,،、，]")
# the date lines of a site's sidebars and listings come back page after page
_is_date_line = lru_cache(maxsize=4096)(is_date_line)


@dataclass
class Block:
    """One paragraph of a page as the reader sees it, and the element that holds it."""

    text: str
    link_chars: int
    owner: etree._Element
    index: int

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)


@dataclass
class Extraction:
    """The body paragraphs, plus the date lines seen near them (for metadata)."""

    paragraphs: list[str] = field(default_factory=list)
    date_lines: list[tuple[int, str]] = field(default_factory=list)
    body_start: int = 0


def _names(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}".strip()


def _is_furniture(el: etree._Element) -> bool:
    if el.get("hidden") is not None or HIDDEN_STYLE.search(el.get("style", "")):
        return True
    names = _names(el)
    return bool(names) and bool(UNLIKELY_NAMES.search(names)) and not POSITIVE_NAMES.search(names)


def strip_furniture(root: etree._Element) -> None:
    """Remove scripts, forms, navigation, hidden elements and negatively named blocks."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    total = max(_text_length(root), 1)
    doomed = []
    walker = etree.iterwalk(root, events=("start",))
    for _, el in walker:
        if not isinstance(el.tag, str) or el.tag in NEVER_DROP_TAGS or not _is_furniture(el):
            continue
        if _text_length(el) / total >= _PROTECT_SHARE:
            continue  # a wrapper misnamed "has-sidebar" must not take the article with it
        doomed.append(el)
        walker.skip_subtree()  # what is inside goes with it
    for el in doomed:
        _drop_keep_tail(el)


def _text_length(el: etree._Element) -> int:
    """Characters of text in ``el`` (its tail excluded); libxml2 joins them, 2.5x faster than
    summing ``itertext()``."""
    return len(etree.tostring(el, method="text", encoding=str, with_tail=False))


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def split_blocks(root: etree._Element) -> list[Block]:
    """Cut the tree into the lines a browser shows (see :mod:`parsers.render`), in order."""
    return [
        Block(text, link_chars, owner, index)
        for index, (text, link_chars, owner) in enumerate(rendered_lines(root))
    ]


def _paragraph_score(block: Block) -> float:
    text = block.text
    return 1.0 + len(_COMMA_RE.findall(text)) + min(len(text) / 100.0, 3.0)


def _class_weight(el: etree._Element) -> float:
    """Return what an element's tag, ``itemprop`` and class/id names say about it."""
    weight = ARTICLE_TAG_WEIGHT if el.tag == "article" else 0.0
    if ARTICLE_BODY_PROP.search(el.get("itemprop", "")):
        weight += ARTICLE_BODY_WEIGHT
    names = _names(el)
    if not names:
        return weight
    if POSITIVE_NAMES.search(names):
        weight += CLASS_WEIGHT
    if NEGATIVE_NAMES.search(names):
        weight -= CLASS_WEIGHT
    return weight


def score_containers(blocks: list[Block]) -> dict[etree._Element, float]:
    """Return each candidate container's score, scaled down by its link density."""
    raw: dict[etree._Element, float] = {}
    text_len: dict[etree._Element, int] = {}
    link_len: dict[etree._Element, int] = {}
    for block in blocks:
        el = block.owner
        while el is not None:
            text_len[el] = text_len.get(el, 0) + len(block.text)
            link_len[el] = link_len.get(el, 0) + block.link_chars
            el = el.getparent()
        if len(block.text) < MIN_PARAGRAPH_CHARS or block.link_density > MAX_LINK_DENSITY:
            continue
        score = _paragraph_score(block)
        el = block.owner
        if el.tag in PARAGRAPH_TAGS:
            el = el.getparent()
        for share in (1.0, 0.5, 1 / 3):
            if el is None:
                break
            raw[el] = raw.get(el, 0.0) + score * share
            el = el.getparent()
    scores = {}
    for el, score in raw.items():
        density = link_len.get(el, 0) / max(text_len.get(el, 1), 1)
        scores[el] = (score + _class_weight(el)) * (1.0 - density)
    return scores


def _ancestors(el: etree._Element) -> list[etree._Element]:
    chain = []
    while el is not None:
        chain.append(el)
        el = el.getparent()
    return chain


def _common_container(best: etree._Element, scores: dict[etree._Element, float]) -> etree._Element:
    """Return the nearest ancestor holding ``best`` and other near-best containers.

    Articles split into sibling chunks ("body__container" twice, one per ad slot) score as
    several near-equal containers; the article is what holds them all.
    """
    threshold = scores[best] * NEAR_BEST_SHARE
    best_chain = _ancestors(best)
    best_set = set(best_chain)
    result = best
    rivals = sorted(scores, key=scores.__getitem__, reverse=True)[1:MAX_RIVALS]
    for rival in rivals:
        if scores[rival] < threshold or rival in best_set:
            continue
        chain = _ancestors(rival)
        if best in chain:
            continue
        common = next(el for el in chain if el in best_set)
        if common.tag in ("html", "body"):
            continue
        if best_chain.index(common) > best_chain.index(result):
            result = common
    return result


def _region(scores: dict[etree._Element, float], blocks: list[Block]) -> set[etree._Element]:
    best = _common_container(max(scores, key=scores.__getitem__), scores)
    best_score = max(scores.get(best, 0.0), max(scores.values()))
    region = {best}
    parent = best.getparent()
    if parent is None:
        return region
    threshold = max(10.0, best_score * SIBLING_SHARE)
    for sibling in parent:
        if sibling is best or not isinstance(sibling.tag, str):
            continue
        if scores.get(sibling, 0.0) >= threshold:
            region.add(sibling)
    for block in blocks:  # lone prose paragraphs beside the container (readability's rule)
        if (
            block.owner.getparent() is parent
            and block.owner.tag == "p"
            and len(block.text) > 80
            and block.link_density < 0.25
        ):
            region.add(block.owner)
    return region


def _inside(el: etree._Element, region: set[etree._Element]) -> bool:
    while el is not None:
        if el in region:
            return True
        el = el.getparent()
    return False


def _lead(blocks: list[Block], chosen: list[Block], title: str | None) -> list[Block]:
    """Return the prose blocks between the headline and the chosen body: the article's lead.

    A lead set apart in a box of its own ("div.lead", bold, then an image and the body in
    nested divs) scores as a container of one paragraph and loses to the body; what lies
    between the headline and the body, when that is only a few blocks and is named as a
    lead (LEAD_NAMES: "lead", "intro", ...), is the article's. Unnamed blocks there are
    more often photo captions and teasers than part of the article.
    """
    if not chosen:
        return []
    start = chosen[0].index
    for position in range(start - 1, max(start - MAX_LEAD_GAP - 2, -1), -1):
        block = blocks[position]
        if block.owner.tag == "h1" or (title and same_text(block.text, title)):
            return [
                b
                for b in blocks[position + 1 : start]
                if len(b.text) >= MIN_LEAD_CHARS
                and b.link_density < MAX_LEAD_LINK_DENSITY
                and _named_lead(b.owner)
            ]
    return []


def _named_lead(el: etree._Element) -> bool:
    """True when the element or one of its nearest ancestors is named as a lead."""
    for _ in range(LEAD_NAME_DEPTH):
        if el is None:
            return False
        if LEAD_NAMES.search(_names(el)):
            return True
        el = el.getparent()
    return False


def select_paragraphs(blocks: list[Block], title: str | None, extraction: Extraction) -> list[str]:
    """Keep the blocks that read as article text; note date lines; stop at a cut marker.

    A cut marker ("ข่าวที่เกี่ยวข้อง", "Related articles") ends the article only when less
    text follows it than came before: news sites also put "related" boxes mid-article.
    """
    kept: list[str] = []
    seen: set[str] = set()
    kept_chars = 0
    for position, block in enumerate(blocks):
        text = block.text
        if block.link_density > MAX_LINK_DENSITY:
            continue
        kind = classify_line(text)
        if kind is LineKind.CUT:
            following = sum(len(b.text) for b in blocks[position + 1 :])
            if kept and following < kept_chars:
                break
            continue
        if kind is LineKind.DATE:
            extraction.date_lines.append((block.index, text))
            continue
        if kind is LineKind.BOILERPLATE:
            continue
        if (title and same_text(text, title)) or text in seen:
            continue  # a headline repeated in the body, a caption shown twice
        seen.add(text)
        kept.append(text)
        kept_chars += len(text)
    return kept


def extract_content(root: etree._Element, title: str | None = None) -> Extraction:
    """Return the article paragraphs of a parsed page (furniture is removed from ``root``)."""
    strip_furniture(root)
    blocks = split_blocks(root)
    extraction = Extraction()
    for block in blocks:  # date lines anywhere on the page, for metadata
        text = block.text
        if len(text) < MAX_DATE_LINE and _YEAR_RE.search(text) and _is_date_line(text):
            extraction.date_lines.append((block.index, text))
    scores = score_containers(blocks)
    if scores:
        region = _region(scores, blocks)
        chosen = [b for b in blocks if _inside(b.owner, region)]
        chosen = _lead(blocks, chosen, title) + chosen
    else:
        logger.debug("no block long enough to vote; keeping every low-link block")
        chosen = blocks
    if chosen:
        extraction.body_start = chosen[0].index
    date_lines = list(extraction.date_lines)
    extraction.paragraphs = finish_paragraphs(select_paragraphs(chosen, title, extraction), title)
    extraction.date_lines = sorted(set(date_lines + extraction.date_lines))
    return extraction


def paragraphs_of(elements: Iterable[etree._Element], title: str | None = None) -> list[str]:
    """Return the cleaned paragraphs of given elements (a per-site body selector's matches)."""
    extraction = Extraction()
    paragraphs: list[str] = []
    for el in elements:
        paragraphs += select_paragraphs(split_blocks(el), title, extraction)
    return finish_paragraphs(paragraphs, title)

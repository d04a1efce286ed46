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

from lxml import etree

from parsers.boilerplate import (
    BLOCK_TAGS,
    DROP_TAGS,
    HIDDEN_STYLE,
    NEGATIVE_NAMES,
    NEVER_DROP_TAGS,
    PARAGRAPH_TAGS,
    POSITIVE_NAMES,
    UNLIKELY_NAMES,
)
from parsers.dates import is_date_line
from parsers.normalize import INVISIBLE
from parsers.textclean import LineKind, classify_line, finish_paragraphs, same_text

logger = logging.getLogger(__name__)

MIN_PARAGRAPH_CHARS = 25  # shorter blocks do not vote for a container
MAX_LINK_DENSITY = 0.5  # blocks with more of their characters in links are navigation
CLASS_WEIGHT = 25.0
SIBLING_SHARE = 0.2  # a sibling scoring this share of the best container joins it
NEAR_BEST_SHARE = 0.75  # containers scoring this share of the best are parts of one article
MAX_RIVALS = 5
_PROTECT_SHARE = 0.5  # a negatively named element holding this share of the text is kept
MAX_DATE_LINE = 120  # longer blocks are prose that mentions a date, not a date line
_YEAR_RE = re.compile(r"\d\d")
_COMMA_RE = re.compile(r"[,،、，]")
_SPACE_RE = re.compile(r"\s+")
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


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
    return sum(map(len, el.itertext()))


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
    """Cut the tree into text blocks at block tags and ``<br>``, in document order."""
    blocks: list[Block] = []
    parts: list[str] = []
    link_chars = 0
    owners: list[etree._Element] = [root]
    link_depth = 0

    def flush() -> None:
        nonlocal link_chars
        if parts:
            text = collapse_spaces(" ".join(parts))
            if text:
                blocks.append(Block(text, link_chars, owners[-1], len(blocks)))
            parts.clear()
        link_chars = 0

    def add(text: str | None) -> None:
        nonlocal link_chars
        if text and not text.isspace():
            parts.append(text)
            if link_depth:
                link_chars += len(text.strip())

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if tag in BLOCK_TAGS or tag == "br":
                flush()
                if tag != "br":
                    owners.append(el)
            if tag == "a":
                link_depth += 1
            add(el.text)
        else:
            if tag == "a":
                link_depth -= 1
            if tag in BLOCK_TAGS:
                flush()
                if len(owners) > 1:
                    owners.pop()
            if el is not root:
                add(el.tail)
    flush()
    return blocks


def _paragraph_score(block: Block) -> float:
    text = block.text
    return 1.0 + len(_COMMA_RE.findall(text)) + min(len(text) / 100.0, 3.0)


def _class_weight(el: etree._Element) -> float:
    names = _names(el)
    if not names:
        return 0.0
    weight = 0.0
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
        if len(text) < MAX_DATE_LINE and _YEAR_RE.search(text) and is_date_line(text):
            extraction.date_lines.append((block.index, text))
    scores = score_containers(blocks)
    if scores:
        region = _region(scores, blocks)
        chosen = [b for b in blocks if _inside(b.owner, region)]
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


def collapse_spaces(text: str) -> str:
    """Return text without invisibles and with whitespace runs folded to one space.

    Cheap on purpose: it runs on every block of every page; the full Thai normalisation
    (:func:`parsers.normalize.normalize_text`) runs once, on the paragraphs kept.
    """
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip()

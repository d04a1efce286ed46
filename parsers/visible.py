"""What a reader sees at the top of an article: the headline, and the date printed with it.

Old Thai table layouts give every page one ``<title>`` (":: กลุ่มประชาสัมพันธ์ ::", the
unit's name): the headline is only in the body cell, in bold or a large font, often twice.
Their dates are printed in the page too: under the headline, as a wire dateline opening the
first paragraph ("สุโขทัย 25 ส.ค. 2563 – ..."), or in a publication line under the body; while
"latest news" lists beside and below it carry dates of other items, and a header bar shows
today's date. So the page is read as lines, as a browser shows them, each with how prominent
it is, whether it is furniture, a link or one item of a list; the headline is the prominent
line just above the body prose, and the date is the one printed with it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from parsers.boilerplate import (
    BLOCK_TAGS,
    HIDDEN_STYLE,
    POSITIVE_NAMES,
    SCRIPT_TAGS,
    UNLIKELY_NAMES,
)
from parsers.dates import date_line_iso, find_dates, is_labelled, labelled_dates
from parsers.normalize import INVISIBLE, normalize_line
from parsers.textclean import LineKind, classify_line

_SKIP_TAGS = frozenset((*SCRIPT_TAGS, "head", "select", "textarea", "button", "svg", "iframe"))
_FURNITURE_TAGS = frozenset(("nav", "aside", "footer", "menu", "marquee"))
_ARTICLE_TAGS = frozenset(("article", "main"))
# The attributes a context depends on (besides a link home, see _is_branding).
_CONTEXT_ATTRIBUTES = ("class", "id", "style", "size", "role", "itemprop", "hidden")
_NEVER_FURNITURE = frozenset(("html", "body", "article", "main"))
_LIST_TAGS = frozenset(("li",))
_HEADING_EMPHASIS = {"h1": 6, "h2": 5, "h3": 4, "h4": 3, "h5": 2, "h6": 2}
# Tags that change the context even without attributes (the others need a class, a style...).
_MARKED_TAGS = frozenset(
    ("a", "li", "b", "strong", "header", *_FURNITURE_TAGS, *_ARTICLE_TAGS, *_HEADING_EMPHASIS)
)
_BOLD_TAGS = frozenset(("b", "strong"))
# "title", "news_title", "newsTitle", "txtTopic", "headnews", "contentheading", "hd"; not
# "header", "thead" or "subtitle".
_TITLE_NAMES = re.compile(
    r"(?<!sub)(?:title|headline|topic|subject|heading)|(?:^|[\s_-]|news)head(?!er)|"
    r"(?:^|[\s_-])hd(?:$|[\s_-])",
    re.IGNORECASE,
)
# "font-weight: bold", or the shorthand "font: bold 18px Tahoma".
_BOLD_STYLE = re.compile(
    r"font(?:-weight)?\s*:[^;]*?(?<![\w-])(?:bold|bolder|[6-9]00)(?![\w-])", re.IGNORECASE
)
_FONT_SIZE_STYLE = re.compile(
    r"font(?:-size)?\s*:[^;]*?(?<![\w.-])(?:(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>px|pt|em|rem|%)"
    r"|(?P<word>x*-?large))(?![\w-])",
    re.IGNORECASE,
)
_CSS_RULE = re.compile(r"([^{}]+)\{([^}]*)\}")
_CSS_CLASS = re.compile(r"^\s*(?:[a-z0-9]+)?\.([\w-]+)\s*$", re.IGNORECASE)
_LARGE_SIZE = {"px": 16.0, "pt": 12.0, "em": 1.2, "rem": 1.2, "%": 120.0}
MIN_HEADLINE_CHARS = 12
MAX_HEADLINE_CHARS = 300
MIN_PROSE_CHARS = 80
MAX_DATE_LINE = 160  # a longer line is prose, even with a date in it
MIN_EMPHASIS = 2
MOST = 0.7  # the share of a line's characters whose emphasis is the line's
PROSE_WINDOW = 12  # a headline is this many lines or fewer above the first body paragraph
BEFORE_ANCHOR = 2  # a date may sit this many lines above the headline ("kicker" dates)
BYLINE_LINES = 2  # the lines right under the headline are its byline, links and all
DATELINE_LINES = 4  # a wire dateline opens one of the first paragraphs under the headline
_LIST_DEPTH = 3  # dated lines sharing markup and an ancestor this close are list items
_DATELINE_PREFIX = re.compile(r"^[\s(\[]*[^\d\s(\[][^\d]{0,30}?[)\]\s,]*$")
_DATELINE_SUFFIX = re.compile(r"^\s*(?:--|-|–|—|/|:)")
_DATELINE_REACH = 40  # a wire dateline's date starts within this many characters
_TEASER_CHARS = 15  # a dated line with this much more linked text links to another item
# The site's name and logo: never the headline, and a <title> equal to them is generic.
_BRANDING_NAMES = re.compile(
    r"(?:^|[\s_-])(?:logo|brand|branding|site-?title|site-?name|sitename|masthead)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HOME_LINKS = frozenset(("/", "./", "index.php", "index.html", "index.htm", "default.aspx"))
HINT_SHARE = 0.4  # a line is the <title>'s headline if it is this much of it, not the site part
_BREADCRUMB_TAIL = re.compile(r"[>»›/|:]\s*$")
_TRAILING_DATE = re.compile(r"^(?P<head>.*[^\s(\[])\s*[(\[]\s*(?P<date>[^()\[\]]{4,40}?)\s*[)\]]$")
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass
class Line:
    """One line of the page as a browser lays it out, and where it sits."""

    index: int
    text: str
    owner: etree._Element
    emphasis: int
    link_chars: int
    furniture: bool
    listed: bool
    heading: bool
    branding: bool

    @property
    def link_share(self) -> float:
        return self.link_chars / max(len(self.text), 1)


@dataclass(slots=True, eq=False)  # compared and hashed by identity: a memo key
class _Context:
    emphasis: int = 0
    named: int = 0  # the part of ``emphasis`` a "title" class name gave: not inherited by blocks
    furniture: bool = False
    listed: bool = False
    heading: bool = False
    link: bool = False
    article: bool = False  # inside <article> or <main>: a <header> there is the article's
    branding: bool = False  # the site's name or logo


@dataclass
class _Builder:
    lines: list[Line] = field(default_factory=list)
    parts: list[tuple[str, _Context]] = field(default_factory=list)

    def add(self, text: str | None, ctx: _Context) -> None:
        if text:
            self.parts.append((text, ctx))

    def flush(self, owner: etree._Element, ctx: _Context) -> None:
        if not self.parts:
            return
        text = "".join(t for t, _ in self.parts)
        if _INVISIBLE_RE.search(text):
            text = _INVISIBLE_RE.sub("", text)
        text = " ".join(text.split())
        if text:
            visible = [(t, c) for t, c in self.parts if t.strip()]
            self.lines.append(
                Line(
                    index=len(self.lines),
                    text=text,
                    owner=owner,
                    emphasis=_line_emphasis(visible),
                    link_chars=sum(len(t.strip()) for t, c in visible if c.link),
                    furniture=ctx.furniture or any(c.furniture for _, c in visible),
                    listed=ctx.listed,
                    heading=all(c.heading for _, c in visible),
                    branding=any(c.branding for _, c in visible),
                )
            )
        self.parts.clear()


def _line_emphasis(parts: list[tuple[str, _Context]]) -> int:
    """Return the emphasis most of a line's characters have ("<b>headline</b> (21/09/2563)")."""
    levels = {c.emphasis for _, c in parts}
    if len(levels) == 1:
        return levels.pop()
    total = sum(len(t.strip()) for t, _ in parts)
    for level in sorted(levels, reverse=True):
        if sum(len(t.strip()) for t, c in parts if c.emphasis >= level) >= total * MOST:
            return level
    return 0


def _emphasised_classes(root: etree._Element) -> frozenset[str]:
    """Return the CSS classes a ``<style>`` block makes bold or large (Dreamweaver's ".style3")."""
    found = set()
    for style in root.iter("style"):
        for selectors, body in _CSS_RULE.findall(style.text or ""):
            if not _style_emphasis(body):
                continue
            for selector in selectors.split(","):
                match = _CSS_CLASS.match(selector)
                if match:
                    found.add(match.group(1).lower())
    return frozenset(found)


def _style_emphasis(style: str) -> int:
    emphasis = 2 if _BOLD_STYLE.search(style) else 0
    match = _FONT_SIZE_STYLE.search(style)
    if match:
        word, number = match.group("word"), match.group("num")
        if word or float(number) >= _LARGE_SIZE[match.group("unit").lower()]:
            emphasis += 2
    return emphasis


def _font_size_emphasis(size: str) -> int:
    size = size.strip()
    try:
        value = int(size)
    except ValueError:
        return 0
    if size.startswith("+"):
        return 3 if value >= 1 else 0
    return 3 if value >= 4 else 0


def _own_emphasis(el: etree._Element, tag: str, classes: frozenset[str]) -> tuple[int, int]:
    """Return how much ``el`` emphasises its text, and the part of it its class name gives."""
    emphasis = _HEADING_EMPHASIS.get(tag, 0)
    if tag in _BOLD_TAGS:
        emphasis += 2
    elif tag == "font" and el.get("size"):
        emphasis += _font_size_emphasis(el.get("size", ""))
    style = el.get("style")
    if style:
        emphasis += _style_emphasis(style)
    named = 0
    names = el.get("class")
    if names:
        if classes and any(n.lower() in classes for n in names.split()):
            emphasis += 3
        if _TITLE_NAMES.search(names) or _TITLE_NAMES.search(el.get("id", "")):
            named = 2
    elif el.get("itemprop") == "headline":
        named = 2
    return emphasis + named, named


def _is_home(href: str | None) -> bool:
    return href is not None and href.strip().lower() in _HOME_LINKS


def _is_branding(el: etree._Element, tag: str) -> bool:
    """True for the site's name or logo: a link home, a "logo"/"site-title" element."""
    if tag == "a" and _is_home(el.get("href")):
        return True
    names = el.get("class") or el.get("id")
    return bool(names) and bool(_BRANDING_NAMES.search(f"{names} {el.get('id', '')}"))


def _is_furniture(el: etree._Element, tag: str, in_article: bool) -> bool:
    if tag in _FURNITURE_TAGS or el.get("role") in ("navigation", "banner", "contentinfo"):
        return True
    if el.get("hidden") is not None or HIDDEN_STYLE.search(el.get("style", "")):
        return True  # never shown
    if tag == "header":
        return not in_article  # the site's banner, not the article's header
    if tag in _NEVER_FURNITURE:
        return False
    names = f"{el.get('class', '')} {el.get('id', '')}".strip()
    return bool(names) and bool(UNLIKELY_NAMES.search(names)) and not POSITIVE_NAMES.search(names)


def _child_context(
    parent: _Context, el: etree._Element, tag: str, classes: frozenset[str]
) -> _Context:
    own, named = _own_emphasis(el, tag, classes)
    block = tag in BLOCK_TAGS
    branding = parent.branding or _is_branding(el, tag)
    return _Context(
        emphasis=parent.emphasis - (parent.named if block else 0) + own,
        named=named + (0 if block else parent.named),
        furniture=parent.furniture or branding or _is_furniture(el, tag, parent.article),
        listed=parent.listed or tag in _LIST_TAGS,
        heading=parent.heading or tag in _HEADING_EMPHASIS,
        link=parent.link or tag == "a",
        article=parent.article or tag in _ARTICLE_TAGS,
        branding=branding,
    )


def page_lines(root: etree._Element) -> list[Line]:
    """Return the visible lines of a page in document order, without scripts and styles."""
    classes = _emphasised_classes(root)
    body = next(root.iter("body"), root)
    builder = _Builder()
    memo: dict[tuple, _Context] = {}
    stack = [_Context()]
    owners = [body]
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            if event == "end" and el.tail:
                builder.add(el.tail, stack[-1])
            continue
        if event == "start":
            if tag in _SKIP_TAGS or tag in _FURNITURE_TAGS:
                walker.skip_subtree()  # code, or navigation and footers: nothing to read there
                continue
            parent = stack[-1]
            attrib = el.attrib
            if attrib:  # list items, table rows: the same markup again and again
                home = _is_home(attrib.get("href"))
                key = (parent, tag, home, *(attrib.get(a) for a in _CONTEXT_ATTRIBUTES))
                ctx = memo.get(key)
                if ctx is None:
                    ctx = memo[key] = _child_context(parent, el, tag, classes)
            elif tag in _MARKED_TAGS or (parent.named and tag in BLOCK_TAGS):
                ctx = _child_context(parent, el, tag, classes)
            else:
                ctx = parent  # most elements change nothing: no attributes, a plain tag
            if tag in BLOCK_TAGS or tag == "br":
                builder.flush(owners[-1], parent)
                if tag != "br":
                    owners.append(el)
            stack.append(ctx)
            builder.add(el.text, ctx)
        else:
            if tag in _SKIP_TAGS or tag in _FURNITURE_TAGS:
                if el.tail:
                    builder.add(el.tail, stack[-1])
                continue
            ctx = stack.pop()
            if tag in BLOCK_TAGS:
                builder.flush(owners[-1], ctx)
                if len(owners) > 1:
                    owners.pop()
            if el is not body and el.tail:
                builder.add(el.tail, stack[-1])
    builder.flush(owners[-1], stack[-1])
    return builder.lines


def _weight(text: str) -> int:
    """Characters of ``text``, a Chinese, Japanese or Korean one counting twice (denser)."""
    return len(text) + len(_CJK_RE.findall(text))


def _is_prose(line: Line) -> bool:
    return _weight(line.text) >= MIN_PROSE_CHARS and line.link_share < 0.25 and not line.furniture


def _headline_candidates(lines: list[Line]) -> Iterator[tuple[float, Line]]:
    for position, line in enumerate(lines):
        if (
            line.emphasis < MIN_EMPHASIS
            or line.furniture
            or not MIN_HEADLINE_CHARS <= _weight(line.text) <= MAX_HEADLINE_CHARS
            or classify_line(line.text) is not LineKind.TEXT
        ):
            continue
        following = lines[position + 1 : position + 1 + PROSE_WINDOW]
        prose = next((i for i, other in enumerate(following) if _is_prose(other)), None)
        if prose is None:
            continue
        score = min(line.emphasis, 8) - prose * 0.3
        if line.link_share > 0.5:
            score -= 4
        if line.listed:
            score -= 3
        yield score, line


def site_names(lines: list[Line]) -> set[str]:
    """Return the site's name as the page shows it (logo text, links home)."""
    return {line.text for line in lines if line.branding}


def line_of_title(lines: list[Line], title: str | None) -> Line | None:
    """Return the line that shows ``title`` (a declared title the page also prints), or None.

    The line may be the title without the site name the declaration adds ("…！-新华网").
    """
    if not title:
        return None
    for line in lines:
        if line.furniture or _weight(line.text) < MIN_HEADLINE_CHARS or line.link_share > 0.5:
            continue
        if line.text == title:
            return line
        rest = title[len(line.text) :].lstrip() if title.startswith(line.text) else ""
        if rest and not rest[0].isalnum() and len(line.text) >= len(title) / 2:
            return line
    return None


def trailing_date(text: str) -> tuple[str, str | None]:
    """Split "headline (21/09/2563)" into the headline and the date's ISO form."""
    match = _TRAILING_DATE.match(text)
    if match:
        found = [m for m in find_dates(match.group("date")) if not m.is_range]
        if len(found) == 1 and found[0].start == 0:
            return match.group("head"), found[0].iso
    return text, None


def find_headline(lines: list[Line], hints: list[str]) -> Line | None:
    """Return the line that reads as the article's headline, or None.

    A headline is prominent (a heading, bold, a large font, a "title" class) and stands at
    most a few lines above a paragraph of body prose; a line that repeats elsewhere on the
    page (the breadcrumb's last item, a second copy in the body) or that the ``hints``
    (``<title>``, ``og:title``) contain scores higher.
    """
    texts = [normalize_line(h) for h in hints if h]
    shown = [line.text for line in lines if not line.furniture]
    best: tuple[float, Line] | None = None
    for score, line in _headline_candidates(lines):
        text = line.text
        if any(text in t and len(text) >= len(t) * HINT_SHARE for t in texts):
            score += 4
        if shown.count(text) > 1 or any(
            _BREADCRUMB_TAIL.search(o[: -len(text)])
            for o in shown
            if o.endswith(text) and o != text
        ):
            score += 2
        if best is None or score > best[0]:
            best = (score, line)
    return best[1] if best else None


@dataclass(frozen=True)
class Anchor:
    """Where the article starts (its headline, or the line above its first prose) and the
    element that holds both the start and the first prose: the article's box."""

    index: int
    box: etree._Element


def _ancestors(el: etree._Element | None) -> list[etree._Element]:
    chain = []
    while el is not None:
        chain.append(el)
        el = el.getparent()
    return chain


def find_anchor(lines: list[Line], headline: Line | None) -> Anchor | None:
    """Return where the article starts: its headline, else the line above its first prose."""
    start = headline.index + 1 if headline is not None else 0
    body = (line for line in lines[start:] if _is_prose(line) and not line.listed)
    prose = next((line for line in body if not line.heading), None)
    if prose is None:
        if headline is None:
            return None
        parent = headline.owner.getparent()
        return Anchor(headline.index, parent if parent is not None else headline.owner)
    if headline is None:  # the body's container and what sits beside it (a date line)
        chain = _ancestors(prose.owner)
        return Anchor(max(prose.index - 1, 0), chain[min(2, len(chain) - 1)])
    above = set(_ancestors(headline.owner))
    box = next((el for el in _ancestors(prose.owner) if el in above), headline.owner)
    return Anchor(headline.index, box)


@dataclass(frozen=True)
class _Candidate:
    line: Line
    published: str | None
    modified: str | None
    labelled: bool


def _dateline(text: str) -> str | None:
    """Return the date of a wire dateline opening a paragraph ("สุโขทัย 25 ส.ค. 2563 – ...")."""
    for match in find_dates(text[: _DATELINE_REACH + 40]):
        if match.start > _DATELINE_REACH or match.is_range:
            return None
        if _DATELINE_PREFIX.match(text[: match.start]) and _DATELINE_SUFFIX.match(
            text[match.end :]
        ):
            return match.iso
        return None
    return None


def _candidate(line: Line) -> _Candidate | None:
    text = line.text
    if len(text) > MAX_DATE_LINE:
        return None  # prose that mentions a date
    if is_labelled(text):
        published, modified = labelled_dates(text)
        return _Candidate(line, published, modified, True)
    iso = date_line_iso(text)
    if iso:
        return _Candidate(line, iso, None, False)
    return None


def _signature(el: etree._Element) -> tuple:
    chain = []
    for _ in range(3):
        if el is None:
            break
        chain.append((el.tag, el.get("class", "")))
        el = el.getparent()
    return tuple(chain)


def _list_members(candidates: list[_Candidate]) -> set[int]:
    """Return the line indexes of dated lines that are items of a list (siblings alike)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for cand in candidates:
        chain = _ancestors(cand.line.owner)
        near = chain[min(_LIST_DEPTH, len(chain) - 1)]
        groups[(_signature(cand.line.owner), near)].append(cand.line.index)
    return {index for members in groups.values() if len(members) > 1 for index in members}


def _is_teaser(line: Line, date_chars: int) -> bool:
    """True for "<a>other item</a> [14/12/59]": the line is mostly a link to something else.

    A linked date with a short linked category ("<a>2020年07月03日</a> | <a>徒歩</a>") is not.
    """
    return line.link_chars >= date_chars + _TEASER_CHARS and line.link_share >= 0.5


def _inside(el: etree._Element, box: etree._Element) -> bool:
    return any(a is box for a in _ancestors(el))


def find_visible_dates(lines: list[Line], anchor: Anchor | None) -> tuple[str | None, str | None]:
    """Return ``(published, modified)`` printed with the article that starts at ``anchor``.

    Dates of list items (latest news, related news), of teaser links and of furniture are
    never the article's; nor is an unlabelled date outside the article's box (a "today" bar
    in the header, a lone dated item beside the article). When only those are printed, the
    answer is None, not a wrong date. Labelled dates ("เผยแพร่เมื่อ", "ส่งโดย ... เมื่อ") come
    first, then the nearest below the start.
    """
    if anchor is None:
        return None, None
    candidates = []
    for line in lines:
        if line.furniture or line.index < anchor.index - BEFORE_ANCHOR:
            continue
        if line.index < anchor.index and not _inside(line.owner, anchor.box):
            continue
        cand = _candidate(line)
        opening = anchor.index < line.index <= anchor.index + DATELINE_LINES
        if cand is None and opening and _is_prose(line):
            iso = _dateline(line.text)
            cand = _Candidate(line, iso, None, False) if iso else None
        if cand is None:
            continue
        # The lines right under the headline are its byline, links and list items included;
        # further down, a dated list item or teaser link is another item's date.
        byline = anchor.index <= line.index <= anchor.index + BYLINE_LINES
        if byline or not (line.listed or _is_teaser(line, len(cand.published or ""))):
            candidates.append(cand)
    _, start_date = trailing_date(lines[anchor.index].text) if lines else ("", None)
    if start_date:
        candidates.append(_Candidate(lines[anchor.index], start_date, None, False))
    listed = _list_members(candidates)
    # Outside the article's box only a labelled date may be the article's: a lone date
    # there belongs to a box of its own ("ข่าวเด่น" beside the article).
    kept = [
        c
        for c in candidates
        if c.line.index not in listed and (c.labelled or _inside(c.line.owner, anchor.box))
    ]
    kept.sort(
        key=lambda c: (
            not _inside(c.line.owner, anchor.box),
            not c.labelled,
            c.line.index < anchor.index,
            abs(c.line.index - anchor.index),
        )
    )
    published = next((c.published for c in kept if c.published), None)
    modified = next((c.modified for c in kept if c.modified), None)
    return published, modified

"""A page as a reader sees it: lines, each with how prominent it is and where it sits.

The lines are cut at block tags and ``<br>`` as a browser lays them out, inline markup adding
no space (the rule of :mod:`parsers.render`, walked here with what each piece of a line is);
scripts, form controls, navigation, ``<aside>`` sidebars and footers are left out. Each line
says how much it is emphasised (a heading, ``<b>``, ``<font size=4>``, a bold or large inline
style, a class the page's ``<style>`` makes bold or large, a "title" class name), how much of
it is link text, and whether it is furniture (named so, hidden, the site's logo or name), one
item of a list, or inside the article's own markup. :mod:`parsers.visible` reads the headline
and the printed dates off these lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from parsers.boilerplate import (
    BLOCK_TAGS,
    HIDDEN_STYLE,
    POSITIVE_NAMES,
    SCRIPT_TAGS,
    UNLIKELY_NAMES,
)
from parsers.render import LINE_BREAK_TAGS, collapse_whitespace

_SKIP_TAGS = frozenset((*SCRIPT_TAGS, "head", "select", "textarea", "button", "svg", "iframe"))
_FURNITURE_TAGS = frozenset(("nav", "aside", "footer", "menu", "marquee"))
_LEFT_OUT = _SKIP_TAGS | _FURNITURE_TAGS  # not walked at all
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
_CSS_CLASS = re.compile(r"^\s*(?:[a-z0-9]+)?\.([\w-]+)\s*$", re.IGNORECASE)
MAX_STYLE_CHARS = 8000
_LARGE_SIZE = {"px": 16.0, "pt": 12.0, "em": 1.2, "rem": 1.2, "%": 120.0}
MOST = 0.7  # the share of a line's characters whose emphasis is the line's
# The site's name and logo: never the headline, and a <title> equal to them is generic.
_BRANDING_NAMES = re.compile(
    r"(?:^|[\s_-])(?:logo|brand|branding|site-?title|site-?name|sitename|masthead)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HOME_LINKS = frozenset(("/", "./", "index.php", "index.html", "index.htm", "default.aspx"))
_DATED_NAMES = re.compile(
    r"(?:^|[\s_-])(?:byline|date|time|posted-on|published|submitted|meta)(?:$|[\s_-])",
    re.IGNORECASE,
)
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


@dataclass(slots=True)
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
        parts = self.parts
        if not parts:
            return
        text = "".join(t for t, _ in parts)
        if text.isspace():
            parts.clear()
            return
        text = collapse_whitespace(text)
        visible = [(t, c) for t, c in parts if not t.isspace()]
        if len(visible) == 1:  # most lines: one piece of text in one context
            only = visible[0][1]
            emphasis, furniture, heading, branding = (
                only.emphasis,
                ctx.furniture or only.furniture,
                only.heading,
                only.branding,
            )
            link_chars = len(text) if only.link else 0
        else:
            emphasis = _line_emphasis(visible)
            furniture = ctx.furniture or any(c.furniture for _, c in visible)
            heading = all(c.heading for _, c in visible)
            branding = any(c.branding for _, c in visible)
            link_chars = sum(len(t.strip()) for t, c in visible if c.link)
        self.lines.append(
            Line(
                len(self.lines),
                text,
                owner,
                emphasis,
                link_chars,
                furniture,
                ctx.listed,
                heading,
                branding,
            )
        )
        parts.clear()


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
    """Return the CSS classes a ``<style>`` block makes bold or large (Dreamweaver's ".style3").

    Only small blocks are read: hand-made pages define their few classes in one, while the
    tens of kilobytes of a CMS theme inlined in the page name no headline class to trust, and
    would cost more to read than the rest of the page.
    """
    found = set()
    for style in root.iter("style"):
        css = style.text or ""
        if len(css) > MAX_STYLE_CHARS:
            continue
        for rule in css.split("}"):  # linear: a regex over "@import ..." lines is quadratic
            selectors, brace, body = rule.rpartition("{")
            if not brace or not _style_emphasis(body):
                continue
            selectors = selectors.rpartition(";")[2].replace("<!--", "")  # "@import ...;", "<!--"
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


def _is_furniture(el: etree._Element, tag: str) -> bool:
    """True for navigation, hidden and furniture-named elements (a ``<header>`` aside)."""
    if tag in _FURNITURE_TAGS or el.get("role") in ("navigation", "banner", "contentinfo"):
        return True
    if el.get("hidden") is not None or HIDDEN_STYLE.search(el.get("style", "")):
        return True  # never shown
    if tag in _NEVER_FURNITURE:
        return False
    names = f"{el.get('class', '')} {el.get('id', '')}".strip()
    if not names or not UNLIKELY_NAMES.search(names):
        return False
    # The extractor drops a byline from the body; here it is where the date is printed.
    return not POSITIVE_NAMES.search(names) and not _DATED_NAMES.search(names)


@dataclass(frozen=True, slots=True)
class _Own:
    """What an element itself does to its text, whatever its ancestors."""

    emphasis: int
    named: int
    furniture: bool
    branding: bool


_NEUTRAL = _Own(0, 0, False, False)


def _own(el: etree._Element, tag: str, classes: frozenset[str]) -> _Own:
    emphasis, named = _own_emphasis(el, tag, classes)
    own = _Own(emphasis, named, _is_furniture(el, tag), _is_branding(el, tag))
    return _NEUTRAL if own == _NEUTRAL else own


def _child_context(parent: _Context, tag: str, own: _Own) -> _Context:
    block = tag in BLOCK_TAGS
    branding = parent.branding or own.branding
    # A <header> outside <article>/<main> is the site's banner, not the article's header.
    banner = tag == "header" and not parent.article
    return _Context(
        emphasis=parent.emphasis - (parent.named if block else 0) + own.emphasis,
        named=own.named + (0 if block else parent.named),
        furniture=parent.furniture or branding or own.furniture or banner,
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
    memo: dict[tuple[Any, ...], _Own] = {}
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
            if tag in _LEFT_OUT:
                walker.skip_subtree()  # code, or navigation and footers: nothing to read there
                continue
            parent = stack[-1]
            attrib = el.attrib
            if attrib:  # list items, table rows: the same markup again and again
                home = tag == "a" and _is_home(attrib.get("href"))
                key = (tag, home, *map(attrib.get, _CONTEXT_ATTRIBUTES))
                own = memo.get(key)
                if own is None:
                    own = memo[key] = _own(el, tag, classes)
            elif tag in _MARKED_TAGS:
                own = _own(el, tag, classes)  # <b>, <h1>, <a>, <li>... without attributes
            else:
                own = _NEUTRAL
            if own is not _NEUTRAL or tag in _MARKED_TAGS or (parent.named and tag in BLOCK_TAGS):
                ctx = _child_context(parent, tag, own)
            else:
                ctx = parent  # most elements change nothing: a plain tag, a width, a row class
            if tag in LINE_BREAK_TAGS:
                builder.flush(owners[-1], parent)
                if tag != "br":
                    owners.append(el)
            stack.append(ctx)
            builder.add(el.text, ctx)
        else:
            if tag in _LEFT_OUT:
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


def weight(text: str) -> int:
    """Characters of ``text``, a Chinese, Japanese or Korean one counting twice (denser)."""
    return len(text) + len(_CJK_RE.findall(text))


def ancestors(el: etree._Element | None) -> list[etree._Element]:
    """Return ``el`` and its ancestors, nearest first."""
    chain = []
    while el is not None:
        chain.append(el)
        el = el.getparent()
    return chain

"""The visible text of markup libxml2 gives up on, read in one pass: linear in the input.

Elements nested thousands deep (some WYSIWYG editors emit them) make libxml2 stop at depth
256 and return a tree without the text. Such pages used to be read into a BeautifulSoup tree,
whose appends walk to the last descendant: the cost grew with the square of the depth (16,000
nested divs took 42 s, 100,000 would take half an hour). Here the standard library's
tokenizer feeds a stack of open tag names instead, with the same joins BeautifulSoup's tree
gave: a block breaks before it opens and after it closes, ``<br>`` breaks, inline pieces
touch, source whitespace collapses per text node, scripts, styles and ruby readings say
nothing. An end tag
closes the innermost open element of its name and everything opened inside it; an end tag
with no open element of its name is ignored; void elements never open.

A deadline (``time.monotonic()``) bounds the pass: past it, :class:`PageTooComplexError`.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from parsers.boilerplate import BLOCK_TAGS, SCRIPT_TAGS
from parsers.exceptions import PageTooComplexError
from parsers.site_rules import StartTagTest, start_tag_test

# elements that never hold content (BeautifulSoup's list for its html.parser builder)
VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
        "menuitem", "meta", "param", "source", "track", "wbr", "basefont", "bgsound",
        "command", "frame", "image", "isindex", "nextid", "spacer",
    }
)  # fmt: skip
# their content is not text: scripts and styles, and ruby annotations (readings shown above
# the letters, which BeautifulSoup's get_text left out too)
SILENT_TAGS = frozenset({*SCRIPT_TAGS, "rt", "rp"})
_BREAK = "\n\n"
_SOURCE_SPACE_RE = re.compile(r"[ \t\r\n\f]*[\t\r\n\f][ \t\r\n\f]*")
_CHECK_EVERY = 2048  # tags between two looks at the clock


class _TextCollector(HTMLParser):
    def __init__(self, deadline: float | None, removed: StartTagTest | None) -> None:
        super().__init__(convert_charrefs=True)
        self.deadline = deadline
        self.removed = removed  # the site's remove rules, on start tags
        self.removed_open: list[int] = []  # stack depths of removed elements still open
        self.pieces: list[str] = []
        self.stack: list[str] = []
        self.open_counts: dict[str, int] = {}
        self.hidden = 0  # open SILENT_TAGS elements
        self.tags = 0
        self.data: list[str] = []  # the text node being read

    def _flush(self) -> None:
        """End the text node: its source whitespace collapses as on screen."""
        if self.data:
            text = "".join(self.data)
            self.data.clear()
            if not self.hidden:
                self.pieces.append(_SOURCE_SPACE_RE.sub(" ", text))

    def _tick(self) -> None:
        self._flush()
        self.tags += 1
        if (
            self.deadline is not None
            and self.tags % _CHECK_EVERY == 0
            and time.monotonic() > self.deadline
        ):
            raise PageTooComplexError(
                f"too complex: {self.tags:,} tags, {len(self.stack):,} deep, not read "
                "within the time limit"
            )

    def _break(self) -> None:
        """Break the line; breaks in a row are one (a text dump reads them alike, and 100,000
        nested blocks would otherwise leave 200,000 empty lines to read)."""
        if not self.pieces or self.pieces[-1] is not _BREAK:
            self.pieces.append(_BREAK)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tick()
        removed = self.removed is not None and not self.hidden and self.removed(tag, attrs)
        if tag in VOID_TAGS:
            if removed or self.hidden:
                return
            if tag == "br":
                self.pieces.append("\n")
            elif tag in BLOCK_TAGS:
                self._break()
            return
        if removed:
            self.removed_open.append(len(self.stack))
            self.hidden += 1
        if tag in BLOCK_TAGS and not self.hidden:
            self._break()
        if tag in SILENT_TAGS:
            self.hidden += 1
        self.stack.append(tag)
        self.open_counts[tag] = self.open_counts.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            self.handle_starttag(tag, attrs)
            return
        self.handle_starttag(tag, attrs)
        self._close_to(tag)

    def handle_endtag(self, tag: str) -> None:
        self._tick()
        if self.open_counts.get(tag):
            self._close_to(tag)

    def _close_to(self, tag: str) -> None:
        """Close the innermost open ``tag`` and every element opened inside it."""
        while self.stack:
            name = self.stack.pop()
            self.open_counts[name] -= 1
            if name in SILENT_TAGS:
                self.hidden -= 1
            elif name in BLOCK_TAGS and not self.hidden:
                self._break()
            if self.removed_open and self.removed_open[-1] == len(self.stack):
                self.removed_open.pop()
                self.hidden -= 1
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def handle_comment(self, data: str) -> None:
        self._flush()

    def unknown_decl(self, data: str) -> None:
        self._flush()
        if data.startswith("CDATA[") and not self.hidden:
            self.pieces.append(data[len("CDATA[") :])

    def text(self) -> str:
        self._flush()
        while self.stack:
            self._close_to(self.stack[-1])
        return "".join(self.pieces)


def flat_text(html: str, *, deadline: float | None = None, remove: tuple[str, ...] = ()) -> str:
    """Return the visible text of ``html``, one block per line (blank lines between).

    ``remove``: a site's remove rules (CSS); those a start tag alone answers are applied
    (:func:`parsers.site_rules.start_tag_test`). Raises PageTooComplexError when
    ``deadline`` (a ``time.monotonic()`` value) passes first.
    """
    collector = _TextCollector(deadline, start_tag_test(remove) if remove else None)
    collector.feed(html)
    collector.close()
    return collector.text()

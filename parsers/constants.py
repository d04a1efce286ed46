"""Vocabulary shared by the parsers, the archive and the crawler: one spelling of each.

Here because every package may import ``parsers`` (crawler → parsers, archive; archive →
parsers), so a constant that two of them need lives once, here.
"""

from __future__ import annotations

import re

# A Buddhist-era year (พ.ศ.) is the Common-Era year plus 543; a four-digit year above the
# threshold is read as BE.
BE_OFFSET = 543
BE_YEAR_THRESHOLD = 2400

# Content types read as pages (a crawl, a WARC import, the web page's raw view).
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")

# Characters that must never reach a terminal raw from scraped text: C0 controls but tab and
# newline, DEL, C1 controls (ESC sequences, BEL...), and the bidi embeddings, overrides and
# isolates (U+202A–U+202E, U+2066–U+2069) that make text display in another order than it reads.
TERMINAL_UNSAFE_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

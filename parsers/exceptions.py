"""Errors raised by the parsers, and the base class of every opdcwatch error.

The command line turns any :class:`OpdcwatchError` into one line on stderr and exit code 2;
anything else is a bug and is reported as such.
"""

from __future__ import annotations


class OpdcwatchError(Exception):
    """Base of all errors opdcwatch expects and reports to the user as one line."""

    exit_code = 2


class ParseError(OpdcwatchError):
    """Raised by ``parsers.parse_*`` when the input cannot yield an article at all."""


class EmptyInputError(ParseError):
    """Raised when the input has no bytes, or only whitespace."""


class BinaryInputError(ParseError):
    """Raised when the bytes are not text in any encoding a news page uses (an image, a PDF)."""


class NotAPageError(ParseError):
    """Raised when the text decodes but holds nothing that reads as an article."""


class PageTooComplexError(ParseError):
    """Raised when a page exceeds the parse budget (its time limit, or more elements than
    any news page has): a hostile or broken page, recorded as an error, never read for ever."""


class ScriptShellError(ParseError):
    """Raised when a page's only text is a loading sign ("กำลังโหลด…", "enable JavaScript"):
    a shell its scripts fill, not an article; no other reading of it is tried."""


class SelectorError(ParseError):
    """Raised by ``parse_bytes``/``parse_html`` when a site's CSS selector is not valid CSS
    or names a field other than title/body/date: a configuration mistake, caught early."""


class SiteRuleError(ParseError):
    """Raised when a site profile's ``ignore`` pattern or ``remove`` selector does not
    compile: checked when the profile loads, before any page is parsed."""


class InputFileError(OpdcwatchError):
    """Raised by ``opdcwatch parse`` when a PATH is missing, a directory, or unreadable."""

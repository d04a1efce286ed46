"""The web server's request handler: raw UTF-8 request targets and a readable access log.

Python's ``http.server`` reads the request line as Latin-1, and Werkzeug's development server
then encodes that text as UTF-8 for the WSGI environ: a hand-typed ``?q=ก.พ.ร.`` sent as raw
UTF-8 bytes reached the app encoded twice and was searched as mojibake. The handler turns a
raw target back into bytes and percent-encodes the bytes above ASCII, which is what a browser
sends; the app then decodes it like any other query.

Werkzeug's access log writes the target percent-encoded (or Latin-1 mojibake), and colours
lines with ANSI codes even when stderr is a file. Here the target is logged decoded (UTF-8
Thai, control characters escaped so a request cannot forge log lines), and in colour only on
a terminal.
"""

from __future__ import annotations

import sys
from urllib.parse import quote, unquote

from werkzeug.serving import WSGIRequestHandler

# every printable ASCII character is left as sent: only bytes above ASCII are encoded
_KEEP = "".join(chr(c) for c in range(0x21, 0x7F))
# ANSI colours by status, as Werkzeug's own log uses them (only on a terminal)
_STYLES = {"1": "1", "3": "32", "304": "36", "404": "33", "4": "1;31", "5": "1;35"}
# C0 and C1 control characters and the backslash, escaped in a logged target
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]} | {0x5C: "\\\\"}


def ascii_target(target: str) -> str:
    """Return a request target read as Latin-1 with its bytes above ASCII percent-encoded."""
    if target.isascii():
        return target
    return quote(target.encode("latin-1", "replace"), safe=_KEEP)


def readable_target(target: str) -> str:
    """Return the target as a person reads it: percent-escapes decoded (UTF-8, invalid bytes
    replaced), control characters escaped."""
    return unquote(target, errors="replace").translate(_CONTROL)


def _style(code: str) -> str | None:
    if code == "200":
        return None
    return _STYLES.get(code) or _STYLES.get(code[:1])


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with raw UTF-8 targets made ASCII and a readable access log."""

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok:
            self.path = ascii_target(self.path)
        return ok

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if getattr(self, "command", None) and getattr(self, "path", None):
            line = f"{self.command} {readable_target(self.path)} {self.request_version}"
        else:  # a request line that did not parse
            line = readable_target(ascii_target(self.requestline))
        code = str(code)
        style = _style(code) if sys.stderr.isatty() else None
        if style:
            line = f"\x1b[{style}m{line}\x1b[0m"
        self.log("info", '"%s" %s %s', line, code, size)

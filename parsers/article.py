"""The clean article every parser returns, and its content hash."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from parsers.normalize import normalize_line, normalize_text


def content_hash(title: str | None, text: str, *, text_settled: bool = False) -> str:
    """Return the SHA-256 hex digest of the normalised title and body.

    This is the archive's notion of "the same article": anything that does not survive
    normalisation (whitespace, invisibles, boilerplate the parsers removed) cannot change it.
    ``text_settled``: the caller knows ``normalize_text(text) == text`` (see
    :func:`parsers.normalize.normalize_text_settled`), so the body is not normalised again.
    """
    body = text if text_settled else normalize_text(text)
    canonical = normalize_line(title or "") + "\n\n" + body
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Article:
    """A page reduced to what a reader came for.

    ``published`` and ``modified`` are ISO 8601 strings (a date, or a datetime when the page
    gives a time); ``text`` has one paragraph per line.
    """

    title: str | None
    text: str
    published: str | None = None
    modified: str | None = None
    url: str | None = None
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.title, self.text))

    def to_dict(self) -> dict[str, str | None]:
        """Return the JSON form printed by ``opdcwatch parse --json``."""
        return asdict(self)

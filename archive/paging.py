"""Keys for paging by position in the order, not by OFFSET: ``?after=KEY``.

Lists are ordered most recently changed first (``last_changed`` descending, then ``id``
descending); a search puts title hits (tier 0) before the rest (tier 1). A key names the last
row shown, so the next page starts right after it whatever was added since, and costs the
same on page 1 and page 3,000: an index range scan, never a walk over the skipped rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from archive.exceptions import InvalidInputError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# OFFSET is kept for old links and scripts (?page=N, ?offset=N), within these bounds
MAX_LIST_OFFSET = 1_000_000
MAX_SEARCH_OFFSET = 1_000


@dataclass(frozen=True)
class PageKey:
    """The position of one row in a list or a search: (tier, last_changed, article id)."""

    tier: int
    last_changed: datetime
    article_id: int

    def encode(self) -> str:
        """Return the key as it goes in a URL: ``tier.microseconds.id``."""
        micros = (self.last_changed - _EPOCH) // timedelta(microseconds=1)
        return f"{self.tier}.{micros}.{self.article_id}"

    @classmethod
    def decode(cls, text: str) -> PageKey:
        """Read a key written by :meth:`encode`; anything else is an InvalidInputError."""
        parts = text.strip().split(".")
        try:
            tier, micros, article_id = (int(p) for p in parts)
            moment = _EPOCH + timedelta(microseconds=micros)
        except (ValueError, OverflowError):
            raise InvalidInputError(
                f"after must be a key from a 'next page' link (tier.time.id), not {text[:40]!r}"
            ) from None
        if tier not in (0, 1) or article_id < 0:
            raise InvalidInputError(f"after: no such position {text[:40]!r}")
        return cls(tier, moment, article_id)


def after_key(
    last_changed: ColumnElement[Any], article_id: ColumnElement[Any], key: PageKey
) -> ColumnElement[bool]:
    """Return the condition "comes after ``key``" in (last_changed desc, id desc) order.

    Written so that an index on ``last_changed`` serves it as a range.
    """
    return and_(
        last_changed <= key.last_changed,
        or_(last_changed < key.last_changed, article_id < key.article_id),
    )


def check_offset(offset: int, limit: int) -> int:
    """Return ``offset`` if a list may skip that far; beyond it ask for ``after`` instead."""
    if offset > limit:
        raise InvalidInputError(
            f"offset {offset:,} is too deep (at most {limit:,}): follow the 'next page' links, "
            "which use ?after="
        )
    return offset

"""The versioned article archive: storage, versioning, diffs, export and the read-only web page.

``Archive.open()`` gives the store the crawler records into; ``archive.queries`` reads it back
for the command line and the web page; ``archive.diff`` and ``archive.export`` render it.
"""

from __future__ import annotations

from archive.exceptions import (
    ArchiveError,
    DatabaseError,
    DatabaseUnavailableError,
    InvalidInputError,
    NotFoundError,
    SchemaError,
    UnknownFormatError,
    VersionNotFoundError,
)
from archive.store import Archive, RecordResult

__all__ = [
    "Archive",
    "ArchiveError",
    "DatabaseError",
    "DatabaseUnavailableError",
    "InvalidInputError",
    "NotFoundError",
    "RecordResult",
    "SchemaError",
    "UnknownFormatError",
    "VersionNotFoundError",
]

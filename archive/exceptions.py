"""Errors the archive raises; the command line turns each into one line and exit code 2.

Every class derives from :class:`~parsers.exceptions.OpdcwatchError`, so a caller that only
wants "did the archive refuse this?" can catch :class:`ArchiveError`.
"""

from __future__ import annotations

from parsers.exceptions import OpdcwatchError


class ArchiveError(OpdcwatchError):
    """Base of every error raised by ``archive``."""


class DatabaseUnavailableError(ArchiveError):
    """Raised by ``Archive.open`` (and ``archive.db``) when the database cannot be reached or
    opened: a server that does not answer, a file that is not a database, a missing archive
    opened read-only, an unknown URL scheme."""


class SchemaError(ArchiveError):
    """Raised by ``archive.migrations`` when the database was written by a newer opdcwatch
    (it records migrations this one does not know), or when a migration is declared twice."""


class NotFoundError(ArchiveError):
    """Raised by ``archive.queries`` and ``Archive.record_not_modified`` when no article (or
    capture, or run) has the id or URL asked for."""


class SiteNotFoundError(NotFoundError):
    """Raised by ``archive.queries.check_site`` when a command's ``--site`` names no site the
    archive holds (``articles``, ``runs``, ``health``, ``search``); the message lists those it
    does, so a typo is one clear line rather than an empty list."""


class VersionNotFoundError(NotFoundError):
    """Raised by ``archive.queries`` and ``archive.diff`` when an article has no version with
    the number asked for, or too few versions to compare."""


class InvalidInputError(ArchiveError):
    """Raised when input handed to the archive is unusable: an HTTP status that is neither a
    page nor "gone", a timestamp that does not parse, a file that is not a WARC."""


class UnknownFormatError(ArchiveError):
    """Raised by the diff and export registries for a format name they do not know; the
    message lists the known ones."""


class BackupError(ArchiveError):
    """Raised by ``archive.backup`` when a backup cannot be made: the target exists, the
    folder cannot be written, or PostgreSQL's ``pg_dump`` is missing or fails."""

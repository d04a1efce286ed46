"""Importing the HTML responses of a WARC file written by another crawler (or by export).

Each HTML ``response`` record becomes a capture at its WARC-Date, recorded through
``Archive.record_page`` exactly as if the crawler had fetched it, one transaction per record:
an interrupted import is resumed by running it again. A ``revisit`` of a 304 (profile
server-not-modified) is a check that found the page unchanged; other ``revisit`` records are
resolved through the payload digest of a response earlier in the same file. A record that does not
parse is counted and logged; it never stops the import.

Real WARCs are not always well-formed: the ClueWeb09 sample dates every record
"2008-10-294T05:21:46-0700". A record whose WARC-Date does not parse is dated by its HTTP
``Date`` header, else by the file's own time (its mtime), and the summary says how many.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive.bodies import digest_of, load_body
from archive.constants import GONE_STATUSES, PAGE_STATUSES
from archive.exceptions import InvalidInputError, NotFoundError
from archive.inputs import as_utc, parse_timestamp
from archive.store import Archive
from parsers import sniff_kind
from parsers.constants import HTML_CONTENT_TYPES
from parsers.exceptions import OpdcwatchError

logger = logging.getLogger(__name__)

NOT_MODIFIED = 304
_SNIFF_BYTES = 4096  # a response without Content-Type is imported if its start looks like HTML
WARC_STARTS = (b"WARC/", b"filedesc://")  # a WARC record's version line; an ARC file's header
_MAGIC_BYTES = 64
_GZIP_MAGIC = b"\x1f\x8b"
_MESSAGE_CHARS = 200  # of warcio's error, which may quote a whole line of the bad input


@dataclass
class ImportReport:
    """Counts of what an import did, by outcome, plus skipped records and errors."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        keys = ("new", "changed", "unchanged", "gone", "skipped", "errors")
        text = ", ".join(f"{self.counts[k]} {k}" for k in keys)
        for source, words in (("http", "the HTTP Date header"), ("file", "the file's time")):
            if self.counts[f"dated by {source}"]:
                count = self.counts[f"dated by {source}"]
                text += f"; {count} with a bad WARC-Date dated by {words}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The counts (every outcome, zeros included) and the errors, for ``--json``."""
        keys = ("new", "changed", "unchanged", "gone", "skipped", "errors")
        return {
            **{key: self.counts[key] for key in keys},
            "dated_by_http": self.counts["dated by http"],
            "dated_by_file": self.counts["dated by file"],
            "error_messages": list(self.errors),
        }


def _is_html(content_type: str | None) -> bool:
    if not content_type:
        return False
    return content_type.split(";")[0].strip().lower() in HTML_CONTENT_TYPES


def import_warc(archive: Archive, path: Path | str, *, site: str | None = None) -> ImportReport:
    """Record every HTML response (and resolvable revisit) of the WARC file at ``path``.

    A response without a Content-Type (a page saved by ``ingest`` has none) is imported when
    its first bytes look like HTML.
    """
    path = Path(path)
    report = ImportReport()
    bodies_by_payload: dict[str, str] = {}  # WARC payload digest -> our body digest
    try:
        file_time = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        with path.open("rb") as stream, _quiet_warcio(path):
            check_warc_start(stream, path)
            records = iter(ArchiveIterator(stream, arc2warc=True))
            while (record := _next_record(records)) is not None:
                _import_record(archive, record, site, bodies_by_payload, report, file_time)
    except _DamagedRecord as exc:
        if not report.counts:
            raise InvalidInputError(f"{path} is not a WARC file: {exc}") from exc
        report.errors.append(f"{path}: stopped at a damaged record: {exc}")
        report.counts["errors"] += 1
        logger.warning("%s: stopped at a damaged record: %s", path, exc)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return report


class _DamagedRecord(Exception):
    """warcio could not read the next record (its own error, or a crash on bad input)."""


def _next_record(records: Iterator[ArcWarcRecord]) -> ArcWarcRecord | None:
    try:
        return next(records)
    except StopIteration:
        return None
    except ArchiveLoadFailed as exc:
        raise _DamagedRecord(" ".join(str(exc).split())[:_MESSAGE_CHARS]) from exc
    except Exception as exc:  # warcio trips over some malformed headers (a None URI, ...)
        raise _DamagedRecord(f"unreadable record ({type(exc).__name__})") from exc


def check_warc_file(path: Path | str) -> None:
    """Raise InvalidInputError unless the file at ``path`` can be read and starts as a WARC:
    called before the archive is opened, so a wrong file creates no archive."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            check_warc_start(stream, path)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def check_warc_start(stream: BinaryIO, path: Path) -> None:
    """Raise InvalidInputError unless ``stream`` starts as a WARC or ARC file (maybe gzipped).

    Checked before warcio reads it: warcio takes an HTML page for a record with a bad
    Content-Length and prints a warning for every line of it. The stream is rewound.
    """
    head = stream.read(_MAGIC_BYTES)
    stream.seek(0)
    if not head:
        raise InvalidInputError(f"{path} is empty, not a WARC file")
    if head.startswith(_GZIP_MAGIC):
        try:
            with gzip.GzipFile(fileobj=stream) as unzipped:
                head = unzipped.read(_MAGIC_BYTES)
        except (OSError, EOFError, zlib.error):
            head = b""
        stream.seek(0)
    if not head.lstrip(b"\r\n").startswith(WARC_STARTS):
        raise InvalidInputError(
            f"{path} is not a WARC file (a WARC starts with 'WARC/', "
            "an ARC with 'filedesc://', either maybe gzipped)"
        )


@contextmanager
def _quiet_warcio(path: Path) -> Iterator[None]:
    """Keep warcio's own warnings (written straight to stderr, one per sloppy record) out of
    the user's terminal; they are counted in the log instead."""
    sink = io.StringIO()
    warcio_log = logging.getLogger("warcio")
    level = warcio_log.level
    warcio_log.setLevel(logging.ERROR)
    try:
        with redirect_stderr(sink):
            yield
    finally:
        warcio_log.setLevel(level)
        warnings = sink.getvalue().count("WARNING:")
        if warnings:
            logger.info("%s: warcio warned %d times (a record's length off)", path, warnings)


def capture_time(record: ArcWarcRecord, file_time: datetime) -> tuple[datetime, str]:
    """Return when ``record`` was captured and the source: "warc", "http" or "file".

    The WARC-Date if it parses, else the HTTP ``Date`` header, else ``file_time``.
    """
    try:
        return parse_timestamp(record.rec_headers.get_header("WARC-Date") or ""), "warc"
    except InvalidInputError:
        pass
    http_date = record.http_headers.get_header("Date") if record.http_headers else None
    if http_date:
        try:
            return as_utc(parsedate_to_datetime(http_date)), "http"
        except (TypeError, ValueError, IndexError):
            logger.debug("unreadable HTTP Date %r", http_date)
    return file_time, "file"


def _import_record(
    archive: Archive,
    record: ArcWarcRecord,
    site: str | None,
    bodies_by_payload: dict[str, str],
    report: ImportReport,
    file_time: datetime,
) -> None:
    """Record one WARC record if it is an HTML page (or a 404/410); count what happened."""
    if record.rec_type not in ("response", "revisit") or record.http_headers is None:
        return
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    content_type = http.get_header("Content-Type")
    if not url or (content_type and not _is_html(content_type)):  # images, scripts, styles
        report.counts["skipped"] += 1
        return
    try:
        status = int(http.get_statuscode())
        if status == NOT_MODIFIED and record.rec_type == "revisit":  # a check, nothing new
            fetched_at, _ = capture_time(record, file_time)
            try:
                result = archive.record_not_modified(url=url, fetched_at=fetched_at)
            except NotFoundError:
                report.counts["skipped"] += 1
                return
            report.counts[result.outcome] += 1
            return
        if status not in PAGE_STATUSES and status not in GONE_STATUSES:  # redirects, errors
            report.counts["skipped"] += 1
            return
        fetched_at, dated_by = capture_time(record, file_time)
        if dated_by != "warc":
            report.counts[f"dated by {dated_by}"] += 1
            logger.info(
                "%s: bad WARC-Date %r, dated by %s",
                url,
                record.rec_headers.get_header("WARC-Date"),
                "its HTTP Date header" if dated_by == "http" else "the file's time",
            )
        payload_digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if record.rec_type == "response":
            body = record.content_stream().read()
            if not content_type and sniff_kind(body[:_SNIFF_BYTES].decode("latin-1")) != "html":
                report.counts["skipped"] += 1
                return
            if payload_digest:
                bodies_by_payload[payload_digest] = digest_of(body)
        else:
            known = bodies_by_payload.get(payload_digest or "")
            if known is None:
                report.counts["skipped"] += 1
                logger.info("revisit of %s refers to a record not in this file", url)
                return
            with archive.reading() as conn:
                body = load_body(conn, known)
        result = archive.record_page(
            url=url,
            status=status,
            headers=http.headers,
            body=body,
            site=site,
            fetched_at=fetched_at,
        )
        report.counts[result.outcome] += 1
    except (OpdcwatchError, ValueError) as exc:
        report.counts["errors"] += 1
        report.errors.append(f"{url}: {exc}")
        logger.warning("skipped %s: %s", url, exc)

"""Exporting the archive: every version (jsonl, csv) or every capture (warc).

Formats live in a registry keyed by name, each with a one-line description that
``opdcwatch export --help`` lists. Rows are streamed, so exporting 300,000 versions does not
hold them in memory. WARC output follows the archive's fetch log: a ``warcinfo`` record
first, then for every fetch in the order it happened a ``response`` record for a body not
written yet, else a ``revisit`` record: profile identical-payload-digest for the same bytes
again, server-not-modified for a 304, as other archiving crawlers write them, so the WARC
shows each time a page was checked.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import IO, Any

from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.bodies import load_body
from archive.constants import TRANSFER_HEADERS
from archive.exceptions import UnknownFormatError
from archive.queries import iso
from archive.registry import Registry
from archive.schema import articles, captures, fetches, sites, versions
from archive.store import Archive

# WARC 1.1 revisit profiles (warcio writes identical-payload-digest by default)
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

_BATCH = 500  # rows fetched per round trip while streaming

VERSION_FIELDS = (
    "article_id",
    "url",
    "site",
    "version",
    "fetched_at",
    "title",
    "published",
    "modified",
    "content_hash",
    "revert_of",
    "text",
)


# A writer: ``write(archive, out, path)`` returns the records written.
Writer = Callable[[Archive, IO[bytes], str | None], int]
EXPORTERS: Registry[Writer] = Registry("export format", UnknownFormatError)


def exporter(name: str) -> Callable[[Writer], Writer]:
    """Register the decorated writer under ``name``; its docstring's first line describes it."""
    return EXPORTERS.entry(name)


def export(archive: Archive, fmt: str, out: IO[bytes], path: str | None = None) -> int:
    """Write the archive to ``out`` in format ``fmt``; return how many records were written."""
    return EXPORTERS.lookup(fmt)(archive, out, path)


def iter_versions(archive: Archive) -> Iterator[dict[str, Any]]:
    """Yield every version of every article, article by article, oldest version first."""
    query = (
        select(
            versions.c.article_id,
            articles.c.url,
            sites.c.name.label("site"),
            versions.c.number,
            versions.c.fetched_at,
            versions.c.title,
            versions.c.published,
            versions.c.modified,
            versions.c.content_hash,
            versions.c.revert_of,
            versions.c.text,
        )
        .join(articles, articles.c.id == versions.c.article_id)
        .join(sites, sites.c.id == articles.c.site_id)
        .order_by(versions.c.article_id, versions.c.number)
    )
    with archive.reading() as conn:
        for row in conn.execution_options(yield_per=_BATCH).execute(query):
            values = dict(zip(VERSION_FIELDS, row, strict=True))
            values["fetched_at"] = iso(values["fetched_at"])
            yield values


@exporter("jsonl")
def write_jsonl(archive: Archive, out: IO[bytes], path: str | None = None) -> int:
    """Every version as one JSON object per line (UTF-8)."""
    count = 0
    for values in iter_versions(archive):
        out.write(json.dumps(values, ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    return count


@exporter("csv")
def write_csv(archive: Archive, out: IO[bytes], path: str | None = None) -> int:
    """Every version as a CSV row with a header (UTF-8 with BOM, so Excel shows Thai)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=VERSION_FIELDS)
    writer.writeheader()
    count = 0
    for values in iter_versions(archive):
        writer.writerow(values)
        count += 1
    text.detach()  # leave ``out`` open for the caller
    return count


def warc_payload_digest(body: bytes) -> str:
    """Return the WARC-Payload-Digest warcio writes for ``body`` (base32 SHA-1)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _http_headers(status: int, headers: list[Any], length: int) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    kept = [(k, v) for k, v in headers if k.lower() not in TRANSFER_HEADERS]
    kept.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{status} {reason}", kept, protocol="HTTP/1.1")


def _warcinfo(writer: WARCWriter, path: str | None) -> Any:
    """The file's first record: what wrote it and how (WARC 1.1, section 6.2)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        software = f"opdcwatch/{version('opdcwatch')}"
    except PackageNotFoundError:  # running from a source tree
        software = "opdcwatch"
    info = {
        "software": software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": "opdcwatch export: every fetch of every page, re-fetches as revisits",
    }
    name = path.rsplit("/", 1)[-1] if path else None
    return writer.create_warcinfo_record(name, info)


@exporter("warc")
def write_warc(archive: Archive, out: IO[bytes], path: str | None = None) -> int:
    """Every fetch: warcinfo, responses, and revisits for 304s and bodies written before."""
    writer = WARCWriter(out, gzip=bool(path and path.endswith(".gz")), warc_version="1.1")
    writer.write_record(_warcinfo(writer, path))
    first_seen: dict[str, tuple[str, str, str]] = {}  # digest -> (uri, date, payload digest)
    count = 1
    query = (
        select(
            fetches.c.url,
            fetches.c.fetched_at,
            fetches.c.status,
            fetches.c.digest,
            captures.c.headers,
        )
        .select_from(fetches.outerjoin(captures, captures.c.id == fetches.c.capture_id))
        .order_by(fetches.c.id)
    )
    with archive.reading() as conn:
        for row in conn.execution_options(yield_per=_BATCH).execute(query):
            date = row.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            warc_headers = {"WARC-Date": date}
            headers = row.headers or []
            seen = first_seen.get(row.digest or "")
            if seen is None and (row.status == 304 or row.digest is None):
                continue  # a 304 for a body no record carries (logged before its capture)
            if seen is not None:
                uri, ref_date, payload_digest = seen
                record = writer.create_revisit_record(
                    row.url,
                    payload_digest,
                    uri,
                    ref_date,
                    http_headers=_http_headers(row.status, headers, 0),
                    warc_headers_dict=warc_headers,
                )
                if row.status == 304:
                    record.rec_headers.replace_header("WARC-Profile", SERVER_NOT_MODIFIED)
            else:
                body = load_body(conn, row.digest)
                first_seen[row.digest] = (row.url, date, warc_payload_digest(body))
                record = writer.create_warc_record(
                    row.url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=_http_headers(row.status, headers, len(body)),
                    warc_headers_dict=warc_headers,
                )
            writer.write_record(record)
            count += 1
    return count

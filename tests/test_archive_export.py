"""Export (jsonl, csv, warc) and import of WARC files written by another crawler."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, InvalidInputError, UnknownFormatError, queries
from archive.export import export
from archive.warc_import import import_warc
from tests.archive_helpers import ARCHIVE_FIXTURES, ARTICLE_URL, MIRROR_URL, at, page, record

OTHER_WARC = ARCHIVE_FIXTURES / "other_crawler.warc.gz"


def _fill(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0, site="opdc", headers={"Content-Type": "text/html"})
    record(arch, "opdc_v2_sentence.html", 1, site="opdc")
    record(arch, "opdc_v1_noise.html", 2, site="opdc")  # revert of version 1
    record(arch, "mirror_v1.html", 3, url=MIRROR_URL, site="prd")
    record(arch, "opdc_v2_sentence.html", 4, url=MIRROR_URL)  # bytes of capture 2: a revisit
    record(arch, "opdc_404.html", 5, status=404)


def test_jsonl_has_every_version_in_order(arch: Archive) -> None:
    _fill(arch)
    out = io.BytesIO()
    assert export(arch, "jsonl", out) == 5
    rows = [json.loads(line) for line in out.getvalue().decode("utf-8").splitlines()]
    assert [(r["url"], r["version"], r["revert_of"]) for r in rows] == [
        (ARTICLE_URL, 1, None),
        (ARTICLE_URL, 2, None),
        (ARTICLE_URL, 3, 1),
        (MIRROR_URL, 1, None),
        (MIRROR_URL, 2, None),
    ]
    assert rows[0]["site"] == "opdc" and "ป่าดงทำเลดอนใหญ่" in rows[0]["text"]
    assert rows[0]["fetched_at"] == "2020-09-21T03:30:00+00:00"


def test_csv_round_trips_thai_and_newlines(sqlite_arch: Archive) -> None:
    _fill(sqlite_arch)
    out = io.BytesIO()
    assert export(sqlite_arch, "csv", out) == 5
    text = out.getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 5 and rows[1]["version"] == "2"
    assert rows[1]["text"] == queries.get_version(sqlite_arch, 1, 2)["text"]
    assert "\n" in rows[1]["text"]


def test_warc_export_has_revisits_and_imports_back(arch: Archive, tmp_path: Path) -> None:
    _fill(arch)
    arch.record_not_modified(url=MIRROR_URL, fetched_at=at(6))  # a 304
    record(arch, "opdc_v2_sentence.html", 7, url=MIRROR_URL)  # the same bytes again
    path = tmp_path / "out.warc.gz"
    with path.open("wb") as stream:
        assert export(arch, "warc", stream, str(path)) == 9
    with path.open("rb") as stream:
        records = [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                (r.rec_headers.get_header("WARC-Profile") or "").rsplit("/", 1)[-1],
            )
            for r in ArchiveIterator(stream)
        ]
    assert [t for t, _, _ in records] == ["warcinfo", *["response"] * 4, "revisit", "response"] + [
        "revisit"
    ] * 2
    assert [p for _, _, p in records[-2:]] == ["server-not-modified", "identical-payload-digest"]
    assert records[5][1] == records[7][1] == records[8][1] == MIRROR_URL
    with path.open("rb") as stream:
        found = ArchiveIterator(stream)
        assert b"software: opdcwatch" in next(found).content_stream().read()
        first = next(found)
        assert first.http_headers.get_statuscode() == "200"
        assert first.content_stream().read() == page("opdc_v1.html")

    with Archive.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        report = import_warc(copy, path)
        counts = report.counts
        assert (counts["new"], counts["changed"], counts["gone"], counts["skipped"]) == (2, 3, 1, 0)
        assert counts["unchanged"] == 2  # the 304 and the same bytes again, logged as fetches
        original = [(a["url"], a["versions"]) for a in queries.list_articles(arch)]
        assert [(a["url"], a["versions"]) for a in queries.list_articles(copy)] == original
        assert queries.get_article(copy, ARTICLE_URL)["gone_at"] is not None
        with copy.reading() as conn:
            statuses = conn.execute(text("SELECT status FROM fetches ORDER BY id")).scalars()
            assert statuses.all() == [200, 200, 200, 200, 200, 404, 304, 200]


def test_import_of_another_crawlers_warc(arch: Archive) -> None:
    report = import_warc(arch, OTHER_WARC)
    assert report.counts["new"] == 2 and report.counts["changed"] == 1
    assert report.counts["unchanged"] == 1  # the revisit record
    assert report.counts["skipped"] == 3  # robots.txt, the logo, the redirect
    assert report.counts["gone"] == 1 and report.errors == []
    art = queries.get_article(arch, ARTICLE_URL, version=1)
    assert art["fetched_at"] == "2020-09-21T03:30:00+00:00"
    capture = queries.get_capture(arch, queries.get_version(arch, art["id"], 1)["capture_id"])
    assert capture["body"] == page("opdc_v1.html")  # gzip and chunking undone
    assert arch.conditional_headers(ARTICLE_URL) == {"If-None-Match": '"5f6a9d00-2117"'}
    again = import_warc(arch, OTHER_WARC)
    assert (again.counts["new"], again.counts["changed"]) == (0, 0)
    assert [a["versions"] for a in queries.list_articles(arch, site="opdc.go.th")] == [2]


def test_import_refuses_a_file_that_is_not_a_warc(sqlite_arch: Archive) -> None:
    with pytest.raises(InvalidInputError, match="is not a WARC file"):
        import_warc(sqlite_arch, ARCHIVE_FIXTURES / "opdc_v1.html")
    with pytest.raises(InvalidInputError, match="cannot read"):
        import_warc(sqlite_arch, ARCHIVE_FIXTURES / "missing.warc")


def test_unknown_export_format_lists_the_known_ones(sqlite_arch: Archive) -> None:
    with pytest.raises(UnknownFormatError, match="use one of csv, jsonl, warc"):
        export(sqlite_arch, "xml", io.BytesIO())

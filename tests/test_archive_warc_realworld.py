"""Importing real WARCs written by other crawlers (tests/fixtures/realworld/warc).

ClueWeb09's sample has a malformed WARC-Date on every record and a ``Content-Encoding: gzip``
header on plain bodies; Common Crawl's holds spam in half a dozen encodings; warcio's examples
hold a revisit and a chunked body. Each must import sensibly: no record lost to a bad date.
"""

from __future__ import annotations

import gzip
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from archive import Archive, queries
from archive.warc_import import import_warc

WARCS = Path(__file__).resolve().parent / "fixtures" / "realworld" / "warc"
CLUEWEB = WARCS / "chatnoir-resiliparse__clueweb-quirk.warc.gz"


def test_clueweb_bad_warc_date_falls_back_to_the_http_date(sqlite_arch: Archive) -> None:
    assert b"2008-10-294T05:21:46-0700" in gzip.decompress(CLUEWEB.read_bytes())
    report = import_warc(sqlite_arch, CLUEWEB)
    assert report.counts["new"] == 29 and report.counts["errors"] == 0
    assert report.counts["dated by http"] == 29
    assert "29 with a bad WARC-Date dated by the HTTP Date header" in report.summary()
    articles = queries.list_articles(sqlite_arch)
    assert len(articles) == 29
    first = queries.get_article(sqlite_arch, articles[0]["url"])
    assert first["fetched_at"].startswith("2009-01-")  # "Date: Wed, 28 Jan 2009 17:05:56 GMT" ...
    titles = [a["title"] or "" for a in articles]
    assert sum("ヘッドポーター" in t for t in titles) >= 25  # EUC-JP read as Japanese


def test_without_an_http_date_the_file_time_dates_the_record(
    sqlite_arch: Archive, tmp_path: Path
) -> None:
    # The same file with every HTTP Date header renamed (same length: the records stay valid).
    raw = gzip.decompress(CLUEWEB.read_bytes()).replace(b"\nDate: ", b"\nXate: ")
    copy = tmp_path / "clueweb-no-http-date.warc"
    copy.write_bytes(raw)
    moment = datetime(2009, 3, 1, 12, 0, tzinfo=UTC)
    os.utime(copy, (moment.timestamp(), moment.timestamp()))
    report = import_warc(sqlite_arch, copy)
    assert report.counts["new"] == 29 and report.counts["dated by file"] == 29
    article = queries.list_articles(sqlite_arch)[0]
    assert queries.get_article(sqlite_arch, article["url"])["fetched_at"] == (
        "2009-03-01T12:00:00+00:00"
    )


def test_common_crawl_sample_imports_every_page(sqlite_arch: Archive) -> None:
    report = import_warc(sqlite_arch, WARCS / "chatnoir-resiliparse__warcfile.warc.gz")
    assert report.counts["new"] == 16 and report.counts["errors"] == 0
    titles = {a["url"]: a["title"] for a in queries.list_articles(sqlite_arch)}
    assert titles["http://01spb.ru/company/"] == "Стратегия пожарной безопасности"  # windows-1251
    assert titles["http://0755krk.com/76104/list_4_1.html"] == "2018新老藏宝图纪录_主页"  # GBK


def test_revisit_and_chunked_records(sqlite_arch: Archive, tmp_path: Path) -> None:
    report = import_warc(sqlite_arch, WARCS / "warcio__example.warc.gz")
    assert (report.counts["new"], report.counts["unchanged"]) == (1, 1)  # the revisit resolved
    chunked = import_warc(sqlite_arch, WARCS / "warcio__example-iana.org-chunked.warc")
    assert chunked.counts["new"] == 1 and chunked.counts["errors"] == 0
    article = queries.get_article(sqlite_arch, "http://www.iana.org/")
    capture = queries.get_capture(
        sqlite_arch, queries.get_version(sqlite_arch, article["id"], 1)["capture_id"]
    )
    assert capture["body"].lstrip().startswith(b"<!doctype html>") or b"<html" in capture["body"]
    again = import_warc(sqlite_arch, shutil.copy(WARCS / "warcio__example.warc.gz", tmp_path))
    assert again.counts["new"] == 0 and again.counts["changed"] == 0

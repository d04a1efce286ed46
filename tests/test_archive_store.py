"""Recording fetched pages: new / changed / unchanged / gone / revert, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive import Archive, InvalidInputError, NotFoundError, queries
from archive.schema import bodies, captures, versions
from parsers.exceptions import ParseError
from tests.archive_helpers import ARTICLE_URL, MIRROR_URL, at, page, record


def _count(arch: Archive, table) -> int:
    with arch.reading() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_first_fetch_is_new_with_version_one(arch: Archive) -> None:
    result = record(arch, "opdc_v1.html", 0, site="opdc")
    assert (result.outcome, result.version, result.revert_of) == ("new", 1, None)
    art = queries.get_article(arch, result.article_id)
    assert art["title"] == "สำนักงาน ก.พ.ร. ยกระดับมาตรฐานการให้บริการสู่ความเป็นเลิศ"
    assert "ผู้ชม" not in art["text"] and "ข่าวล่าสุด" not in art["text"]
    assert art["site"] == "opdc"
    assert art["first_seen"] == art["last_changed"] == at(0).isoformat()


@pytest.mark.parametrize(
    "noisy",
    ["opdc_v1_noise.html", "opdc_v1_tis620.html"],
    ids=["counter-sidebar-zwsp-moved", "windows-874-without-charset"],
)
def test_raw_html_noise_never_makes_a_version(arch: Archive, noisy: str) -> None:
    record(arch, "opdc_v1.html", 0)
    result = record(arch, noisy, 1)
    assert (result.outcome, result.version) == ("unchanged", 1)
    assert _count(arch, versions) == 1
    assert _count(arch, captures) == 2  # the raw response is still kept
    art = queries.get_article(arch, ARTICLE_URL)
    assert art["last_checked"] == at(1).isoformat()
    assert art["last_changed"] == at(0).isoformat()


def test_edited_sentence_then_title_make_versions(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    second = record(arch, "opdc_v2_sentence.html", 1)
    third = record(arch, "opdc_v3_title.html", 2)
    assert (second.outcome, second.version) == ("changed", 2)
    assert (third.outcome, third.version) == ("changed", 3)
    assert "๕๐ เท่า" in queries.get_version(arch, second.article_id, 2)["text"]
    assert queries.get_version(arch, second.article_id, 1)["text"].count("๗๐ เท่า") == 1
    assert queries.get_article(arch, ARTICLE_URL)["title"].startswith("สำนักงาน ก.พ.ร. พาสื่อมวลชน")
    listed = queries.list_articles(arch)
    assert [(a["id"], a["versions"]) for a in listed] == [(second.article_id, 3)]


def test_flip_back_is_a_revert_of_the_earlier_version(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_v2_sentence.html", 1)
    back = record(arch, "opdc_v1_noise.html", 2)
    assert (back.outcome, back.version, back.revert_of) == ("changed", 3, 1)
    versions_ = queries.list_versions(arch, back.article_id)
    assert [v["revert_of"] for v in versions_] == [None, None, 1]
    assert versions_[0]["content_hash"] == versions_[2]["content_hash"]


def test_same_capture_twice_creates_nothing(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0)
    again = record(arch, "opdc_v1.html", 5)
    assert (again.outcome, again.article_id, again.version) == ("unchanged", first.article_id, 1)
    assert (_count(arch, captures), _count(arch, versions), _count(arch, bodies)) == (1, 1, 1)
    assert queries.get_article(arch, first.article_id)["last_checked"] == at(5).isoformat()


def test_replaying_an_older_fetch_is_not_a_revert(arch: Archive) -> None:
    """Re-running an interrupted ingest (same fetch times) must not add versions."""
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_v1_noise.html", 1)
    record(arch, "opdc_v2_sentence.html", 2)
    for name, hours in [("opdc_v1.html", 0), ("opdc_v1_noise.html", 1)]:
        assert record(arch, name, hours).outcome == "unchanged"
    assert _count(arch, versions) == 2


def test_tracking_parameters_and_fragment_are_the_same_article(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0)
    other = record(
        arch,
        "opdc_v1_noise.html",
        1,
        url="HTTPS://WWW.OPDC.GO.TH:443/content/1200?utm_source=line#top",
    )
    assert other.article_id == first.article_id
    assert queries.get_article(arch, first.article_id)["url"] == ARTICLE_URL


def test_gone_is_marked_never_deleted_and_comes_back(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0)
    gone = record(arch, "opdc_404.html", 1, status=404)
    assert (gone.outcome, gone.article_id, gone.version) == ("gone", first.article_id, 1)
    art = queries.get_article(arch, ARTICLE_URL)
    assert art["gone_at"] == at(1).isoformat() and "ป่าดงทำเลดอนใหญ่" in art["text"]
    assert record(arch, "opdc_404.html", 2, status=410).outcome == "gone"
    assert queries.get_article(arch, ARTICLE_URL)["gone_at"] == at(1).isoformat()
    back = record(arch, "opdc_v1_noise.html", 3)
    assert back.outcome == "unchanged"
    assert queries.get_article(arch, ARTICLE_URL)["gone_at"] is None


def test_gone_for_an_unknown_url_creates_no_article(arch: Archive) -> None:
    result = record(arch, "opdc_404.html", 0, status=404, url="https://www.opdc.go.th/x/1")
    assert result == type(result)("gone", None, None)
    record(arch, "opdc_404.html", 1, status=404, url="https://www.opdc.go.th/x/1")
    assert queries.list_articles(arch) == []
    assert _count(arch, captures) == 1


def test_not_modified_touches_last_checked_only(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0)
    result = arch.record_not_modified(url=ARTICLE_URL, fetched_at=at(4))
    assert (result.outcome, result.article_id, result.version) == ("unchanged", first.article_id, 1)
    assert queries.get_article(arch, ARTICLE_URL)["last_checked"] == at(4).isoformat()
    assert _count(arch, captures) == 1
    with pytest.raises(NotFoundError, match="does not hold"):
        arch.record_not_modified(url="https://www.opdc.go.th/content/404404")


def test_conditional_headers_come_from_the_latest_page_capture(arch: Archive) -> None:
    assert arch.conditional_headers(ARTICLE_URL) == {}
    record(arch, "opdc_v1.html", 0, headers={"ETag": '"v1"', "Content-Type": "text/html"})
    assert arch.conditional_headers(ARTICLE_URL) == {"If-None-Match": '"v1"'}
    lm = "Mon, 21 Sep 2020 05:00:00 GMT"
    record(arch, "opdc_v2_sentence.html", 1, headers={"etag": '"v2"', "last-modified": lm})
    record(arch, "opdc_404.html", 2, status=404, headers={"ETag": '"nf"'})
    assert arch.conditional_headers(ARTICLE_URL + "#x") == {
        "If-None-Match": '"v2"',
        "If-Modified-Since": lm,
    }


def test_capture_keeps_raw_bytes_and_headers(arch: Archive) -> None:
    record(arch, "opdc_v1_tis620.html", 0, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    record(arch, "opdc_v2_sentence.html", 1)
    art = queries.get_article(arch, ARTICLE_URL, version=1)
    cap = queries.get_capture(arch, queries.get_version(arch, art["id"], 1)["capture_id"])
    assert cap["body"] == page("opdc_v1_tis620.html")
    assert cap["headers"] == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    latest = queries.get_version(arch, art["id"], 2)
    assert queries.get_capture(arch, latest["capture_id"])["body"] == page("opdc_v2_sentence.html")


def test_unparseable_page_raises_and_records_nothing(arch: Archive) -> None:
    with pytest.raises(ParseError):
        arch.record_page(
            url=ARTICLE_URL, status=200, headers={}, body=b"\x89PNG\r\n\x1a\n" + bytes(200)
        )
    with pytest.raises(InvalidInputError, match="status 500"):
        record(arch, "opdc_v1.html", 0, status=500)
    with pytest.raises(InvalidInputError, match="not an http"):
        record(arch, "opdc_v1.html", 0, url="ftp://example.org/x")
    assert (_count(arch, captures), _count(arch, bodies)) == (0, 0)


def test_elsewhere_lists_other_sites_with_the_same_content(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0, site="opdc")
    record(arch, "mirror_v1.html", 1, url=MIRROR_URL, site="prd")
    assert queries.get_article(arch, first.article_id)["also_at"] == [MIRROR_URL]
    record(arch, "opdc_v2_sentence.html", 2, site="opdc")
    assert queries.get_article(arch, first.article_id)["also_at"] == []


def test_runs_record_outcome_counts_and_errors(arch: Archive) -> None:
    run_id = arch.start_run("opdc")
    record(arch, "opdc_v1.html", 0, run_id=run_id)
    arch.finish_run(
        run_id,
        outcome="failed",
        counts={"pages": 2, "new": 1},
        errors=["https://www.opdc.go.th/content/9: timeout"],
    )
    (run,) = queries.list_runs(arch, site="opdc")
    assert (run["id"], run["outcome"], run["pages"], run["new"], run["errors"]) == (
        run_id,
        "failed",
        2,
        1,
        1,
    )
    assert run["error_text"].endswith("timeout") and run["finished_at"] is not None
    with pytest.raises(InvalidInputError, match="outcome"):
        arch.finish_run(run_id, outcome="done", counts={})
    with pytest.raises(InvalidInputError, match="count"):
        arch.finish_run(run_id, outcome="ok", counts={"pagez": 1})
    with pytest.raises(NotFoundError):
        arch.finish_run(run_id + 99, outcome="ok", counts={})


def test_lookup_errors_are_clear(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    with pytest.raises(NotFoundError, match="no article with id 42"):
        queries.get_article(arch, "42")
    with pytest.raises(NotFoundError, match="no article with URL"):
        queries.get_article(arch, "https://www.opdc.go.th/content/1")
    with pytest.raises(NotFoundError, match="neither an article id"):
        queries.get_article(arch, "ข่าว")
    with pytest.raises(NotFoundError, match="versions 1-1; there is no version 3"):
        queries.get_article(arch, ARTICLE_URL, version=3)


def test_listing_filters_by_site_and_change_date(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0, site="opdc")
    record(arch, "mirror_v1.html", 30, url=MIRROR_URL, site="prd")
    assert [a["url"] for a in queries.list_articles(arch)] == [MIRROR_URL, ARTICLE_URL]
    assert [a["url"] for a in queries.list_articles(arch, site="opdc")] == [ARTICLE_URL]
    assert [a["url"] for a in queries.list_articles(arch, changed_since=at(1))] == [MIRROR_URL]
    assert len(queries.list_articles(arch, limit=1, offset=1)) == 1


def test_two_writers_finding_the_same_new_article_both_succeed(
    arch: Archive, monkeypatch, caplog
) -> None:
    """The second writer waits (SQLite) or hits the unique key and retries (PostgreSQL)."""
    import threading
    import time

    from archive import recording

    inside, release = threading.Event(), threading.Event()
    original = recording.add_version

    def slow_add_version(*args, **kwargs):
        number = original(*args, **kwargs)
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(10)  # hold the transaction open, uncommitted
        return number

    monkeypatch.setattr(recording, "add_version", slow_add_version)
    caplog.set_level("INFO", logger="archive.store")
    results: dict[str, object] = {}

    def work(name: str, page_name: str, hours: int) -> None:
        try:
            results[name] = record(arch, page_name, hours)
        except Exception as exc:  # reported below, with the thread's name
            results[name] = exc

    first = threading.Thread(target=work, args=("first", "opdc_v1.html", 0), name="first")
    second = threading.Thread(target=work, args=("second", "opdc_v2_sentence.html", 1))
    first.start()
    assert inside.wait(10)
    second.start()
    time.sleep(0.5)  # let the second writer reach the database and block there
    release.set()
    first.join(20)
    second.join(20)
    assert results["first"].outcome == "new", results
    assert (results["second"].outcome, results["second"].version) == ("changed", 2), results
    assert _count(arch, versions) == 2
    if arch.engine.dialect.name == "postgresql":  # SQLite queued the second writer instead
        assert "concurrent write while recording" in caplog.text


def test_scrapy_style_bytes_headers_are_understood(arch: Archive) -> None:
    headers = {b"Content-Type": [b"text/html; charset=utf-8"], b"ETag": [b'"abc"']}
    record(arch, "opdc_v1.html", 0, headers=headers)
    assert arch.conditional_headers(ARTICLE_URL) == {"If-None-Match": '"abc"'}


def test_an_old_capture_recorded_late_never_moves_last_changed_back(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 10)
    late = record(arch, "opdc_v2_sentence.html", 2)  # an older fetch, from a WARC imported now
    assert (late.outcome, late.version) == ("changed", 2)
    art = queries.get_article(arch, ARTICLE_URL)
    assert art["last_changed"] == at(10).isoformat() and art["last_checked"] == at(10).isoformat()
    assert art["fetched_at"] == at(2).isoformat()

"""Removals and restorations: dated events recorded with the fetch that saw them, on SQLite and
PostgreSQL; the known-article view the revisit policy reads; the feed's removal entries; an
archive from before migration 0006 gets its past removals dated."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import bindparam, select, text

from archive import Archive, queries
from archive import migrations as mig
from archive.events import article_history, events_for_runs
from archive.feed import recent_changes, render_atom
from archive.known import known_articles
from archive.schema import UTCDateTime, captures
from tests.archive_helpers import ARTICLE_URL, MIRROR_URL, at, record

HOME = "https://www.opdc.go.th/"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_a_404_is_one_dated_removal_and_later_404s_are_not(arch: Archive) -> None:
    run = arch.start_run("opdc")
    first = record(arch, "opdc_v1.html", 0, site="opdc", run_id=run)
    gone = record(arch, "opdc_404.html", 1, status=404, run_id=run)
    again = record(arch, "opdc_404.html", 2, status=410, run_id=run)
    assert (gone.outcome, gone.event) == ("gone", "removed")
    assert (again.outcome, again.event) == ("gone", None)  # still gone: nothing new to say
    (event,) = article_history(arch, first.article_id)
    assert event["kind"] == "removed" and event["happened_at"] == at(1).isoformat()
    assert (event["status"], event["how"], event["run_id"]) == (404, "HTTP 404", run)
    assert event["title"].startswith("สำนักงาน ก.พ.ร.")


def test_a_redirect_to_the_home_page_is_a_removal_keeping_where_it_went(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0)
    result = arch.record_page(
        url=ARTICLE_URL, status=302, headers={"Location": HOME}, body=b"", fetched_at=at(5)
    )
    assert (result.outcome, result.event, result.version) == ("gone", "removed", 1)
    article = queries.get_article(arch, first.article_id)
    assert article["gone_at"] == at(5).isoformat()
    assert "ป่าดงทำเลดอนใหญ่" in article["text"]  # never deleted
    (event,) = article_history(arch, first.article_id)
    assert (event["status"], event["location"]) == (302, HOME)
    assert event["how"] == f"redirected to {HOME}"
    with arch.reading() as conn:
        statuses = conn.execute(select(captures.c.status).order_by(captures.c.id)).scalars()
        assert list(statuses) == [200, 302]


def test_a_gone_article_that_answers_again_is_restored(arch: Archive) -> None:
    first = record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_404.html", 1, status=404)
    back = record(arch, "opdc_v1_noise.html", 2)  # the same article, new boilerplate
    assert (back.outcome, back.event, back.version) == ("unchanged", "restored", 1)
    record(arch, "opdc_404.html", 3, status=404)
    edited_back = record(arch, "opdc_v2_sentence.html", 4)
    assert (edited_back.outcome, edited_back.event, edited_back.version) == (
        "changed",
        "restored",
        2,
    )
    record(arch, "opdc_404.html", 5, status=404)
    by_304 = arch.record_not_modified(url=ARTICLE_URL, fetched_at=at(6))
    assert (by_304.outcome, by_304.event) == ("unchanged", "restored")
    history = article_history(arch, first.article_id)
    assert [(e["kind"], e["happened_at"]) for e in history] == [
        ("removed", at(1).isoformat()),
        ("restored", at(2).isoformat()),
        ("removed", at(3).isoformat()),
        ("restored", at(4).isoformat()),
        ("removed", at(5).isoformat()),
        ("restored", at(6).isoformat()),
    ]
    assert history[-1]["how"] == "answered again (HTTP 304, unchanged)"
    assert queries.get_article(arch, ARTICLE_URL)["gone_at"] is None
    # the third removal had the very bytes of the first: still a removal of its own
    assert history[4]["status"] == 404


def test_a_replayed_or_older_404_changes_nothing(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_404.html", 2, status=404)
    record(arch, "opdc_v1.html", 3)  # back
    replay = record(arch, "opdc_404.html", 2, status=404)  # the same WARC imported again
    older = record(arch, "opdc_404.html", 1, status=410)  # an answer older than the last check
    assert (replay.event, older.event) == (None, None)
    assert queries.get_article(arch, ARTICLE_URL)["gone_at"] is None
    assert [e["kind"] for e in article_history(arch, replay.article_id)] == [
        "removed",
        "restored",
    ]


def test_runs_list_their_events_and_the_restored_count(arch: Archive) -> None:
    run = arch.start_run("opdc")
    record(arch, "opdc_v1.html", 0, site="opdc", run_id=run)
    second = arch.start_run("opdc")
    record(arch, "opdc_404.html", 1, status=404, run_id=second)
    arch.finish_run(
        second, outcome="failed", counts={"gone": 1, "restored": 0}, unreachable="timeout"
    )
    found = events_for_runs(arch, [run, second])
    assert list(found) == [second] and found[second][0]["url"] == ARTICLE_URL
    latest = queries.list_runs(arch, site="opdc")[0]
    assert (latest["gone"], latest["restored"], latest["unreachable"]) == (1, 0, "timeout")


def test_articles_gone_lists_the_removed_ones_latest_first(arch: Archive) -> None:
    other = "https://www.opdc.go.th/content/1201"
    record(arch, "opdc_v1.html", 0)
    record(arch, "mirror_v1.html", 0, url=other)
    record(arch, "opdc_v2_sentence.html", 1, url="https://www.opdc.go.th/content/1202")
    record(arch, "opdc_404.html", 2, status=404)
    record(arch, "opdc_404.html", 3, status=404, url=other)
    gone = queries.list_articles(arch, gone=True)
    assert [a["url"] for a in gone] == [other, ARTICLE_URL]
    assert gone[0]["gone_at"] == at(3).isoformat()
    present = queries.list_articles(arch, gone=False)
    assert [a["url"] for a in present] == ["https://www.opdc.go.th/content/1202"]


def test_known_articles_give_the_policy_its_dates(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0, site="opdc")
    record(arch, "opdc_v2_sentence.html", 3)
    record(arch, "opdc_404.html", 5, status=404)
    record(arch, "mirror_v1.html", 0, url="https://www.prd.go.th/x/1", site="prd")
    (known,) = known_articles(arch, "opdc")
    assert known.url == ARTICLE_URL and known.version_count == 2
    assert (known.first_seen, known.last_changed, known.last_checked) == (at(0), at(3), at(5))
    assert known.gone_at == at(5)
    assert known_articles(arch, "nowhere") == []


def test_the_feed_reports_removals_and_restorations_with_stable_ids(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_404.html", 1, status=404)
    record(arch, "opdc_v1.html", 2)
    changes = recent_changes(arch)
    assert [(c.get("event"), c["version"]) for c in changes] == [
        ("restored", 1),
        ("removed", 1),
        (None, 1),
    ]
    root = ET.fromstring(render_atom(changes).encode())
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0].startswith("[กลับมา (restored)] สำนักงาน ก.พ.ร.")
    assert titles[1].startswith("[ถูกลบ (removed)] สำนักงาน ก.พ.ร.")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3 and "/removed/" in ids[1]
    assert entries[1].findtext(f"{ATOM}summary") == f"removed on {at(1):%Y-%m-%d}: HTTP 404"
    assert render_atom(recent_changes(arch)) == render_atom(changes)  # same archive, same feed


@pytest.fixture
def registry_before_0006():
    saved = dict(mig.MIGRATIONS)
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update({k: v for k, v in saved.items() if k < "0006"})
    yield saved
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(saved)


def test_an_archive_from_before_0006_gets_its_removals_dated(
    archive_url: str, registry_before_0006: dict
) -> None:
    when = bindparam("at", type_=UTCDateTime)
    with Archive.open(archive_url) as old:
        with old.writing() as conn:  # today's recorder logs its fetches; the old schema did not
            mig.run_ddl(conn, "0009_fetch_log")
        record(old, "opdc_v1.html", 0, site="opdc")
        record(old, "mirror_v1.html", 0, url=MIRROR_URL)  # stores a body to answer the 404 with
        with old.writing() as conn:  # what an older opdcwatch recorded for a 404
            conn.execute(
                text(
                    "INSERT INTO runs (site_id, started_at, pages, new, changed, unchanged, "
                    "gone, errors) VALUES (1, :at, 1, 0, 0, 0, 1, 0)"
                ).bindparams(when),
                {"at": at(7)},
            )
            conn.execute(
                text(
                    "INSERT INTO captures (article_id, url, fetched_at, status, headers, digest, "
                    "run_id) SELECT 1, :url, :at, 404, headers, digest, 1 FROM captures "
                    "WHERE article_id = 2"
                ).bindparams(when),
                {"at": at(7), "url": ARTICLE_URL},
            )
            conn.execute(
                text(
                    "UPDATE articles SET gone_at = :at, last_checked = :at WHERE id = 1"
                ).bindparams(when),
                {"at": at(7)},
            )
            conn.execute(text("DROP TABLE fetches"))
    mig.MIGRATIONS.update(registry_before_0006)
    with Archive.open(archive_url) as arch:
        (event,) = article_history(arch, 1)
        assert (event["kind"], event["happened_at"]) == ("removed", at(7).isoformat())
        assert (event["status"], event["run_id"], event["how"]) == (404, 1, "HTTP 404")
        assert queries.list_runs(arch)[0]["restored"] == 0
        with arch.reading() as conn:  # 0009 starts the fetch log with the three captures
            logged = conn.execute(text("SELECT status FROM fetches ORDER BY id")).scalars()
            assert logged.all() == [200, 200, 404]
        assert record(arch, "opdc_v1.html", 8).event == "restored"

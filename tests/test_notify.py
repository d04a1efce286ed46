"""Notifications (crawler/monitor/notify.py): the message of a run, its diff excerpt, and delivery
through apprise to a json:// endpoint on 127.0.0.1 that the test starts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.diff import word_diff
from archive.store import Archive
from crawler.config import load_config
from crawler.monitor import notify
from crawler.monitor.health import HealthWarning
from crawler.monitor.notify import ChangedArticle, Delivery
from tests.scheduler_helpers import NotificationSink

HERE = Path(__file__).parent / "fixtures" / "scheduler"
CONFIG = load_config(env={}, cwd=HERE).notify
TITLE = "สำนักงาน ก.พ.ร. ร่วมกับหน่วยงานรัฐจัดเวทีโชว์ผลงานบริการประชาชน"


def _ops(old: str, new: str) -> list[dict]:
    return [op.to_dict() for op in word_diff(old, new)]


def test_excerpt_marks_the_changed_thai_words_with_context():
    old = (HERE / "notify" / "old.txt").read_text(encoding="utf-8")
    new = (HERE / "notify" / "new.txt").read_text(encoding="utf-8")
    excerpt = notify.excerpt_from_ops(_ops(old, new), 4)
    assert "[-7-]{+8+}" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert "ครั้งที่ [-7-]{+8+} ภายใต้" in excerpt
    assert len(excerpt) < 120


def test_excerpt_counts_further_changes_and_is_none_without_change():
    ops = _ops("ก.พ.ร. จัดงาน ครั้งที่ 7 ณ นนทบุรี\n", "ก.พ.ร. จัดงาน ครั้งที่ 8 ณ ปทุมธานี\n")
    assert notify.excerpt_from_ops(ops, 6) == "ก.พ.ร. จัดงาน ครั้งที่ [-7-]{+8+} ณ (+1 more)"
    # pythainlp segments ครั้งที่ as two words: two words of context start mid-sentence
    assert notify.excerpt_from_ops(ops, 2) == "…ครั้งที่ [-7-]{+8+} ณ (+1 more)"
    assert notify.excerpt_from_ops(_ops("เหมือนเดิม", "เหมือนเดิม"), 3) is None


def test_message_lists_new_and_changed_articles_and_warnings():
    changes = [
        ChangedArticle(1, 1, "http://127.0.0.1/content.php?content_id=1", TITLE),
        ChangedArticle(
            2,
            2,
            "http://127.0.0.1/content.php?content_id=2",
            "ข่าว <b>ก.พ.ร.</b>",
            "ครั้งที่ [-7-]{+8+} ภายใต้",
        ),
        ChangedArticle(3, 3, "http://127.0.0.1/content.php?content_id=3", None, None, 1),
    ]
    warnings = [
        HealthWarning("opdc-news", "no-articles", "ไม่พบข่าว: the latest crawl found no article", 9)
    ]
    title, body = notify.build_message("opdc-news", changes, warnings, CONFIG)
    assert title == (
        "opdcwatch opdc-news: 1 ใหม่ (new), 2 แก้ไข (changed), 1 คำเตือน (health warning)"
    )
    assert body.splitlines() == [
        "ใหม่ (new):",
        f"- {TITLE}",
        "  http://127.0.0.1/content.php?content_id=1",
        "",
        "แก้ไข (changed):",
        "- ข่าว <b>ก.พ.ร.</b> (v2)",
        "  http://127.0.0.1/content.php?content_id=2",
        "  ครั้งที่ [-7-]{+8+} ภายใต้",
        "- http://127.0.0.1/content.php?content_id=3 (v3, back to v1)",
        "  http://127.0.0.1/content.php?content_id=3",
        "",
        "คำเตือน (health warning):",
        "! [no-articles] ไม่พบข่าว: the latest crawl found no article",
    ]
    assert notify.build_message("opdc-news", [], [], CONFIG) is None


def test_a_long_run_is_cut_to_max_items(tmp_path):
    (tmp_path / "opdcwatch.toml").write_text("[notify]\nmax_items = 2\n", encoding="utf-8")
    config = load_config(env={}, cwd=tmp_path).notify
    changes = [ChangedArticle(i, 1, f"http://127.0.0.1/{i}", f"ข่าวที่ {i}") for i in range(5)]
    _, body = notify.build_message("okmass", changes, [], config)
    assert "ข่าวที่ 1" in body and "ข่าวที่ 2" not in body
    assert "… and 3 more (opdcwatch articles --site okmass)" in body


def test_send_delivers_thai_intact_and_records_a_failing_notifier_without_raising():
    with NotificationSink() as sink:
        deliveries = notify.send(
            f"opdcwatch: {TITLE}",
            f"- {TITLE}\n  ครั้งที่ [-7-]{{+8+}}",
            [sink.url, sink.failing_url, "json://127.0.0.1:1/closed", "nonsense://x"],
        )
        (message,) = sink.received()
    assert message["title"] == f"opdcwatch: {TITLE}"
    assert message["message"] == f"- {TITLE}\n  ครั้งที่ [-7-]{{+8+}}"
    ok, failing, closed, invalid = deliveries
    assert ok.ok and ok.error is None and ok.target.startswith("json://127.0.0.1:")
    assert not failing.ok and failing.error and "/fail" in failing.target
    assert not closed.ok and "onnection" in closed.error
    assert invalid == Delivery("nonsense://…", False, "not a valid apprise URL")


def test_deliveries_are_recorded_beside_their_run(tmp_path):
    with Archive.open(f"sqlite:///{tmp_path / 'a.db'}") as archive:
        run_id = archive.start_run("opdc-news")
        with archive.writing() as conn:
            notify.record_deliveries(
                conn,
                "opdc-news",
                run_id,
                [
                    Delivery("json://127.0.0.1:9/hook", True),
                    Delivery("mailto://…", False, "authentication failed"),
                ],
                now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
            )
        with archive.reading() as conn:
            found = notify.deliveries_for_runs(conn, [run_id, run_id + 1])
    assert found == {
        run_id: [
            Delivery("json://127.0.0.1:9/hook", True),
            Delivery("mailto://…", False, "authentication failed"),
        ]
    }


def test_deliveries_of_an_archive_without_the_table_are_none(tmp_path):
    with Archive.open(f"sqlite:///{tmp_path / 'a.db'}") as archive, archive.reading() as conn:
        assert notify.deliveries_for_runs(conn, [1]) == {}


PORTAL_URL = "http://127.0.0.1:8000/news/{}.html"


def _record_portal(archive: Archive, run_id: int, folder: str, *numbers: int) -> None:
    """Record the redesigned portal's saved pages ``numbers`` (``before`` or ``after``)."""
    for n in numbers:
        archive.record_page(
            url=PORTAL_URL.format(n),
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            site="prnews",
            body=(HERE / "redesign" / folder / f"{n}.html").read_bytes(),
            run_id=run_id,
        )


@pytest.mark.parametrize("context", [4, 12])
def test_run_changes_reads_what_a_run_archived(tmp_path, context):
    url = PORTAL_URL
    with Archive.open(f"sqlite:///{tmp_path / 'a.db'}") as archive:
        first = archive.start_run("prnews")
        _record_portal(archive, first, "before", 1, 2)
        second = archive.start_run("prnews")
        _record_portal(archive, second, "after", 2)
        _record_portal(archive, second, "before", 3)
        with archive.reading() as conn:
            assert [c.url for c in notify.run_changes(conn, first)] == [
                url.format(1),
                url.format(2),
            ]
            changed, new = notify.run_changes(conn, second, context_words=context)
    assert (changed.version, changed.is_new, new.version, new.is_new) == (2, False, 1, True)
    assert changed.title == TITLE and new.excerpt is None
    assert changed.excerpt.startswith(TITLE[:10]) or changed.excerpt.startswith("…")
    # the redesign cut the body to its teaser: a long deletion, shown cut to MAX_CHANGE_WORDS
    assert "ก.พ.ร.[- จัดงานมหกรรมงานบริการภาครัฐ ครั้งที่ 7" in changed.excerpt
    deleted = changed.excerpt.split("[-", 1)[1].split("-]", 1)[0]
    assert deleted.endswith("…") and len(deleted) < 300


def test_message_reports_removed_and_restored_articles_with_their_date(tmp_path):
    url = PORTAL_URL
    with Archive.open(f"sqlite:///{tmp_path / 'a.db'}") as archive:
        first = archive.start_run("prnews")
        _record_portal(archive, first, "before", 1, 2, 3)
        second = archive.start_run("prnews")
        when = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)  # after the first crawl
        archive.record_page(
            url=url.format(1), status=404, headers={}, body=b"", run_id=second, fetched_at=when
        )
        home = "http://127.0.0.1:8000/"
        archive.record_page(
            url=url.format(2),
            status=301,
            headers={"Location": home},
            body=b"",
            run_id=second,
            fetched_at=when,
        )
        third = archive.start_run("prnews")
        archive.record_not_modified(url=url.format(1), fetched_at=when, run_id=third)
        with archive.reading() as conn:
            removed = notify.run_events(conn, second)
            restored = notify.run_events(conn, third)
            assert notify.run_events(conn, first) == []
    title, body = notify.build_message("prnews", [], [], CONFIG, removed)
    day = f"{when:%Y-%m-%d}"
    assert title == "opdcwatch prnews: 2 ถูกลบ (removed)"
    assert body.splitlines() == [
        "ถูกลบ (removed):",
        f"- {removed[0]['title']} ({day}, HTTP 404)",
        f"  {url.format(1)}",
        f"- {removed[1]['title']} ({day}, redirected to {home})",
        f"  {url.format(2)}",
    ]
    title, body = notify.build_message("prnews", [], [], CONFIG, restored)
    assert title == "opdcwatch prnews: 1 กลับมา (restored)"
    assert f"- {removed[0]['title']} ({day}, answered again (HTTP 304, unchanged))" in body
    assert removed[0]["title"].startswith("สำนักงาน ก.พ.ร.")  # the Thai title, kept

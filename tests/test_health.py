"""Health rules over run histories (tests/fixtures/scheduler/health/*.json), and over a real
archive whose pages were recorded from the redesigned portal's saved pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.config import load_config
from crawler.monitor import health
from crawler.monitor.health import BodyRecord, RunRecord, SiteHistory

CASES = sorted((Path(__file__).parent / "fixtures" / "scheduler" / "health").glob("*.json"))
PORTAL = Path(__file__).parent / "fixtures" / "scheduler" / "redesign"
CONFIG = load_config(env={}, cwd=Path(__file__).parent).health


def _history(case: dict) -> SiteHistory:
    runs = [RunRecord.from_mapping(r) for r in case["runs"]]
    bodies = {
        int(run_id): [BodyRecord(int(run_id), chars, prev) for chars, prev in rows]
        for run_id, rows in case["bodies"].items()
    }
    return SiteHistory(
        "opdc-news", runs, bodies, case["interval"], dt.datetime.fromisoformat(case["now"])
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rules_on_recorded_histories(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    warnings = health.check_site(_history(case), CONFIG)
    assert [w.rule for w in warnings] == case["expect"], case["note"]
    for warning in warnings:
        assert warning.site == "opdc-news" and warning.message
        assert warning.run_id == case["runs"][0]["id"] or warning.rule == "failing"


def test_failing_names_the_last_error_in_one_line():
    case = json.loads((CASES[0].parent / "failing-three.json").read_text(encoding="utf-8"))
    (warning,) = health.check_site(_history(case), CONFIG)
    assert warning.message.startswith("3 crawls in a row failed; the last one: crawl process")
    assert "\n" not in warning.message


def test_thresholds_come_from_the_config(tmp_path):
    case = json.loads((CASES[0].parent / "failing-two-then-ok.json").read_text(encoding="utf-8"))
    (tmp_path / "opdcwatch.toml").write_text("[health]\nfailures_in_a_row = 2\n", "utf-8")
    strict = load_config(env={}, cwd=tmp_path).health
    assert [w.rule for w in health.check_site(_history(case), strict)] == ["failing"]


def test_a_warning_is_new_only_with_the_run_that_raised_it():
    case = json.loads((CASES[0].parent / "emptied-bodies.json").read_text(encoding="utf-8"))
    history = _history(case)
    assert [w.rule for w in health.new_warnings(history, CONFIG)] == ["empty-bodies"]
    later = RunRecord(4, "opdc-news", history.now, history.now, "ok", 3, 0, 0, 3)
    persisting = SiteHistory("opdc-news", [later, *history.runs], history.bodies, None, history.now)
    assert health.check_site(persisting, CONFIG)[0].rule == "empty-bodies"
    assert health.new_warnings(persisting, CONFIG) == []


def test_unknown_rule_and_duplicate_registration_are_errors():
    history = SiteHistory("x", [])
    with pytest.raises(ValueError, match="unknown health rule 'nope'"):
        health.check_site(history, CONFIG, ["nope"])
    with pytest.raises(ValueError, match="declared twice"):
        health.rule("failing")(lambda h, c: None)


def _record(archive: Archive, run_id: int, folder: str, when: dt.datetime) -> None:
    for n in (1, 2, 3):
        archive.record_page(
            url=f"http://127.0.0.1:8000/news/{n}.html",
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=(PORTAL / folder / f"{n}.html").read_bytes(),
            site="prnews",
            fetched_at=when,
            run_id=run_id,
        )


def test_load_history_measures_the_bodies_each_run_archived(tmp_path):
    now = dt.datetime.now(dt.UTC)
    with Archive.open(f"sqlite:///{tmp_path / 'a.db'}") as archive:
        first = archive.start_run("prnews")
        _record(archive, first, "before", now - dt.timedelta(minutes=5))
        archive.finish_run(first, outcome="ok", counts={"pages": 4, "new": 3})
        history = health.load_history(archive, "prnews", CONFIG)
        assert health.check_site(history, CONFIG) == []
        second = archive.start_run("prnews")
        _record(archive, second, "after", now)
        archive.finish_run(second, outcome="ok", counts={"pages": 4, "changed": 3})
        history = health.load_history(archive, "prnews", CONFIG)
    assert [r.id for r in history.runs] == [second, first]
    assert sorted(b.chars for b in history.bodies[first]) == [1141, 2915, 2978]
    emptied = history.bodies[second]
    assert all(b.chars < 100 and b.previous_chars > 1000 for b in emptied)
    (warning,) = health.check_site(history, CONFIG)
    assert warning.rule == "empty-bodies" and warning.run_id == second
    assert warning.message.startswith("3 of 3 articles archived by the latest crawl")


def test_unreachable_names_the_error_and_what_to_check():
    case = json.loads((CASES[0].parent / "unreachable-never.json").read_text(encoding="utf-8"))
    (warning,) = health.check_site(_history(case), CONFIG)
    assert warning.message == (
        "unreachable (DNS): the site has never answered (1 crawl): http://www.opdc.go.thh/: "
        "DNS lookup failed: no results for hostname lookup: www.opdc.go.thh; is the host name "
        "right, and does it still exist?"
    )
    case = json.loads(
        (CASES[0].parent / "unreachable-after-working.json").read_text(encoding="utf-8")
    )
    (warning,) = health.new_warnings(_history(case), CONFIG)
    assert warning.message.startswith(
        "unreachable (timeout): the site gave no answer in its last 2 crawls: "
    )

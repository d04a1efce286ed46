"""The progress line and the runner's in-process pieces: settings layers, job dirs, summary."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import progress, runner
from crawler.constants import STATS_PREFIX
from crawler.exceptions import SettingError
from crawler.progress import ProgressLine
from tests.unit.scrapy_helpers import OPDC, make_spider


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_off_off_a_terminal_or_when_switched_off(monkeypatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with pytest.raises(NotConfigured):
        ProgressLine.from_crawler(make_spider().crawler)
    monkeypatch.setattr("sys.stderr", _Terminal())
    with pytest.raises(NotConfigured):
        ProgressLine.from_crawler(make_spider(OPDCWATCH_PROGRESS=False).crawler)


def test_progress_rewrites_one_line_and_clears_it_at_the_end(monkeypatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    clock = task.Clock()  # the line is redrawn on the clock's ticks, no reactor involved

    class _Loop(task.LoopingCall):
        def __init__(self, f) -> None:
            super().__init__(f)
            self.clock = clock

    monkeypatch.setattr(progress.task, "LoopingCall", _Loop)
    spider = make_spider(OPDCWATCH_PROGRESS_INTERVAL=2.0)
    line = ProgressLine.from_crawler(spider.crawler)
    line.spider_opened(spider)
    spider.crawler.stats.inc_value(f"{STATS_PREFIX}pages", 12)
    spider.crawler.stats.inc_value(f"{STATS_PREFIX}new", 3)
    clock.advance(2.0)
    line.spider_closed(spider, "finished")
    drawn = terminal.getvalue().split("\r\x1b[K")
    assert (
        drawn[1]
        == "opdc-news: pages 0, new 0, changed 0, unchanged 0, gone 0, restored 0, errors 0"
    )
    assert drawn[2].startswith("opdc-news: pages 12, new 3, changed 0")
    assert drawn[-1] == "" and not line.loop.running


def test_settings_are_layered_defaults_profile_then_command_line(tmp_path: Path) -> None:
    overrides = runner.parse_setting_overrides(["DOWNLOAD_DELAY=0", "USER_AGENT=ทดสอบ/1.0"])
    assert overrides == {"DOWNLOAD_DELAY": 0, "USER_AGENT": "ทดสอบ/1.0"}
    settings = runner.build_settings(OPDC, overrides, jobdir=tmp_path, log_level="INFO")
    assert settings.get("USER_AGENT") == "ทดสอบ/1.0"
    assert settings.getfloat("DOWNLOAD_DELAY") == settings.getfloat("OPDCWATCH_MIN_DOWNLOAD_DELAY")
    assert settings.get("JOBDIR") == str(tmp_path)
    profile_delay = runner.build_settings(OPDC, {}, jobdir=None, log_level="INFO")
    assert profile_delay.getfloat("DOWNLOAD_DELAY") == 2.0  # opdc-news.toml [settings]


def test_zero_delays_of_download_slots_are_raised_too() -> None:
    overrides = {"DOWNLOAD_SLOTS": {"www.opdc.go.th": {"delay": 0}, "b": {"delay": 5}}}
    settings = runner.build_settings(OPDC, overrides, jobdir=None, log_level="INFO")
    slots = settings.getdict("DOWNLOAD_SLOTS")
    assert slots["www.opdc.go.th"]["delay"] == settings.getfloat("OPDCWATCH_MIN_DOWNLOAD_DELAY")
    assert slots["b"]["delay"] == 5


@pytest.mark.parametrize("pair", ["DOWNLOAD_DELAY", "=1"])
def test_a_bad_setting_override_is_a_setting_error(pair: str) -> None:
    with pytest.raises(SettingError, match="NAME=VALUE"):
        runner.parse_setting_overrides([pair])


def test_jobdirs_live_beside_a_sqlite_archive_and_start_empty(tmp_path: Path) -> None:
    root = runner.jobs_root_for(f"sqlite:///{tmp_path / 'archive.db'}")
    assert root == tmp_path.resolve() / "jobs"
    jobdir = runner.prepare_jobdir(root, "opdc-news", resume=False)
    (jobdir / "requests.queue").write_text("x")
    assert runner.prepare_jobdir(root, "opdc-news", resume=True) == jobdir
    assert (jobdir / "requests.queue").exists()
    runner.prepare_jobdir(root, "opdc-news", resume=False)
    assert not (jobdir / "requests.queue").exists()
    assert runner.prepare_jobdir(root, "ryt9", resume=True).is_dir()


def _summary() -> runner.CrawlSummary:
    events = [
        {
            "kind": "removed",
            "happened_at": f"2024-03-{day:02d}T09:00:00",
            "url": f"u{day}",
            "how": "404",
        }
        for day in range(1, 25)
    ]
    ok = runner.SiteResult(
        "opdc-news",
        "ok",
        counts={"pages": 10, "new": 2, "gone": 24},
        events=events,
        revisits={"known": 90, "due": 40, "requested": 15},
    )
    failed = runner.SiteResult(
        "ryt9", "failed", failure="every start request failed: x", unreachable="DNS"
    )
    return runner.CrawlSummary([ok, failed])


def test_the_summary_names_each_site_its_removals_and_a_total() -> None:
    summary = _summary()
    lines = summary.lines()
    assert lines[0].startswith("opdc-news: pages 10, new 2, changed 0")
    assert "… and" in "\n".join(lines) and "revisited 15 of 40 known articles due" in "\n".join(
        lines
    )
    assert lines[-1].startswith("total: pages 10") and lines[-1].endswith(
        "(failed); filtered 0, skipped 0, rebaselined 0"
    )
    assert summary.problems() == ["ryt9: unreachable (DNS): every start request failed: x"]
    again = runner.CrawlSummary.from_dict(summary.to_dict())
    assert again.lines() == lines and again.outcome == "failed"
    import json

    stdout = f"scrapy noise\n{runner.SUMMARY_MARKER}{json.dumps(summary.to_dict())}\n"
    found = runner._find_summary(stdout)
    assert found is not None and found.lines() == lines
    assert runner._find_summary("a child that died before its summary\n") is None


def test_quiet_logging_keeps_scrapy_records_off_the_terminal(tmp_path: Path) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log_file = tmp_path / "crawl.log"
    try:
        with runner.quiet_logging(str(log_file)):
            logging.getLogger("scrapy.core.engine").warning("scrapy noise")
            logging.getLogger("crawler.spiders.site").warning("ข่าว: cannot parse")
            logging.getLogger("crawler.pipelines").info("run 1 started")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert stream.getvalue().splitlines() == ["ข่าว: cannot parse"]
    written = log_file.read_text(encoding="utf-8")
    assert "scrapy noise" in written and "run 1 started" in written

"""A cluster for real: ``opdcwatch schedule run --broker`` and ``opdcwatch worker`` processes
over Redis (and RabbitMQ) and one PostgreSQL archive, crawling replica sites on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.store import Archive
from crawler.config import load_config
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.monitor.queue import CrawlQueue
from crawler.profiles import load_profile
from tests.cli_helpers import opdcwatch
from tests.cluster_helpers import WorkerProcess, broker, drop_queue, write_config, write_profile
from tests.scheduler_helpers import DaemonProcess, crawl_children, list_runs, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SITES = ("agency-a", "agency-b", "agency-c")


@pytest.fixture
def redis_url() -> str:
    return broker("redis")


def _versions(db_url: str) -> dict[str, int]:
    with Archive.open(db_url) as archive, archive.reading() as conn:
        rows = conn.execute(
            text(
                "SELECT s.name, count(v.id) FROM versions v JOIN articles a ON a.id = v.article_id "
                "JOIN sites s ON s.id = a.site_id GROUP BY s.name"
            )
        ).all()
    return dict(rows)


def _ok_runs(db_url: str, site: str | None = None) -> list[dict]:
    return [r for r in list_runs(db_url, site) if r["outcome"] == "ok"]


def _workers(tmp_path: Path, url: str, db_url: str, config: Path, n: int) -> list[WorkerProcess]:
    workers = [WorkerProcess(tmp_path, f"worker{i}", url, db_url, config) for i in range(n)]
    wait_for(lambda: all(w.name for w in workers), 60, "the workers to be ready")
    return workers


def test_two_workers_crawl_what_the_scheduler_queues_and_the_commands_work_the_same(
    tmp_path, postgres_url, redis_url
):
    config = write_config(tmp_path)
    servers = [ReplicaServer(ReplicaSite(6, specials=False, latency=0.05)).start() for _ in SITES]
    profiles = [write_profile(tmp_path, s.base_url, n) for s, n in zip(servers, SITES, strict=True)]
    Archive.open(postgres_url).close()
    workers = _workers(tmp_path, redis_url, postgres_url, config, 2)
    args = [*SITES, "--db", postgres_url, "--config", str(config), "--broker", redis_url]
    for profile in profiles:
        args += ["--profile", str(profile)]
    daemon = DaemonProcess(args, tmp_path / "daemon.log", cwd=tmp_path)
    try:
        # one site asked for twice more while its first crawl is queued: still one crawl
        queue = CrawlQueue(redis_url, load_config(config).cluster)
        for _ in range(2):
            queue.enqueue(load_profile(profiles[0]), scheduled=False)
        wait_for(lambda: len(_ok_runs(postgres_url)) >= 3, 90, "a crawl of every site")
        time.sleep(2)  # a duplicate crawl, if any, would have started by now
        runs = list_runs(postgres_url)
        assert sorted(r["site"] for r in runs) == sorted(SITES), runs
        assert {r["worker"] for r in runs} == {w.name for w in workers}  # both took crawls
        assert _versions(postgres_url) == dict.fromkeys(SITES, 6)
        for server in servers:  # crawled once, politely: its cap of 2 requests in flight
            stats = server.site.stats()  # (the replica may count one early under heavy load)
            assert stats["hits"]["/robots.txt"] == 1
            assert stats["max_in_flight"] <= 3

        db = ["--db", postgres_url, "--config", str(config)]
        assert opdcwatch("schedule", "run-now", SITES[1], *db).returncode == 0
        wait_for(lambda: len(_ok_runs(postgres_url, SITES[1])) == 2, 60, "the run-now crawl")
        assert _ok_runs(postgres_url, SITES[1])[0]["unchanged"] == 6
        assert opdcwatch("schedule", "pause", SITES[2], *db).returncode == 0
        listed = json.loads(opdcwatch("schedule", "list", "--json", *db).stdout)
        paused = {s["site"]: s["paused"] for s in listed["sites"]}
        assert paused == {SITES[0]: False, SITES[1]: False, SITES[2]: True}
        assert opdcwatch("schedule", "resume", SITES[2], *db).returncode == 0
        health = opdcwatch("health", *db)
        assert health.returncode == 0, health.stdout + health.stderr
        table = opdcwatch("runs", "--db", postgres_url)
        assert table.stdout.splitlines()[0].split()[-1] == "worker"
        assert workers[0].name in table.stdout or workers[1].name in table.stdout

        from archive.web import create_app

        app = create_app(postgres_url)
        try:
            page = app.test_client().get("/").get_data(as_text=True)
        finally:
            app.extensions["opdcwatch"].archive.close()
        assert all(name in page for name in SITES)
        assert "by opdcwatch-" in page
    finally:
        assert daemon.stop() == 0, daemon.log
        for worker in workers:
            assert worker.stop() == 0, worker.log
        for server in servers:
            server.stop()
        drop_queue(redis_url, config)
    assert "delivered before" not in "".join(w.log for w in workers)


def _started(run: dict) -> float:
    """Seconds since the run started."""
    return (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(run["started_at"])).total_seconds()


@pytest.mark.parametrize("kind", ["redis", "amqp"])
def test_the_crawl_of_a_killed_worker_is_run_again_by_another_and_completes(
    tmp_path, postgres_url, kind
):
    url = broker(kind)
    config = write_config(tmp_path)
    # on Redis the crawl must outlast the visibility timeout and a sweep before the kill
    latency = 0.7 if kind == "redis" else 0.35
    server = ReplicaServer(ReplicaSite(12, specials=False, latency=latency)).start()
    profile = write_profile(tmp_path, server.base_url, "agency")
    Archive.open(postgres_url).close()
    workers = _workers(tmp_path, url, postgres_url, config, 2)
    try:
        CrawlQueue(url, load_config(config).cluster).enqueue(load_profile(profile), scheduled=True)
        # on Redis, past the visibility timeout (3 s) and a sweep (1 s): the crawl keeps its
        # message; RabbitMQ has no timeout
        wait = 4.5 if kind == "redis" else 0
        running = wait_for(
            lambda: [
                r
                for r in list_runs(postgres_url)
                if _started(r) > wait and _versions(postgres_url).get("agency")
            ],
            60,
            "a crawl under way",
        )[0]
        doomed = next(w for w in workers if w.name == running["worker"])
        survivor = next(w for w in workers if w is not doomed)
        for pid in [doomed.proc.pid, *crawl_children(postgres_url)]:  # the machine is lost
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        done = wait_for(lambda: _ok_runs(postgres_url), 60, "the crawl to be run again")
        recovered = time.monotonic() - killed_at
    finally:
        doomed.kill()
        assert survivor.stop() == 0, survivor.log
        server.stop()
        drop_queue(url, config)
    print(f"\n{kind}: the killed worker's crawl ran again and completed in {recovered:.1f} s")
    (again,) = done
    first = next(r for r in list_runs(postgres_url) if r["id"] == running["id"])
    assert again["worker"] == survivor.name and again["id"] > first["id"]
    assert first["outcome"] == "failed" and doomed.name in first["error_text"]
    assert _versions(postgres_url) == {"agency": 12}  # nothing lost, nothing twice
    assert again["new"] + again["unchanged"] == 12
    # RabbitMQ hands the message on when the connection drops; Redis after the visibility
    # timeout (3 s here), found by a sweep every second; then a crawl of 4 to 7 s
    assert recovered < 40, recovered
    # no crawl's message came back while its worker lived, though the crawls ran past 3 s
    assert survivor.log.count("delivered before") == 1
    assert "another worker is crawling it" not in survivor.log

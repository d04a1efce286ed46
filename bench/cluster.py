"""Cluster benchmark: 40 replica sites crawled by 1, 2 and 4 ``opdcwatch worker`` processes.

Run by hand: ``.venv/bin/python bench/cluster.py [--sites 40] [--workers 1,2,4]``. It needs
Redis (or RabbitMQ: ``--broker amqp://…``) and PostgreSQL on 127.0.0.1 (``scripts/services.sh``).
It serves the replica sites in a child process (``python -m crawler.demo --sites N``), every
answer waiting ``--latency`` seconds (0.2: a distant, polite, I/O-bound crawl: one request in
flight per site, DOWNLOAD_DELAY 0.2). For each worker count, on a fresh PostgreSQL archive and
a queue of its own, it starts the workers (one crawl at a time each), queues one crawl per site
as ``schedule run --broker`` does, and times until every site has a finished run.

It prints, per worker count: the wall time, the speed-up against 1 worker measured in the same
run (goal: >= 1.8x with 2, >= 3x with 4), the CPU time per crawl (workers and their crawl
processes), and the ceiling both share, the machine's cores: the CPU time of all crawls over
the cores is the least wall time any number of workers can reach. Also the load one crawl puts
on the broker (Redis commands and bytes) and on PostgreSQL (transactions, rows, connections),
the figures docs/scaling.md builds on.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILE = """\
name = "${name}"
start_urls = ["${base}news.php?page=1"]
allowed_domains = ["127.0.0.1"]
follow = ['news\\.php\\?page=\\d+']
articles = ['content\\.php\\?content_id=\\d+']
max_pages = 1000

[settings]
DOWNLOAD_DELAY = ${delay}
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = false
OPDCWATCH_ROBOTS_SITEMAPS = false
"""
CONFIG = """\
[scheduler]
crawl_timeout = "20m"
[cluster]
queue = "${queue}"
"""
IDLE_SAMPLE = 10.0  # seconds of idle workers, to tell their polling from a crawl's traffic
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_STATS = (
    "SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, "
    "blks_read + blks_hit FROM pg_stat_database WHERE datname = current_database()"
)


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _redis_stats(url: str) -> tuple[int, int, int] | None:
    """(commands, bytes in, bytes out) the Redis server handled so far; None for RabbitMQ."""
    if not url.startswith("redis"):
        return None
    import redis

    info = redis.Redis.from_url(url).info("all")
    calls = sum(v["calls"] for k, v in info.items() if k.startswith("cmdstat_"))
    return calls, info["total_net_input_bytes"], info["total_net_output_bytes"]


class Database:
    """A fresh PostgreSQL database for one round, dropped afterwards."""

    def __init__(self) -> None:
        import psycopg

        self.name = f"opdcwatch_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.name}"
        self.dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={self.name}"

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    def connections(self) -> int:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.name,)
            ).fetchone()
        return int(row[0])

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _start_worker(folder: Path, broker: str, db: Database, config: Path, n: int):
    log = (folder / f"worker{n}.log").open("wb")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("opdcwatch")),
            "worker",
            "--broker",
            broker,
            "--db",
            db.url,
            "--config",
            str(config),
            "--concurrency",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
        env=dict(os.environ, PYTHAINLP_OFFLINE="1"),
    )
    return proc, folder / f"worker{n}.log"


def _finished(db: Database) -> int:
    try:
        return int(db.query("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")[0][0])
    except Exception:  # the workers have not migrated the database yet
        return 0


def one_round(workers: int, sites: list[Path], broker: str, folder: Path) -> dict:
    """Crawl every site once with ``workers`` worker processes; return the figures."""
    from crawler.config import load_config
    from crawler.monitor.queue import CrawlQueue
    from crawler.profiles import load_profile

    db = Database()
    round_dir = folder / f"w{workers}"
    round_dir.mkdir()
    config = round_dir / "cluster.toml"
    config.write_text(CONFIG.replace("${queue}", f"bench-{uuid.uuid4().hex[:8]}"), "utf-8")
    cpu_before = _cpu_children()
    procs = [_start_worker(round_dir, broker, db, config, n) for n in range(workers)]
    try:
        deadline = time.monotonic() + 120
        while not all("ready: taking crawls" in log.read_text() for _, log in procs):
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start: see " + str(round_dir))
            time.sleep(0.2)
        queue = CrawlQueue(broker, load_config(config).cluster)
        stats_before = db.query(PG_STATS)[0]
        size_before = db.query("SELECT pg_database_size(current_database())")[0][0]
        redis_before = _redis_stats(broker)
        started = time.monotonic()
        for path in sites:
            queue.enqueue(load_profile(path), scheduled=False)
        peak_connections = 0
        while _finished(db) < len(sites):
            peak_connections = max(peak_connections, db.connections())
            time.sleep(0.5)
        wall = time.monotonic() - started
        stats_after = db.query(PG_STATS)[0]
        redis_after = _redis_stats(broker)
        time.sleep(IDLE_SAMPLE)  # the workers idle: what they ask of the broker while waiting
        redis_idle = _redis_stats(broker)
        runs = db.query("SELECT outcome, count(*), sum(new), sum(pages) FROM runs GROUP BY outcome")
        size = db.query("SELECT pg_database_size(current_database())")[0][0]
    finally:
        for proc, _ in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in procs:
            proc.wait(timeout=120)
        db.drop()
    pg = [after - before for before, after in zip(stats_before, stats_after, strict=True)]
    return {
        "workers": workers,
        "wall": wall,
        "cpu": _cpu_children() - cpu_before,
        "runs": {outcome: (n, new, pages) for outcome, n, new, pages in runs},
        "pg": pg,
        "db_bytes": size - size_before,
        "peak_connections": peak_connections,
        "redis": _delta(redis_before, redis_after),
        "redis_idle": _delta(redis_after, redis_idle),
    }


def _delta(before: tuple | None, after: tuple | None) -> list[float] | None:
    if before is None or after is None:
        return None
    return [a - b for b, a in zip(before, after, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--articles", type=int, default=10, help="articles per site")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.demo",
            "--sites",
            str(args.sites),
            "--articles",
            str(args.articles),
            "--latency",
            str(args.latency),
            "--no-specials",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    results = []
    try:
        bases = [server.stdout.readline().strip() for _ in range(args.sites)]
        with tempfile.TemporaryDirectory(prefix="opdcwatch-bench-") as tmp:
            folder = Path(tmp)
            sites = []
            for i, base in enumerate(bases):
                path = folder / f"site{i:02d}.toml"
                text = PROFILE.replace("${base}", base).replace("${name}", f"agency-{i:02d}")
                path.write_text(text.replace("${delay}", str(args.latency)), "utf-8")
                sites.append(path)
            for workers in counts:
                result = one_round(workers, sites, args.broker, folder)
                results.append(result)
                print(f"{workers} worker(s): {result['wall']:.1f} s", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    report(results, args, os.cpu_count() or 1)


def report(results: list[dict], args: argparse.Namespace, cores: int) -> None:
    base = results[0]
    n = args.sites
    print(
        f"\n{n} replica sites x {args.articles} articles, {args.latency:.1f} s per answer, "
        f"one request in flight per site; broker {args.broker.split('://')[0]}; {cores} cores"
    )
    print("workers  wall      speed-up  CPU/crawl  CPU-bound floor  runs")
    for r in results:
        floor = r["cpu"] / cores
        runs = ", ".join(f"{k} {v[0]}" for k, v in sorted(r["runs"].items()))
        print(
            f"{r['workers']:>7}  {r['wall']:6.1f} s  {base['wall'] / r['wall']:5.2f}x    "
            f"{r['cpu'] / n:5.2f} s    {floor:6.1f} s         {runs}"
        )
    print("(goal: >= 1.8x with 2 workers, >= 3x with 4; the floor is CPU time / cores)")
    last = results[-1]
    xacts, ins, upd, dele, fetched, blocks = (v / n for v in last["pg"])
    pages = sum(v[2] or 0 for v in last["runs"].values()) / n
    print(f"\nload per crawl ({pages:.0f} pages, {args.articles} articles new):")
    print(
        f"  PostgreSQL: {xacts:.0f} transactions, {ins:.0f} rows inserted, {upd:.0f} updated, "
        f"{dele:.0f} deleted, {fetched:.0f} fetched, {blocks:.0f} buffer reads; "
        f"{last['db_bytes'] / n / 1024:.0f} KiB of archive; peak "
        f"{last['peak_connections']} connections for {last['workers']} workers"
    )
    if last["redis"] is not None:
        calls, bytes_in, bytes_out = (v / n for v in last["redis"])
        idle = [v / IDLE_SAMPLE / last["workers"] for v in last["redis_idle"]]
        print(
            f"  Redis: {calls:.0f} commands, {bytes_in / 1024:.1f} KiB in, "
            f"{bytes_out / 1024:.1f} KiB out, the workers' polling while it ran included; "
            f"an idle worker: {idle[0]:.1f} commands/s, {idle[1] + idle[2]:.0f} bytes/s"
        )


if __name__ == "__main__":
    main()

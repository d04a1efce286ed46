"""Rendering benchmark: pages built by JavaScript through Chromium, beside plain HTTP.

Run by hand: ``.venv/bin/python bench/render.py [--articles 30] [--concurrency 1 4]``.
Needs Debian's ``/usr/bin/chromium`` and ``opdcwatch[render]``. In one run, against one
server (the JavaScript replica, :mod:`crawler.demo.jsapp`, in a process of its own):

1. ``opdcwatch crawl`` of its article pages with a profile without ``[render]``: plain HTTP,
   each page fetched and parsed (each is a shell: "no article", as a plain crawl finds);
2. the same pages with a ``[render]`` table: each tried plain, then rendered by Chromium
   (scrapy-playwright) and archived; once per ``--concurrency`` level (pages at once).

Each crawl is a child ``opdcwatch crawl`` process. Measured: wall time from start to exit
(so a rendered crawl pays for starting its browser), CPU time (user + system) of the crawl
and every process under it (the playwright driver, Chromium's processes), and, sampled every
0.2 s, the peak memory of the crawl's own process and of the processes under it (the
browser: RSS summed over them, and PSS, which shares their common pages out). A 1-page crawl
of each kind measures the start-up (process, Scrapy, the browser), so the per-page figures
leave it out.
Printed: pages/s with and beyond the start-up, CPU ms a page beyond it and its ratio to plain
HTTP's, the start-up's CPU, peak memory.
No delay, no AutoThrottle, robots.txt obeyed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
OPDCWATCH = Path(sys.executable).with_name("opdcwatch")
FAST = (
    "AUTOTHROTTLE_ENABLED=false",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS=16",
    "OPDCWATCH_ROBOTS_SITEMAPS=false",
)
RENDER = """
[render]
articles = ['/app/news/\\d+']
wait_for = "article .body p"
timeout = 30
"""
SAMPLE_EVERY = 0.2


def profile_text(base: str, articles: int, render: bool) -> str:
    starts = ", ".join(f'"{base}app/news/{n}"' for n in range(1, articles + 1))
    text = (
        'name = "bench-render"\n'
        f"start_urls = [{starts}]\n"
        'allowed_domains = ["127.0.0.1"]\n'
        "articles = ['/app/news/\\d+']\n"
        f"max_pages = {articles + 10}\n"
    )
    return text + (RENDER if render else "")


def descendants(root: int) -> list[int]:
    """Every process under ``root`` (not root itself), from /proc's parent links."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """RSS and PSS of these processes, summed, in kB (a process gone meanwhile counts 0)."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss, pss


def crawl(profile: Path, db: str, concurrency: int, env: dict[str, str]) -> dict[str, Any]:
    """Run one ``opdcwatch crawl`` and measure it (see the module docstring)."""
    args = [str(OPDCWATCH), "crawl", "bench-render", "--profile", str(profile), "--db", db]
    for setting in (*FAST, f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"):
        args += ["-s", setting]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    peak = {"rss": 0, "pss": 0, "processes": 0, "crawler_rss": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_EVERY):
            pids = descendants(proc.pid)
            rss, pss = memory_kb(pids)
            if rss > peak["rss"]:
                peak.update(rss=rss, pss=pss, processes=len(pids))
            peak["crawler_rss"] = max(peak["crawler_rss"], memory_kb([proc.pid])[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}): {err.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "summary": out.strip(), **peak}


def per_page(run: dict[str, Any], start: dict[str, Any], pages: int) -> tuple[float, float]:
    """Pages/s and CPU ms a page beyond start-up: the N-page crawl less the 1-page one."""
    extra = pages - 1
    return extra / max(run["wall"] - start["wall"], 1e-9), (
        run["cpu"] - start["cpu"]
    ) / extra * 1000


def row(label: str, pages: int, runs: dict[str, Any], plain: dict[str, Any] | None) -> str:
    run, start = runs["all"], runs["one"]
    rate, cpu_ms = per_page(run, start, pages)
    ratio = f"{cpu_ms / per_page(plain['all'], plain['one'], pages)[1]:5.1f}x" if plain else "    -"
    return (
        f"{label:<22} {pages / run['wall']:7.2f} {rate:7.2f} {cpu_ms:9.1f} {ratio} "
        f"{start['cpu']:7.2f} {run['crawler_rss'] / 1024:9.0f} {run['rss'] / 1024:11.0f} "
        f"{run['pss'] / 1024:11.0f} {run['processes']:6d}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30, help="pages per crawl (30)")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 4], help="pages at once (1 4)"
    )
    args = parser.parse_args()
    if not Path("/usr/bin/chromium").exists():
        raise SystemExit("bench/render.py: no /usr/bin/chromium (apt-get install chromium)")
    env = dict(os.environ, PYTHAINLP_OFFLINE="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo.jsapp", "--articles", str(args.articles)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        base = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
            folder = Path(tmp)
            results = []
            for label, render, concurrency in [
                ("plain HTTP", False, max(args.concurrency)),
                *((f"rendered, {c} at once", True, c) for c in args.concurrency),
            ]:
                runs = {}
                for key, pages in (("one", 1), ("all", args.articles)):
                    name = f"{len(results)}-{key}"
                    profile = folder / f"{name}.toml"
                    profile.write_text(profile_text(base, pages, render), encoding="utf-8")
                    db = f"sqlite:///{folder / f'{name}.db'}"
                    runs[key] = crawl(profile, db, concurrency, env)
                    print(f"{label}, {pages} pages: {runs[key]['summary']}", file=sys.stderr)
                results.append((label, runs))
    finally:
        server.terminate()
        server.wait(timeout=10)
    plain = results[0][1]
    print(
        f"{args.articles} pages of the JavaScript replica, one crawl each (and a 1-page crawl "
        "for the start-up); 'all': pages/s with the start-up, 'more': beyond it; CPU ms a page "
        "beyond the start-up, its ratio to plain HTTP's, and the start-up's CPU s; memory: "
        "peak MB"
    )
    print(
        f"{'':<22} {'all/s':>7} {'more/s':>7} {'CPU ms/pg':>9} {'ratio':>6} {'start s':>7} "
        f"{'crawl RSS':>9} {'browser RSS':>11} {'browser PSS':>11} {'procs':>6}"
    )
    for label, run in results:
        print(row(label, args.articles, run, None if run is plain else plain))


if __name__ == "__main__":
    main()

"""Crawl benchmark: opdcwatch's full pipeline against a bare Scrapy spider, on a fast server.

Run by hand: ``.venv/bin/python bench/crawl.py [--articles 2000] [--rounds 2] [--before DIR]``.
Needs nginx (``apt-get install nginx-light``). In one run, against one server:

0. the replica's portal layout (:mod:`crawler.demo.portal`: 36-52 KB Thai articles with a
   mega-menu of ~100 links, a 10-item sidebar, inline CSS and scripts; 20 per listing page)
   is written out as files (:mod:`crawler.demo.static`) and served by nginx, whose ceiling on
   those pages is measured first (``bench/static_server.py``): it must be far above what
   the crawlers ask, or the crawlers' ratio says nothing about opdcwatch's own cost;
1. a bare Scrapy spider that follows the same links and only downloads (the baseline), then
   again with ``If-None-Match`` / ``If-Modified-Since`` on every article (2,000 × 304);
2. ``opdcwatch``'s full pipeline (spider -> parsers -> archive, SQLite in a temp folder),
   the same code path as ``opdcwatch crawl``, then the unchanged re-crawl;
3. with ``--before DIR`` (a source tree of another opdcwatch, e.g. ``git archive main``
   unpacked), step 2 again with that tree's code: before and after in the same run;
4. opdcwatch's own work per article page without Scrapy (parse + links, archive, a 304),
   for each tree, from the files.

Each crawl runs in a child process of its own that measures wall time, CPU time (user +
system, every thread) and the time its threads waited for a CPU, from the moment the crawl
starts until it ends, imports done; ``--rounds N`` keeps the fastest of N runs of each.
Printed: pages/s and CPU ms per page of each, the ratios against bare Scrapy (goals: first
crawl >= 60 %, re-crawl >= 90 %), and the own work (goal: about 3 ms a page). Concurrency 16,
no delay, no AutoThrottle, robots.txt obeyed, in all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
# bench/archive.py would shadow the archive package: the code comes from PYTHONPATH or ROOT
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
FAST = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
}
PROFILE = """\
name = "bench"
start_urls = ["${base}news.php?page=1"]
allowed_domains = ["127.0.0.1"]
follow = ['news\\.php\\?page=\\d+']
articles = ['content\\.php\\?content_id=\\d+']
max_pages = 100000
"""
LISTING = r"news\.php\?page=\d+"
ARTICLE = r"content\.php\?content_id=\d+"


def cpu_wait() -> float:
    """Seconds this process's threads have waited, runnable, for a CPU (Linux; else 0).

    On a machine shared with other work this shows how much of a crawl's wall time was
    someone else's: pages/s then understate, CPU ms per page does not.
    """
    total = 0
    for stat in Path("/proc/self/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


class Measured:
    """Wall time, CPU time (user + system, all threads) and CPU wait of a block."""

    def __enter__(self) -> Measured:
        self.wall, self.cpu, self.wait = time.monotonic(), time.process_time(), cpu_wait()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.monotonic() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.wait = cpu_wait() - self.wait

    def figures(self) -> dict[str, float]:
        return {"wall": self.wall, "cpu": self.cpu, "wait": self.wait}


def bare_crawl(base_url: str, validators_file: str, conditional: bool) -> dict[str, Any]:
    """The baseline: download the pages the full crawl downloads, do nothing with them.

    Links are found with parsel (Scrapy's own), matched against the profile's patterns and
    canonicalised (tracking parameters dropped) as the full crawl does, so both fetch the
    same pages. The first pass keeps each article's validators in ``validators_file``; a
    ``conditional`` pass sends them back, as opdcwatch's re-crawl does.
    """
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    from parsers.urls import canonical_url

    listing, article = re.compile(LISTING), re.compile(ARTICLE)
    validators: dict[str, dict[str, str]] = {}
    if conditional:
        validators = json.loads(Path(validators_file).read_text(encoding="utf-8"))
    result: dict[str, Any] = {}

    class BareSpider(scrapy.Spider):
        name = "bare"
        allowed_domains: ClassVar[list[str]] = ["127.0.0.1"]  # the share buttons link off-site
        start_urls: ClassVar[list[str]] = [base_url + "news.php?page=1"]
        custom_settings: ClassVar[dict] = {**FAST, "ROBOTSTXT_OBEY": True}

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.seen: set[str] = set()

        def articles(self, response):
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if article.search(url):
                    url = canonical_url(url)
                    if url not in self.seen:
                        self.seen.add(url)
                        yield scrapy.Request(
                            url,
                            callback=self.parse_article,
                            headers=validators.get(url),
                            meta={"handle_httpstatus_list": [304]},
                        )

        def parse(self, response):  # the same trap rule: stop at a page with nothing new
            requests = list(self.articles(response))
            yield from requests
            if requests:
                for href in response.css("a::attr(href)").getall():
                    url = response.urljoin(href)
                    if listing.search(url):
                        yield scrapy.Request(canonical_url(url), callback=self.parse)

        def parse_article(self, response):
            if response.status == 304:
                return
            if not conditional:
                validators[response.url] = {
                    "If-None-Match": response.headers.get("ETag", b"").decode(),
                    "If-Modified-Since": response.headers.get("Last-Modified", b"").decode(),
                }
            yield from self.articles(response)  # links found here count as seen, as there

        def closed(self, reason):
            stats = self.crawler.stats
            result["pages"] = stats.get_value("downloader/response_count", 0)
            result["bytes"] = stats.get_value("downloader/response_bytes", 0)
            result["not_modified"] = stats.get_value("downloader/response_status_count/304", 0)

    process = CrawlerProcess({"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False})
    process.crawl(BareSpider)
    with Measured() as measured:
        process.start()
    result.update(measured.figures())
    if not conditional:
        Path(validators_file).write_text(json.dumps(validators), encoding="utf-8")
    return result


def full_crawl(profile: str, db_url: str) -> dict[str, Any]:
    """opdcwatch's crawl as ``opdcwatch crawl --profile P`` runs it, in this process."""
    import logging

    import crawler
    import crawler.spiders.site  # imported before the clock starts, like Scrapy for the bare
    from archive import Archive
    from crawler.profiles import load_registry, select_profiles
    from crawler.runner import run_crawl

    logging.basicConfig(level=logging.WARNING)
    profiles = select_profiles(load_registry([profile], None), ["bench"])
    archive = Archive.open(db_url)
    with Measured() as measured:
        summary = run_crawl(profiles, archive, db_url=db_url, overrides=FAST)
    archive.close()
    site = summary.sites[0]
    return {
        "pages": site.responses,
        "bytes": site.response_bytes,
        "not_modified": site.not_modified,
        "counts": site.counts,
        **measured.figures(),
        "code": str(Path(crawler.__file__).parent.parent),
    }


def own_work(profile_path: str, site_dir: str, base_url: str, db_url: str) -> dict[str, Any]:
    """opdcwatch's own work per article page, without Scrapy: parse + links, then archive.

    The exported pages are read from disk and go through what the spider and the pipeline
    call (a tree from before the LinkSorter: ``parse_bytes`` and Scrapy's selectors for the
    links, as its spider did), then the unchanged re-crawl's work per page (validators and a
    304 recorded).
    """
    from datetime import UTC, datetime

    from archive import Archive
    from crawler.profiles import load_registry, select_profiles

    profile = select_profiles(load_registry([profile_path], None), ["bench"])[0]
    headers = {"Content-Type": "text/html; charset=utf-8", "ETag": '"e"'}
    try:
        from crawler.links import LinkSorter
        from parsers import parse_page

        sorter = LinkSorter(profile)

        def read(url: str, body: bytes) -> Any:
            page = parse_page(body, url=url, content_type=headers["Content-Type"])
            sorter.sort(url, page.links)
            return page.article

    except ImportError:
        from urllib.parse import urljoin

        import parsel

        from parsers import parse_bytes
        from parsers.urls import canonical_url

        def read(url: str, body: bytes) -> Any:
            article = parse_bytes(body, url=url, content_type=headers["Content-Type"])
            for href in parsel.Selector(text=body.decode()).css("a::attr(href)").getall():
                link = canonical_url(urljoin(url, href.strip()))
                profile.is_article(link) or profile.is_listing(link)
            return article

    pages = [
        (f"{base_url}content.php?content_id={path.stem}", path.read_bytes())
        for path in sorted(Path(site_dir, "content").iterdir())
    ]
    archive = Archive.open(db_url)
    run = archive.start_run("bench")
    parse_cpu = store_cpu = 0.0
    for url, body in pages:
        started = time.process_time()
        article = read(url, body)
        parsed = time.process_time()
        archive.record_page(
            url=url, status=200, headers=headers, body=body, site="bench", run_id=run,
            fetched_at=datetime.now(UTC), article=article,
        )  # fmt: skip
        parse_cpu += parsed - started
        store_cpu += time.process_time() - parsed
    with Measured() as again:
        for url, _ in pages:
            archive.conditional_headers(url)
            archive.record_not_modified(url=url, fetched_at=datetime.now(UTC), run_id=run)
    archive.close()
    n = len(pages)
    return {
        "parse_ms": 1000 * parse_cpu / n,
        "archive_ms": 1000 * store_cpu / n,
        "not_modified_ms": 1000 * again.cpu / n,
    }


def child(mode: str, args: list[str], tree: Path | None = None) -> dict[str, Any]:
    """Run one crawl in a fresh process (a reactor cannot restart); ``tree``: code to use."""
    env = dict(os.environ, PYTHAINLP_OFFLINE="1", PYTHONPATH=str(tree or ROOT))
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated runs (the one least disturbed by other work on the machine)."""
    return min(runs, key=lambda run: run["wall"])


def _row(label: str, run: dict[str, Any], bare: dict[str, Any]) -> str:
    rate, bare_rate = run["pages"] / run["wall"], bare["pages"] / bare["wall"]
    cpu_ms = 1000 * run["cpu"] / run["pages"]
    own = cpu_ms - 1000 * bare["cpu"] / bare["pages"]
    return (
        f"  {label:<24} {run['pages']:>5} pages in {run['wall']:5.1f} s = {rate:4.0f} pages/s "
        f"({rate / bare_rate:4.0%} of bare), CPU {cpu_ms:5.2f} ms/page"
        + (f" ({own:+.2f} vs bare)" if run is not bare else "")
        + f", waited {run['wait']:.1f} s for a CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument(
        "--before", type=Path, metavar="DIR", help="also measure the opdcwatch source tree DIR"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run every crawl N times, keep the fastest"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "bare":
            result = bare_crawl(rest[0], rest[1], rest[2] == "conditional")
        elif mode == "own":
            result = own_work(*rest)
        else:
            result = full_crawl(rest[0], rest[1])
        print(json.dumps(result))
        return

    sys.path.insert(0, str(ROOT))
    from bench.static_server import Nginx, free_port, measure_ceiling
    from crawler.demo.site import ReplicaSite
    from crawler.demo.static import export_static

    trees: list[tuple[str, Path | None]] = [("after", None)]
    if args.before:
        trees.insert(0, ("before", args.before.resolve()))
    runs: dict[str, list[dict[str, Any]]] = {}
    own: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="opdcwatch-bench-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # nginx's workers (nobody) read the site below it
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        site = ReplicaSite(args.articles, per_page=args.per_page, specials=False, layout="portal")
        counts = export_static(site, folder / "site", base)
        sizes = [p.stat().st_size for p in (folder / "site" / "content").iterdir()]
        profile = folder / "bench.toml"
        profile.write_text(PROFILE.replace("${base}", base), encoding="utf-8")
        validators = str(folder / "validators.json")
        with Nginx(folder / "site", folder / "nginx", port):
            ceiling = measure_ceiling(port, [a.path for a in site.articles()])
            for round_ in range(args.rounds):
                runs.setdefault("bare", []).append(child("bare", [base, validators, "first"]))
                runs.setdefault("bare again", []).append(
                    child("bare", [base, validators, "conditional"])
                )
                for label, tree in trees:
                    db = f"sqlite:///{folder / f'{label}-{round_}.db'}"
                    runs.setdefault(label, []).append(child("full", [str(profile), db], tree))
                    runs.setdefault(f"{label} again", []).append(
                        child("full", [str(profile), db], tree)
                    )
        for label, tree in trees:
            db = f"sqlite:///{folder / f'{label}-own.db'}"
            own[label] = child("own", [str(profile), str(folder / "site"), base, db], tree)
    best = {label: _best(found) for label, found in runs.items()}
    print(
        f"site: {counts['articles']} articles of {min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f}"
        f" KB (mean {sum(sizes) / len(sizes) / 1024:.0f} KB), {counts['listings']} listing pages;"
        f" best of {args.rounds} round(s)"
    )
    print(
        f"server ceiling (nginx, 16 keep-alive connections, article pages): "
        f"{ceiling['requests_per_s']:.0f} requests/s, {ceiling['mb_per_s']:.0f} MB/s"
    )
    print("first crawl:")
    print(_row("bare Scrapy (baseline)", best["bare"], best["bare"]))
    for label, _ in trees:
        run = best[label]
        print(_row(f"opdcwatch {label}", run, best["bare"]) + f", counts {run['counts']}")
    print("unchanged re-crawl (conditional requests):")
    print(_row("bare Scrapy (baseline)", best["bare again"], best["bare again"]))
    for label, _ in trees:
        first, again = best[label], best[f"{label} again"]
        articles = sum(again["counts"].get(k, 0) for k in ("new", "changed", "unchanged"))
        print(
            _row(f"opdcwatch {label}", again, best["bare again"])
            + f", 304 for {again['not_modified']}/{articles} articles, "
            f"{again['bytes'] / first['bytes']:.1%} of the first crawl's bytes"
        )
    print("opdcwatch's own CPU per article page, no Scrapy (the pages read from disk):")
    for label, tree in trees:
        work = own[label]
        print(
            f"  {label:<8} parse + links {work['parse_ms']:.2f} ms, archive "
            f"{work['archive_ms']:.2f} ms: {work['parse_ms'] + work['archive_ms']:.2f} ms; a 304 "
            f"re-fetch {work['not_modified_ms']:.2f} ms   (code: {tree or ROOT})"
        )
    print(
        "goals: first crawl >= 60 % of bare Scrapy's pages/s (stretch 80 %), parse + links +"
        " archive about 3 ms a page; re-crawl >= 90 % of bare Scrapy's"
    )


if __name__ == "__main__":
    main()

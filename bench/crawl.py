"""Crawl benchmark: opdcwatch's full pipeline against a bare Scrapy spider, on a fast server.

Run by hand: ``.venv/bin/python bench/crawl.py [--articles 2000] [--before DIR]``. Needs
nginx (``apt-get install nginx-light``). In one run, against one server:

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
   unpacked), step 2 again with that tree's code: before and after in the same run.

Each crawl runs in a child process of its own that measures wall time and CPU time (user +
system, every thread) from the moment the crawl starts until it ends, imports done. Printed:
pages/s and CPU ms per page of each, the ratios against bare Scrapy (goals: first crawl
>= 60 %, re-crawl >= 90 %), and opdcwatch's own CPU per page (full minus bare: the parse,
the links and the archive; goal about 3 ms). Concurrency 16, no delay, no AutoThrottle,
robots.txt obeyed, in all of them.
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
    wall, cpu = time.monotonic(), time.process_time()
    process.start()
    result["wall"], result["cpu"] = time.monotonic() - wall, time.process_time() - cpu
    if not conditional:
        Path(validators_file).write_text(json.dumps(validators), encoding="utf-8")
    return result


def full_crawl(profile: str, db_url: str) -> dict[str, Any]:
    """opdcwatch's crawl as ``opdcwatch crawl --profile P`` runs it, in this process."""
    import logging

    import crawler
    from archive import Archive
    from crawler.profiles import load_registry, select_profiles
    from crawler.runner import run_crawl

    logging.basicConfig(level=logging.WARNING)
    profiles = select_profiles(load_registry([profile], None), ["bench"])
    archive = Archive.open(db_url)
    wall, cpu = time.monotonic(), time.process_time()
    summary = run_crawl(profiles, archive, db_url=db_url, overrides=FAST)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    archive.close()
    site = summary.sites[0]
    return {
        "pages": site.responses,
        "bytes": site.response_bytes,
        "not_modified": site.not_modified,
        "counts": site.counts,
        "wall": wall,
        "cpu": cpu,
        "code": str(Path(crawler.__file__).parent.parent),
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


def _row(label: str, run: dict[str, Any], bare: dict[str, Any]) -> str:
    rate, bare_rate = run["pages"] / run["wall"], bare["pages"] / bare["wall"]
    cpu_ms = 1000 * run["cpu"] / run["pages"]
    own = cpu_ms - 1000 * bare["cpu"] / bare["pages"]
    return (
        f"  {label:<22} {run['pages']:>5} pages in {run['wall']:5.1f} s = {rate:5.0f} pages/s "
        f"({rate / bare_rate:4.0%} of bare), CPU {cpu_ms:5.2f} ms/page"
        + (f" (+{own:.2f} over bare)" if run is not bare else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument(
        "--before", type=Path, metavar="DIR", help="also measure the opdcwatch source tree DIR"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "bare":
            result = bare_crawl(rest[0], rest[1], rest[2] == "conditional")
        else:
            result = full_crawl(rest[0], rest[1])
        print(json.dumps(result))
        return

    sys.path.insert(0, str(ROOT))
    from bench.static_server import Nginx, free_port, measure_ceiling
    from crawler.demo.site import ReplicaSite
    from crawler.demo.static import export_static

    trees = [("after (this tree)", None)]
    if args.before:
        trees.insert(0, (f"before ({args.before})", args.before.resolve()))
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
        article_paths = [a.path for a in site.articles()]
        with Nginx(folder / "site", folder / "nginx", port):
            ceiling = measure_ceiling(port, article_paths)
            bare = child("bare", [base, validators, "first"])
            bare_again = child("bare", [base, validators, "conditional"])
            full = {}
            for label, tree in trees:
                db = f"sqlite:///{folder / (str(len(full)) + '.db')}"
                first = child("full", [str(profile), db], tree)
                again = child("full", [str(profile), db], tree)
                full[label] = (first, again)
    print(
        f"site: {counts['articles']} articles of {min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f}"
        f" KB (mean {sum(sizes) / len(sizes) / 1024:.0f} KB), {counts['listings']} listing pages"
    )
    print(
        f"server ceiling (nginx, 16 keep-alive connections, article pages): "
        f"{ceiling['requests_per_s']:.0f} requests/s, {ceiling['mb_per_s']:.0f} MB/s"
    )
    print("first crawl:")
    print(_row("bare Scrapy (baseline)", bare, bare))
    for label, (first, _) in full.items():
        print(_row(f"opdcwatch {label.split()[0]}", first, bare) + f", counts {first['counts']}")
    print("unchanged re-crawl (conditional requests):")
    print(_row("bare Scrapy (baseline)", bare_again, bare_again))
    for label, (first, again) in full.items():
        articles = sum(again["counts"].get(k, 0) for k in ("new", "changed", "unchanged"))
        print(
            _row(f"opdcwatch {label.split()[0]}", again, bare_again)
            + f", 304 for {again['not_modified']}/{articles} articles, "
            f"{again['bytes'] / first['bytes']:.1%} of the first crawl's bytes"
        )
    print(
        "goals: first crawl >= 60 % of bare Scrapy's pages/s (stretch 80 %), opdcwatch's own CPU"
        " about 3 ms a page; re-crawl >= 90 % of bare Scrapy's"
    )
    for label, (first, _) in full.items():
        print(f"  {label}: code from {first['code']}")


if __name__ == "__main__":
    main()

"""Crawl benchmark: the full pipeline against a bare Scrapy spider, and the 304 re-crawl.

Run by hand: ``.venv/bin/python bench/crawl.py [--articles 2000]``. It serves a replica of
N articles in a child process (``python -m crawler.demo --no-specials``), then, in the same
run and against the same server:

1. a bare Scrapy spider that follows the same links and only downloads (the baseline);
2. ``opdcwatch``'s full pipeline (spider -> parsers -> archive, SQLite in a temp folder);
3. the full pipeline again on the unchanged site (conditional requests).

It prints pages/s of 2 against 1 (goal >= 50 %), and for 3 the share of article requests that
got a 304 (goal >= 90 %) and the bytes downloaded against 2 (goal <= 10 %). AutoThrottle is
off and DOWNLOAD_DELAY is 0 in all three, so the server is the same bottleneck for each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

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


def bare_crawl(base_url: str) -> dict:
    """The baseline, run in its own process: download the same pages, do nothing with them."""
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    from parsers.urls import canonical_url  # the same URLs as the full crawl, tracking-free

    listing, article = re.compile(LISTING), re.compile(ARTICLE)
    result: dict = {}

    class BareSpider(scrapy.Spider):
        name = "bare"
        # the share buttons link off-site; the full crawl drops those links too
        allowed_domains: ClassVar[list[str]] = ["127.0.0.1"]
        start_urls: ClassVar[list[str]] = [base_url + "news.php?page=1"]
        custom_settings: ClassVar[dict] = {**FAST, "ROBOTSTXT_OBEY": True}

        def parse(self, response):  # the same trap rule: stop at a page with nothing new
            fresh = False
            for href in response.css("a::attr(href)").getall():
                url = canonical_url(response.urljoin(href))
                if article.search(url) and url not in self.seen:
                    self.seen.add(url)
                    fresh = True
                    yield scrapy.Request(url, callback=self.parse_article)
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if fresh and listing.search(url):
                    yield scrapy.Request(url, callback=self.parse)

        def parse_article(self, response):  # links found here count as seen, as in the spider
            for href in response.css("a::attr(href)").getall():
                url = canonical_url(response.urljoin(href))
                if article.search(url) and url not in self.seen:
                    self.seen.add(url)
                    yield scrapy.Request(url, callback=self.parse_article)

        def closed(self, reason):
            stats = self.crawler.stats
            result["pages"] = stats.get_value("response_received_count", 0)
            result["bytes"] = stats.get_value("downloader/response_bytes", 0)
            result["elapsed"] = stats.get_value("elapsed_time_seconds") or (
                time.monotonic() - self.t0
            )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.t0 = time.monotonic()
            self.seen: set[str] = set()

    process = CrawlerProcess({"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False})
    process.crawl(BareSpider)
    process.start()
    return result


def full_crawl(folder: Path, profile: Path) -> dict:
    from crawler.runner import run_crawl_subprocess

    settings = [f"{k}={json.dumps(v)}" for k, v in FAST.items() if k != "LOG_LEVEL"]
    summary = run_crawl_subprocess(
        ["bench"],
        profile_files=[profile],
        db_url=f"sqlite:///{folder / 'bench.db'}",
        settings=settings,
        timeout=3600,
    )
    site = summary.sites[0]
    return {
        "pages": site.responses,
        "bytes": site.response_bytes,
        "elapsed": site.elapsed,
        "counts": site.counts,
        "not_modified": site.not_modified,
        "conditional": site.conditional_requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--bare", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare_crawl(args.bare)))
        return
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.demo",
            "--articles",
            str(args.articles),
            "--per-page",
            "20",
            "--no-specials",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="opdcwatch-bench-") as tmp:
            folder = Path(tmp)
            profile = folder / "bench.toml"
            profile.write_text(PROFILE.replace("${base}", base), encoding="utf-8")
            bare_out = subprocess.run(
                [sys.executable, __file__, "--bare", base],
                capture_output=True,
                text=True,
                check=True,
            )
            bare = json.loads(bare_out.stdout.strip().splitlines()[-1])
            first = full_crawl(folder, profile)
            second = full_crawl(folder, profile)
    finally:
        server.terminate()
        server.wait(timeout=10)
    bare_rate = bare["pages"] / bare["elapsed"]
    full_rate = first["pages"] / first["elapsed"]
    articles = (
        second["counts"].get("unchanged", 0)
        + second["counts"].get("changed", 0)
        + second["counts"].get("new", 0)
    )
    print(f"replica: {args.articles} articles at {base}")
    print(
        f"bare Scrapy (baseline): {bare['pages']} pages in {bare['elapsed']:.1f} s = "
        f"{bare_rate:.0f} pages/s, {bare['bytes'] / 1e6:.1f} MB"
    )
    print(
        f"full pipeline:          {first['pages']} pages in {first['elapsed']:.1f} s = "
        f"{full_rate:.0f} pages/s, {first['bytes'] / 1e6:.1f} MB, counts {first['counts']}"
    )
    print(f"  throughput ratio: {full_rate / bare_rate:.0%} of bare Scrapy (goal >= 50%)")
    print(
        f"re-crawl, unchanged:    {second['pages']} pages in {second['elapsed']:.1f} s, "
        f"{second['bytes'] / 1e6:.2f} MB, counts {second['counts']}"
    )
    share = second["not_modified"] / articles if articles else 0.0
    print(
        f"  304 share: {second['not_modified']}/{articles} article requests = {share:.0%} "
        "(goal >= 90%)"
    )
    print(f"  bytes: {second['bytes'] / first['bytes']:.1%} of the first crawl (goal <= 10%)")


if __name__ == "__main__":
    main()

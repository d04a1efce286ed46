"""Scrapy settings for every opdcwatch crawl: polite and safe by default.

Layers, lowest first: this module, a profile's ``[settings]`` table, then ``-s NAME=VALUE`` on
the command line. Settings opdcwatch adds carry the ``OPDCWATCH_`` prefix.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    OPDCWATCH_VERSION = version("opdcwatch")
except PackageNotFoundError:  # running from a source tree that was never installed
    OPDCWATCH_VERSION = "0+unknown"

BOT_NAME = "opdcwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Say who we are and where to complain; sites may block anonymous crawlers.
USER_AGENT = (
    f"opdcwatch/{OPDCWATCH_VERSION} (+https://github.com/opdcwatch/opdcwatch; "
    "news archive crawler; respects robots.txt)"
)
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control HTTP server listens on localhost for every crawl; nobody here
# drives a crawl that way, so it is off like telnet (``-s REMOTE_CONTROL_ENABLED=true`` for it).
REMOTE_CONTROL_ENABLED = False

# Politeness: at most a few requests in flight per site, AutoThrottle adapting to latency.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
# A lower DOWNLOAD_DELAY (0 included) is raised to this. Scrapy >= 2.14 on the asyncio reactor
# hands out a delay-0 slot's whole queue at once (its downloader counts a request as in flight
# only once the request's task has started), so CONCURRENT_REQUESTS_PER_DOMAIN went unenforced:
# 13 requests in flight with a cap of 2. Any positive delay sends one request per pass.
OPDCWATCH_MIN_DOWNLOAD_DELAY = 0.001
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Safety: a slow or huge response never stalls or floods a crawl.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 0  # no depth cap: max_pages and the listing-trap rule bound a crawl

# Retries on server errors and timeouts, waiting longer after each failure (see middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
OPDCWATCH_RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubled each time
OPDCWATCH_RETRY_BACKOFF_MAX = 60.0  # cap, also for a server's Retry-After
# A Retry-After longer than this is not waited for: the page is left for the next crawl and
# recorded as "rate limited", and the site's requests slow down to AUTOTHROTTLE_MAX_DELAY.
OPDCWATCH_RETRY_AFTER_LIMIT = 60.0

# Per-response overhead Scrapy spends for nothing here (measured with py-spy on bench/crawl.py):
# it starts CONCURRENT_ITEMS asyncio tasks for every response's output (17 % of an unchanged
# re-crawl's CPU at the default of 100), though the archive pipeline is synchronous and
# records one page at a time; and it reads a callback's source again with ``ast`` on every
# response to warn about ``return`` in generators (7 %), which the tests catch instead.
CONCURRENT_ITEMS = 1
WARN_ON_GENERATOR_RETURN_VALUE = False
# Every crawl has a JOBDIR, so its requests wait in disk queues, and Scrapy deletes a queue (its
# files and folders) each time it runs empty, which at 16 requests in flight is after nearly
# every request: a third of an unchanged re-crawl's CPU. One crawl is one site, so the queues per
# download slot (folders made and removed per request) balance nothing: one queue per priority
# does; start requests (the revisits) share the ordinary single-file queues instead of
# chunked folders of their own. Scrapy before 2.13 has no start queues and ignores the second.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"
SCHEDULER_START_DISK_QUEUE = None

# Kept for Scrapy 2.11-2.12 (pyproject allows them); newer Scrapy ignores it.
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.GuardedRedirectMiddleware": 600,
    "crawler.middlewares.ConditionalRequestMiddleware": 580,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
}
EXTENSIONS = {
    "crawler.progress.ProgressLine": 500,
}

# opdcwatch's own settings.
OPDCWATCH_CONDITIONAL = True  # send If-None-Match / If-Modified-Since from the archive
OPDCWATCH_ROBOTS_SITEMAPS = True  # also read the sitemaps that robots.txt names
OPDCWATCH_PROGRESS = True  # a live progress line, only when stderr is a terminal
OPDCWATCH_PROGRESS_INTERVAL = 1.0
OPDCWATCH_MAX_ERRORS_KEPT = 100  # error messages stored with the run
OPDCWATCH_CHROMIUM = "/usr/bin/chromium"  # the browser of profiles with [render]
# Listing pages in a row followed although they showed no article that an earlier listing of
# the crawl had not (a list whose first page the feed already gave); past them, a dead end.
OPDCWATCH_STALE_LISTINGS = 1
OPDCWATCH_WORKER = ""  # the cluster worker running this crawl, recorded with its run
OPDCWATCH_PARSE_TIME_LIMIT = 10.0  # seconds to read one page; past it: "too complex" (0: none)
OPDCWATCH_ROBOTS_TIMEOUT = 10.0  # seconds for robots.txt, fetched once per host, no retries
OPDCWATCH_STOP_GRACE = 2.0  # seconds downloads in flight get after SIGTERM / Ctrl-C
# the archive of `scrapy crawl site -a profile=NAME` (-s OPDCWATCH_DB=URL); "" = the one
# `opdcwatch` uses: $OPDCWATCH_DB, the config file, ./data/opdcwatch.db, the user's data folder.
# A spider handed no archive at all (a unit test) gets it from the pipeline's from_crawler.
OPDCWATCH_DB = ""

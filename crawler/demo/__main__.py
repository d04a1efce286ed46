"""``python -m crawler.demo``: serve the replica until killed; prints its URL first.

Used by the benchmarks (a server in its own process does not compete with the crawler for the
GIL) and handy for trying ``opdcwatch crawl --profile`` or ``opdcwatch probe`` by hand.
``--sites N`` serves N replicas, each on a port of its own, and prints one URL per line;
``--style NAME`` serves a content system's URL shapes (``crawler.demo.styles``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from crawler.demo.server import ReplicaServer
from crawler.demo.site import LAYOUTS, ReplicaSite
from crawler.demo.styles import STYLES, make_style


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--sites", type=int, default=1, help="replica sites, one port each")
    parser.add_argument("--articles", type=int, default=10, help="number of OPDC articles")
    parser.add_argument("--per-page", type=int, default=5, help="articles per listing page")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds every answer waits, like a distant site (default 0)",
    )
    parser.add_argument(
        "--no-specials",
        action="store_true",
        help="no flaky/slow/windows-874 pages, no traps (benchmark mode)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="classic",
        help="classic: 10-15 KB pages; portal: 36-52 KB with a mega-menu and inline CSS/JS",
    )
    parser.add_argument(
        "--style",
        choices=sorted(STYLES),
        default=None,
        help="URL shapes of a content system (default: the classic content.php site)",
    )
    parser.add_argument(
        "--no-feeds", action="store_true", help="with --style: no feeds and no sitemap"
    )
    args = parser.parse_args(argv)
    style = None
    if args.style:
        extras = not args.no_feeds
        style = make_style(args.style, feeds=extras, sitemap=extras, per_page=args.per_page)
    servers = [
        ReplicaServer(
            ReplicaSite(
                args.articles,
                per_page=args.per_page,
                specials=not args.no_specials,
                latency=args.latency,
                layout=args.layout,
                style=style,
            ),
            port=args.port + i if args.port else 0,
        )
        for i in range(max(args.sites, 1))
    ]
    for server in servers:
        server.start()
        sys.stdout.write(server.base_url + "\n")
    sys.stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:  # all at once: each waits up to half a second for its serving loop
        stoppers = [threading.Thread(target=server.stop) for server in servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()


if __name__ == "__main__":
    main()

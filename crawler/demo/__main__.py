"""``python -m crawler.demo``: serve the replica until killed; prints its URL first.

Used by the benchmark (a server in its own process does not compete with the crawler for the
GIL) and handy for trying ``opdcwatch crawl --profile`` by hand.
"""

from __future__ import annotations

import argparse
import sys

from crawler.demo.server import ReplicaServer
from crawler.demo.site import LAYOUTS, ReplicaSite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--articles", type=int, default=10, help="number of OPDC articles")
    parser.add_argument("--per-page", type=int, default=5, help="articles per listing page")
    parser.add_argument(
        "--no-specials",
        action="store_true",
        help="no flaky/slow/windows-874 pages, no traps (benchmark mode)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="classic",
        help="classic: 10-15 KB pages; portal: 32-59 KB with a mega-menu and inline CSS/JS",
    )
    args = parser.parse_args(argv)
    site = ReplicaSite(
        args.articles, per_page=args.per_page, specials=not args.no_specials, layout=args.layout
    )
    server = ReplicaServer(site, port=args.port)
    sys.stdout.write(server.base_url + "\n")
    sys.stdout.flush()
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()

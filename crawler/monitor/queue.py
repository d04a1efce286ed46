"""The crawl queue: Celery carrying due crawls from the scheduler to ``opdcwatch worker``s.

The unit of work is one crawl of one site. ``schedule run --broker URL`` puts a message on the
queue when a crawl is due (:class:`CrawlQueue`); any number of workers, on any machines, take
them (``crawler.monitor.worker``). The message carries the site's profile (its TOML text, or
only its name when the profile is bundled), so workers need no profile files of their own.

Delivery is at least once. A worker takes one message at a time and acknowledges it only when
the crawl has ended (``task_acks_late``, prefetch 1). If the worker dies first, RabbitMQ sees
its connection drop and hands the message to another worker at once; Redis has no connection
to watch, so an unacknowledged message goes back on the queue after the *visibility timeout*:
``[cluster] visibility_timeout`` (30 s here, an hour by Celery's default). A running crawl
keeps its message from going back however long it runs: its worker refreshes the message's
delivery time (``keep_invisible``). A message delivered twice is harmless: the worker's site
lock and its check for a crawl already done since the request make the second one a no-op.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.config import ClusterConfig
from crawler.exceptions import ClusterError
from crawler.profiles import SiteProfile

logger = logging.getLogger(__name__)

CRAWL_TASK = "opdcwatch.crawl_site"
REDIS_SCHEMES = frozenset({"redis", "rediss"})
AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})
# how often a Redis broker's workers look for messages of dead workers to put back (seconds;
# at least twice per visibility timeout)
RESTORE_INTERVAL = 5
# publishing when the broker is briefly away: a few tries, then the crawl is recorded failed
PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0, "interval_step": 1, "interval_max": 2}
INSTALL_HINT = "install opdcwatch[cluster]"


def require_celery() -> None:
    """Raise ClusterError, saying what to install, when Celery is missing."""
    try:
        import celery  # noqa: F401
    except ImportError as exc:
        raise ClusterError(f"a cluster needs Celery: {INSTALL_HINT}") from exc


def shown_url(url: str) -> str:
    """Return a broker URL with its password masked, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def broker_kind(url: str) -> str:
    """Return "redis" or "amqp" for a broker URL; ClusterError for any other."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in REDIS_SCHEMES:
        return "redis"
    if scheme in AMQP_SCHEMES:
        return "amqp"
    raise ClusterError(
        f"unsupported broker URL {shown_url(url)!r}: use redis://HOST:6379/0 or "
        "amqp://USER:PASSWORD@HOST:5672//"
    )


def require_postgres(db_url: str) -> None:
    """Refuse an archive the machines of a cluster cannot share (a SQLite file)."""
    if not db_url.startswith("postgresql"):
        raise ClusterError(
            "a cluster shares one PostgreSQL archive: give --db postgresql+psycopg://USER@HOST/DB "
            f"(not {db_url.split(':', 1)[0]})"
        )


def make_app(broker_url: str, cluster: ClusterConfig) -> Any:
    """Return the Celery app of the cluster: at-least-once delivery, one crawl at a time."""
    require_celery()
    from celery import Celery

    kind = broker_kind(broker_url)
    app = Celery("opdcwatch", broker=broker_url, set_as_current=False)
    options: dict[str, Any] = {}
    if kind == "redis":
        sweep = max(1, min(RESTORE_INTERVAL, cluster.visibility_timeout // 2))
        options = {
            "visibility_timeout": cluster.visibility_timeout,
            "unacked_restore_interval": sweep,
            "unacked_restore_throttle": 1,  # every pass scans (kombu's default: one in ten)
            # the sweep's lock; kombu keeps it 300 s, which a worker killed mid-sweep (a few
            # milliseconds) would leave to block every other worker's sweeps
            "unacked_mutex_expire": sweep,
        }
    app.conf.update(
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        task_default_queue=cluster.queue,
        task_acks_late=True,  # acknowledged when the crawl has ended, not when it starts
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds only the crawls it is running
        task_ignore_result=True,  # the archive's runs are the results
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
    )
    return app


def check_broker(app: Any, url: str) -> None:
    """Raise ClusterError when the broker does not answer within a few seconds."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:  # kombu raises the transport's own errors
        raise ClusterError(f"cannot reach the broker at {shown_url(url)}: {exc}") from exc


class CrawlQueue:
    """The scheduler's side of the queue: puts due crawls on it."""

    def __init__(self, broker_url: str, cluster: ClusterConfig) -> None:
        self.url = broker_url
        self.app = make_app(broker_url, cluster)

    def check(self) -> None:
        """Raise ClusterError when the broker does not answer."""
        check_broker(self.app, self.url)

    def enqueue(self, profile: SiteProfile, *, scheduled: bool) -> str:
        """Queue one crawl of ``profile``'s site; return the message's id.

        A user profile travels as its TOML text, read now, as a local crawl reads the file
        when it starts; a bundled one by name, since every worker has it.
        """
        text = None
        if not profile.bundled:
            try:
                text = Path(profile.source).read_text(encoding="utf-8")
            except OSError as exc:
                raise ClusterError(f"cannot read the profile {profile.source}: {exc}") from exc
        kwargs = {
            "site": profile.name,
            "profile": text,
            "scheduled": scheduled,
            "requested_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        try:
            result = self.app.send_task(
                CRAWL_TASK, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY
            )
        except Exception as exc:  # the broker is away: kombu's own connection errors
            raise ClusterError(
                f"could not queue the crawl on {shown_url(self.url)}: {type(exc).__name__}: {exc}"
            ) from exc
        logger.info("%s: crawl queued (%s)", profile.name, result.id)
        return str(result.id)

"""Helpers for the cluster's tests: the brokers on 127.0.0.1, workers in subprocesses, profiles.

The brokers are the real servers ``scripts/services.sh`` starts: Redis on 6379 (the tests use
database 15) and RabbitMQ on 5672 (guest/guest). A test that needs one skips, saying so, when
it does not answer; each test has a queue of its own.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from string import Template

import pytest

from tests.scheduler_helpers import DaemonProcess

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cluster"
BROKERS = {
    "redis": os.environ.get("OPDCWATCH_TEST_REDIS", "redis://127.0.0.1:6379/15"),
    "amqp": os.environ.get("OPDCWATCH_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672//"),
}
READY_RE = re.compile(r"(opdcwatch-\d+@\S+): ready: taking crawls")


def broker(kind: str) -> str:
    """Return the URL of a broker that answers, else skip the test saying why."""
    pytest.importorskip("celery", reason="Celery is not installed (opdcwatch[cluster])")
    from kombu import Connection

    url = BROKERS[kind]
    try:
        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        pytest.skip(f"no {kind} broker answers at {url}: {exc}")
    return url


def write_config(folder: Path) -> Path:
    """Write the tests' config with a queue no other test uses; return its path."""
    text = Template((FIXTURES / "config.toml").read_text(encoding="utf-8"))
    path = folder / "cluster.toml"
    path.write_text(text.substitute(queue=f"opdcwatch-test-{uuid.uuid4().hex[:10]}"), "utf-8")
    return path


def write_profile(folder: Path, base_url: str, name: str) -> Path:
    """Write the scheduled replica profile for the site ``name`` served at ``base_url``."""
    text = Template((FIXTURES / "replica.toml").read_text(encoding="utf-8"))
    path = folder / f"{name}.toml"
    path.write_text(text.substitute(base=base_url, name=name), encoding="utf-8")
    return path


class WorkerProcess(DaemonProcess):
    """``opdcwatch worker`` in a real subprocess, its output in a log file."""

    def __init__(self, folder: Path, label: str, broker_url: str, db_url: str, config: Path):
        args = ["--broker", broker_url, "--db", db_url, "--config", str(config)]
        super().__init__(args, folder / f"{label}.log", cwd=folder, command=("worker",))

    @property
    def name(self) -> str | None:
        """The worker's name once it is ready to take crawls, else None."""
        found = READY_RE.search(self.log)
        return found.group(1) if found else None


def drop_queue(url: str, config: Path) -> None:
    """Delete the test's queue from the broker (RabbitMQ keeps durable queues for good)."""
    from kombu import Connection

    from crawler.config import load_config

    with Connection(url, connect_timeout=3) as conn:
        conn.default_channel.queue_delete(load_config(config).cluster.queue)

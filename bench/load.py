"""Timing helpers the reading benchmarks share: a served archive, routes, commands.

``Served`` runs ``opdcwatch serve`` on an archive as a user would (a subprocess on 127.0.0.1);
``route_times`` requests one route with concurrency 1 or N; ``command_times`` runs a command
a few times and keeps its wall time and the peak memory of the process.
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the opdcwatch to measure: this checkout's, or another's (a baseline) named by OPDCWATCH_BIN
OPDCWATCH = Path(os.environ.get("OPDCWATCH_BIN") or Path(sys.executable).parent / "opdcwatch")
ENV = os.environ | {"PYTHAINLP_OFFLINE": "1"}


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` quantile (0.99: p99), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Timing:
    """Latencies of one route or command, in milliseconds."""

    label: str
    times: list[float]
    errors: int = 0
    peak_mb: float = 0.0
    cpu_ms: float = 0.0  # CPU time per request or per command run (the machine is shared)

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p99(self) -> float:
        return percentile(self.times, 0.99) if self.times else float("nan")

    def line(self) -> str:
        extra = f", {self.errors} errors" if self.errors else ""
        memory = f", peak {self.peak_mb:,.0f} MB" if self.peak_mb else ""
        cpu = f"  CPU {self.cpu_ms:7,.1f} ms" if self.cpu_ms else ""
        return (
            f"  {self.label:<44} p50 {self.p50:9,.1f} ms  p99 {self.p99:9,.1f} ms{cpu}"
            f"  (n={len(self.times)}{extra}{memory})"
        )


class Served:
    """``opdcwatch serve --port 0`` on an archive, stopped with SIGTERM on exit."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def __enter__(self) -> Served:
        self.proc = subprocess.Popen(
            [str(OPDCWATCH), "serve", "--port", "0", "--db", self.db],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=ENV,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"serving (http://127\.0\.0\.1:\d+)/", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"opdcwatch serve did not start: {line!r}")
        self.base = match.group(1)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def cpu_seconds(self) -> float:
        """Return the CPU time the server process has used so far (Linux /proc)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def get(self, path: str, timeout: float = 120) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except OSError:  # a time-out: counted as an error
            return 0, b""


def route_times(
    served: Served,
    label: str,
    path: str,
    *,
    concurrency: int = 1,
    requests: int = 40,
    budget: float = 30.0,
) -> Timing:
    """Request ``path`` ``requests`` times (or for ``budget`` seconds) with ``concurrency``
    clients at once; a status other than 200 counts as an error."""
    timing = Timing(f"{label} c={concurrency}", [])
    lock = threading.Lock()
    deadline = time.monotonic() + budget
    left = [requests]

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            start = time.perf_counter()
            status, _ = served.get(path)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                timing.times.append(elapsed)
                timing.errors += status != 200

    served.get(path)  # warm: the same page cache state for every route
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    cpu = served.cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if timing.times:
        timing.cpu_ms = (served.cpu_seconds() - cpu) * 1000 / len(timing.times)
    return timing


def command_times(label: str, args: list[str], *, runs: int = 5) -> Timing:
    """Run ``opdcwatch ARGS`` ``runs`` times: wall time and the largest resident memory."""
    timing = Timing(label, [])
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(OPDCWATCH), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this process's own peak, not its siblings'
        proc.returncode = os.waitstatus_to_exitcode(status)
        timing.times.append((time.perf_counter() - start) * 1000)
        timing.errors += proc.returncode not in (0, 1)  # health exits 1 when a site is unhealthy
        timing.peak_mb = max(timing.peak_mb, usage.ru_maxrss / 1024)
        timing.cpu_ms += (usage.ru_utime + usage.ru_stime) * 1000 / runs
    return timing

"""nginx serving the exported replica, and the ceiling of what it can answer.

The crawl benchmark needs a server that is not the bottleneck: the replica's own threaded
Python server answers ~120 pages/s, less than a bare Scrapy crawl asks for. nginx (Debian's
``nginx-light`` or ``nginx``) serves the files :func:`crawler.demo.static.export_static`
writes, maps ``content.php?content_id=N`` and ``news.php?page=N`` to them, and answers
``If-None-Match`` / ``If-Modified-Since`` with 304 from the files' ETag and mtime, as a real
site's server does. It runs as a child of the benchmark with a configuration of its own in
the benchmark's temporary folder and is stopped with it.

:func:`measure_ceiling` loads it with plain keep-alive sockets (no HTTP library: the client
must cost less than the server) from several processes for a few seconds, on the same
pages the crawlers fetch, to show in the same run how far above the crawlers' rate it is.
"""

from __future__ import annotations

import multiprocessing
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ }}
    default_type "text/html; charset=utf-8";
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    client_body_temp_path {folder}/tmp;
    proxy_temp_path {folder}/tmp;
    fastcgi_temp_path {folder}/tmp;
    uwsgi_temp_path {folder}/tmp;
    scgi_temp_path {folder}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /robots.txt {{ default_type text/plain; }}
        location = /content.php {{ try_files /content/$arg_content_id.html =404; }}
        location = /news.php {{ try_files /news/$arg_page.html =404; }}
    }}
}}
"""
INSTALL_HINT = "apt-get install nginx-light"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Nginx:
    """nginx serving ``root`` on 127.0.0.1:``port``; a context manager."""

    def __init__(self, root: Path, folder: Path, port: int, workers: int = 2) -> None:
        self.binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        if self.binary is None:
            raise SystemExit(f"bench/crawl.py needs nginx: {INSTALL_HINT}")
        self.folder = Path(folder)
        self.port = port
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        self.conf = self.folder / "nginx.conf"
        self.conf.write_text(
            NGINX_CONF.format(workers=workers, folder=self.folder, port=port, root=root),
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> Nginx:
        self.proc = subprocess.Popen(
            [self.binary, "-p", str(self.folder), "-e", str(self.folder / "error.log"),
             "-c", str(self.conf)],
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    log = (self.folder / "error.log").read_text(errors="replace")
                    raise SystemExit(f"nginx did not start:\n{log}") from None
                time.sleep(0.05)
        raise SystemExit("nginx did not answer within 10 s")

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: workers finish, master exits
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _read_response(sock: socket.socket, buffer: bytearray) -> int:
    """Read one HTTP/1.1 response with a Content-Length; return its body size."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    head_end = buffer.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buffer[:head_end]).split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    while len(buffer) < head_end + length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    del buffer[: head_end + length]
    return length


def _load(port: int, paths: list[str], connections: int, seconds: float, queue) -> None:
    """One load process: ``connections`` keep-alive sockets, round-robin, for ``seconds``."""
    import selectors

    requests = [
        f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode("ascii") for p in paths
    ]
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    done = body_bytes = 0
    position = 0
    selector = selectors.DefaultSelector()
    buffers = {}
    for sock in socks:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(requests[position % len(requests)])
        position += 1
        buffers[sock] = bytearray()
        selector.register(sock, selectors.EVENT_READ)
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            sock = key.fileobj
            body_bytes += _read_response(sock, buffers[sock])
            done += 1
            sock.sendall(requests[position % len(requests)])
            position += 1
    for sock in socks:
        sock.close()
    queue.put((done, body_bytes, time.monotonic() - started))


def measure_ceiling(
    port: int, paths: list[str], *, processes: int = 2, connections: int = 16, seconds: float = 4
) -> dict[str, float]:
    """Return the requests/s and MB/s the server sustains on ``paths``, 16 connections."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    per = max(connections // processes, 1)
    workers = [
        multiprocessing.Process(target=_load, args=(port, paths[k::processes], per, seconds, queue))
        for k in range(processes)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 30) for _ in workers]
    for worker in workers:
        worker.join()
    return {
        "requests_per_s": sum(done / elapsed for done, _, elapsed in results),
        "mb_per_s": sum(size / elapsed for _, size, elapsed in results) / 1e6,
    }

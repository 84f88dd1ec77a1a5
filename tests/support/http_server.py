"""A real HTTP server on 127.0.0.1 for tests: routes, a request log, corpus files.

Tests of the fetcher and of the flows need a server that behaves like the
web, slow and broken parts included, and that can say afterwards what it
received and when (politeness is asserted from its log, not from the
client's intentions). So: `http.server.ThreadingHTTPServer` on port 0 in a
background thread, a route table of static `Reply`s or handlers, and a
thread-safe log of every request with its arrival time on the monotonic
clock.

    with TestServer() as server:
        server.route("/a.html", corpus_file(path, "text/html; charset=utf-8"))
        server.route("/flaky", InTurn(Reply(503), Reply(200, body=b"ok")))
        ... fetch server.url("/a.html") ...
        assert server.hits("/flaky") == 2

Every response closes its connection (HTTP/1.0), so each request is a
fresh connection and the log's arrival times are request starts. Paths not
in the table answer 404, `/robots.txt` included (RFC 9309: allow all).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

__all__ = ["InTurn", "LoggedRequest", "Reply", "TestServer", "corpus_file", "redirect"]


@dataclass(frozen=True)
class Reply:
    """One response. `delay` stalls before the status line, `body_delay` before the body.

    Content-Length is set from the body unless `headers` gives one (to lie
    about the size on purpose).
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    body_delay: float = 0.0
    drip: float = 0.0  # pause between single bytes of the body (a slow-drip server)


@dataclass(frozen=True)
class LoggedRequest:
    """What the server saw: `target` is path and query, `headers` keys are lowercase."""

    method: str
    target: str
    headers: Mapping[str, str]
    at: float  # time.monotonic() when the request line was read
    server: str  # host:port that received it

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


Handler = Callable[[LoggedRequest], Reply]


class InTurn:
    """Replies in order, one per request; the last one repeats (e.g. 429, then 200)."""

    def __init__(self, *replies: Reply) -> None:
        if not replies:
            raise ValueError("InTurn needs at least one reply")
        self._replies = replies
        self._served = 0
        self._lock = threading.Lock()

    def __call__(self, request: LoggedRequest) -> Reply:
        with self._lock:
            reply = self._replies[min(self._served, len(self._replies) - 1)]
            self._served += 1
        return reply


def corpus_file(path: Path, content_type: str | None, **headers: str) -> Reply:
    """A corpus file's bytes as they are, with the given Content-Type (None: no header)."""
    all_headers = {k.replace("_", "-"): v for k, v in headers.items()}
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    return Reply(200, all_headers, path.read_bytes())


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to `location` (absolute or relative, sent as given)."""
    return Reply(status, {"Location": location})


class TestServer:
    """A local HTTP server with a route table and a request log; a context manager."""

    __test__ = False  # a helper, not a pytest test class

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, Reply | Handler] = {}
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _Server((host, 0), _make_handler(self))
        self.host, self.port = host, int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"test-http-{self.port}", daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, target: str) -> str:
        """The absolute URL of `target` (a path, with query if any) on this server."""
        return self.base_url + target

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def route(self, path: str, reply: Reply | Handler) -> None:
        """Serve `reply` (or call a handler) for `path`, whatever the query string."""
        with self._lock:
            self._routes[path] = reply

    def routes(self, table: Mapping[str, Reply | Handler]) -> None:
        for path, reply in table.items():
            self.route(path, reply)

    def reset(self) -> None:
        """Forget all routes and the log (between tests sharing one server)."""
        with self._lock:
            self._routes.clear()
            self._log.clear()

    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """Requests received, in arrival order; only those for `path` if given."""
        with self._lock:
            log = list(self._log)
        return [r for r in log if path is None or r.path == path]

    def hits(self, path: str | None = None) -> int:
        return len(self.requests(path))

    def gaps(self, path: str | None = None) -> list[float]:
        """Seconds between consecutive request arrivals (start to start)."""
        times = [r.at for r in self.requests(path)]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    def _record(self, request: LoggedRequest) -> Reply:
        with self._lock:
            self._log.append(request)
            reply = self._routes.get(request.path)
        if reply is None:
            return Reply(404, {"Content-Type": "text/plain"}, b"not found")
        return reply if isinstance(reply, Reply) else reply(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler sleeping in `delay` must not block shutdown

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out and hang up are expected here; stay quiet about them."""


def _make_handler(server: TestServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            logged = LoggedRequest(
                method=self.command,
                target=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                at=time.monotonic(),
                server=f"{server.host}:{server.port}",
            )
            reply = server._record(logged)
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if not any(name.lower() == "content-length" for name in reply.headers):
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.body_delay:
                self.wfile.flush()
                time.sleep(reply.body_delay)
            if reply.drip:
                for index in range(len(reply.body)):
                    self.wfile.write(reply.body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip)
            else:
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            """The request log above is the record; stderr stays clean."""

    return _Handler

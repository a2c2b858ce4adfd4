"""A loopback HTTP server for tests: a route table of path -> canned response, on 127.0.0.1.

Tests never touch the internet; anything that speaks HTTP is pointed at this server.

Use the fixture (import it into the test module so pytest finds it)::

    from tests.httpserver import Route, http_server  # noqa: F401

    def test_feed(http_server):
        http_server.routes["/feed.xml"] = Route(200, {"Content-Type": "application/rss+xml"}, b"<rss .../>")
        url = http_server.url("/feed.xml")
        ...
        assert http_server.requests[0].headers["User-Agent"].startswith("briefing/")

or the class directly: ``with LoopbackServer({"/": Route(body=b"hi")}) as server: ...``.

A route is a ``Route`` (status, headers, body, delay) or a callable taking the
``Request`` and returning a ``Route`` - for answers that depend on request headers, such
as a 304 for a matching ``If-None-Match``. Unknown paths answer 404.

Several host names: ``LoopbackServer(hosts=("127.0.0.1", "127.0.0.2"))`` listens on each
loopback address (Linux answers on all of 127.0.0.0/8), each with its own port;
``url(path, host=...)`` names one, and ``peak`` records the most requests each host (and
all of them) had in hand at once.

Each answer is written with one ``send`` and the socket has TCP_NODELAY: writing the
headers and the body apart on a Nagle socket stalls every response by the peer's delayed
ACK (about 40 ms on Linux), which measured the server rather than the client.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class Route:
    """A canned response. ``delay`` seconds pass before anything is sent (to provoke timeouts);
    ``chunked`` sends the body with chunked transfer encoding and no Content-Length."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0
    chunked: bool = False


@dataclass(frozen=True)
class Request:
    """A request as the server saw it."""

    method: str
    path: str  # with the query string
    headers: Mapping[str, str]  # header names as sent; use .get with the usual spelling
    body: bytes
    host: str = "127.0.0.1"  # the loopback address the request came in on


Handler = Route | Callable[[Request], Route]


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 with an OS-chosen port, serving ``routes`` from a thread."""

    def __init__(self, routes: Mapping[str, Handler] | None = None, hosts: tuple[str, ...] = ("127.0.0.1",)) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[Request] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.hosts = tuple(hosts)
        self._servers = {}
        for host in self.hosts:
            httpd = ThreadingHTTPServer((host, 0), self._handler_class(host))
            httpd.daemon_threads = True
            httpd.request_queue_size = 64
            self._servers[host] = httpd
        self._httpd = self._servers[self.hosts[0]]
        self._threads: list[threading.Thread] = []
        # Requests in hand now and at most, per host and under "*" for all hosts together.
        self.active: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    @property
    def port(self) -> int:
        """The port the server listens on (on its first host)."""
        return self._httpd.server_address[1]

    def url(self, path: str = "/", host: str | None = None) -> str:
        """The full http://HOST:PORT URL of ``path`` (the first host unless ``host`` is given)."""
        host = host or self.hosts[0]
        return f"http://{host}:{self._servers[host].server_address[1]}{path}"

    def _begin(self, host: str) -> None:
        with self._lock:
            for key in (host, "*"):
                self.active[key] = self.active.get(key, 0) + 1
                self.peak[key] = max(self.peak.get(key, 0), self.active[key])

    def _end(self, host: str) -> None:
        with self._lock:
            for key in (host, "*"):
                self.active[key] -= 1

    def requests_to(self, path: str) -> list[Request]:
        """The requests received for ``path`` (query string ignored), oldest first."""
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    def start(self) -> "LoopbackServer":
        """Start serving in a background thread; returns self."""
        for httpd in self._servers.values():
            thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="loopback-http", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving; handlers still sleeping in a ``delay`` are woken and give up."""
        self._stopping.set()
        for httpd in self._servers.values():
            httpd.shutdown()
            httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> "LoopbackServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, request: Request) -> Route:
        with self._lock:
            self.requests.append(request)
        path = request.path
        handler = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if handler is None:
            return Route(404, {"Content-Type": "text/plain"}, b"not found")
        return handler(request) if callable(handler) else handler

    def _handler_class(self, host: str) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # see the module docstring

            def _serve(self) -> None:
                server._begin(host)
                try:
                    self._answer()
                finally:
                    server._end(host)

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body, host)
                route = server._answer(request)
                if route.delay and server._stopping.wait(route.delay):
                    return
                payload = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
                try:
                    self.send_response(route.status)
                    names = {k.lower() for k in route.headers}
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    if route.chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                    elif "content-length" not in names:
                        self.send_header("Content-Length", str(len(payload)))
                    # The headers stay buffered (end_headers would send them alone) and
                    # go out in one write with the body.
                    self._headers_buffer.append(b"\r\n")
                    head = b"".join(self._headers_buffer)
                    self._headers_buffer = []
                    if self.command == "HEAD" or route.status in (204, 304):
                        self.wfile.write(head)
                        return
                    if not route.chunked:
                        self.wfile.write(head + payload)
                        return
                    pieces = [head]
                    for start in range(0, len(payload), 8192):
                        piece = payload[start:start + 8192]
                        pieces.append(b"%x\r\n%s\r\n" % (len(piece), piece))
                    pieces.append(b"0\r\n\r\n")
                    self.wfile.write(b"".join(pieces))
                except ConnectionError:
                    pass  # the client gave up (a timeout or size-cap test); nothing to do

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

        return _Handler


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A started ``LoopbackServer`` with an empty route table, stopped after the test."""
    with LoopbackServer() as server:
        yield server

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


Handler = Route | Callable[[Request], Route]


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 with an OS-chosen port, serving ``routes`` from a thread."""

    def __init__(self, routes: Mapping[str, Handler] | None = None) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[Request] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        """The full http://127.0.0.1:PORT URL of ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[Request]:
        """The requests received for ``path`` (query string ignored), oldest first."""
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    def start(self) -> "LoopbackServer":
        """Start serving in a background thread; returns self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="loopback-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; handlers still sleeping in a ``delay`` are woken and give up."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

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

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body)
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
                    self.end_headers()
                    if self.command == "HEAD" or route.status in (204, 304):
                        return
                    if not route.chunked:
                        self.wfile.write(payload)
                        return
                    for start in range(0, len(payload), 8192):
                        piece = payload[start:start + 8192]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
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

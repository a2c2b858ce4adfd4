"""Serving the archive site, its search page and the signup pages over HTTP (``briefing.py serve``).

The web server is waitress (a production WSGI server); the application is
``archive.webapp.SiteApp``. What it is made to withstand, each with a ``[serve]`` setting:

* a connection that sends nothing for ``idle_timeout`` seconds is closed, and so is one
  whose request (head and body) has not arrived in full after ``request_timeout``
  seconds, however slowly it trickles in;
* waiting connections cost no thread: ``threads`` answer requests, up to
  ``connection_limit`` connections are held open, and the kernel's listen queue holds
  ``backlog`` more;
* a request line and headers over ``max_header_bytes`` get 431, a body over
  ``webapp.MAX_FORM`` bytes 413, a malformed request 400, each with the same security
  headers as every page (the server's own error pages are made here, ``_ErrorTask``).

Only regular files inside the site folder are served. A request path is refused with
404 before it touches the file system when it holds an encoded dot, slash or backslash
(``%2e``, ``%2f``, ``%5c``), a ``..`` or ``.`` segment, a backslash, a NUL or is not an
origin-form path; then the path is resolved (following symlinks) and must still lie in
the folder, so a symlink pointing out of it is refused too.
"""
from __future__ import annotations

import logging
import resource
import select
import socket
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote
from urllib.request import pathname2url

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

from archive.options import ServeOptions
from archive.search import SearchResult
from archive.webapp import MAX_FORM, SECURITY_HEADERS, SIGNUP_PATHS, TYPES, SearchFunction, SiteApp  # noqa: F401

log = logging.getLogger(__name__)

_ENCODED_SEPARATORS = ("%2e", "%2f", "%5c", "%00")


def site_file(root: Path, raw_path: str) -> Path | None:
    """The file under ``root`` a request path names, or None when it must be a 404.

    ``raw_path`` is the path as sent (still percent-encoded, query removed).
    """
    if not raw_path.startswith("/") or raw_path.startswith("//"):
        return None  # absolute-form or scheme-relative targets name no file here
    lowered = raw_path.lower()
    if any(code in lowered for code in _ENCODED_SEPARATORS):
        return None
    path = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    if "\\" in path or "\x00" in path:
        return None
    segments = path.split("/")[1:]
    if any(s in (".", "..") for s in segments):
        return None
    if path.endswith("/"):
        segments = [*segments[:-1], "index.html"]
    segments = [s for s in segments if s]
    if not segments:
        segments = ["index.html"]
    if any(s.startswith(".") for s in segments):
        return None  # hidden files (temporary files, the manifest) are not part of the site
    try:
        real_root = root.resolve(strict=True)
        target = real_root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if real_root not in target.parents or not target.is_file():
        return None
    return target


class _ErrorTask(ErrorTask):
    """waitress's error page (400, 413, 431, 500...) with this site's security headers and a short body."""

    def execute(self) -> None:
        """Write the error page."""
        error = self.request.error
        body = f"{error.reason.lower()}\n".encode("ascii")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "text/plain; charset=utf-8"), *SECURITY_HEADERS.items()])
        self.set_close_on_finish()
        self.channel.linger = True  # the client may still be sending what made the error
        self.content_length = len(body)
        self.write(body)


class _Request(HTTPRequestParser):
    """A request being read, with the time its first byte came (for ``request_timeout``)."""

    def __init__(self, adj) -> None:
        super().__init__(adj)
        self.began = time.time()


class _Channel(HTTPChannel):
    error_task_class = _ErrorTask
    parser_class = _Request
    linger = False

    def add_channel(self, map=None) -> None:  # noqa: A002 (wasyncore's name)
        """Register the connection (and tell the poller)."""
        super().add_channel(map)
        self.server.changed.add(self._fileno)

    def del_channel(self, map=None) -> None:  # noqa: A002
        """Unregister the connection (and tell the poller)."""
        self.server.changed.add(self._fileno)
        super().del_channel(map)

    def busy(self) -> bool:
        """True while anything but new bytes from the client can change what the connection waits for."""
        return bool(self.requests or self.total_outbufs_len or self.will_close or self.close_when_flushed)

    def handle_close(self) -> None:
        """Close the connection (after an error, gracefully)."""
        # Closing with unread bytes makes the kernel send a reset, which can destroy the answer
        # (a 431 or 413) before the client reads it: after an error, send FIN first and read
        # what has arrived.
        if self.linger and self.socket is not None:
            try:
                self.socket.shutdown(socket.SHUT_WR)
                for _ in range(8):
                    if not self.socket.recv(65536):
                        break
            except OSError:
                pass
        super().handle_close()


class _Server(TcpWSGIServer):
    channel_class = _Channel
    request_timeout = 30.0

    def __init__(self, *args, **kwargs) -> None:
        self.changed: set[int] = set()  # connections opened or closed since the poller last looked
        super().__init__(*args, **kwargs)

    def maintenance(self, now: float) -> None:
        """Close idle connections (waitress), and those whose request trickles in for too long."""
        super().maintenance(now)
        for channel in list(self.active_channels.values()):
            started = getattr(channel.request, "began", None)
            if started is not None and not channel.requests and now - started > self.request_timeout:
                channel.will_close = True


BUSY_POLL_SECONDS = 0.005


class _Poller:
    """wasyncore's poll loop with one lasting ``select.poll``: an idle connection costs nothing per turn.

    waitress's own loop asks every open connection what it waits for on every turn, so 200
    idle connections made each request several times slower. Here only the connections
    that may have changed are asked: the listening socket and the wake-up pipe, connections
    opened or closed since, those with an event last turn, and those busy with a request
    (a request thread changes them, then wakes the loop). After waitress's periodic
    maintenance (which may close idle ones), and once a second anyway, all are asked.
    """

    def __init__(self, server: _Server, sockets: dict) -> None:
        self.server = server
        self.map = sockets
        self.poll = select.poll()
        self.flags: dict[int, int] = {}
        self.watch: set[int] = set()  # to ask next turn: busy, or had an event
        self.next_full = 0.0
        self.waiting_on_thread = False

    def _update(self, fd: int) -> None:
        obj = self.map.get(fd)
        flags = 0
        if obj is not None:
            if obj.readable():
                flags |= select.POLLIN | select.POLLPRI
            if obj.writable() and not obj.accepting:
                flags |= select.POLLOUT
            if getattr(obj, "busy", None) is not None and obj.busy():
                self.watch.add(fd)
                self.waiting_on_thread = True
        if flags == self.flags.get(fd, 0):
            return
        if not flags:
            del self.flags[fd]
            try:
                self.poll.unregister(fd)
            except (KeyError, ValueError, OSError):
                pass
        else:
            self.poll.register(fd, flags)  # registers, or modifies a registered one
            self.flags[fd] = flags

    def turn(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for events and handle them."""
        now = time.monotonic()
        before = self.server.next_channel_cleanup
        self._update(self.server._fileno)  # its readable() runs the maintenance when due
        if now >= self.next_full or self.server.next_channel_cleanup != before:
            self.next_full = now + 1.0
            self.changed_all()
        ask = self.watch | self.server.changed
        self.watch, self.server.changed = set(), set()
        self.waiting_on_thread = False
        for fd in ask | (self.flags.keys() - self.map.keys()):
            self._update(fd)
        for fd in self.map.keys() - self.flags.keys() - ask:
            self._update(fd)  # the wake-up pipe, or a socket another way added
        if self.waiting_on_thread:
            # While a request thread works, what its connection waits for changes outside the
            # loop; looking again soon rather than only on the next wake-up took the p99 of 50
            # kept-alive clients from 0.4 s to 0.2 s (bench serve). The cause of the remaining
            # tail is not found yet.
            timeout = min(timeout, BUSY_POLL_SECONDS)
        try:
            events = self.poll.poll(int(timeout * 1000))
        except InterruptedError:
            return
        for fd, flags in events:
            obj = self.map.get(fd)
            if obj is not None:
                wasyncore.readwrite(obj, flags)
            self.watch.add(fd)

    def changed_all(self) -> None:
        """Ask every connection next time (they may all have changed)."""
        self.server.changed.update(self.map.keys())


def _room_for(connections: int) -> None:
    """Raise this process's open-file limit so that ``connections`` sockets fit (as far as allowed)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 64
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else
                                                        min(wanted, hard), hard))
        except (ValueError, OSError):
            log.warning("cannot raise the open-file limit to %d; fewer connections fit", wanted)


class SiteServer:
    """The site, its search and, optionally, the signup pages, served by waitress on ``host:port``."""

    def __init__(self, site_dir: Path, search: SearchFunction, host: str = "127.0.0.1", port: int = 8000,
                 title: str = "Diplomacy briefing", signup=None, options: ServeOptions | None = None,
                 public_url: str = "") -> None:
        options = options or ServeOptions()
        self.options = options
        # waitress warns at every growth of its queue ("Task queue depth is 7"): under a burst
        # that is hundreds of lines saying only that requests wait for a thread, as designed.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self.site_dir = Path(site_dir)
        self.app = SiteApp(site_dir, search, title, signup, public_url)
        _room_for(options.connection_limit)
        proxy = {}
        if options.trusted_proxy.strip():
            proxy = {"trusted_proxy": options.trusted_proxy.strip(), "trusted_proxy_count": 1,
                     "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}}
        adj = Adjustments(
            host=host, port=port, threads=options.threads, backlog=options.backlog,
            connection_limit=options.connection_limit, channel_timeout=max(1, round(options.idle_timeout)),
            cleanup_interval=max(1, min(10, round(min(options.idle_timeout, options.request_timeout) / 4))),
            max_request_header_size=options.max_header_bytes, max_request_body_size=MAX_FORM,
            asyncore_use_poll=True, ident="briefing", expose_tracebacks=False, clear_untrusted_proxy_headers=True,
            log_untrusted_proxy_headers=False, **proxy)
        self._map: dict = {}
        self._server = _Server(self.app, map=self._map, adj=adj)
        self._server.request_timeout = options.request_timeout
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        if signup is not None and not signup.own_url:
            signup.own_url = self.url.rstrip("/")

    @property
    def server_address(self) -> tuple:
        """(host, port) the server listens on."""
        return self._server.effective_host, self._server.effective_port

    @property
    def url(self) -> str:
        """The address the server answers on."""
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        """Answer requests until ``shutdown`` (from another thread) or Ctrl-C."""
        self._stop.clear()
        self._stopped.clear()
        poller = _Poller(self._server, self._map)
        try:
            while not self._stop.is_set():
                poller.turn(1.0)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` and wait for it to return."""
        self._stop.set()
        self._server.pull_trigger()
        self._stopped.wait(10)

    def server_close(self) -> None:
        """Close the listening socket, every connection and the request threads."""
        self._server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self._map)


def database_search(db_path: Path) -> SearchFunction:
    """A search function over the index in ``db_path``, one read connection per thread."""
    from archive.search import search

    local = threading.local()

    def run(query: str, since: str | None, until: str | None) -> Sequence[SearchResult]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(f"file:{pathname2url(str(Path(db_path).resolve()))}?mode=ro", uri=True,
                                                check_same_thread=False)
        return search(conn, query, since, until)

    return run

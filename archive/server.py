"""Serving the archive site and its search page over HTTP (``briefing.py serve``).

Only regular files inside the site folder are served. A request path is refused with
404 before it touches the file system when it holds an encoded dot, slash or backslash
(``%2e``, ``%2f``, ``%5c``), a ``..`` or ``.`` segment, a backslash, a NUL or is not an
origin-form path; then the path is resolved (following symlinks) and must still lie in
the folder, so a symlink pointing out of it is refused too. ``/search`` renders results
on the server, escaped like every page.

With a ``signup`` (``delivery.signup.Signup``), ``/subscribe``, ``/confirm`` and
``/unsubscribe`` answer GET and POST: the subscribe form with double opt-in, and the
RFC 8058 one-click unsubscribe. Everything they do is in ``delivery.signup``.
"""
from __future__ import annotations

import logging
import mimetypes
import sqlite3
import threading
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from urllib.request import pathname2url

from archive.site import SearchResult, render_search_page
from core.errors import BriefingError

log = logging.getLogger(__name__)

SearchFunction = Callable[[str, str | None, str | None], Sequence[SearchResult]]

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".atom": "application/atom+xml; charset=utf-8", ".json": "application/json",
         ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
# Pages carry feed text: even if escaping ever failed, no script would run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_ENCODED_SEPARATORS = ("%2e", "%2f", "%5c", "%00")
SIGNUP_PATHS = ("/subscribe", "/confirm", "/unsubscribe")
MAX_FORM = 10_000  # bytes of a posted form; a subscribe form or a one-click body is far smaller


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


class SiteHandler(BaseHTTPRequestHandler):
    """GET and HEAD for the site's files and ``/search``; everything else is 404 or 405."""

    server: "SiteServer"
    server_version = "briefing"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """Answer with a site file or the search page."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        """Like GET, without the body."""
        self._answer(send_body=False)

    def do_POST(self) -> None:  # noqa: N802
        """The subscribe form, the confirmation button, and one-click unsubscribe."""
        raw = self.path.split("?", 1)[0].split("#", 1)[0]
        signup = self.server.signup
        if signup is None or raw not in SIGNUP_PATHS:
            return self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", "text/plain; charset=utf-8",
                              True)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_FORM:
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"form too large\n",
                              "text/plain; charset=utf-8", True)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        query = parse_qs(urlsplit(self.path).query)
        if raw == "/subscribe":
            page = signup.ask(parse_qs(body).get("email", [""])[0])
        elif raw == "/confirm":
            page = signup.confirm(query.get("t", [""])[0])
        else:
            page = signup.unsubscribe(query.get("id", [""])[0], body)
        self._send(HTTPStatus(page.status), page.body, page.kind, True)

    def _signup_page(self, raw: str, query: str, send_body: bool) -> None:
        signup = self.server.signup
        params = parse_qs(query)
        if raw == "/subscribe":
            page = signup.form()
        elif raw == "/confirm":
            page = signup.confirm_page(params.get("t", [""])[0])
        else:
            page = signup.unsubscribe_page(params.get("id", [""])[0])
        self._send(HTTPStatus(page.status), page.body, page.kind, send_body)

    def _answer(self, send_body: bool) -> None:
        try:
            parts = urlsplit(self.path)
        except ValueError:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
        raw = self.path.split("?", 1)[0].split("#", 1)[0]
        if raw in SIGNUP_PATHS and self.server.signup is not None:
            return self._signup_page(raw, parts.query, send_body)
        if raw == "/search" or (raw == "/search.html" and parts.query):
            return self._search(parts.query, send_body)
        try:
            target = site_file(self.server.site_dir, raw)
        except UnicodeDecodeError:
            target = None
        if target is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
        try:
            body = target.read_bytes()
        except OSError:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
        kind = TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, body, kind, send_body)

    def _search(self, query_string: str, send_body: bool) -> None:
        params = parse_qs(query_string, keep_blank_values=True)
        query = params.get("q", [""])[0][:500]
        since = params.get("from", [""])[0][:10]
        until = params.get("to", [""])[0][:10]
        error, results = "", []
        if not (query.strip() or since or until):
            page = render_search_page(title=self.server.title)
            return self._send(HTTPStatus.OK, page.encode("utf-8"), TYPES[".html"], send_body)
        try:
            results = list(self.server.search(query, since or None, until or None))
        except BriefingError as exc:
            error = exc.message()
        page = render_search_page(query, since, until, results, self.server.title, error)
        self._send(HTTPStatus.OK, page.encode("utf-8"), TYPES[".html"], send_body)

    def _send(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
        """Requests go to the debug log, not to stderr."""
        log.debug("%s " + format, self.address_string(), *args)


class SiteServer(ThreadingHTTPServer):
    """A threading HTTP server for one site folder, one search function and, optionally, the signup pages."""

    daemon_threads = True

    def __init__(self, site_dir: Path, search: SearchFunction, host: str = "127.0.0.1", port: int = 8000,
                 title: str = "Diplomacy briefing", signup=None):
        self.site_dir = Path(site_dir)
        self.search = search
        self.title = title
        self.signup = signup  # delivery.signup.Signup, or None: no subscription pages
        super().__init__((host, port), SiteHandler)
        if signup is not None and not signup.own_url:
            signup.own_url = self.url.rstrip("/")

    @property
    def url(self) -> str:
        """The address the server answers on."""
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"


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

"""The WSGI application of ``briefing.py serve``: the site's files, ``/search`` and the signup pages.

Every answer, errors included, carries the same security headers (``SECURITY_HEADERS``);
the web server's own error pages (``archive.server``) add them too. Methods: GET and
HEAD everywhere, POST on the signup pages; another known method gets 405 with ``Allow``,
an unknown one 501. A request target longer than ``MAX_TARGET`` gets 414, a form body
larger than ``MAX_FORM`` a 413 (from the server, before the body is read).
"""
from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from archive.search import SearchResult
from archive.site import render_search_page
from archive.search import SearchError
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
    "Cache-Control": "no-cache",
}
SIGNUP_PATHS = ("/subscribe", "/confirm", "/unsubscribe")
MAX_FORM = 10_000  # bytes of a posted form; a subscribe form or a one-click body is far smaller
MAX_TARGET = 4096  # characters of a request target (path and query)
KNOWN_METHODS = ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND")
TEXT = "text/plain; charset=utf-8"
CACHE_FILES = 5000  # site files kept in memory at most...
CACHE_FILE_BYTES = 1_000_000  # ...each no larger than this


class Answer:
    """A response: status, body, content type and extra headers."""

    __slots__ = ("status", "body", "kind", "headers")

    def __init__(self, status: int, body: bytes, kind: str = TEXT, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.status, self.body, self.kind, self.headers = status, body, kind, tuple(headers)


def _plain(status: HTTPStatus, headers: Iterable[tuple[str, str]] = ()) -> Answer:
    return Answer(status, f"{status.phrase.lower()}\n".encode("ascii"), TEXT, headers)


class SiteApp:
    """The site of one folder, one search function and, optionally, the signup pages, as a WSGI callable."""

    def __init__(self, site_dir: Path, search: SearchFunction, title: str = "Diplomacy briefing", signup=None,
                 public_url: str = "") -> None:
        self.site_dir = Path(site_dir)
        self.search = search
        self.title = title
        self.signup = signup  # delivery.signup.Signup, or None: no subscription pages
        self.public_origin = _origin(public_url)
        # raw path -> (resolved file, (mtime_ns, size), body): a hit costs one stat instead of
        # resolving the path again; a changed or removed file is looked up afresh.
        self._files: dict[str, tuple[Path, tuple[int, int], bytes]] = {}

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        """Answer one request."""
        try:
            answer = self.answer(environ)
        except Exception:  # noqa: BLE001 - a bug must cost one 500, with the headers, not the connection
            log.exception("answering %s %s", environ.get("REQUEST_METHOD"), environ.get("REQUEST_URI"))
            answer = _plain(HTTPStatus.INTERNAL_SERVER_ERROR)
        status = HTTPStatus(answer.status)
        headers = [("Content-Type", answer.kind), ("Content-Length", str(len(answer.body))),
                   *SECURITY_HEADERS.items(), *answer.headers]
        start_response(f"{status.value} {status.phrase}", headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [answer.body]

    def answer(self, environ: dict) -> Answer:
        """The answer to one request (a WSGI environ)."""
        method = environ.get("REQUEST_METHOD", "GET")
        target = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        raw = target.split("?", 1)[0].split("#", 1)[0]
        signup = self.signup if raw in SIGNUP_PATHS else None
        if method not in ("GET", "HEAD", "POST"):
            allow = ("Allow", "GET, HEAD, POST" if signup else "GET, HEAD")
            known = method in KNOWN_METHODS
            return _plain(HTTPStatus.METHOD_NOT_ALLOWED if known else HTTPStatus.NOT_IMPLEMENTED, [allow])
        if len(target) > MAX_TARGET:
            return _plain(HTTPStatus.REQUEST_URI_TOO_LONG)
        query = environ.get("QUERY_STRING", "")
        if method == "POST":
            if signup is None:
                return _plain(HTTPStatus.METHOD_NOT_ALLOWED, [("Allow", "GET, HEAD")])
            return self._post(raw, query, environ)
        if signup is not None:
            params = parse_qs(query)
            if raw == "/subscribe":
                page = signup.form()
            elif raw == "/confirm":
                page = signup.confirm_page(params.get("t", [""])[0])
            else:
                page = signup.unsubscribe_page(params.get("id", [""])[0])
            return Answer(page.status, page.body, page.kind, page.headers)
        if raw == "/search" or (raw == "/search.html" and query):
            return self._search(query)
        return self._file(raw)

    def _file(self, raw: str) -> Answer:
        from archive.server import site_file

        cached = self._files.get(raw)
        if cached is not None:
            target, version, body = cached
            try:
                info = target.stat()
            except OSError:
                info = None
            if info is not None and (info.st_mtime_ns, info.st_size) == version:
                return Answer(HTTPStatus.OK, body, _kind(target))
        try:
            target = site_file(self.site_dir, raw)
            info = target.stat() if target is not None else None
            body = target.read_bytes() if target is not None else None
        except (UnicodeDecodeError, OSError):
            body = None
        if body is None:
            return _plain(HTTPStatus.NOT_FOUND)
        if len(body) <= CACHE_FILE_BYTES and len(self._files) < CACHE_FILES:
            self._files[raw] = (target, (info.st_mtime_ns, info.st_size), body)
        return Answer(HTTPStatus.OK, body, _kind(target))

    def _post(self, raw: str, query: str, environ: dict) -> Answer:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(HTTPStatus.BAD_REQUEST)
        if not 0 <= length <= MAX_FORM:
            return _plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
        params = parse_qs(query)
        signup = self.signup
        if raw == "/subscribe":
            form = parse_qs(body)
            page = signup.ask(form.get("email", [""])[0], form.get("csrf", [""])[0],
                              client=environ.get("REMOTE_ADDR", ""), same_origin=self._same_origin(environ))
        elif raw == "/confirm":
            page = signup.confirm(params.get("t", [""])[0])
        else:
            page = signup.unsubscribe(params.get("id", [""])[0], body)
        return Answer(page.status, page.body, page.kind, page.headers)

    def _same_origin(self, environ: dict) -> bool:
        """False when the browser says the form was sent from another site (Sec-Fetch-Site, Origin)."""
        if environ.get("HTTP_SEC_FETCH_SITE", "").lower() == "cross-site":
            return False
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            return True  # not a browser, or an old one: the form token still has to be right
        own = {self.public_origin, _origin(f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}")}
        return _origin(origin) in own - {""}

    def _search(self, query_string: str) -> Answer:
        params = parse_qs(query_string, keep_blank_values=True)
        query = params.get("q", [""])[0]
        since = params.get("from", [""])[0][:40]
        until = params.get("to", [""])[0][:40]
        if not (query.strip() or since or until):
            return Answer(HTTPStatus.OK, render_search_page(title=self.title).encode("utf-8"), TYPES[".html"])
        status, error, results = HTTPStatus.OK, "", []
        try:
            results = list(self.search(query, since or None, until or None))
        except SearchError as exc:
            status, error = HTTPStatus.BAD_REQUEST, exc.message()
        except BriefingError as exc:
            status, error = HTTPStatus.SERVICE_UNAVAILABLE, exc.message()
        shown = query if len(query) <= 300 else query[:300] + "…"
        page = render_search_page(shown, since, until, results, self.title, error)
        return Answer(status, page.encode("utf-8"), TYPES[".html"])


def _kind(target: Path) -> str:
    return TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL, lower case ('' when it has none)."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return ""
        default = {"http": 80, "https": 443}[parts.scheme]
        port = f":{parts.port}" if parts.port and parts.port != default else ""
    except ValueError:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host.lower()}{port}"

"""Load on ``briefing.py serve``: ``python -m bench serve [--clients 50 --requests 20 --idle 200]``.

Builds the demo archive (``briefing.py demo``) in a temporary folder, starts ``serve`` on
it in its own process, and has ``--clients`` clients (one asyncio task each, in this
process) make ``--requests`` requests one after another, each on a new connection: the
archive pages, the stylesheet, the feed, and searches (one request in three). Printed:
requests answered, connections dropped (refused, reset, timed out, or a status other
than 200), and the median, p99 and slowest answer for pages and for searches. A second
round does the same with one kept-alive connection per client, as browsers do.

Last, the costliest searches the query caps allow are timed on an index of
``--search-stories`` stories (the demo's, repeated over many dates).

Then the same load again while ``--idle`` more connections are held open doing nothing
(half of them having sent one request line): they must not slow the others.

``--baseline`` runs the same two rounds first against the same application served by the
standard library's threading WSGI server (listen backlog 5, a thread per connection, no
timeouts), which is what ``serve`` was built on before.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = ("ceasefire", "talks", "negotiat*", "foreign minister", "summit", "trade agreement", "sanction*",
            "election", "border")


def _demo(home: Path) -> list[str]:
    """Build the demo archive in ``home``; the site paths to request."""
    subprocess.run([sys.executable, str(ROOT / "briefing.py"), "demo", "--home", str(home)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    site = home / "site"
    pages = sorted("/" + str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and p.suffix in
                   (".html", ".css", ".atom") and not p.name.startswith("."))
    return ["/", *pages]


def _start(home: Path, baseline: bool) -> tuple[subprocess.Popen, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(home)
    command = ([sys.executable, "-m", "bench.serve", "--stdlib-server", str(home)] if baseline else
               [sys.executable, str(ROOT / "briefing.py"), "serve", "--port", "0"])
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, int(match.group(1))


async def _get(port: int, path: str) -> tuple[bool, float]:
    began = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        ok = data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")
    except (OSError, asyncio.TimeoutError):
        ok = False
    return ok, time.perf_counter() - began


async def _get_kept(conn: list, port: int, path: str) -> tuple[bool, float]:
    """One request on the client's kept-alive connection (``conn`` holds it; opened when empty)."""
    began = time.perf_counter()
    try:
        if not conn:
            conn.extend(await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10))
        reader, writer = conn
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await asyncio.wait_for(reader.readexactly(length), 10)
        ok = head.startswith(b"HTTP/1.1 200")
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, AttributeError):
        ok = False
        conn.clear()
    return ok, time.perf_counter() - began


async def _client(port: int, number: int, requests: int, pages: list[str], out: list, keep_alive: bool) -> None:
    conn: list = []
    for n in range(requests):
        k = number * requests + n
        if k % 3 == 2:
            kind, path = "search", "/search?q=" + SEARCHES[k % len(SEARCHES)].replace(" ", "+")
        else:
            kind, path = "page", pages[k % len(pages)]
        ok, took = await (_get_kept(conn, port, path) if keep_alive else _get(port, path))
        out.append((kind, ok, took))
    if conn:
        conn[1].close()


async def _round(port: int, clients: int, requests: int, pages: list[str], keep_alive: bool = False) -> list:
    out: list = []
    await asyncio.gather(*(_client(port, c, requests, pages, out, keep_alive) for c in range(clients)))
    return out


def _idle(port: int, count: int) -> list[socket.socket]:
    held = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if n % 2:
            sock.sendall(b"GET / HTTP/1.1\r\n")
        held.append(sock)
    return held


def _report(label: str, results: list) -> dict:
    line = {"label": label, "answered": sum(ok for _, ok, _ in results),
            "dropped": sum(not ok for _, ok, _ in results)}
    for kind in ("page", "search"):
        times = sorted(t for k, ok, t in results if k == kind and ok)
        if times:
            line[kind] = (statistics.median(times) * 1000, times[max(0, int(len(times) * 0.99) - 1)] * 1000,
                          times[-1] * 1000)
    parts = [f"{label:<44} answered {line['answered']:>5}  dropped {line['dropped']:>4}"]
    for kind in ("page", "search"):
        if kind in line:
            median, p99, worst = line[kind]
            parts.append(f"{kind}s median {median:6.1f} ms p99 {p99:6.1f} ms max {worst:6.1f} ms")
    print("  ".join(parts), flush=True)
    return line


def _measure(home: Path, pages: list[str], args, baseline: bool) -> list[dict]:
    name = "stdlib threading server (before)" if baseline else "serve (waitress)"
    proc, port = _start(home, baseline)
    try:
        asyncio.run(_round(port, 5, 4, pages))  # warm the caches
        lines = [_report(f"{name}", asyncio.run(_round(port, args.clients, args.requests, pages)))]
        if not baseline:  # the standard library's WSGI server speaks HTTP/1.0: one request a connection
            lines.append(_report(f"{name}, kept-alive", asyncio.run(_round(port, args.clients, args.requests,
                                                                             pages, keep_alive=True))))
        held = _idle(port, args.idle)
        try:
            lines.append(_report(f"{name}, {args.idle} idle",
                                 asyncio.run(_round(port, args.clients, args.requests, pages))))
        finally:
            for sock in held:
                sock.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return lines


def _search_at_scale(home: Path, stories: int) -> None:
    """Time the costliest queries the caps allow on an index of ``stories`` stories (the demo's, repeated)."""
    import sqlite3
    from datetime import date, timedelta

    from archive.search import query_terms, search
    from core import db

    rows = sqlite3.connect(home / "briefing.db").execute(
        "SELECT story_id, position, headline, summary, outlets, titles FROM story_search").fetchall()
    conn = db.connect(home / "scale.db")
    start = date(2020, 1, 1)
    batch = [((start + timedelta(days=n // len(rows))).isoformat(), *rows[n % len(rows)]) for n in range(stories)]
    conn.executemany("INSERT INTO story_search (date, story_id, position, headline, summary, outlets, titles)"
                     " VALUES (?,?,?,?,?,?,?)", batch)
    conn.execute("INSERT INTO story_words (rowid, date, story_id, position, headline, summary, outlets, titles)"
                 " SELECT rowid, date, story_id, position, headline, summary, outlets, titles FROM story_search")
    queries = {
        "4 short prefixes": "the* and* for* wit*",
        "4 prefixes + 8 words": "the* and* con* pre* said the of to in a on minister",
        "12 common words": "the of and to in a said on for with minister talks",
    }
    for label, query in queries.items():
        query_terms(query)  # within the caps
        times = []
        for _ in range(5):
            began = time.perf_counter()
            search(conn, query)
            times.append(time.perf_counter() - began)
        print(f"search over {stories} stories, {label:<22} median {statistics.median(times) * 1000:7.1f} ms"
              f"  max {max(times) * 1000:7.1f} ms", flush=True)
    conn.close()


def _stdlib_server(home: Path) -> None:
    """Serve the same application with the standard library's threading WSGI server (the baseline)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from archive.server import database_search
    from archive.webapp import SiteApp

    class Quiet(WSGIRequestHandler):
        """No line per request on stderr."""

        def log_message(self, *args) -> None:
            """Say nothing."""

    class Threading(ThreadingMixIn, WSGIServer):
        """A thread per connection, the listen backlog of socketserver (5)."""

        daemon_threads = True

    app = SiteApp(home / "site", database_search(home / "briefing.db"))
    server = make_server("127.0.0.1", 0, app, server_class=Threading, handler_class=Quiet)
    print(f"serving at http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    """Run the load rounds and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m bench serve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--idle", type=int, default=200, help="idle connections held open in the second round")
    parser.add_argument("--baseline", action="store_true", help="measure the standard library's server first")
    parser.add_argument("--search-stories", type=int, default=6000,
                        help="also time the costliest allowed searches on an index this large (0: skip)")
    parser.add_argument("--stdlib-server", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stdlib_server:
        _stdlib_server(args.stdlib_server)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        home = Path(tmp) / "demo"
        pages = _demo(home)
        print(f"demo archive: {len(pages)} pages; {args.clients} clients x {args.requests} requests, "
              f"a new connection each, one in three a search; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores", flush=True)
        lines = _measure(home, pages, args, baseline=True) if args.baseline else []
        lines += _measure(home, pages, args, baseline=False)
        if args.search_stories:
            _search_at_scale(home, args.search_stories)
    ours = [line for line in lines if line["label"].startswith("serve")]
    worst = max(max(line.get(k, (0, 0, 0))[1] for k in ("page", "search")) for line in ours)
    dropped = sum(line["dropped"] for line in ours)
    print(f"serve: {dropped} dropped, worst p99 {worst:.1f} ms (target: 0 dropped, p99 <= 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

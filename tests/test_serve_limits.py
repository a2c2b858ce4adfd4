"""`briefing.py serve` probed as an attacker would, on a real server on loopback with raw sockets:
security headers on every answer (the web server's own error pages too), idle and slow
connections cut, a real listen queue, idle connections that block nobody, search caps."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from archive.options import ServeOptions
from archive.server import SiteServer, database_search
from archive.webapp import SECURITY_HEADERS
from tests.test_site import archived_site

FAST = ServeOptions(idle_timeout=1, request_timeout=2, threads=4)


def start(root, options: ServeOptions = FAST, signup=None) -> SiteServer:
    """A server over the invented site under ``root`` on a free loopback port, running in a thread."""
    site = archived_site(root)
    server = SiteServer(site, database_search(root / "briefing.db"), "127.0.0.1", 0, signup=signup, options=options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start(tmp_path_factory.mktemp("limits"))
    yield srv
    srv.shutdown()
    srv.server_close()


def exchange(server: SiteServer, data: bytes, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send ``data`` as it is and read the answer until the server closes: (status, headers, body)."""
    with socket.create_connection(server.server_address[:2], timeout=timeout) as sock:
        sock.sendall(data)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if ": " in line)}
    return int(lines[0].split()[1]), headers, body


def closed_after(sock: socket.socket, limit: float) -> float | None:
    """Seconds until the server closed ``sock`` (None if it was still open after ``limit``)."""
    began = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        return None
    except OSError:
        pass
    return time.monotonic() - began


ERRORS = {
    400: b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n",
    404: b"GET /nothing.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    405: b"PUT /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    413: b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n",
    414: b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    431: b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\nConnection: close\r\n\r\n",
    501: b"BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
}


@pytest.mark.parametrize("status", sorted(ERRORS))
def test_every_error_page_carries_the_security_headers(server, status):
    got, headers, _body = exchange(server, ERRORS[status])
    assert got == status
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, (status, name)
    assert "waitress" not in str(headers).lower()


def test_pages_keep_their_headers_and_head_has_no_body(server):
    status, headers, body = exchange(server, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_a_connection_that_sends_one_line_and_stops_is_cut(server):
    with socket.create_connection(server.server_address[:2]) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        waited = closed_after(sock, 8)
    assert waited is not None and waited < 6  # idle_timeout 1 s, checked every second


def test_a_request_trickling_in_is_cut_after_the_request_timeout(server):
    with socket.create_connection(server.server_address[:2]) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        began = time.monotonic()
        sock.settimeout(0.3)
        cut = False
        while time.monotonic() - began < 10:
            try:
                sock.sendall(b"X-Drip: 1\r\n")  # a byte sooner than the idle timeout: never idle
                if sock.recv(4096) == b"":
                    cut = True
                    break
            except socket.timeout:
                continue
            except OSError:
                cut = True
                break
        assert cut and time.monotonic() - began < 7  # request_timeout 2 s


def get_time(server: SiteServer, path: str = "/") -> tuple[int, float]:
    began = time.monotonic()
    status, _, _ = exchange(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    return status, time.monotonic() - began


def test_two_hundred_idle_connections_do_not_block_others(tmp_path):
    srv = start(tmp_path, ServeOptions(threads=4))  # default timeouts: the idle ones stay for the whole test
    idle = []
    try:
        for n in range(200):
            sock = socket.create_connection(srv.server_address[:2])
            if n % 2:
                sock.sendall(b"GET / HTTP/1.1\r\n")  # half of them start a request and stop
            idle.append(sock)
        times = [get_time(srv, path) for path in ("/", "/search?q=ceasefire", "/style.css") * 5]
        assert all(status == 200 for status, _ in times)
        assert max(t for _, t in times) < 1.0
    finally:
        for sock in idle:
            sock.close()
        srv.shutdown()
        srv.server_close()


def test_a_hundred_simultaneous_connects_need_no_retry(server):
    barrier = threading.Barrier(100)
    results: list[tuple[float, int]] = []
    lock = threading.Lock()

    def client() -> None:
        barrier.wait()
        began = time.monotonic()
        sock = socket.create_connection(server.server_address[:2], timeout=10)
        connected = time.monotonic() - began
        sock.sendall(b"GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        sock.close()
        with lock:
            results.append((connected, int(data.split()[1])))

    threads = [threading.Thread(target=client) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 100 and all(status == 200 for _, status in results)
    assert max(connected for connected, _ in results) < 0.9  # a dropped SYN is retried after 1 s


def test_a_search_of_many_prefixes_is_refused_at_once_with_a_clear_page(server):
    query = "+".join(f"a{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}*" for n in range(166))
    began = time.monotonic()
    status, headers, body = exchange(server, f"GET /search?q={query} HTTP/1.1\r\nHost: x\r\n"
                                             "Connection: close\r\n\r\n".encode())
    assert status == 400 and time.monotonic() - began < 1.0
    assert b"characters long; use at most 200" in body and b'<form class="search"' in body
    assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    status, _, body = exchange(server, b"GET /search?q=" + b"+".join([b"ceasefire"] * 15) + b" HTTP/1.1\r\n"
                                       b"Host: x\r\nConnection: close\r\n\r\n")
    assert status == 200 and b"found" in body  # the same word fifteen times is one word

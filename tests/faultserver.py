"""A fault-injecting HTTP server on 127.0.0.1 for tests: it misbehaves at the socket level.

``tests.httpserver`` answers with well-formed responses; this one also hangs up without a
word, resets the connection, stops after the headers, or trickles a body a few bytes at a
time. Each path maps to a ``Fault``; unknown paths answer 404. Every request is counted
per path (``hits``) so a test can tell whether a feed was asked at all.

    with FaultServer({"/reset": Fault("reset"), "/feed": Fault(body=b"<rss/>")}) as server:
        fetch(server.url("/reset"))
"""
from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["respond", "reset", "close", "hang", "trickle", "headers-only"]


@dataclass(frozen=True)
class Fault:
    """What to do with a request: ``respond`` normally, ``reset`` (TCP RST before any reply),
    ``close`` (a clean close before any reply), ``hang`` (say nothing until the client gives up),
    ``trickle`` (send the headers, then ``trickle_bytes`` every ``trickle_every`` seconds),
    ``headers-only`` (announce a Content-Length, send the headers and part of the body, then reset)."""

    kind: Kind = "respond"
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    trickle_bytes: int = 1
    trickle_every: float = 0.2


Handler = Fault | Callable[[str, Mapping[str, str], int], Fault]  # (path, headers, hit number) -> Fault


class FaultServer:
    """A threaded TCP server speaking just enough HTTP/1.1 to misbehave on purpose."""

    def __init__(self, routes: Mapping[str, Handler] | None = None) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        owner = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request)

        class _Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="fault-http")

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """The http URL of ``path`` on this server (``host`` may be a name a test resolves)."""
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> "FaultServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- one connection ------------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        try:
            raw = b""
            while b"\r\n\r\n" not in raw:
                data = sock.recv(65536)
                if not data:
                    return
                raw += data
            head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1] if len(head[0].split(" ")) > 1 else "/"
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
            with self._lock:
                self.hits[path] += 1
                hit = self.hits[path]
                self.hosts.append(headers.get("host", ""))
            handler = self.routes.get(path) or self.routes.get(path.split("?")[0])
            if handler is None:
                fault = Fault(status=404, body=b"not found")
            else:
                fault = handler(path, headers, hit) if callable(handler) else handler
            self._act(sock, fault)
        except OSError:
            pass  # the client hung up first; that is what half of these faults provoke

    def _act(self, sock: socket.socket, fault: Fault) -> None:
        if fault.kind == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return
        if fault.kind == "close":
            sock.close()
            return
        if fault.kind == "hang":
            self._stop.wait(30)
            return
        names = {k.lower() for k in fault.headers}
        lines = [f"HTTP/1.1 {fault.status} X"] + [f"{k}: {v}" for k, v in fault.headers.items()]
        if fault.kind == "trickle":
            lines.append("Transfer-Encoding: chunked")
        elif "content-length" not in names:
            lines.append(f"Content-Length: {len(fault.body) * (2 if fault.kind == 'headers-only' else 1)}")
        lines.append("Connection: close")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if fault.kind == "trickle":
            while not self._stop.is_set():
                piece = (fault.body or b" ")[: fault.trickle_bytes] or b" "
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                time.sleep(fault.trickle_every)
            return
        sock.sendall(fault.body)
        if fault.kind == "headers-only":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

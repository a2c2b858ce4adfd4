"""Two at once: while one job runs, a second fetch/build/run/send/import exits at once with a
clear message and writes nothing; once the first is done the second works.

Real processes: the first is a ``briefing.py fetch`` held up by a slow feed on a loopback
server; the others are started while it waits.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.httpserver import Route, http_server  # noqa: F401 - pytest fixture

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "fixtures" / "corpus"
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Slow Desk</title>
<item><title>Envoys return to the table</title><link>https://slow.example/1</link>
<description>Envoys of both sides returned to the table on Friday after a month of silence, and said
the next round would take place in the capital of the mediating country before the end of the month.
</description><pubDate>Fri, 07 Mar 2025 09:00:00 GMT</pubDate></item></channel></rss>"""


def _cli(home: Path, *args: str, wait: bool = True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(home)
    command = [sys.executable, str(ROOT / "briefing.py"), *args]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def _lock_holder(home: Path) -> str:
    path = home / "briefing.lock"
    return path.read_text() if path.exists() else ""


def test_a_second_job_exits_with_a_clear_message_while_one_runs(tmp_path, http_server):
    home = tmp_path / "home"
    home.mkdir()
    release = threading.Event()

    def slow(request):  # holds the first job inside its fetch until the test is done
        release.wait(90)
        return Route(200, {"Content-Type": "application/rss+xml"}, FEED)

    http_server.routes["/slow"] = slow
    (home / "config.toml").write_text(
        f'[fetch]\nfetch_pages = false\ntimeout = 60\n[smtp]\nhost = "127.0.0.1"\nport = 9\n'
        f'sender = "desk@example.org"\nto = "ann@example.org"\n'
        f'[[feeds]]\nname = "Slow Desk"\nurl = "{http_server.url("/slow")}"\nallow_private = true\n')
    first = _cli(home, "fetch", wait=False)
    try:
        deadline = time.monotonic() + 20
        while "fetch" not in _lock_holder(home) or not http_server.requests_to("/slow"):
            assert time.monotonic() < deadline, first.communicate(timeout=1)
            time.sleep(0.05)
        db = home / "briefing.db"
        before = db.stat().st_mtime_ns if db.exists() else None
        commands = (["fetch"], ["build", "--date", "2025-03-07"], ["run"], ["send", "--date", "2025-03-07"],
                    ["import", str(CORPUS)])
        started = time.monotonic()
        others = [(args, _cli(home, *args, wait=False)) for args in commands]  # all at once
        for args, second in others:
            _, err = second.communicate(timeout=60)
            job = args[0]
            assert second.returncode == 1, (args, err)
            assert err.strip().startswith(f"error: cannot {job}: 'fetch' (pid {first.pid}) is running on"), err
            assert "wait for it to finish and try again" in err
        # None of them queued up behind the first, which is held for 90 s.
        assert time.monotonic() - started < 60
        assert (db.stat().st_mtime_ns if db.exists() else None) == before  # nothing written by the others
        assert first.poll() is None  # and the first is still at work
        release.set()
        out, err = first.communicate(timeout=30)
    finally:
        release.set()
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert "1 new articles" in out
    with sqlite3.connect(home / "briefing.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    # Once the first is done, the lock is free again.
    again = _cli(home, "import", str(CORPUS))
    assert again.returncode == 0, again.stderr

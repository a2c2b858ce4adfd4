"""Kill the briefing with SIGKILL in the middle of fetch, build and send, and check nothing is lost.

Used by ``tests/test_crash.py`` (a dozen kills, in CI) and ``bench/crash.py`` (the full run).

The set-up: a loopback HTTP server with feeds that grow every round and a loopback SMTP
server that saves each accepted message, both in a separate process (``python -m
tests.crashkit serve DIR``) so that this process has no threads and can ``fork``. Each job
runs in a forked child that already has every module imported, so a job starts working at
once and a random delay lands inside the work, not inside Python's start-up. The child is
killed with SIGKILL after a random delay; then the checks run:

* ``PRAGMA integrity_check`` answers ok;
* every article committed before the job started is still there;
* every archived briefing (and every ``--out`` copy) is whole: the JSON parses, the HTML
  ends with ``</html>``, the text is not empty;
* every message the SMTP server accepted is whole (an HTML and a text part, the HTML
  complete), and no recipient has two different messages for one date.

At the end, clean runs of fetch, build and send must bring everything in: each feed item
stored once, each built date delivered to each recipient.
"""
from __future__ import annotations

import email
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.policy import default as default_policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("fetch", "build", "send")
RECIPIENTS = tuple(f"{name}@example.org" for name in ("ann", "bo", "cy", "di", "ed", "flo", "gus", "hal"))
FIRST_DAY = date(2025, 3, 1)
PLACES = ("Arlandia", "Bexmoor", "Corvia", "Dunmark", "Estmere", "Fallow", "Gantry", "Holm")
VERBS = ("reopen border talks", "sign a water treaty", "recall their ambassadors", "agree a ceasefire",
         "exchange prisoners", "resume trade negotiations", "hold a summit", "open a consulate")


# ---------------------------------------------------------------- the servers' process

def serve(folder: Path) -> None:
    """Serve ``folder/feeds/*.xml`` over HTTP and save mail into ``folder/mail``; print the ports."""
    sys.path.insert(0, str(ROOT))
    from tests.httpserver import LoopbackServer, Route
    from tests.smtpserver import LoopbackSmtp

    feeds = folder / "feeds"
    mail = folder / "mail"
    mail.mkdir(parents=True, exist_ok=True)

    def feed(request):
        path = feeds / (request.path.strip("/").split("?")[0] + ".xml")
        try:
            return Route(200, {"Content-Type": "application/rss+xml"}, path.read_bytes())
        except OSError:
            return Route(404, {}, b"no such feed")

    smtp = LoopbackSmtp()
    original = smtp.controller.handler.handle_DATA

    async def handle_data(server, session, envelope):
        answer = await original(server, session, envelope)
        number = len(smtp.messages)
        temp = mail / f".{number:05d}.tmp"
        temp.write_bytes(json.dumps({"rcpt": list(envelope.rcpt_tos),
                                     "data": bytes(envelope.content).decode("utf-8", "replace")}).encode())
        os.replace(temp, mail / f"{number:05d}.json")
        return answer

    smtp.controller.handler.handle_DATA = handle_data
    http = LoopbackServer()
    http.routes = _CatchAll(feed)
    http._httpd.handle_error = lambda request, address: None  # a killed client resets; that is the point
    with http, smtp:
        print(f"PORTS {http.port} {smtp.port}", flush=True)
        sys.stdin.read()  # until the harness closes our stdin


class _CatchAll(dict):
    """A route table that sends every path to one handler."""

    def __init__(self, handler):
        super().__init__()
        self.handler = handler

    def get(self, key, default=None):
        return self.handler


# ---------------------------------------------------------------- the harness

def _json_complete(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _html_complete(text: str) -> bool:
    return text.rstrip().endswith("</html>")


@dataclass
class CrashReport:
    """What a crash run did and found."""

    kills: dict[str, int] = field(default_factory=lambda: {p: 0 for p in PHASES})
    finished_early: int = 0
    articles_checked: int = 0
    briefings_checked: int = 0
    messages_checked: int = 0
    same_message_again: int = 0  # a second copy with the same Message-ID (the window send.py documents)
    problems: list[str] = field(default_factory=list)
    items_served: int = 0
    articles_stored: int = 0
    deliveries_expected: int = 0
    deliveries_made: int = 0
    seconds: float = 0.0

    @property
    def total_kills(self) -> int:
        """Kills that landed while the job was still running."""
        return sum(self.kills.values())


class CrashHarness:
    """One data directory, one pair of servers, and jobs run in killable forked children."""

    def __init__(self, workdir: Path, feeds: int = 6, items_per_round: int = 6, seed: int = 1) -> None:
        self.workdir = Path(workdir)
        self.home = self.workdir / "home"
        self.served = self.workdir / "served"
        self.feed_count = feeds
        self.items_per_round = items_per_round
        self.random = random.Random(seed)
        self.round = 0
        self.items: dict[int, list[str]] = defaultdict(list)
        self.report = CrashReport()
        self.built_dates: set[str] = set()
        self.process: subprocess.Popen | None = None

    # -- set-up ---------------------------------------------------------------------------
    def __enter__(self) -> "CrashHarness":
        (self.served / "feeds").mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, "-m", "tests.crashkit", "serve", str(self.served)],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        assert line and line[0] == "PORTS", line
        http_port, smtp_port = int(line[1]), int(line[2])
        feeds = "".join(f'[[feeds]]\nname = "Desk {n}"\nurl = "http://127.0.0.1:{http_port}/f{n}"\n'
                        f"allow_private = true\n" for n in range(self.feed_count))
        (self.home / "config.toml").write_text(
            f'[briefing]\ntimezone = "UTC"\n[fetch]\nfetch_pages = false\ntimeout = 10\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\ntls = "none"\nsender = "desk@example.org"\n'
            f"to = {json.dumps(list(RECIPIENTS))}\nretries = 0\ntimeout = 10\n" + feeds)
        os.environ["BRIEFING_HOME"] = str(self.home)
        for key in [k for k in os.environ if k.startswith("BRIEFING_") and k != "BRIEFING_HOME"]:
            del os.environ[key]
        # Everything a job needs, imported before the first fork.
        import briefing  # noqa: F401
        import jobs  # noqa: F401
        import delivery.send  # noqa: F401
        import summarize.stories  # noqa: F401
        import summarize.group  # noqa: F401
        import templates.render  # noqa: F401
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def grow_feeds(self) -> None:
        """Add a round of new items to every feed (written atomically, as a server would)."""
        self.round += 1
        for n in range(self.feed_count):
            for k in range(self.items_per_round):
                a, b = self.random.sample(PLACES, 2)
                verb = self.random.choice(VERBS)
                link = f"https://desk{n}.example/{self.round}/{k}"
                day = self.day()
                self.items[n].append(
                    f"<item><title>{a} and {b} {verb}</title><link>{link}</link><description>Ministers of {a} "
                    f"and {b} said on {'Monday' if k % 2 else 'Tuesday'} they would {verb}, after envoys met "
                    f"in the capital. Round {self.round}, note {k}: the foreign ministry confirmed the "
                    f"plan and diplomats from both sides will meet again next week.</description>"
                    f"<pubDate>{day:%a, %d %b %Y} {k % 24:02d}:{n % 60:02d}:00 GMT</pubDate></item>")
            body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
                    + "".join(self.items[n]) + "</channel></rss>")
            temp = self.served / "feeds" / f".f{n}.tmp"
            temp.write_text(body)
            os.replace(temp, self.served / "feeds" / f"f{n}.xml")

    def day(self) -> date:
        """The day this round's news is from, and whose briefing is built and sent."""
        return FIRST_DAY + timedelta(days=self.round)

    def command(self, phase: str) -> list[str]:
        """The command line of a job of this phase."""
        date = self.day().isoformat()
        if phase == "fetch":
            return ["fetch"]
        if phase == "build":
            self.built_dates.add(date)
            return ["build", "--date", date, "--out", str(self.workdir / "out" / date)]
        return ["send", "--date", date]

    # -- running ----------------------------------------------------------------------------
    def start(self, argv: list[str]) -> int:
        """Fork a child that runs ``briefing.py ARGV``; returns its pid."""
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: quiet, and never back into the caller's code
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                import briefing
                code = briefing.main(argv)
            except BaseException:
                code = 99
            os._exit(code if isinstance(code, int) else 0)
        return pid

    def run(self, argv: list[str], limit: float = 120.0) -> int:
        """Run a job to its end (at most ``limit`` seconds, then it is killed and reported)."""
        pid = self.start(argv)
        deadline = time.monotonic() + limit
        while True:
            reaped, status = os.waitpid(pid, os.WNOHANG)
            if reaped:
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                self.report.problems.append(f"{' '.join(argv)} did not finish within {limit:g} s")
                return -9
            time.sleep(0.01)

    def time_phase(self, phase: str) -> float:
        """How long an uninterrupted job of this phase takes now."""
        started = time.monotonic()
        self.run(self.command(phase))
        return time.monotonic() - started

    def kill_during(self, phase: str, duration: float) -> bool:
        """Start a job of ``phase`` and SIGKILL it after a random part of ``duration``; True if the
        kill landed while it ran. Then check everything."""
        before = self.article_ids()
        pid = self.start(self.command(phase))
        time.sleep(self.random.uniform(0.0, duration))
        reaped, status = os.waitpid(pid, os.WNOHANG)
        landed = reaped == 0
        if landed:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        if landed and os.WIFSIGNALED(status):
            self.report.kills[phase] += 1
        else:
            landed = False
            self.report.finished_early += 1
        self.check(before, f"after killing {phase} #{self.report.kills[phase]}")
        return landed

    # -- checks ------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.home / "briefing.db", timeout=30)

    def article_ids(self) -> set[str]:
        """The ids of the committed articles."""
        if not (self.home / "briefing.db").exists():
            return set()
        with self._db() as conn:
            try:
                return {r[0] for r in conn.execute("SELECT id FROM articles")}
            except sqlite3.OperationalError:
                return set()

    def check(self, before: set[str], when: str) -> None:
        """Every invariant, after a kill; problems go into the report."""
        problems = self.report.problems
        if (self.home / "briefing.db").exists():
            conn = self._db()
            try:
                verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
                if verdict != "ok":
                    problems.append(f"{when}: integrity_check says {verdict}")
            finally:
                conn.close()
        now = self.article_ids()
        lost = before - now
        self.report.articles_checked += len(before)
        if lost:
            problems.append(f"{when}: {len(lost)} committed article(s) missing")
        self._check_briefings(when)
        self._check_mail(when)

    def _check_briefings(self, when: str) -> None:
        # An archived date is a symlink swapped in whole: all three files, each complete. An
        # --out folder is the user's, written file by file: each file present must be whole.
        archive = self.home / "archive"
        dated = [(p, True) for p in archive.iterdir() if p.name[:1].isdigit()] if archive.exists() else []
        out = self.workdir / "out"
        dated += [(p, False) for p in out.iterdir()] if out.exists() else []
        for folder, whole_set in dated:
            if not folder.exists():
                self.report.problems.append(f"{when}: {folder} is a dangling link")
                continue
            self.report.briefings_checked += 1
            for name, complete in (("briefing.json", _json_complete), ("briefing.html", _html_complete),
                                   ("briefing.txt", lambda t: bool(t.strip()))):
                path = folder / name
                if not path.exists():
                    if whole_set:
                        self.report.problems.append(f"{when}: {path} missing from an archived briefing")
                    continue
                if not complete(path.read_text(encoding="utf-8", errors="replace")):
                    self.report.problems.append(f"{when}: {path} is half-written")

    def messages(self) -> list[tuple[tuple[str, ...], email.message.EmailMessage]]:
        """Every message the SMTP server accepted: (recipients, parsed message)."""
        found = []
        for path in sorted((self.served / "mail").glob("*.json")):
            record = json.loads(path.read_text())
            found.append((tuple(record["rcpt"]),
                          email.message_from_string(record["data"], policy=default_policy)))
        return found

    def _check_mail(self, when: str) -> None:
        ids: dict[tuple[str, str], set[str]] = defaultdict(set)
        copies: dict[tuple[str, str], int] = defaultdict(int)
        for rcpts, msg in self.messages():
            html = msg.get_body(("html",))
            text = msg.get_body(("plain",))
            if html is None or text is None or not html.get_content().rstrip().endswith("</html>"):
                self.report.problems.append(f"{when}: a truncated message to {rcpts} was delivered")
            mid = str(msg["Message-ID"])
            date = mid.split(".")[1] if mid.startswith("<briefing.") else str(msg["Subject"])
            for rcpt in rcpts:
                ids[(rcpt, date)].add(mid)
                copies[(rcpt, date)] += 1
        self.report.messages_checked = sum(copies.values())
        self.report.same_message_again = sum(n - len(ids[k]) for k, n in copies.items())
        for key, distinct in ids.items():
            if len(distinct) > 1:
                self.report.problems.append(f"{when}: {key[0]} got {len(distinct)} different messages for {key[1]}")

    def finish(self) -> None:
        """Clean runs of every job; then everything served must be stored and every date delivered."""
        self.run(["fetch"])
        for date in sorted(self.built_dates):
            if not (self.home / "archive" / date).exists():
                self.run(["build", "--date", date])
            self.run(["send", "--date", date])
        self.check(self.article_ids(), "after the clean runs")
        served = {link for items in self.items.values() for item in items
                  for link in [item.split("<link>")[1].split("</link>")[0]]}
        stored = self.article_ids()
        self.report.items_served = len(served)
        self.report.articles_stored = len(served & stored)
        if served - stored:
            self.report.problems.append(f"{len(served - stored)} served item(s) never stored")
        got = {r for rcpts, _ in self.messages() for r in rcpts}
        with self._db() as conn:
            rows = conn.execute("SELECT date, recipient, status FROM deliveries").fetchall()
        self.report.deliveries_expected = len(self.built_dates) * len(RECIPIENTS)
        self.report.deliveries_made = len({(d, r) for d, r, s in rows if s in ("sent", "handed")})
        if self.report.deliveries_made != self.report.deliveries_expected:
            self.report.problems.append(f"{self.report.deliveries_made} of {self.report.deliveries_expected} "
                                        "deliveries recorded as sent")
        if got != set(RECIPIENTS):
            self.report.problems.append("not every recipient got mail")


def crash_run(workdir: Path, kills: int, seed: int = 1, feeds: int = 6, items_per_round: int = 6) -> CrashReport:
    """Grow the feeds and kill fetch, build and send in turn until each phase has had its share
    of ``kills`` kills (so at least ``kills`` in all)."""
    started = time.monotonic()
    with CrashHarness(workdir, feeds=feeds, items_per_round=items_per_round, seed=seed) as harness:
        harness.grow_feeds()
        durations = {phase: max(harness.time_phase(phase), 0.05) for phase in PHASES}
        quota = -(-kills // len(PHASES))  # each phase gets its share of the kills
        attempts = 0
        while min(harness.report.kills.values()) < quota and attempts < kills * 6:
            attempts += 1
            phase = PHASES[attempts % len(PHASES)]
            if phase == "fetch":
                harness.grow_feeds()
            if harness.report.kills[phase] >= quota:
                harness.run(harness.command(phase))  # done with this phase; keep the days moving
                continue
            if not harness.kill_during(phase, durations[phase]):
                # The job finished before the kill: aim earlier next time.
                durations[phase] = max(durations[phase] * 0.8, 0.02)
        harness.finish()
    harness.report.seconds = time.monotonic() - started
    return harness.report


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m tests.crashkit serve DIR")

"""The daily job on a timer: fetch, build and send at a local time, across daylight saving.

``next_run`` is pure and decides when; ``run_schedule`` is the loop that sleeps until
then. Two rules keep daylight-saving days right:

* a time that does not exist that day (02:30 when clocks jump from 02:00 to 03:00) runs
  at the first moment that does exist after it (03:00);
* a time that happens twice (01:30 when clocks fall back) runs once, at the first.

Locks: one ``schedule`` per data directory (its own lock file, held for the life of the
loop, so a second one says so and exits), and each daily run takes the ordinary job
lock, waiting for a manual ``fetch`` or ``build`` to finish rather than overlapping it.
Between runs the job lock is free, so manual commands work while the schedule sleeps.
"""
from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date as Date, datetime, time as Time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import db
from core.errors import BriefingError, BusyError, ConfigError
from core.lock import LockFile
from core.options import Options

log = logging.getLogger(__name__)

db.register("schedule", [
    """
    CREATE TABLE scheduled_runs (
        date TEXT PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        outcome TEXT
    )
    """,
])

Clock = Callable[[], datetime]
Job = Callable[[Options, str], str]

# Longest single sleep: the loop wakes at least this often and re-reads the clock, so a
# suspended laptop or a corrected system clock delays a run by minutes, not a day.
MAX_NAP = 300.0


def parse_time(at: str) -> Time:
    """'07:00' -> time(7, 0); ConfigError for anything else."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", at)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"[schedule] time {at!r} is not a time of day in the form HH:MM, e.g. 07:00")
    return Time(int(match[1]), int(match[2]))


def zone_of(name: str) -> ZoneInfo:
    """The ZoneInfo of an IANA name; ConfigError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}; use an IANA name such as Europe/London") from None


def _exists(local: datetime) -> bool:
    """True when the naive-local wall time in ``local`` happens in its zone (is not in a gap)."""
    back = local.astimezone(timezone.utc).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def run_time_on(day: Date, at: str, zone: str) -> datetime:
    """The moment of the day's run: ``at`` local time on ``day``, made valid across DST changes."""
    tz = zone_of(zone)
    local = datetime.combine(day, parse_time(at), tzinfo=tz)  # fold=0: the first of a repeated time
    step = 0
    while not _exists(local) and step < 24 * 60:
        # Spring forward: walk to the first wall time that exists, the end of the gap.
        step += 1
        local = datetime.combine(day, parse_time(at), tzinfo=tz) + timedelta(minutes=step)
    return local


def next_run(now: datetime, at: str, zone: str) -> datetime:
    """The first daily run strictly after ``now`` (aware), as an aware local time in ``zone``."""
    if now.tzinfo is None:
        raise ValueError("next_run needs an aware datetime")
    tz = zone_of(zone)
    today = now.astimezone(tz).date()
    for offset in range(0, 3):
        candidate = run_time_on(today + timedelta(days=offset), at, zone)
        # Compared in UTC: Python compares two datetimes of the same zone by wall time,
        # ignoring fold, which gets the repeated hour of a fall-back day wrong.
        if candidate.astimezone(timezone.utc) > now.astimezone(timezone.utc):
            return candidate
    raise AssertionError("unreachable: a daily time always occurs within two days")


def schedule_zone(options: Options) -> str:
    """The schedule's time zone: ``[schedule] timezone``, else the briefing's."""
    return options.schedule.timezone or options.briefing.timezone


@contextmanager
def schedule_lock(home: Path) -> Iterator[None]:
    """Be the only ``schedule`` on this data directory; BusyError if another one runs."""
    lock = LockFile(home / "schedule.lock")
    holder = lock.acquire(f"pid {os.getpid()}")
    if holder is not None:
        busy = BusyError(f"cannot start the schedule: one is already running on {home} ({holder})")
        busy.hint = "one is enough; stop that one first if you want to restart it"
        raise busy
    try:
        yield
    finally:
        lock.release()


def _run_row(options: Options, date: str):
    conn = db.connect(options.db_path)
    try:
        return conn.execute("SELECT * FROM scheduled_runs WHERE date = ?", (date,)).fetchone()
    finally:
        conn.close()


def _record_run(options: Options, date: str, finished: bool, outcome: str | None = None) -> None:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    conn = db.connect(options.db_path)
    try:
        if finished:
            conn.execute("UPDATE scheduled_runs SET finished = ?, outcome = ? WHERE date = ?", (stamp, outcome, date))
        else:
            conn.execute("INSERT INTO scheduled_runs (date, started) VALUES (?, ?) ON CONFLICT (date)"
                         " DO UPDATE SET started = excluded.started, finished = NULL, outcome = NULL", (date, stamp))
    finally:
        conn.close()


def missed_run(options: Options, now: datetime) -> str | None:
    """The date whose run should be caught up on now, if any.

    That is today's, when its time has passed, no scheduled run of it finished, and not
    every recipient has it already (a manual ``run --send`` counts).
    """
    from delivery.send import everyone_has

    zone = schedule_zone(options)
    today = now.astimezone(zone_of(zone)).date()
    if run_time_on(today, options.schedule.time, zone).astimezone(timezone.utc) > now.astimezone(timezone.utc):
        return None
    date = today.isoformat()
    row = _run_row(options, date)
    if row is not None and row["finished"]:
        return None
    if everyone_has(options, date):
        return None
    return date


def daily_job(options: Options, date: str) -> str:
    """Fetch, build and send the briefing of ``date`` under the job lock; the closing lines.

    When some recipient already has that date's briefing (a run that crashed while
    sending), the briefing is not rebuilt: the rest get the very same one.
    """
    from jobs import build, fetch
    from core.lock import job_lock
    from delivery.send import anyone_has, send_briefing

    lines = []
    with job_lock(options.home, "scheduled run", wait=True):
        if anyone_has(options, date) and (options.archive_dir / date / "briefing.json").exists():
            lines.append(f"briefing {date} was partly sent already; sending the same one to the rest")
        else:
            report = fetch(options)
            for url, why in report.failed:
                lines.append(f"warning: feed {url}: {why}")
            lines.append(f"feeds: {report.ok + report.not_modified} ok, {len(report.failed)} failed,"
                         f" {report.new_articles} new articles")
            built = build(options, date=date)
            lines.append(f"built {date}: {len(built.briefing.stories)} stories")
        lines.append(send_briefing(options, date).summary())
    return "\n".join(lines)


def _run_once(options: Options, date: str, job: Job, say: Callable[[str], None]) -> bool:
    _record_run(options, date, finished=False)
    try:
        outcome = job(options, date)
        ok = True
    except BriefingError as exc:
        # One bad morning (mail server down, a broken config) must not end the schedule.
        outcome, ok = f"error: {exc.message()}", False
    except Exception as exc:  # noqa: BLE001 - report anything and carry on tomorrow
        log.exception("the scheduled run of %s failed", date)
        outcome, ok = f"error: {type(exc).__name__}: {exc}", False
    _record_run(options, date, finished=True, outcome=outcome)
    say(outcome)
    return ok


def run_schedule(options: Options, *, clock: Clock | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_runs: int | None = None, job: Job = daily_job,
                 say: Callable[[str], None] | None = None) -> int:
    """Run the daily job at ``[schedule] time`` in its time zone, forever (or ``max_runs`` times).

    On start it catches up once on today's run if that was missed (``catch_up``). The
    clock, the sleep, the job and the output are injectable for tests.
    """
    clock = clock or (lambda: datetime.now(timezone.utc))
    say = say or (lambda line: print(line, flush=True))
    at, zone = options.schedule.time, schedule_zone(options)
    parse_time(at)
    zone_of(zone)
    runs = 0
    with schedule_lock(options.home):
        if options.schedule.catch_up:
            missed = missed_run(options, clock())
            if missed:
                say(f"catching up on the run of {missed} (due at {at} {zone})")
                _run_once(options, missed, job, say)
                runs += 1
        while max_runs is None or runs < max_runs:
            target = next_run(clock(), at, zone)
            say(f"next run: {target:%Y-%m-%d %H:%M %Z}")
            while (left := (target.astimezone(timezone.utc) - clock().astimezone(timezone.utc)).total_seconds()) > 0:
                sleep(min(left, MAX_NAP))
            date = target.date().isoformat()
            row = _run_row(options, date)
            if row is not None and row["finished"]:
                say(f"the run of {date} already happened; skipping")
            else:
                _run_once(options, date, job, say)
            runs += 1
    return 0

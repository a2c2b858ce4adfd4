"""The daily schedule: next run across daylight-saving changes, catch-up, one schedule at a time."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import briefing
from core import db
from core.errors import ConfigError, DeliveryError
from core.lock import job_lock
from core.options import load_options
from delivery.schedule import daily_job, next_run, run_schedule, schedule_lock
from tests.smtpserver import smtp_server  # noqa: F401

LONDON, NEW_YORK = "Europe/London", "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("now, at, zone, expected_utc", [
    # London springs forward on 2025-03-30 at 01:00 GMT -> 02:00 BST.
    (utc(2025, 3, 29, 12), "07:00", LONDON, utc(2025, 3, 30, 6)),    # 07:00 BST is 06:00 UTC
    (utc(2025, 3, 28, 12), "07:00", LONDON, utc(2025, 3, 29, 7)),    # the day before: 07:00 GMT
    (utc(2025, 3, 29, 12), "01:30", LONDON, utc(2025, 3, 30, 1)),    # 01:30 does not exist: 02:00 BST
    # London falls back on 2025-10-26 at 02:00 BST -> 01:00 GMT; 01:30 happens twice.
    (utc(2025, 10, 25, 12), "01:30", LONDON, utc(2025, 10, 26, 0, 30)),  # the first 01:30 (BST)
    (utc(2025, 10, 26, 0, 45), "01:30", LONDON, utc(2025, 10, 27, 1, 30)),  # not the second one
    (utc(2025, 10, 25, 12), "07:00", LONDON, utc(2025, 10, 26, 7)),
    # New York springs forward on 2025-03-09 at 02:00 EST -> 03:00 EDT.
    (utc(2025, 3, 8, 12), "02:30", NEW_YORK, utc(2025, 3, 9, 7)),    # 02:30 does not exist: 03:00 EDT
    (utc(2025, 3, 8, 12), "07:00", NEW_YORK, utc(2025, 3, 9, 11)),
    # New York falls back on 2025-11-02 at 02:00 EDT -> 01:00 EST.
    (utc(2025, 11, 1, 12), "01:30", NEW_YORK, utc(2025, 11, 2, 5, 30)),   # first 01:30 (EDT)
    (utc(2025, 11, 2, 5, 45), "01:30", NEW_YORK, utc(2025, 11, 3, 6, 30)),  # skips the repeat (EST)
    (utc(2025, 11, 2, 6, 45), "01:30", NEW_YORK, utc(2025, 11, 3, 6, 30)),  # even from inside it
])
def test_next_run_across_daylight_saving_changes(now, at, zone, expected_utc):
    run = next_run(now, at, zone)
    assert run.astimezone(timezone.utc) == expected_utc
    assert run.tzinfo == ZoneInfo(zone)


@pytest.mark.parametrize("zone, start", [(LONDON, utc(2025, 3, 27)), (LONDON, utc(2025, 10, 23)),
                                          (NEW_YORK, utc(2025, 3, 6)), (NEW_YORK, utc(2025, 10, 30))])
def test_a_week_of_runs_keeps_local_time_once_a_day(zone, start):
    now, runs = start, []
    for _ in range(7):
        now = next_run(now, "07:00", zone)
        runs.append(now)
    assert [r.strftime("%H:%M") for r in runs] == ["07:00"] * 7
    days = [r.date() for r in runs]
    assert days == [days[0] + timedelta(days=i) for i in range(7)]
    assert len({r.utcoffset() for r in runs}) == 2  # the week really crossed a change


def test_bad_time_or_zone_is_a_config_error():
    with pytest.raises(ConfigError, match="HH:MM"):
        next_run(utc(2025, 1, 1), "7 am", LONDON)
    with pytest.raises(ConfigError, match="unknown time zone"):
        next_run(utc(2025, 1, 1), "07:00", "Europe/Atlantis")


class FakeClock:
    """A clock that moves only when the schedule sleeps."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert 0 < seconds <= 300
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def options(home, monkeypatch):
    """Options of a fresh data directory: runs at 07:00 London time, one recipient."""
    for key, value in {"BRIEFING_SCHEDULE_TIME": "07:00",
                       "BRIEFING_SCHEDULE_TIMEZONE": LONDON, "BRIEFING_TO": "ann@example.org"}.items():
        monkeypatch.setenv(key, value)
    return load_options()


def scheduled(options, clock: FakeClock, max_runs: int, fail_on: tuple[str, ...] = ()):
    """Run the schedule with a fake job; (date, local time) of each run and the lines it said."""
    calls, said = [], []

    def job(opts, date):
        calls.append((date, clock().astimezone(ZoneInfo(LONDON)).strftime("%Y-%m-%d %H:%M")))
        if date in fail_on:
            raise DeliveryError("the mail server at 127.0.0.1:1 could not be reached")
        return f"sent {date}"

    assert run_schedule(options, clock=clock, sleep=clock.sleep, max_runs=max_runs, job=job, say=said.append) == 0
    return calls, said


def test_catches_up_once_when_todays_run_was_missed(options):
    clock = FakeClock(utc(2025, 6, 24, 8, 15))  # 09:15 in London; the run was due at 07:00
    calls, said = scheduled(options, clock, max_runs=2)
    assert calls == [("2025-06-24", "2025-06-24 09:15"), ("2025-06-25", "2025-06-25 07:00")]
    assert said[0] == "catching up on the run of 2025-06-24 (due at 07:00 Europe/London)"

    # Restarted later the same day: today's run is done, so the next is tomorrow's.
    clock = FakeClock(utc(2025, 6, 25, 9))
    calls, _ = scheduled(options, clock, max_runs=1)
    assert calls == [("2025-06-26", "2025-06-26 07:00")]


def test_no_catch_up_before_the_time_or_when_disabled(options, monkeypatch):
    calls, _ = scheduled(options, FakeClock(utc(2025, 6, 24, 5)), max_runs=1)  # 06:00 London
    assert calls == [("2025-06-24", "2025-06-24 07:00")]

    monkeypatch.setenv("BRIEFING_SCHEDULE_CATCH_UP", "false")
    calls, _ = scheduled(load_options(), FakeClock(utc(2025, 7, 1, 9)), max_runs=1)
    assert calls == [("2025-07-02", "2025-07-02 07:00")]


def test_no_catch_up_when_everyone_already_has_it(options):
    conn = db.connect(options.db_path)  # as if `briefing.py run --send` had been used this morning
    conn.execute("INSERT INTO deliveries (date, recipient, message_id, status, attempts, updated)"
                 " VALUES ('2025-06-24', 'ann@example.org', '<x@example.org>', 'sent', 1, 'now')")
    conn.close()
    calls, _ = scheduled(options, FakeClock(utc(2025, 6, 24, 10)), max_runs=1)
    assert calls == [("2025-06-25", "2025-06-25 07:00")]


def test_a_failed_morning_does_not_stop_the_schedule(options):
    calls, said = scheduled(options, FakeClock(utc(2025, 6, 24, 5)), max_runs=2, fail_on=("2025-06-24",))
    assert [date for date, _ in calls] == ["2025-06-24", "2025-06-25"]
    assert any(line.startswith("error: the mail server at 127.0.0.1:1 could not be reached") for line in said)


def test_a_second_schedule_says_so_and_exits(options, capsys):
    with schedule_lock(options.home):
        assert briefing.main(["schedule"]) == 1
    assert "cannot start the schedule: one is already running" in capsys.readouterr().err


def test_manual_commands_work_while_the_schedule_sleeps(options):
    def sleep(seconds: float) -> None:
        with job_lock(options.home, "send"):  # would raise BusyError if the schedule held it
            pass
        clock.sleep(seconds)

    clock = FakeClock(utc(2025, 6, 24, 5))
    said: list[str] = []
    run_schedule(options, clock=clock, sleep=sleep, max_runs=1, job=lambda o, d: "ok", say=said.append)
    assert said[-1] == "ok"


def test_the_daily_job_builds_and_sends_a_quiet_day(options, smtp_server, monkeypatch):
    for key, value in {"BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp_server.port),
                       "BRIEFING_SMTP_TLS": "none", "BRIEFING_FROM": "desk@example.org"}.items():
        monkeypatch.setenv(key, value)
    options = load_options()

    def sleep(seconds: float) -> None:
        raise AssertionError("a missed run is caught up at once")

    # A manual job holds the lock when the run is due: the run waits for it, then goes ahead.
    held = threading.Event()
    released_at: list[float] = []

    def manual_job() -> None:
        with job_lock(options.home, "fetch"):
            held.set()
            time.sleep(0.3)
            released_at.append(time.monotonic())

    worker = threading.Thread(target=manual_job)
    worker.start()
    held.wait(5)
    said: list[str] = []
    late_evening = datetime.now(timezone.utc).replace(hour=22, minute=0)  # long after 07:00 in London
    # No feeds, and only an off-topic article stored: nothing passes the topic filter, a quiet
    # briefing goes out. (A store that never held an article is an error, not a quiet day.)
    from jobs import open_store
    from tests.conftest import make_article
    store = open_store(options)
    try:
        store.add_articles([make_article(1, "The home side won the cup final after extra time and penalties.",
                                         title="Harbour City win the cup", published=late_evening - timedelta(hours=3))])
    finally:
        store.close()
    run_schedule(options, clock=lambda: late_evening, sleep=sleep, max_runs=1, job=daily_job, say=said.append)
    finished = time.monotonic()
    worker.join()
    assert finished >= released_at[0]
    assert smtp_server.delivered_to() == ["ann@example.org"], said
    assert "No major diplomacy developments" in smtp_server.messages[0].message["Subject"]
    assert said[-1].endswith("delivered 1, already had it 0, failed 0")

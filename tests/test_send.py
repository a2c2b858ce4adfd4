"""Sending by SMTP to a real server on loopback, through the command line: exactly once, retries, leaks."""
from __future__ import annotations

import base64
import logging
import re
import socket
import sqlite3
import time
from pathlib import Path

import pytest

import briefing
from archive.briefings import save_briefing
from core.models import Briefing
from core.options import load_options
from delivery.send import send_briefing
from templates.render import render_email
from tests.smtpserver import LoopbackSmtp, smtp_server, tls_certificate  # noqa: F401
from tests.test_message import GENERATED, HEADLINES, make_briefing

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

DATE = "2025-06-24"
PEOPLE = ["ann@example.org", "bob@example.org", "cara@example.org"]
PASSWORD = "s3cret-Pa55-Wörd!"


def archive(home: Path, briefing_: Briefing) -> None:
    """Save a briefing in the archive, as `briefing.py build` does."""
    save_briefing(home / "archive", briefing_, render_email(briefing_))


@pytest.fixture
def home(home, monkeypatch, smtp_server):
    """The fresh data directory with the briefing of DATE archived, and the environment pointing at the server."""
    path = home
    archive(path, make_briefing(3))
    for key, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp_server.port),
        "BRIEFING_SMTP_TLS": "none", "BRIEFING_FROM": "Briefing Desk <desk@example.org>",
        "BRIEFING_TO": ",".join(PEOPLE), "BRIEFING_SMTP_RETRY_DELAY": "0.01", "BRIEFING_SMTP_TIMEOUT": "5",
        "BRIEFING_BRIEFING_BASE_URL": "https://news.example.org/",
    }.items():
        monkeypatch.setenv(key, value)
    return path


def send(*flags: str) -> int:
    return briefing.main(["send", "--date", DATE, *flags])


def rows(home: Path) -> dict[str, sqlite3.Row]:
    """The delivery record of DATE by recipient (empty when nothing was ever recorded)."""
    conn = sqlite3.connect(home / "briefing.db")
    conn.row_factory = sqlite3.Row
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'deliveries'").fetchone():
            return {}
        return {r["recipient"]: r for r in conn.execute("SELECT * FROM deliveries WHERE date = ?", (DATE,))}
    finally:
        conn.close()


def subscriber_state(home: Path, address: str) -> str | None:
    """The subscriber list's state of ``address``."""
    conn = sqlite3.connect(home / "briefing.db")
    try:
        row = conn.execute("SELECT state FROM subscribers WHERE address = ?", (address,)).fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def test_send_delivers_one_parsable_message_per_recipient(home, smtp_server, capsys):
    assert send() == 0
    assert capsys.readouterr().out.strip() == f"briefing {DATE}: delivered 3, already had it 0, failed 0"
    assert sorted(smtp_server.delivered_to()) == PEOPLE
    assert all(len(m.rcpt_tos) == 1 for m in smtp_server.messages)  # one message per recipient
    ids = set()
    for received in smtp_server.messages:
        msg = received.message
        recipient = received.rcpt_tos[0]
        assert msg["To"] == recipient
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["Subject"] == f"Diplomacy briefing, 24 Jun 2025: {HEADLINES[0]}"
        assert msg["Date"] is not None and msg["List-Id"] == "Diplomacy briefing <briefing.example.org>"
        unsubscribe = msg["List-Unsubscribe"]
        assert unsubscribe.endswith(", <mailto:desk@example.org?subject=unsubscribe>")
        one_click = unsubscribe.split(", ")[0].strip("<>")
        assert one_click.startswith("https://news.example.org/unsubscribe?id=")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = msg.get_body(("html",)).get_content()
        assert f'href="https://news.example.org/briefings/{DATE}.html"' in html
        assert f'href="{one_click}"' in html  # the footer link is this recipient's
        ids.add(msg["Message-ID"])
    assert len(ids) == 3
    recorded = rows(home)
    assert {r: recorded[r]["status"] for r in PEOPLE} == {r: "sent" for r in PEOPLE}
    assert all(recorded[r]["answer"].startswith("250 2.0.0 Ok: queued as") for r in PEOPLE)
    assert {recorded[r]["message_id"] for r in PEOPLE} == ids


def test_a_second_send_the_same_day_delivers_nothing(home, smtp_server, capsys):
    assert send() == 0
    assert send() == 0
    assert len(smtp_server.messages) == 3
    assert capsys.readouterr().out.strip().splitlines()[-1] == \
        f"briefing {DATE}: delivered 0, already had it 3, failed 0"


def test_temporary_refusal_then_rerun_delivers_to_that_one_only(home, smtp_server, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_SMTP_RETRIES", "0")
    smtp_server.refuse("bob@example.org", "450 4.2.1 Mailbox busy, try again later", times=1)
    assert send() == 1
    out = capsys.readouterr().out
    assert "delivered 2, already had it 0, failed 1: bob@example.org (temporary: 450 4.2.1 Mailbox busy" in out
    assert rows(home)["bob@example.org"]["status"] == "deferred"
    first_ids = {m.rcpt_tos[0]: m.message["Message-ID"] for m in smtp_server.messages}

    assert send() == 0
    assert smtp_server.delivered_to()[2:] == ["bob@example.org"]
    assert "delivered 1, already had it 2, failed 0" in capsys.readouterr().out
    assert rows(home)["bob@example.org"]["attempts"] == 2
    assert first_ids.keys() == {"ann@example.org", "cara@example.org"}


def test_temporary_refusal_is_retried_within_the_run(home, smtp_server, capsys):
    smtp_server.refuse("bob@example.org", "451 4.3.0 Greylisted, come back later", times=2)
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == PEOPLE
    assert smtp_server.attempts.count("bob@example.org") == 3
    assert rows(home)["bob@example.org"]["attempts"] == 3


def test_permanent_refusal_of_the_address_marks_it_bounced_and_it_is_skipped_afterwards(home, smtp_server, capsys):
    smtp_server.refuse("cara@example.org", "550 5.1.1 No such user here")
    assert send() == 1
    assert "failed 1: cara@example.org (550 5.1.1 No such user here)" in capsys.readouterr().out
    assert smtp_server.attempts.count("cara@example.org") == 1
    row = rows(home)["cara@example.org"]
    assert (row["status"], row["code"]) == ("failed", 550)
    assert subscriber_state(home, "cara@example.org") == "bounced"

    assert send() == 0  # not tried again: she is no longer a recipient
    assert smtp_server.attempts.count("cara@example.org") == 1
    assert "not sent to 1 (unsubscribed, bounced or complained)" in capsys.readouterr().out
    assert len(smtp_server.messages) == 2
    assert send("--date", "2025-06-25") == 1  # another day's briefing does not exist; she is still skipped
    archive(home, make_briefing(2, date="2025-06-25"))
    assert briefing.main(["send", "--date", "2025-06-25"]) == 0
    assert smtp_server.attempts.count("cara@example.org") == 1


def test_policy_refusal_is_recorded_not_retried_and_does_not_mark_the_address(home, smtp_server, capsys):
    smtp_server.refuse("cara@example.org", "550 5.7.1 Message refused by local policy")
    assert send() == 1
    assert subscriber_state(home, "cara@example.org") == "active"
    assert send() == 1  # still reported, still not tried again the same day
    assert smtp_server.attempts.count("cara@example.org") == 1
    assert "refused earlier, not retried: 550 5.7.1" in capsys.readouterr().out


def test_dropped_connection_is_retried_on_a_new_one(home, smtp_server, capsys):
    smtp_server.drop_at_rcpt("bob@example.org", times=1)
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == PEOPLE  # everyone exactly once
    assert smtp_server.attempts.count("bob@example.org") == 2


def test_crash_during_backoff_then_rerun_sends_only_to_the_missing(home, smtp_server, monkeypatch):
    smtp_server.refuse("ann@example.org", "421 4.7.0 Too many connections", times=1)

    def killed(seconds: float) -> None:
        raise KeyboardInterrupt  # the process dies while waiting to retry

    with pytest.raises(KeyboardInterrupt):
        send_briefing(load_options(), DATE, sleep=killed)
    assert sorted(smtp_server.delivered_to()) == ["bob@example.org", "cara@example.org"]
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == PEOPLE


def test_dry_run_writes_eml_files_and_records_nothing(home, smtp_server, tmp_path, capsys):
    outbox = tmp_path / "outbox"
    assert send("--dry-run", str(outbox)) == 0
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 3 and smtp_server.messages == []
    assert f"wrote 3 messages to {outbox}, sent nothing" in capsys.readouterr().out
    import email
    from email.policy import default
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert parsed["To"] == "ann@example.org" and parsed.get_body(("html",)) is not None
    assert rows(home) == {}
    assert send() == 0 and len(smtp_server.messages) == 3


def test_test_copy_goes_to_one_address_and_is_not_recorded(home, smtp_server, capsys):
    assert send("--to", "ann@example.org") == 0
    assert smtp_server.delivered_to() == ["ann@example.org"]
    test_copy = smtp_server.messages[0].message
    assert test_copy["Subject"].startswith("[test] Diplomacy briefing")
    assert "sent a test copy to ann@example.org (not recorded)" in capsys.readouterr().out
    assert rows(home) == {}
    assert send() == 0
    real = [m.message for m in smtp_server.messages[1:] if m.rcpt_tos == ("ann@example.org",)]
    assert len(real) == 1
    # Never the real Message-ID: a deduplicating mailbox would then drop the real briefing.
    assert real[0]["Message-ID"] != test_copy["Message-ID"]


def test_quiet_day_sends_a_short_briefing_or_nothing(home, smtp_server, monkeypatch, capsys):
    archive(home, Briefing(DATE, (), GENERATED))
    monkeypatch.setenv("BRIEFING_BRIEFING_QUIET_DAY", "skip")
    assert send() == 0
    assert smtp_server.messages == []
    assert "nothing sent" in capsys.readouterr().out

    monkeypatch.setenv("BRIEFING_BRIEFING_QUIET_DAY", "send")
    assert send() == 0
    assert len(smtp_server.messages) == 3
    msg = smtp_server.messages[0].message
    assert msg["Subject"].endswith("No major diplomacy developments")
    assert "No major diplomacy developments" in msg.get_body(("plain",)).get_content()
    assert "No major diplomacy developments" in msg.get_body(("html",)).get_content()


def test_missing_briefing_says_to_build_first(home, capsys):
    assert briefing.main(["send", "--date", "2025-06-20"]) == 1
    assert "run `briefing.py build --date 2025-06-20` first" in capsys.readouterr().err


def test_missing_settings_are_named(home, monkeypatch, capsys):
    monkeypatch.delenv("BRIEFING_SMTP_HOST")
    assert send() == 1
    assert "set BRIEFING_SMTP_HOST" in capsys.readouterr().err
    monkeypatch.setenv("BRIEFING_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFING_TO", "ann@example.org, not-an-address")
    assert send() == 1
    assert "'not-an-address' is not an email address" in capsys.readouterr().err


@pytest.mark.parametrize("password", ["plain-ascii-pass", PASSWORD])
def test_login_works_with_the_right_password(home, monkeypatch, password):
    with LoopbackSmtp(password=password) as server:
        monkeypatch.setenv("BRIEFING_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFING_SMTP_USER", "desk")
        monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", password)
        assert send() == 0
        assert sorted(server.delivered_to()) == PEOPLE


def _leaks(text: str) -> bool:
    forms = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
             base64.b64encode(f"\0desk\0{PASSWORD}".encode()).decode()]
    return any(form in text for form in forms)


def test_password_never_appears_in_output_logs_or_errors(home, monkeypatch, capsys, caplog):
    monkeypatch.setenv("BRIEFING_SMTP_USER", "desk")
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)

    with LoopbackSmtp(password="a-different-one") as server:  # the login fails
        monkeypatch.setenv("BRIEFING_SMTP_PORT", str(server.port))
        assert briefing.main(["-vv", "send", "--date", DATE]) == 1
        assert server.messages == []
    failed_login = capsys.readouterr()
    assert "refused the login of 'desk'" in failed_login.err

    with socket.socket() as probe:  # a port nobody listens on: the connection fails
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("BRIEFING_SMTP_PORT", str(closed_port))
    monkeypatch.setenv("BRIEFING_SMTP_RETRIES", "1")
    assert briefing.main(["-vv", "send", "--date", DATE]) == 1
    unreachable = capsys.readouterr()
    assert "cannot reach 127.0.0.1" in unreachable.out

    with pytest.raises(SystemExit):
        briefing.main(["send", "--help"])
    helped = capsys.readouterr()

    options = load_options()
    assert options.smtp.password == PASSWORD  # it was really configured
    # Our log records only: the test server's own log ('mail.log') shows the AUTH it received.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "delivery.workers" in {r.name for r in caplog.records}
    seen = [failed_login.out, failed_login.err, unreachable.out, unreachable.err, helped.out, ours,
            repr(options), repr(options.smtp), str(rows(home))]
    assert not any(_leaks(text) for text in seen)


def test_a_deferred_transaction_is_resent_with_the_same_message_id(home, smtp_server):
    assert send() == 0
    first = {m.rcpt_tos[0]: m.message["Message-ID"] for m in smtp_server.messages}
    # As if the connection had dropped after the message went and the retries ran out.
    conn = sqlite3.connect(home / "briefing.db")
    conn.execute("UPDATE deliveries SET status = 'deferred' WHERE recipient = 'bob@example.org'")
    conn.commit()
    conn.close()
    assert send() == 0
    assert smtp_server.delivered_to()[3:] == ["bob@example.org"]
    assert smtp_server.messages[3].message["Message-ID"] == first["bob@example.org"]


def test_a_row_left_handed_is_not_sent_again_and_is_reported(home, smtp_server, capsys):
    assert send() == 0
    # As if the process had died after bob's final line went, before the answer came.
    conn = sqlite3.connect(home / "briefing.db")
    conn.execute("UPDATE deliveries SET status = 'handed' WHERE recipient = 'bob@example.org'")
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert send() == 0
    assert len(smtp_server.messages) == 3
    out = capsys.readouterr().out
    assert f"briefing {DATE}: delivered 0, already had it 3, failed 0" in out
    assert ("1 message was handed over to the server when an earlier send stopped and its answer never came: "
            "counted as sent, not sent again (bob@example.org)") in out

    from delivery.send import anyone_has, everyone_has
    assert everyone_has(load_options(), DATE) and anyone_has(load_options(), DATE)


def _held_at_the_final_dot(server: LoopbackSmtp, who: str, seconds: float):
    """Make ``server`` keep the message to ``who`` and wait ``seconds`` before answering it; an Event set then."""
    import asyncio
    import threading

    holding = threading.Event()
    original = server.controller.handler.handle_DATA

    async def handle_data(smtp, session, envelope):
        answer = await original(smtp, session, envelope)  # accepted, as a server queues it
        if who in envelope.rcpt_tos:
            holding.set()
            await asyncio.sleep(seconds)  # ... and is slow to say so
        return answer

    server.controller.handler.handle_DATA = handle_data
    return holding


def test_sigkill_while_the_server_holds_the_final_dot_then_rerun_sends_nobody_twice(home, smtp_server, monkeypatch,
                                                                                     capsys):
    import os
    import signal
    import subprocess
    import sys

    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "1")  # ann, bob, cara in turn
    holding = _held_at_the_final_dot(smtp_server, "bob@example.org", 3)
    root = Path(briefing.__file__).resolve().parent
    child = subprocess.Popen([sys.executable, str(root / "briefing.py"), "send", "--date", DATE], cwd=root,
                             env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert holding.wait(120), "the send never reached bob's message"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    # The server accepted bob's message though its sender is gone: that is the window.
    assert smtp_server.delivered_to() == ["ann@example.org", "bob@example.org"]
    assert {r: row["status"] for r, row in rows(home).items()} == {"ann@example.org": "sent",
                                                                  "bob@example.org": "handed"}

    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == PEOPLE  # nobody twice, nobody missed
    out = capsys.readouterr().out
    assert "delivered 1, already had it 2, failed 0" in out
    assert "1 message was handed over to the server when an earlier send stopped" in out


def test_a_send_stopped_before_handed_is_recorded_leaves_nothing_accepted(home, smtp_server, monkeypatch):
    import delivery.send as sending

    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "1")
    real_mark = sending._mark

    def failing_mark(conn, date, recipient, message_id, status, *args, **kwargs):
        if status == "handed" and recipient == "bob@example.org":
            raise sqlite3.OperationalError("disk I/O error")  # the store fails, or the process dies, here
        return real_mark(conn, date, recipient, message_id, status, *args, **kwargs)

    monkeypatch.setattr(sending, "_mark", failing_mark)
    with pytest.raises(sqlite3.OperationalError):
        send_briefing(load_options(), DATE)
    time.sleep(0.3)  # time for the server to see the connection go
    # Everything but the final line of bob's message went: the server discarded it.
    assert smtp_server.delivered_to() == ["ann@example.org"]
    assert "bob@example.org" not in rows(home)

    monkeypatch.setattr(sending, "_mark", real_mark)
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == PEOPLE


def test_8bit_when_the_server_offers_8bitmime_quoted_printable_when_not(home, smtp_server, monkeypatch):
    options: list[list[str]] = []
    original = smtp_server.controller.handler.handle_DATA

    async def handle_data(server, session, envelope):
        options.append(list(envelope.mail_options))
        return await original(server, session, envelope)

    smtp_server.controller.handler.handle_DATA = handle_data
    assert send() == 0
    assert options == [["BODY=8BITMIME"]] * 3
    eightbit = next(m for m in smtp_server.messages if m.rcpt_tos == ("ann@example.org",))
    assert b"\r\nContent-Transfer-Encoding: 8bit\r\n" in eightbit.data
    assert b"quoted-printable" not in eightbit.data
    assert max(len(line) for line in eightbit.data.split(b"\r\n")) <= 998

    with LoopbackSmtp() as plain:
        async def no_8bitmime(server, session, envelope, hostname, responses):
            session.host_name = hostname
            return [r for r in responses if r != "250-8BITMIME"]

        plain.controller.handler.handle_EHLO = no_8bitmime
        original_plain = plain.controller.handler.handle_DATA

        async def record_plain(server, session, envelope):
            options.append(list(envelope.mail_options))
            return await original_plain(server, session, envelope)

        plain.controller.handler.handle_DATA = record_plain
        monkeypatch.setenv("BRIEFING_SMTP_PORT", str(plain.port))
        assert send("--to", "ann@example.org") == 0
        qp = plain.messages[0]
    assert options[-1] == []
    assert qp.data.isascii() and b"Content-Transfer-Encoding: quoted-printable" in qp.data
    # The same text and HTML, whatever the encoding (the 8bit HTML with some spaces as line breaks).
    html_8bit = eightbit.message.get_body(("html",)).get_content().replace("\r\n", "\n")
    html_qp = qp.message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert len(html_8bit) == len(html_qp)
    assert {(a, b) for a, b in zip(html_8bit, html_qp) if a != b} <= {("\n", " ")}
    assert eightbit.message.get_body(("plain",)).get_content().replace("\r\n", "\n") == \
        qp.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
@pytest.mark.parametrize("tls, says", [("ssl", "TLS with 127.0.0.1"), ("starttls", "does not offer STARTTLS"),
                                       ("tls1.3", "use one of none, starttls, ssl")])
def test_tls_mismatch_is_explained_not_recorded(home, smtp_server, monkeypatch, capsys, tls, says):
    monkeypatch.setenv("BRIEFING_SMTP_TLS", tls)  # the loopback server speaks plain SMTP only
    assert send() == 1
    assert says in capsys.readouterr().err
    assert smtp_server.messages == [] and rows(home) == {}


def test_unreachable_server_is_retried_then_a_rerun_delivers(home, smtp_server, monkeypatch, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("BRIEFING_SMTP_PORT", str(closed_port))
    monkeypatch.setenv("BRIEFING_SMTP_RETRIES", "2")
    assert send() == 1
    assert "failed 3: ann@example.org (temporary: cannot reach 127.0.0.1" in capsys.readouterr().out
    assert {(r["status"], r["attempts"]) for r in rows(home).values()} == {("deferred", 3)}

    monkeypatch.setenv("BRIEFING_SMTP_PORT", str(smtp_server.port))
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == PEOPLE


# -- literal list headers, address parsing, many recipients, TLS --------------------------

LONG_BASE = "https://briefing.diplomacy-digest.example.org"


def test_list_unsubscribe_is_literal_in_the_raw_message_the_server_received(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_BRIEFING_BASE_URL", LONG_BASE)
    assert send() == 0
    for received in smtp_server.messages:
        raw = received.data
        head = raw.split(b"\r\n\r\n", 1)[0]
        match = re.search(rb"\r\nList-Unsubscribe: <(https://[^>\s]+)>", raw)
        assert match is not None, head.decode()
        url = match.group(1).decode()
        assert re.fullmatch(re.escape(LONG_BASE) + r"/unsubscribe\?id=[0-9a-f]{32}", url)
        assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
        assert b"=?utf-8?" not in re.search(rb"\r\nList-Unsubscribe:.*?\r\n(?=\S)", head, re.S).group(0)
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        # The footer's link is the same URL, for this recipient.
        assert f'href="{url}"' in received.message.get_body(("html",)).get_content()


@pytest.mark.parametrize("to, expected", [
    ("ann@example.org; bob@example.org", ["ann@example.org", "bob@example.org"]),
    ('"Smith, Ann" <ann@example.org>, Bob <bob@example.org>', ["ann@example.org", "bob@example.org"]),
    ('"Smith, Ann" <ann@example.org>;cara@example.org', ["ann@example.org", "cara@example.org"]),
])
def test_semicolons_and_display_names_with_commas_reach_the_right_people(home, smtp_server, monkeypatch, capsys,
                                                                          to, expected):
    monkeypatch.setenv("BRIEFING_TO", to)
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == expected
    assert [m.message["To"] for m in smtp_server.messages] == [m.rcpt_tos[0] for m in smtp_server.messages]
    assert f"delivered {len(expected)}, already had it 0, failed 0" in capsys.readouterr().out


def test_display_names_with_commas_in_the_config_file(home, smtp_server, monkeypatch):
    monkeypatch.delenv("BRIEFING_TO")
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[smtp]\nto = [\'"Smith, Ann" <ann@example.org>\', "bob@example.org"]\n')
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == ["ann@example.org", "bob@example.org"]


@pytest.mark.parametrize("to, says", [
    ("ann@example.org; bob@", "BRIEFING_TO / [smtp] to: 'bob@' is not an email address"),
    ('"Smith, Ann <ann@example.org>', "has a quote that is never closed"),
    ("ann@example.org;; Bob Jones", "'Bob Jones' is not an email address"),
])
def test_each_invalid_address_is_named_and_nothing_is_sent(home, smtp_server, monkeypatch, capsys, to, says):
    monkeypatch.setenv("BRIEFING_TO", to)
    assert send() == 1
    assert says in capsys.readouterr().err
    assert smtp_server.messages == []


def many(n: int) -> list[str]:
    return [f"reader{i:03d}@example.org" for i in range(n)]


def test_one_connection_carries_many_messages(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_TO", ",".join(many(40)))
    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "1")
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == many(40)
    assert len(set(smtp_server.peers)) == 1


def test_parallel_connections_each_carry_many_and_everyone_gets_one(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_TO", ",".join(many(60)))
    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "3")
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == many(60)
    connections = set(smtp_server.peers)
    assert 2 <= len(connections) <= 3
    assert sum(1 for m in smtp_server.messages if m.rcpt_tos[0] == "reader000@example.org") == 1


def test_messages_per_second_limit_spaces_the_messages(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_TO", ",".join(many(11)))
    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "3")
    monkeypatch.setenv("BRIEFING_SMTP_MESSAGES_PER_SECOND", "20")
    assert send() == 0
    span = max(smtp_server.arrivals) - min(smtp_server.arrivals)
    assert span >= 10 / 20 - 0.06  # 11 messages at 20 a second: at least half a second from first to last


def test_a_kill_halfway_then_rerun_sends_the_rest_exactly_once(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_TO", ",".join(many(50)))
    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "3")

    def kill(done: int, total: int) -> None:
        if done == 20:
            raise KeyboardInterrupt  # as Ctrl-C would, in the middle of the list

    with pytest.raises(KeyboardInterrupt):
        send_briefing(load_options(), DATE, progress=kill)
    first = len(smtp_server.messages)
    assert 20 <= first < 50
    assert send() == 0
    received = smtp_server.delivered_to()
    assert sorted(received) == many(50)  # every address exactly once
    assert len(received) - first == 50 - first


def test_a_server_that_ends_the_connection_is_reconnected_to_at_once(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_TO", ",".join(many(6)))
    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "1")
    monkeypatch.setenv("BRIEFING_SMTP_RETRIES", "0")
    smtp_server.drop_at_rcpt("reader003@example.org", times=1)
    assert send() == 0  # no retry round needed
    assert sorted(smtp_server.delivered_to()) == many(6)
    assert len(set(smtp_server.peers)) == 2


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_with_a_private_ca_through_ca_file(home, monkeypatch, tls_certificate, mode):
    ca_file, cert = tls_certificate
    with LoopbackSmtp(password="tls-only-pass", tls=mode, cert=cert) as server:
        for key, value in {"BRIEFING_SMTP_PORT": str(server.port), "BRIEFING_SMTP_TLS": mode,
                           "BRIEFING_SMTP_USER": "desk", "BRIEFING_SMTP_PASSWORD": "tls-only-pass",
                           "BRIEFING_SMTP_CA_FILE": str(ca_file)}.items():
            monkeypatch.setenv(key, value)
        assert send() == 0
        assert sorted(server.delivered_to()) == PEOPLE


def test_tls_through_ssl_cert_file(home, monkeypatch, tls_certificate):
    ca_file, cert = tls_certificate
    with LoopbackSmtp(tls="ssl", cert=cert) as server:
        monkeypatch.setenv("BRIEFING_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFING_SMTP_TLS", "ssl")
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        assert send() == 0
        assert sorted(server.delivered_to()) == PEOPLE


def test_untrusted_certificate_names_ca_file(home, monkeypatch, tls_certificate, capsys):
    _ca_file, cert = tls_certificate
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with LoopbackSmtp(tls="starttls", cert=cert) as server:
        monkeypatch.setenv("BRIEFING_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFING_SMTP_TLS", "starttls")
        assert send() == 1
        err = capsys.readouterr().err
        assert "is not trusted" in err and "set [smtp] ca_file (BRIEFING_SMTP_CA_FILE)" in err
        assert server.messages == [] and rows(home) == {}


def test_missing_ca_file_is_named(home, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_SMTP_TLS", "starttls")
    monkeypatch.setenv("BRIEFING_SMTP_CA_FILE", "/nonexistent/ca.pem")
    assert send() == 1
    assert "[smtp] ca_file /nonexistent/ca.pem does not exist" in capsys.readouterr().err


def test_starttls_against_an_implicit_tls_port_fails_fast_and_says_ssl(home, monkeypatch, tls_certificate, capsys):
    ca_file, cert = tls_certificate
    with LoopbackSmtp(tls="ssl", cert=cert) as server:
        monkeypatch.setenv("BRIEFING_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFING_SMTP_TLS", "starttls")
        monkeypatch.setenv("BRIEFING_SMTP_CA_FILE", str(ca_file))
        monkeypatch.setenv("BRIEFING_SMTP_TIMEOUT", "2")
        started = time.monotonic()
        assert send() == 1
        waited = time.monotonic() - started
    err = capsys.readouterr().err
    assert "sent no SMTP greeting" in err and "implicit TLS" in err and "BRIEFING_SMTP_TLS=ssl" in err
    assert waited < 10  # one greeting wait, not a timeout per recipient and retry
    assert rows(home) == {}


def test_starttls_on_port_465_is_refused_before_connecting(home, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_SMTP_PORT", "465")
    monkeypatch.setenv("BRIEFING_SMTP_TLS", "starttls")
    assert send() == 1
    assert "port 465 of 127.0.0.1 expects TLS from the first byte" in capsys.readouterr().err


def test_messages_per_connection_opens_a_new_connection_after_that_many(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_TO", ",".join(many(10)))
    monkeypatch.setenv("BRIEFING_SMTP_CONNECTIONS", "1")
    monkeypatch.setenv("BRIEFING_SMTP_MESSAGES_PER_CONNECTION", "3")
    assert send() == 0
    assert sorted(smtp_server.delivered_to()) == many(10)
    assert len(set(smtp_server.peers)) == 4  # 3 + 3 + 3 + 1


def test_send_q_says_nothing_but_who_failed(home, smtp_server, capsys, tmp_path):
    assert send("-q", "--dry-run", str(tmp_path / "outbox")) == 0
    assert capsys.readouterr() == ("", "") and len(list((tmp_path / "outbox").glob("*.eml"))) == 3
    assert send("-q") == 0
    assert capsys.readouterr() == ("", "")
    assert sorted(smtp_server.delivered_to()) == PEOPLE
    smtp_server.refuse("dan@example.org", "550 5.1.1 No such user")
    assert send("-q", "--to", "dan@example.org") == 1
    out, err = capsys.readouterr()
    assert out == "" and "dan@example.org" in err and "No such user" in err

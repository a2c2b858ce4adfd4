"""Bounces and complaints read from a maildir, an mbox or an .eml file, and what the next send does."""
from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

import briefing
from tests.smtpserver import smtp_server  # noqa: F401
from tests.test_message import make_briefing
from tests.test_send import DATE, archive, subscriber_state

NEXT = "2025-06-25"


def _report(report_type: str, subject: str, message_id: str, human: str, machine: str, original_to: str) -> bytes:
    return (f"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
            f"To: desk@example.org\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"Date: Wed, 25 Jun 2025 06:31:00 +0000\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/report; report-type={report_type}; boundary=\"b-report\"\r\n\r\n"
            f"--b-report\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{human}\r\n\r\n"
            f"--b-report\r\nContent-Type: message/{'delivery-status' if report_type == 'delivery-status' else 'feedback-report'}"
            f"\r\n\r\n{machine}\r\n"
            f"--b-report\r\nContent-Type: message/rfc822\r\n\r\n"
            f"From: desk@example.org\r\nTo: {original_to}\r\nSubject: Diplomacy briefing, 24 Jun 2025\r\n\r\n"
            f"The briefing.\r\n\r\n--b-report--\r\n").encode("ascii")


def dsn(recipient: str, action: str, status: str, diagnostic: str, number: int = 1) -> bytes:
    """A delivery status notification (RFC 3464) as a receiving server writes one."""
    machine = (f"Reporting-MTA: dns; mx.example.net\r\nArrival-Date: Wed, 25 Jun 2025 06:30:58 +0000\r\n\r\n"
               f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
               f"Diagnostic-Code: smtp; {diagnostic}\r\n")
    return _report("delivery-status", "Undelivered Mail Returned to Sender",
                   f"<dsn{number}.{recipient}@mx.example.net>",
                   "This is the mail system at host mx.example.net. Your message could not be delivered.",
                   machine, recipient)


def complaint(recipient: str, with_rcpt_field: bool = True) -> bytes:
    """An abuse report in the Abuse Reporting Format (RFC 5965), as a mailbox provider sends it."""
    machine = "Feedback-Type: abuse\r\nUser-Agent: ProviderFBL/2.1\r\nVersion: 1\r\n"
    if with_rcpt_field:
        machine += f"Original-Rcpt-To: {recipient}\r\n"
    return _report("feedback-report", "Complaint about a message from example.org",
                   f"<arf.{recipient}@provider.example.net>",
                   "This is an email abuse report for a message received from example.org.", machine, recipient)


@pytest.fixture
def home(home, monkeypatch, smtp_server):
    archive(home, make_briefing(2))
    archive(home, make_briefing(2, date=NEXT))
    for key, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp_server.port),
        "BRIEFING_SMTP_TLS": "none", "BRIEFING_FROM": "Briefing Desk <desk@example.org>",
        "BRIEFING_TO": "ann@example.org, bob@example.org, cara@example.org",
    }.items():
        monkeypatch.setenv(key, value)
    return home


def send(date: str) -> int:
    return briefing.main(["send", "--date", date])


def test_a_bounce_in_a_maildir_marks_the_address_and_it_is_skipped_afterwards(home, smtp_server, tmp_path, capsys):
    assert send(DATE) == 0
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(dsn("bob@example.org", "failed", "5.1.1", "550 5.1.1 <bob@example.org>: Recipient address rejected"))
    box.add(b"From: ann@example.org\r\nTo: desk@example.org\r\nSubject: Re: thanks\r\n\r\nThank you.\r\n")
    assert briefing.main(["bounces", str(tmp_path / "Maildir")]) == 0
    out = capsys.readouterr().out
    assert "bob@example.org: bounced (smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected)" in out
    assert "2 message(s), 1 report(s): 1 bounced, 0 complained" in out and "1 other mail" in out
    assert subscriber_state(home, "bob@example.org") == "bounced"
    assert subscriber_state(home, "ann@example.org") == "active"

    assert send(NEXT) == 0
    assert sorted(smtp_server.delivered_to()[3:]) == ["ann@example.org", "cara@example.org"]
    # Until added again.
    assert briefing.main(["subscribers", "add", "bob@example.org"]) == 0
    archive(home, make_briefing(1, date="2025-06-26"))
    assert send("2025-06-26") == 0
    assert "bob@example.org" in smtp_server.delivered_to()[5:]


def test_a_complaint_in_an_mbox_marks_the_address_complained(home, smtp_server, tmp_path, capsys):
    box = mailbox.mbox(tmp_path / "bounces.mbox", create=True)
    box.add(complaint("cara@example.org"))
    box.add(complaint("ann@example.org", with_rcpt_field=False))  # found through the enclosed message
    box.flush()
    assert send(DATE) == 0
    assert briefing.main(["bounces", str(tmp_path / "bounces.mbox")]) == 0
    assert "0 bounced, 2 complained" in capsys.readouterr().out
    assert subscriber_state(home, "cara@example.org") == "complained"
    assert subscriber_state(home, "ann@example.org") == "complained"
    assert send(NEXT) == 0
    assert smtp_server.delivered_to()[3:] == ["bob@example.org"]


def test_soft_bounces_count_and_suppress_at_the_limit_each_report_once(home, smtp_server, tmp_path, monkeypatch,
                                                                        capsys):
    monkeypatch.setenv("BRIEFING_SUBSCRIBERS_SOFT_BOUNCE_LIMIT", "2")
    assert send(DATE) == 0
    folder = tmp_path / "Maildir"
    box = mailbox.Maildir(folder, create=True)
    box.add(dsn("ann@example.org", "delayed", "4.2.2", "452 4.2.2 Mailbox full", number=1))
    assert briefing.main(["bounces", str(folder)]) == 0
    assert "ann@example.org: soft bounce counted" in capsys.readouterr().out
    assert briefing.main(["bounces", str(folder)]) == 0  # the same report again: not counted twice
    assert "1 seen before" in capsys.readouterr().out
    assert subscriber_state(home, "ann@example.org") == "active"
    box.add(dsn("ann@example.org", "failed", "4.2.2", "452 4.2.2 Mailbox full", number=2))
    assert briefing.main(["bounces", str(folder)]) == 0
    assert "ann@example.org: bounced" in capsys.readouterr().out
    assert subscriber_state(home, "ann@example.org") == "bounced"
    assert send(NEXT) == 0
    assert "ann@example.org" not in smtp_server.delivered_to()[3:]


def test_one_eml_file_and_an_unknown_address(home, tmp_path, capsys):
    path = tmp_path / "bounce.eml"
    path.write_bytes(dsn("zed@example.org", "failed", "5.1.1", "550 no such user"))
    assert briefing.main(["bounces", str(path)]) == 0
    captured = capsys.readouterr()
    assert "zed@example.org is not on the subscriber list" in captured.err
    assert "1 not on the list" in captured.out


def test_a_missing_mailbox_is_named(home, tmp_path, capsys):
    assert briefing.main(["bounces", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'nowhere'} does not exist" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    assert briefing.main(["bounces", str(tmp_path / "empty")]) == 1
    assert "neither a maildir" in capsys.readouterr().err


def test_history_records_the_bounce_with_its_cause(home, tmp_path):
    import sqlite3

    from delivery.subscribers import history
    assert send(DATE) == 0
    path = tmp_path / "b.eml"
    path.write_bytes(dsn("cara@example.org", "failed", "5.2.1", "550 5.2.1 mailbox disabled"))
    assert briefing.main(["bounces", str(path)]) == 0
    conn = sqlite3.connect(Path(home) / "briefing.db")
    conn.row_factory = sqlite3.Row
    last = history(conn, "cara@example.org")[-1]
    conn.close()
    assert last.state == "bounced" and "550 5.2.1 mailbox disabled" in last.cause and "b.eml" in last.cause

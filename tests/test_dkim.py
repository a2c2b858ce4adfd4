"""DKIM signatures on sent and dry-run messages, display names in To:, and no empty outbox left behind."""
from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import briefing
from delivery.signing import dns_record
from tests.smtpserver import smtp_server  # noqa: F401 - pytest fixture
from tests.test_send import DATE, archive
from tests.test_message import make_briefing

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

COVERED = {"from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post"}


@pytest.fixture(scope="module")
def key_pair():
    """A fresh 2048-bit RSA key: (PEM of the private key, the TXT record of its public half)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, dns_record(der)


@pytest.fixture
def mail_home(home, monkeypatch, smtp_server, key_pair):
    archive(home, make_briefing(2))
    (home / "dkim.pem").write_bytes(key_pair[0])
    for key, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp_server.port), "BRIEFING_SMTP_TLS": "none",
        "BRIEFING_FROM": "Briefing Desk <desk@example.org>", "BRIEFING_SMTP_RETRY_DELAY": "0.01",
        "BRIEFING_BRIEFING_BASE_URL": "https://news.example.org/",
        "BRIEFING_SMTP_DKIM_SELECTOR": "brief2025", "BRIEFING_SMTP_DKIM_DOMAIN": "example.org",
        "BRIEFING_SMTP_DKIM_KEY_FILE": "dkim.pem",
    }.items():
        monkeypatch.setenv(key, value)
    assert briefing.main(["subscribers", "add", '"Smith, Ann" <ann@example.org>', "bo@example.org"]) == 0
    return home


def verifies(raw: bytes, record: str) -> bool:
    def dns(name, timeout=5):
        return record.encode() if name == b"brief2025._domainkey.example.org." else None
    return dkim.verify(raw, dnsfunc=dns)


def signed_headers(raw: bytes) -> set[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    signature = re.search(r"^DKIM-Signature:(.*?)(?=^\S)", head + "\r\nX:", re.S | re.M).group(1)
    h = re.search(r"\bh=([^;]*)", signature).group(1)
    return {name.strip().lower() for name in h.split(":")}


def test_sent_messages_carry_a_signature_that_verifies_against_the_public_key(mail_home, smtp_server, key_pair,
                                                                               capsys):
    assert briefing.main(["send", "--date", DATE]) == 0, capsys.readouterr().err
    assert len(smtp_server.messages) == 2
    for received in smtp_server.messages:
        assert received.data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;")
        assert verifies(received.data, key_pair[1])
        assert signed_headers(received.data) >= COVERED
        # one click unsubscribe is there and signed: RFC 8058 asks for both
        assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in received.data
        tampered = received.data.replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=One-Clack")
        assert not verifies(tampered, key_pair[1])
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = dns_record(other.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert not verifies(smtp_server.messages[0].data, wrong)


def test_dry_run_writes_the_same_signed_messages_with_display_names(mail_home, tmp_path, key_pair, capsys):
    out = tmp_path / "outbox"
    assert briefing.main(["send", "--date", DATE, "--dry-run", str(out)]) == 0, capsys.readouterr().err
    files = sorted(out.glob("*.eml"))
    assert len(files) == 2
    for path in files:
        raw = path.read_bytes()
        assert verifies(raw, key_pair[1]) and signed_headers(raw) >= COVERED
    ann = next(p for p in files if "ann@" in p.name).read_bytes()
    # The raw header, as a mail program shows it: the name kept, quoted for its comma.
    assert b'\r\nTo: "Smith, Ann" <ann@example.org>\r\n' in ann
    parsed = email.message_from_bytes(ann, policy=email.policy.strict)
    assert parsed["To"].addresses[0].display_name == "Smith, Ann"
    assert b"\r\nTo: bo@example.org\r\n" in next(p for p in files if "bo@" in p.name).read_bytes()


@pytest.mark.parametrize("change, words", [
    ({"BRIEFING_SMTP_DKIM_KEY_FILE": "missing.pem"}, "missing.pem: cannot read the DKIM key"),
    ({"BRIEFING_SMTP_DKIM_KEY_FILE": "garbage.pem"}, "not a usable RSA private key"),
    ({"BRIEFING_SMTP_DKIM_DOMAIN": ""}, "dkim_domain is not set"),
])
def test_an_unusable_key_is_a_clear_error_before_anything_is_sent(mail_home, smtp_server, monkeypatch, capsys,
                                                                  tmp_path, change, words):
    (mail_home / "garbage.pem").write_text("-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n"
                                           "-----END RSA PRIVATE KEY-----\n")
    for key, value in change.items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    for extra in ([], ["--dry-run", str(tmp_path / "outbox")]):
        assert briefing.main(["send", "--date", DATE, *extra]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and err.count("\n") <= 2, err
    assert smtp_server.messages == []
    assert not (tmp_path / "outbox").exists()  # no empty outbox left behind either


def test_send_without_a_sender_leaves_no_empty_outbox(mail_home, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("BRIEFING_FROM")
    out = tmp_path / "outbox"
    assert briefing.main(["send", "--date", DATE, "--dry-run", str(out)]) == 1
    assert "error:" in capsys.readouterr().err
    assert not out.exists()
    kept = tmp_path / "mine"
    kept.mkdir()
    assert briefing.main(["send", "--date", DATE, "--dry-run", str(kept)]) == 1
    assert kept.is_dir()  # a folder the user made is theirs: left as it was


def test_subscribe_confirmations_are_signed_too(mail_home, smtp_server, key_pair):
    from core.options import load_options
    from delivery.confirmations import ConfirmationMailer
    from delivery.record import open_record

    options = load_options(home=mail_home)
    mailer = ConfirmationMailer(options, lambda: open_record(options))
    try:
        assert mailer._send("cy@example.org", "https://news.example.org/confirm?t=abc")
    finally:
        mailer.close()
    assert not mailer.thread.is_alive()
    raw = smtp_server.messages[-1].data
    assert verifies(raw, key_pair[1])


def test_the_confirmation_mailer_keeps_one_store_connection_for_all_its_emails(mail_home, smtp_server):
    import sqlite3

    from core.options import load_options
    from delivery import optin
    from delivery.confirmations import ConfirmationMailer
    from delivery.record import open_record

    options = load_options(home=mail_home)
    asking = open_record(options)
    readers = [f"reader{n}@example.org" for n in range(4)]
    tokens = [optin.ask(asking, address, 48).token for address in readers]
    opened = []

    def open_store():
        opened.append(open_record(options))
        return opened[-1]

    mailer = ConfirmationMailer(options, open_store)
    try:
        for address, token in zip(readers, tokens):
            mailer.submit(address, f"https://news.example.org/confirm?t={token}", token)
        assert mailer.idle()
    finally:
        mailer.close()
    assert sorted(smtp_server.delivered_to())[-4:] == readers
    assert len(opened) == 1  # one connection for the thread, not one per email
    mailed = asking.execute("SELECT COUNT(*) FROM confirmations WHERE mailed IS NOT NULL").fetchone()[0]
    assert mailed == 4
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the thread
        opened[0].execute("SELECT 1")
    asking.close()

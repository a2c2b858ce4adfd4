"""Subscribing and unsubscribing on a real `briefing.py serve` (HTTP on loopback), with mail caught by a real
SMTP server: double opt-in, RFC 8058 one-click unsubscribe, and what the next send does."""
from __future__ import annotations

import http.client
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

import briefing
from delivery import tokens
from tests.smtpserver import smtp_server  # noqa: F401
from tests.test_message import make_briefing
from tests.test_send import DATE, PEOPLE, archive, subscriber_state

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://briefing.diplomacy-digest.example.org"
NEXT = "2025-06-25"


@pytest.fixture
def site_env() -> dict[str, str]:
    """Further environment for the `site` server (a test overrides it with parametrize)."""
    return {}


@pytest.fixture
def site(home, monkeypatch, smtp_server, site_env):
    """A running `briefing.py serve` on a free port; its address. The public base_url is BASE."""
    archive(home, make_briefing(2))
    archive(home, make_briefing(2, date=NEXT))
    for key, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp_server.port),
        "BRIEFING_SMTP_TLS": "none", "BRIEFING_FROM": "Briefing Desk <desk@example.org>",
        "BRIEFING_TO": ",".join(PEOPLE), "BRIEFING_BRIEFING_BASE_URL": BASE,
        "BRIEFING_SMTP_RETRY_DELAY": "0.1", "BRIEFING_SMTP_TIMEOUT": "5", **site_env,
    }.items():
        monkeypatch.setenv(key, value)
    proc = subprocess.Popen([sys.executable, str(ROOT / "briefing.py"), "serve", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = proc.stdout.readline()
        match = re.search(r" at (http://[^/\s]+)/ ", line)
        assert match, line + proc.stderr.read()
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(10)


def request(origin: str, method: str, url: str, body: str | None = None,
            content_type: str = "application/x-www-form-urlencoded", headers: dict | None = None) -> tuple[int, str]:
    """``url`` (on BASE or on the server) asked of the server at ``origin``, as a reverse proxy would pass it."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    host, port = urlsplit(origin).hostname, urlsplit(origin).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    sent = {"Content-Type": content_type} if body is not None else {}
    conn.request(method, target, body=body.encode() if body is not None else None, headers={**sent, **(headers or {})})
    answer = conn.getresponse()
    status, text = answer.status, answer.read().decode("utf-8")
    conn.close()
    return status, text


def form_token(origin: str) -> str:
    """The anti-forgery token of the subscribe form, as a browser showing the form has it."""
    status, page = request(origin, "GET", "/subscribe")
    assert status == 200
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def subscribe(origin: str, address: str, headers: dict | None = None) -> tuple[int, str]:
    """Fill in and send the subscribe form, as a reader does."""
    return request(origin, "POST", "/subscribe", urlencode({"csrf": form_token(origin), "email": address}),
                   headers=headers)


def mails_to(smtp_server, address: str, count: int = 1, wait: float = 10.0) -> list:
    """The messages the SMTP sink received for ``address``, once ``count`` arrived (the server mails in the background)."""
    deadline = time.monotonic() + wait
    while True:
        got = [m for m in smtp_server.messages if m.rcpt_tos == (address,)]
        if len(got) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def send(date: str = DATE) -> int:
    return briefing.main(["send", "--date", date])


def one_click_url(raw: bytes) -> str:
    """The https link of the List-Unsubscribe header, read from the raw message."""
    match = re.search(rb"\r\nList-Unsubscribe: <(https://[^>\s]+)>", raw)
    assert match, raw[:2000]
    return match.group(1).decode()


def test_one_click_post_unsubscribes_and_the_next_send_skips_them(site, home, smtp_server):
    assert send() == 0
    ann = next(m for m in smtp_server.messages if m.rcpt_tos == ("ann@example.org",))
    url = one_click_url(ann.data)
    assert url.startswith(f"{BASE}/unsubscribe?id=")
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in ann.data

    status, page = request(site, "GET", url)  # a mail scanner, or the reader's click
    assert status == 200 and '<form method="post">' in page and "ann@example.org" in page
    assert subscriber_state(home, "ann@example.org") == "active"  # a GET alone unsubscribes nobody

    token = url.rsplit("=", 1)[1]
    for forged in (token[:-1] + ("0" if token[-1] != "0" else "1"), token[:16], "", tokens.unsubscribe_token(
            b"another installation's key", "ann@example.org")):
        status, _ = request(site, "POST", url.replace(token, forged), "List-Unsubscribe=One-Click")
        assert status == 400
    assert {p: subscriber_state(home, p) for p in PEOPLE} == {p: "active" for p in PEOPLE}

    status, body = request(site, "POST", url, "List-Unsubscribe=One-Click")
    assert (status, body) == (200, "")
    assert subscriber_state(home, "ann@example.org") == "unsubscribed"

    assert send(NEXT) == 0
    assert sorted(smtp_server.delivered_to()[3:]) == ["bob@example.org", "cara@example.org"]


def test_the_confirm_button_of_the_get_page_unsubscribes(site, home, smtp_server):
    assert send() == 0
    bob = next(m for m in smtp_server.messages if m.rcpt_tos == ("bob@example.org",))
    url = one_click_url(bob.data)
    status, page = request(site, "POST", url, "confirm=yes")  # what the page's button posts
    assert status == 200 and "You are unsubscribed" in page
    assert subscriber_state(home, "bob@example.org") == "unsubscribed"


def confirmation_link(smtp_server, address: str) -> str:
    mails = mails_to(smtp_server, address)
    assert len(mails) == 1
    msg = mails[0].message
    assert msg["Subject"] == "Confirm your subscription to Diplomacy briefing"
    match = re.search(r"https://\S+/confirm\?t=\S+", msg.get_content())
    assert match
    return match.group(0)


def test_subscribe_confirm_through_the_emailed_link_then_receive_the_next_briefing(site, home, smtp_server):
    status, page = request(site, "GET", "/subscribe")
    assert status == 200 and 'name="email"' in page

    status, page = subscribe(site, "dana@example.org")
    assert status == 200 and "Check your inbox" in page
    link = confirmation_link(smtp_server, "dana@example.org")
    assert link.startswith(f"{BASE}/confirm?t=")
    assert subscriber_state(home, "dana@example.org") == "pending"
    assert send() == 0
    assert "dana@example.org" not in smtp_server.delivered_to()[1:]  # pending: not sent to

    status, page = request(site, "GET", link)
    assert status == 200 and "Confirm my subscription" in page
    assert subscriber_state(home, "dana@example.org") == "pending"  # a GET confirms nothing

    token = link.split("t=", 1)[1]
    status, _ = request(site, "POST", link.replace(token, token[:-1] + ("0" if token[-1] != "0" else "1")), "")
    assert status == 400
    other = token.replace(token.split(".")[0], "ZXZlQGV4YW1wbGUub3Jn")  # eve@example.org, same signature
    status, _ = request(site, "POST", link.replace(token, other), "")
    assert status == 400 and subscriber_state(home, "eve@example.org") is None
    assert subscriber_state(home, "dana@example.org") == "pending"

    status, page = request(site, "POST", link, "")
    assert status == 200 and "You are subscribed" in page
    assert subscriber_state(home, "dana@example.org") == "active"

    assert send(NEXT) == 0
    got = [m for m in smtp_server.messages if m.rcpt_tos == ("dana@example.org",)]
    assert len(got) == 2 and got[1].message["Subject"].startswith("Diplomacy briefing, 25 Jun 2025")
    assert stat.S_IMODE((home / "secret.key").stat().st_mode) == 0o600


def test_expired_link_and_bad_address_change_nothing(site, home, smtp_server):
    status, page = subscribe(site, "not-an-address")
    assert status == 400 and "is not an email address" in page
    key = tokens.secret_key(home)
    old = tokens.confirm_token(key, "erin@example.org", 1, now=time.time() - 7200)
    status, page = request(site, "POST", f"/confirm?t={old}", "")
    assert status == 400 and "expired" in page
    assert subscriber_state(home, "erin@example.org") is None
    assert smtp_server.messages == []


def test_asking_twice_sends_one_confirmation(site, home, smtp_server):
    for _ in range(2):
        status, _ = subscribe(site, "fay@example.org")
        assert status == 200
    assert len(mails_to(smtp_server, "fay@example.org", 2, wait=2)) == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [("fay@example.org",)]

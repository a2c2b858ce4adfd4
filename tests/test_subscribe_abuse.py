"""The subscribe form under abuse, on a real `briefing.py serve` (HTTP on loopback) with a real SMTP sink:
suppression that no form post undoes, mail bombing, forgery, enumeration, a retry that retries, tokens by
index, expiry of unconfirmed requests, and a clear message when no mail server is configured."""
from __future__ import annotations

import http.client
import logging
import re
import socket
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit

import pytest

import briefing
from core.db import connect
from core.options import load_options
from delivery import optin, subscribers, tokens
from delivery.signup import Signup
from tests.smtpserver import smtp_server  # noqa: F401
from tests.test_send import subscriber_state
from tests.test_subscribers_site import (NEXT, form_token, mails_to, request, send, site,  # noqa: F401
                                         site_env, subscribe)


def cli(*args: str) -> int:
    return briefing.main(list(args))


def briefings_to(smtp_server, address: str) -> list:
    """The briefings (not confirmation emails) the sink received for ``address``."""
    return [m for m in smtp_server.messages if m.rcpt_tos == (address,)
            and not m.message["Subject"].startswith("Confirm your subscription")]


def confirm_link(smtp_server, address: str, wait: float = 10.0) -> str:
    """The link of the one confirmation email the sink received for ``address``."""
    deadline = time.monotonic() + wait
    while True:
        mails = [m for m in smtp_server.messages if m.rcpt_tos == (address,)
                 and m.message["Subject"].startswith("Confirm your subscription")]
        if mails or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(mails) == 1
    return re.search(r"https://\S+/confirm\?t=\S+", mails[0].message.get_content()).group(0)


def post_raw(origin: str, body: str, headers: dict | None = None) -> tuple[int, dict[str, str], str]:
    """POST /subscribe with ``body``; (status, headers, page)."""
    parts = urlsplit(origin)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("POST", "/subscribe", body=body.encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    answer = conn.getresponse()
    result = answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode()
    conn.close()
    return result


def with_store(home, action):
    conn = connect(home / "briefing.db")
    try:
        return action(conn)
    finally:
        conn.close()


# -- 1. suppression --------------------------------------------------------------------------------------

def test_a_form_post_never_undoes_a_configured_addresss_unsubscribe(site, home, smtp_server, capsys):
    assert send() == 0  # ann, bob and cara are configured (BRIEFING_TO) and get the first briefing
    assert cli("subscribers", "remove", "ann@example.org") == 0
    status, page = subscribe(site, "ann@example.org")
    assert status == 200 and "Check your inbox" in page
    assert subscriber_state(home, "ann@example.org") == "unsubscribed"
    link = confirm_link(smtp_server, "ann@example.org")  # how she can come back, if it was her

    assert send(NEXT) == 0
    assert len(briefings_to(smtp_server, "ann@example.org")) == 1  # only the first one
    capsys.readouterr()
    assert cli("subscribers", "list", "--state", "unsubscribed") == 0
    assert "ann@example.org  unsubscribed" in capsys.readouterr().out
    states = [e.state for e in with_store(home, lambda c: subscribers.history(c, "ann@example.org"))]
    assert states[-2:] == ["unsubscribed", "unsubscribed"]  # the request is in her history; the state is not

    status, page = request(site, "POST", link, "")  # she confirms herself
    assert status == 200 and "You are subscribed" in page
    assert send(NEXT) == 0
    assert len(briefings_to(smtp_server, "ann@example.org")) == 2


def test_complained_and_bounced_list_subscribers_stay_suppressed(site, home, smtp_server, capsys):
    assert cli("subscribers", "add", "dave@example.org", "erin@example.org") == 0

    def suppress(conn):
        subscribers.bounce(conn, "dave@example.org", "complaint", "marked as spam (test)", 3)
        subscribers.bounce(conn, "erin@example.org", "hard", "550 no such user (test)", 3)
    with_store(home, suppress)
    for address in ("dave@example.org", "erin@example.org", "dave@example.org"):
        assert subscribe(site, address)[0] == 200
    assert subscriber_state(home, "dave@example.org") == "complained"
    assert subscriber_state(home, "erin@example.org") == "bounced"
    capsys.readouterr()
    assert cli("subscribers", "list", "--state", "complained") == 0
    assert "dave@example.org  complained" in capsys.readouterr().out
    assert send() == 0
    assert briefings_to(smtp_server, "dave@example.org") == [] == briefings_to(smtp_server, "erin@example.org")
    assert len(mails_to(smtp_server, "dave@example.org", 2, wait=2)) == 1  # asked twice: one confirmation a day
    assert cli("subscribers", "add", "dave@example.org") == 0  # the publisher cannot undo a complaint either
    assert subscriber_state(home, "dave@example.org") == "complained"


# -- 4. tokens by index, expiry ---------------------------------------------------------------------------

def test_tokens_are_found_by_index_among_twenty_thousand(home, smtp_server, monkeypatch):
    monkeypatch.setenv("BRIEFING_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFING_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("BRIEFING_SMTP_TLS", "none")
    monkeypatch.setenv("BRIEFING_FROM", "desk@example.org")
    options = load_options()
    conn = connect(options.db_path)
    stamp = subscribers.now()
    conn.executemany("INSERT INTO subscribers (address, state, origin, created, updated) VALUES (?, 'active', 'list', ?, ?)",
                     [(f"reader{n}@example.org", stamp, stamp) for n in range(20_000)])
    conn.close()
    signup = Signup(options, "http://127.0.0.1")
    key = tokens.secret_key(options.home)
    signup.unsubscribe_page("0" * 32)  # the first look-up indexes every row once
    forged = [f"{n:032x}" for n in range(20)]
    began = time.perf_counter()
    for token in forged:
        assert signup.unsubscribe(token, "List-Unsubscribe=One-Click").status == 400
    per_lookup = (time.perf_counter() - began) / len(forged)
    assert per_lookup < 0.02, per_lookup  # a scan of 20,000 HMACs took 0.27 s or more
    real = tokens.unsubscribe_token(key, "reader12345@example.org")
    assert signup.unsubscribe(real, "List-Unsubscribe=One-Click").status == 200
    assert subscriber_state(home, "reader12345@example.org") == "unsubscribed"


def test_unconfirmed_requests_expire(home, monkeypatch):
    monkeypatch.setenv("BRIEFING_SUBSCRIBERS_PENDING_DAYS", "7")
    options = load_options()
    conn = connect(options.db_path)
    old = datetime.now(timezone.utc) - timedelta(days=8)
    asked = optin.ask(conn, "gone@example.org", 72, now=old)
    conn.execute("UPDATE subscribers SET updated = ? WHERE address = 'gone@example.org'",
                 (old.isoformat(timespec="seconds"),))
    fresh = optin.ask(conn, "kept@example.org", 72)
    assert optin.lookup(conn, asked.token, b"k")[1].startswith("this link has expired")
    assert optin.expire(conn, options.subscribers.pending_days) == 1
    assert subscriber_state(home, "gone@example.org") is None and subscriber_state(home, "kept@example.org") == "pending"
    assert subscribers.history(conn, "gone@example.org")[-1].state == "expired"
    assert optin.lookup(conn, fresh.token, b"k") == ("kept@example.org", "")
    conn.close()


# -- 6. mail bombing and forgery --------------------------------------------------------------------------

def test_one_client_cannot_mail_many_addresses(site, smtp_server):
    answers = [subscribe(site, f"target{n}@example.net")[0] for n in range(12)]
    assert answers == [200] * 10 + [429] * 2
    status, headers, page = post_raw(site, urlencode({"csrf": form_token(site), "email": "more@example.net"}))
    assert status == 429 and int(headers["retry-after"]) > 0 and "Too many requests" in page
    assert headers["content-security-policy"].startswith("default-src 'none'")
    time.sleep(1)
    assert len(smtp_server.messages) == 10


def test_plus_addresses_count_as_one_mailbox(site, smtp_server):
    answers = [subscribe(site, f"ann+{n}@example.net")[0] for n in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_form_from_another_site_or_without_its_token_is_refused(site, smtp_server):
    status, page = subscribe(site, "gil@example.org", headers={"Origin": "https://evil.example"})
    assert status == 403 and "not sent from this site" in page
    status, page = subscribe(site, "gil@example.org", headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    status, _, page = post_raw(site, "email=gil%40example.org")  # no form token
    assert status == 403 and 'name="csrf"' in page  # a fresh form to send again
    status, _, _ = post_raw(site, urlencode({"csrf": "1.forged", "email": "gil@example.org"}))
    assert status == 403
    status, page = subscribe(site, "gil@example.org", headers={"Origin": "https://briefing.diplomacy-digest.example.org"})
    assert status == 200  # the public site (base_url) behind a reverse proxy
    assert len(mails_to(smtp_server, "gil@example.org")) == 1


@pytest.mark.parametrize("address", ["a@localhost", "x" * 300 + "@example.org", "ann@example", "ann@127.0.0.1"])
def test_addresses_nobody_can_own_are_refused(site, smtp_server, address):
    status, page = subscribe(site, address)
    assert status == 400 and "not an email address" in page
    time.sleep(0.3)
    assert smtp_server.messages == []


# -- 7. enumeration ---------------------------------------------------------------------------------------

def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.mark.parametrize("site_env", [{"BRIEFING_SMTP_PORT": _closed_port(), "BRIEFING_SERVE_SUBSCRIBE_PER_CLIENT": "100"}])
def test_known_and_unknown_addresses_get_the_same_answer_in_the_same_time(site, home, site_env):
    known = [f"known{n}@example.org" for n in range(9)]
    assert cli("subscribers", "add", *known) == 0
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    pages = set()
    for n in range(9):
        for kind, address in (("known", known[n]), ("unknown", f"new{n}@example.org")):
            body = urlencode({"csrf": form_token(site), "email": address})
            began = time.perf_counter()
            status, _, page = post_raw(site, body)
            times[kind].append(time.perf_counter() - began)
            pages.add((status, page))
    assert len(pages) == 1 and next(iter(pages))[0] == 200  # with the mail server down, too
    known_time, unknown_time = statistics.median(times["known"]), statistics.median(times["unknown"])
    # Was 2.5 ms against 11 ms (and 200 against 503). The allowance grows with the machine's load.
    assert abs(known_time - unknown_time) < max(0.008, 0.5 * min(known_time, unknown_time)), times


# -- 8. a retry that retries ------------------------------------------------------------------------------

def test_a_failed_confirmation_is_retried_and_asking_again_sends_again(site, smtp_server):
    smtp_server.refuse("hal@example.org", "451 4.3.0 try again later", times=1)
    assert subscribe(site, "hal@example.org")[0] == 200
    assert len(mails_to(smtp_server, "hal@example.org")) == 1  # the background thread tried again

    smtp_server.refuse("ida@example.org", "451 4.3.0 try again later", times=4)  # every attempt of the first ask
    assert subscribe(site, "ida@example.org")[0] == 200
    deadline = time.monotonic() + 10
    while smtp_server.attempts.count("ida@example.org") < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert mails_to(smtp_server, "ida@example.org", wait=0) == []
    assert subscribe(site, "ida@example.org")[0] == 200
    assert len(mails_to(smtp_server, "ida@example.org")) == 1


# -- (b) no mail server -----------------------------------------------------------------------------------

def test_without_a_mail_server_the_form_says_so_and_the_log_names_the_setting(home, caplog):
    signup = Signup(load_options(), "http://127.0.0.1")
    with caplog.at_level(logging.WARNING, logger="delivery.signup"):
        page = signup.ask("joe@example.org", tokens.form_token(signup.key), client="127.0.0.1")
    assert page.status == 503 and b"Subscriptions cannot be taken just now" in page.body
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "BRIEFING_SMTP_HOST" in logged and "--dry-run" not in logged
    assert subscriber_state(home, "joe@example.org") is None


def test_parallel_forged_tokens_do_not_hold_up_a_subscription(site, home, smtp_server):
    stamp = subscribers.now()

    def readers(conn):
        with subscribers.Transaction(conn):
            conn.executemany("INSERT INTO subscribers (address, state, origin, created, updated)"
                             " VALUES (?, 'active', 'list', ?, ?)",
                             [(f"reader{n}@example.org", stamp, stamp) for n in range(20_000)])
    with_store(home, readers)
    request(site, "POST", f"/unsubscribe?id={'e' * 32}", "List-Unsubscribe=One-Click")  # indexes them once
    stop = threading.Event()

    def forge() -> None:
        while not stop.is_set():
            request(site, "POST", f"/unsubscribe?id={'f' * 32}", "List-Unsubscribe=One-Click")

    threads = [threading.Thread(target=forge) for _ in range(10)]
    for t in threads:
        t.start()
    try:
        began = time.monotonic()
        status, _ = subscribe(site, "kim@example.org")
        took = time.monotonic() - began
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert status == 200 and took < 2.5, took  # was 4.9 s at 20,000 subscribers


# -- behind a reverse proxy -------------------------------------------------------------------------------

@pytest.mark.parametrize("site_env", [{"BRIEFING_SERVE_SUBSCRIBE_PER_CLIENT": "2",
                                       "BRIEFING_SERVE_TRUSTED_PROXY": "127.0.0.1"}])
def test_a_trusted_proxy_s_forwarded_for_is_the_client_for_the_rate_limit(site, site_env):
    one, other = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.7"}
    assert [subscribe(site, f"p{n}@example.org", headers=one)[0] for n in range(3)] == [200, 200, 429]
    assert subscribe(site, "q@example.org", headers=other)[0] == 200


@pytest.mark.parametrize("site_env", [{"BRIEFING_SERVE_SUBSCRIBE_PER_CLIENT": "2"}])
def test_without_a_trusted_proxy_forwarded_for_is_ignored(site, site_env):
    answers = [subscribe(site, f"r{n}@example.org", headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
               for n in range(3)]
    assert answers == [200, 200, 429]


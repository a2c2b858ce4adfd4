"""The subscriber list through the command line: add, remove, list, import, export; states and history."""
from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

import briefing
from delivery import subscribers
from tests.smtpserver import smtp_server  # noqa: F401
from tests.test_send import DATE, archive, rows, subscriber_state
from tests.test_message import make_briefing


@pytest.fixture
def home(home, monkeypatch, smtp_server):
    """A data directory with the briefing of DATE archived and a mail server, no configured recipients."""
    archive(home, make_briefing(2))
    for key, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(smtp_server.port),
        "BRIEFING_SMTP_TLS": "none", "BRIEFING_FROM": "Briefing Desk <desk@example.org>",
        "BRIEFING_SMTP_RETRY_DELAY": "0.01", "BRIEFING_BRIEFING_BASE_URL": "https://news.example.org",
    }.items():
        monkeypatch.setenv(key, value)
    return home


def cli(*args: str) -> int:
    return briefing.main(list(args))


def events(home: Path, address: str) -> list[subscribers.Event]:
    conn = sqlite3.connect(home / "briefing.db")
    conn.row_factory = sqlite3.Row
    try:
        return subscribers.history(conn, address)
    finally:
        conn.close()


def test_added_subscribers_get_the_briefing_and_removed_ones_do_not(home, smtp_server, capsys):
    assert cli("subscribers", "add", '"Smith, Ann" <ann@example.org>', "bob@example.org; cara@example.org") == 0
    out = capsys.readouterr().out
    assert "ann@example.org: active" in out and "cara@example.org: active" in out
    assert cli("subscribers", "remove", "bob@example.org") == 0
    assert cli("send", "--date", DATE) == 0
    assert sorted(smtp_server.delivered_to()) == ["ann@example.org", "cara@example.org"]
    assert cli("subscribers", "list") == 0
    listed = capsys.readouterr().out
    assert "ann@example.org  active since" in listed and "Smith, Ann" in listed
    assert "bob@example.org  unsubscribed since" in listed
    assert "3 address(es): 2 active, 1 unsubscribed" in listed


def test_every_change_is_recorded_with_time_and_cause(home, capsys):
    assert cli("subscribers", "add", "ann@example.org") == 0
    assert cli("subscribers", "remove", "ann@example.org") == 0
    assert cli("subscribers", "add", "ann@example.org") == 0  # their own unsubscription stands
    assert "ann@example.org unsubscribed themselves; not added" in capsys.readouterr().err
    history = events(home, "ann@example.org")
    assert [e.state for e in history] == ["active", "unsubscribed"]
    assert history[1].cause == "removed with `briefing.py subscribers remove`"
    assert all(e.time.endswith("+00:00") and e.time[:4].isdigit() for e in history)


def test_configured_recipients_are_active_subscribers_and_can_unsubscribe(home, smtp_server, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_TO", "ann@example.org; bob@example.org")
    assert cli("subscribers", "list") == 0
    listed = capsys.readouterr().out
    assert "ann@example.org  active since" in listed and "(configured)" in listed
    assert cli("subscribers", "remove", "bob@example.org") == 0
    assert cli("send", "--date", DATE) == 0
    assert smtp_server.delivered_to() == ["ann@example.org"]
    assert "not sent to 1 (unsubscribed, bounced or complained)" in capsys.readouterr().out
    # Taken out of the configuration: no longer sent to, though still on record.
    monkeypatch.setenv("BRIEFING_TO", "bob@example.org")
    archive(home, make_briefing(2, date="2025-06-25"))
    assert cli("send", "--date", "2025-06-25") == 1
    assert "no recipients" in capsys.readouterr().err


def test_import_csv_with_header_semicolons_and_a_bad_line(home, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text("Name;Email\nAnn Smith;ann@example.org\nBob;bob.example.org\n;cara@example.org\n"
                    "Dup;ANN@example.org\n", encoding="utf-8-sig")
    assert cli("subscribers", "import", str(path)) == 0
    captured = capsys.readouterr()
    assert f"{path} line 3: 'bob.example.org' is not an email address" in captured.err
    assert f"{path}: 2 added, 0 already active, 0 left unsubscribed or bounced, 1 bad line(s)" in captured.out
    assert subscriber_state(home, "cara@example.org") == "active"


def test_neither_import_nor_add_resubscribes(home, tmp_path, capsys):
    assert cli("subscribers", "add", "ann@example.org") == 0
    assert cli("subscribers", "remove", "ann@example.org") == 0
    path = tmp_path / "list.csv"
    path.write_text("ann@example.org,Ann\nbob@example.org,Bob\n")
    assert cli("subscribers", "import", str(path)) == 0
    captured = capsys.readouterr()
    assert "ann@example.org is unsubscribed; left so" in captured.err
    assert subscriber_state(home, "ann@example.org") == "unsubscribed"
    assert subscriber_state(home, "bob@example.org") == "active"
    assert cli("subscribers", "add", "ann@example.org") == 0
    assert "ann@example.org: active" not in capsys.readouterr().out
    assert subscriber_state(home, "ann@example.org") == "unsubscribed"


def test_export_writes_csv_that_import_reads_back(home, tmp_path, capsys):
    assert cli("subscribers", "add", '"Smith, Ann" <ann@example.org>', "bob@example.org") == 0
    assert cli("subscribers", "remove", "bob@example.org") == 0
    out = tmp_path / "out.csv"
    assert cli("subscribers", "export", str(out)) == 0
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["email"], r["name"], r["state"]) for r in table] == [
        ("ann@example.org", "Smith, Ann", "active"), ("bob@example.org", "", "unsubscribed")]
    assert table[1]["cause"] == "removed with `briefing.py subscribers remove`"
    capsys.readouterr()
    assert cli("subscribers", "export") == 0
    assert capsys.readouterr().out == out.read_text()


@pytest.mark.parametrize("args, says", [
    (("subscribers", "add", "ann@"), "'ann@' is not an email address"),
    (("subscribers", "import", "/nonexistent/list.csv"), "/nonexistent/list.csv does not exist"),
    (("subscribers", "list", "--state", "gone"), "invalid choice"),
])
def test_bad_input_is_named_without_a_traceback(home, capsys, args, says):
    try:
        code = cli(*args)
    except SystemExit as exc:  # argparse's own refusal
        code = exc.code
    assert code != 0
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert rows(home) == {}


def test_the_secret_moves_from_the_old_database_table_to_a_private_file(tmp_path):
    import stat

    from delivery import tokens
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE delivery_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO delivery_keys VALUES ('unsubscribe', ?)", ("ab" * 32,))
    key = tokens.secret_key(tmp_path, conn)
    conn.close()
    assert key == bytes.fromhex("ab" * 32)  # links in briefings already sent keep working
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert tokens.secret_key(tmp_path) == key


def test_confirmation_tokens_expire_and_resist_editing():
    from delivery import tokens
    key = b"k" * 32
    token = tokens.confirm_token(key, "ann@example.org", hours=1, now=1_000_000)
    assert tokens.confirmed_address(key, token, now=1_000_000 + 3500) == ("ann@example.org", "")
    assert tokens.confirmed_address(key, token, now=1_000_000 + 3700)[0] is None
    encoded, expires, signature = token.split(".")
    later = f"{encoded}.{int(expires) + 86400}.{signature}"  # a longer life, same signature
    assert tokens.confirmed_address(key, later, now=1_000_000)[0] is None
    assert tokens.confirmed_address(b"x" * 32, token, now=1_000_000)[0] is None
    assert tokens.confirmed_address(key, "garbage", now=1_000_000)[0] is None


def test_an_unsubscribe_an_older_version_let_a_form_post_undo_is_restored(tmp_path):
    # The database of an earlier version: the first subscribers migration only, and an address
    # that unsubscribed and then, through an anonymous form post, became pending.
    from core import db

    path = tmp_path / "briefing.db"
    raw = sqlite3.connect(path)
    raw.executescript(db._REGISTRY["subscribers"][0])
    raw.execute("CREATE TABLE migrations (component TEXT NOT NULL, number INTEGER NOT NULL,"
                " applied TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (component, number))")
    raw.execute("INSERT INTO migrations (component, number) VALUES ('subscribers', 1)")
    raw.execute("INSERT INTO subscribers (address, state, created, updated) VALUES"
                " ('ann@example.org', 'pending', 't', 't'), ('new@example.org', 'pending', 't', 't')")
    raw.executemany("INSERT INTO subscriber_events (address, time, state, cause) VALUES (?, 't', ?, 'x')",
                    [("ann@example.org", "active"), ("ann@example.org", "unsubscribed"),
                     ("ann@example.org", "pending"), ("new@example.org", "pending")])
    raw.commit()
    raw.close()
    conn = db.connect(path)
    assert subscribers.get(conn, "ann@example.org").state == "unsubscribed"
    assert subscribers.get(conn, "new@example.org").state == "pending"
    assert subscribers.recipients(conn, ["ann@example.org"]) == ((), ("ann@example.org",))
    conn.close()


def test_the_suppression_repair_restores_in_one_query_whatever_the_list_size(tmp_path):
    """The migration that undoes an old version's form posts (pending over a suppression)."""
    import sqlite3

    from core import db
    from delivery import subscribers as subs

    steps = db._REGISTRY["subscribers"]
    repair = next(n for n, step in enumerate(steps, 1)
                  if callable(step) and "_restore_suppression" in step.__code__.co_names)
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.row_factory = sqlite3.Row
    with pytest.MonkeyPatch.context() as patch:  # the database as the version before the repair left it
        patch.setattr(db, "_REGISTRY", {"subscribers": steps[:repair - 1]})
        db.migrate(conn)
    history = {"ann@example.org": ["active", "unsubscribed", "pending"],
               "bo@example.org": ["active", "bounced", "pending", "pending"],
               "cy@example.org": ["pending"],  # a real request: stays pending
               "di@example.org": ["unsubscribed", "active", "pending"],  # came back on purpose, then asked
               "ed@example.org": ["active", "complained"]}
    for n in range(300):
        history[f"new{n}@example.org"] = ["pending"]
    for address, states in history.items():
        for state in states:
            subs.set_state(conn, address, state, "history")
    selects = []
    conn.set_trace_callback(lambda sql: selects.append(sql) if sql.lstrip().upper().startswith("SELECT") else None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "_REGISTRY", {"subscribers": steps[:repair]})
        assert db.migrate(conn) == [f"subscribers#{repair}"]
    conn.set_trace_callback(None)
    states = {row["address"]: row["state"] for row in conn.execute("SELECT address, state FROM subscribers")}
    assert (states["ann@example.org"], states["bo@example.org"]) == ("unsubscribed", "bounced")
    assert (states["cy@example.org"], states["di@example.org"], states["ed@example.org"]) == ("pending", "pending",
                                                                                             "complained")
    assert sum(state == "pending" for state in states.values()) == 302
    assert len([sql for sql in selects if "subscriber_events" in sql]) == 1  # not one per pending row
    conn.close()

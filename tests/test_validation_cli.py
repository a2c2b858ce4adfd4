"""Every input a user can give gets a clear answer: the examples of issue 13 and more of the same kinds.

Each bad input is run through the command line in-process against a data directory that
already holds articles and an archived briefing, and must give: one line naming the flag,
environment variable or config file line and what would be valid, the documented exit
code (1 failed and reported, 2 usage), no traceback, and nothing stored lost. A few runs
are real subprocesses, for what only a process shows (a closed pipe, tracebacks).
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import briefing
from tests.httpserver import Route, http_server  # noqa: F401 - pytest fixture

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "fixtures" / "corpus"
DAY = "2025-03-10"


@pytest.fixture(scope="module")
def stocked(tmp_path_factory):
    """A data directory with the test corpus imported and one briefing archived (made once)."""
    home = tmp_path_factory.mktemp("stocked") / "home"
    saved = os.environ.get("BRIEFING_HOME")
    os.environ["BRIEFING_HOME"] = str(home)
    try:
        assert briefing.main(["-q", "import", str(CORPUS)]) == 0
        assert briefing.main(["-q", "build", "--date", DAY]) == 0
    finally:
        if saved is None:
            os.environ.pop("BRIEFING_HOME", None)
        else:
            os.environ["BRIEFING_HOME"] = saved
    return home


@pytest.fixture
def full(stocked, home):
    """A fresh copy of the stocked data directory as this test's BRIEFING_HOME."""
    shutil.copytree(stocked, home, symlinks=True)
    return home


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = briefing.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored(home: Path) -> tuple[set[str], bool, str]:
    """The stored article ids, whether the archived briefing is whole, and the integrity check."""
    with sqlite3.connect(home / "briefing.db") as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM articles")}
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    archived = json.loads((home / "archive" / DAY / "briefing.json").read_text())["date"] == DAY
    return ids, archived, check


def assert_clear(code: int, err: str, expected_code: int, *words: str) -> None:
    assert code == expected_code, err
    assert "Traceback" not in err and "rerun with -v" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) >= 1, err
    for word in words:
        assert word in err, (word, err)


# ---------------------------------------------------------------- the issue's examples

@pytest.mark.parametrize("argv, words", [
    (["build", "--date", "20250625"], ["--date '20250625'", "YYYY-MM-DD"]),
    (["build", "--date", "9999-12-31"], ["--date 9999-12-31", "out of range"]),
    (["build", "--since", "1e9"], ["--since 1e9", "hours"]),
    (["build", "--since", "inf"], ["--since 'inf'", "finite"]),
    (["serve", "--port", "99999"], ["--port '99999'", "0 to 65535"]),
])
def test_the_issue_s_tracebacks_are_usage_errors(full, capsys, argv, words):
    before = stored(full)
    code, out, err = run(capsys, *argv)
    assert_clear(code, err, 2, *words)
    assert "check the config file" not in err  # a flag's hint is about the flag
    assert stored(full) == before


def test_build_out_pointing_at_a_file(full, tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    code, out, err = run(capsys, "build", "--date", DAY, "--out", str(target))
    assert_clear(code, err, 2, f"--out {target} is a file")
    assert target.read_text() == "keep me"


def test_feeds_export_into_a_missing_folder(full, tmp_path, capsys):
    code, out, err = run(capsys, "feeds", "export", str(tmp_path / "no" / "such" / "feeds.opml"))
    assert_clear(code, err, 2, "does not exist")
    assert not (tmp_path / "no").exists()


def test_unknown_time_zone_in_the_config_names_the_file_and_line(full, capsys):
    config = full / "config.toml"
    config.write_text('# my settings\n[briefing]\ntitle = "Notes"\ntimezone = "Mars/Olympus"\n')
    before = stored(full)
    code, out, err = run(capsys, "build", "--date", DAY)
    assert_clear(code, err, 1, f"config file {config} line 4", "[briefing] timezone", "'Mars/Olympus'",
                 "Europe/London", "edit that line")
    assert stored(full) == before


def test_a_value_from_the_environment_is_reported_as_such(full, capsys, monkeypatch):
    monkeypatch.setenv("BRIEFING_BRIEFING_TIMEZONE", "Mars/Olympus")
    code, out, err = run(capsys, "build", "--date", DAY)
    assert_clear(code, err, 1, "environment variable BRIEFING_BRIEFING_TIMEZONE", "unset")
    assert "config.toml" not in err


@pytest.mark.parametrize("where", ["/proc/briefing-home", "file"])
def test_briefing_home_that_cannot_be_written(where, tmp_path, capsys, monkeypatch):
    path = tmp_path / "plain-file" if where == "file" else Path(where)
    if where == "file":
        path.write_text("not a folder")
    monkeypatch.setenv("BRIEFING_HOME", str(path))
    code, out, err = run(capsys, "fetch")
    assert_clear(code, err, 1, "environment variable BRIEFING_HOME", str(path))


def test_output_to_a_closed_pipe_ends_quietly(tmp_path):
    home = tmp_path / "home"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}, "BRIEFING_HOME": str(home)}
    subprocess.run([sys.executable, "briefing.py", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    # The reader closes its end at once, before anything is written: every write hits a closed pipe.
    proc = subprocess.Popen([sys.executable, "briefing.py", "feeds", "list"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == "" and proc.returncode == 0, err


def test_import_of_a_missing_path_fails(full, capsys):
    code, out, err = run(capsys, "import", "/no/such/folder")
    assert_clear(code, err, 1, "/no/such/folder: no such file or folder")


def test_import_of_a_missing_path_beside_a_good_one_still_imports_the_good_one(home, tmp_path, capsys):
    code, out, err = run(capsys, "import", str(CORPUS), str(tmp_path / "typo"))
    assert code == 1 and "typo: no such file or folder" in err
    assert "7 new articles" in out


def test_run_with_every_feed_failing_exits_1_like_fetch(full, capsys):
    with open(full / "config.toml", "a") as config:
        config.write('[[feeds]]\nurl = "http://127.0.0.1:9/down.xml"\nallow_private = true\n'
                     '[[feeds]]\nurl = "http://127.0.0.1:9/gone.xml"\nallow_private = true\n')
    before = stored(full)
    for command in (["fetch"], ["run", "--date", DAY]):
        code, out, err = run(capsys, *command)
        assert code == 1, (command, err)
        assert "error: every feed failed (2)" in err
        # each failure once, its address once
        assert err.count("down.xml") == 1 and err.count("gone.xml") == 1, err
    assert stored(full)[0] == before[0]


def test_run_with_one_feed_down_among_good_ones_is_a_warning(home, capsys, http_server):
    http_server.routes["/ok.xml"] = Route(200, {"Content-Type": "application/rss+xml"},
                                          '<rss version="2.0"><channel><title>T</title><item><title>Envoys meet'
                                          '</title><link>https://ok.example/1</link><description>Talks.</description>'
                                          '</item></channel></rss>')
    home.mkdir()
    (home / "config.toml").write_text(
        f'[[feeds]]\nurl = "{http_server.url("/ok.xml")}"\nallow_private = true\n'
        f'[[feeds]]\nurl = "{http_server.url("/missing.xml")}"\nallow_private = true\n')
    code, out, err = run(capsys, "fetch")
    assert code == 0 and "1 failed" in out and err.count("missing.xml") == 1


def test_feeds_resume_of_an_unknown_feed(full, capsys):
    code, out, err = run(capsys, "feeds", "resume", "https://unknown.example.org/feed")
    assert_clear(code, err, 1, "https://unknown.example.org/feed is not in the feed list", "feeds list")


def test_feeds_remove_of_an_unknown_feed_does_not_blame_the_config(full, capsys):
    code, out, err = run(capsys, "feeds", "remove", "https://unknown.example.org/feed")
    assert_clear(code, err, 1, "not in the feed list")
    assert "check the config file" not in err


def test_trafilatura_s_own_log_lines_stay_out(home, tmp_path, capsys, caplog):
    (tmp_path / "blob.html").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "empty-page.html").write_text("<html></html>")
    code, out, err = run(capsys, "import", str(tmp_path))
    assert code == 1  # nothing could be imported
    for noise in ("trafilatura.", "parsed tree length", "empty HTML tree", "discarding data"):
        assert noise not in err, err
    assert err.count("blob.html") == 1 and err.count("empty-page.html") == 1


def test_trafilatura_s_log_lines_stay_out_of_a_real_process(tmp_path):
    (tmp_path / "blob.html").write_bytes(b"\x00\x01\x02garbage")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")},
           "BRIEFING_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "briefing.py", "import", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"warning: {tmp_path / 'blob.html'}: no article text found in the "
                                                "HTML page", f"error: no article could be imported from {tmp_path}"], \
        done.stderr


# ---------------------------------------------------------------- permanent mistakes, and mending them

@pytest.mark.parametrize("day", ["2999-01-01", "1900-01-01"])
def test_far_dates_are_refused_unless_forced(full, capsys, day):
    code, out, err = run(capsys, "build", "--date", day)
    assert_clear(code, err, 2, f"--date {day}", "--force")
    assert not (full / "archive" / day).exists()


def test_archive_list_and_remove_a_forced_mistake(full, capsys):
    code, out, err = run(capsys, "build", "--date", "2999-01-01", "--force")
    assert code == 0, err
    assert (full / "site" / "briefings" / "2999-01-01.html").exists()
    code, out, err = run(capsys, "archive", "list")
    assert code == 0 and out.index(DAY) < out.index("2999-01-01")
    code, out, err = run(capsys, "archive", "remove", "2999-01-01")
    assert code == 0, err
    assert "removed the briefing of 2999-01-01" in out
    assert not (full / "archive" / "2999-01-01").exists()
    assert not (full / "site" / "briefings" / "2999-01-01.html").exists()
    assert "2999-01-01" not in (full / "site" / "index.html").read_text()
    code, out, err = run(capsys, "archive", "list")
    assert "2999-01-01" not in out and DAY in out
    with sqlite3.connect(full / "briefing.db") as conn:
        assert conn.execute("SELECT count(*) FROM story_search WHERE date = '2999-01-01'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM story_search WHERE date = ?", (DAY,)).fetchone()[0] > 0
    ids, archived, check = stored(full)
    assert archived and check == "ok" and len(ids) == 7
    # Removing it again says there is nothing to remove.
    code, out, err = run(capsys, "archive", "remove", "2999-01-01")
    assert_clear(code, err, 1, "there is no briefing of 2999-01-01", "archive list")


def test_archive_remove_needs_a_date(full, capsys):
    code, out, err = run(capsys, "archive", "remove", "last-tuesday")
    assert_clear(code, err, 2, "'last-tuesday' is not a date")


# ---------------------------------------------------------------- the one place errors become messages

@pytest.mark.parametrize("argv", [["-q", "fetch"], ["fetch", "-q"], ["-v", "archive", "list"],
                                  ["archive", "list", "-v"], ["feeds", "list", "-q"]])
def test_verbosity_flags_before_or_after_the_command(full, capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    if "-q" in argv:
        assert err == ""


def test_quiet_leaves_only_errors(full, capsys):
    code, out, err = run(capsys, "import", "-q", str(CORPUS))
    assert code == 0 and out == "" and err == ""
    code, out, err = run(capsys, "-q", "build", "--date", "junk")
    assert code == 2 and out == "" and err.startswith("error: --date")


def test_an_unexpected_error_is_one_line_with_a_hint(full, capsys, monkeypatch):
    import jobs

    def broken(*args, **kwargs):
        raise RuntimeError("the summariser tripped over its own shoelaces")

    monkeypatch.setattr(jobs, "build", broken)
    code, out, err = run(capsys, "build", "--date", DAY)
    assert code == 1
    assert err == ("error: unexpected RuntimeError: the summariser tripped over its own shoelaces "
                   "(rerun with -v for the traceback)\n")
    code, out, err = run(capsys, "-v", "build", "--date", DAY)
    assert "Traceback" in err and err.rstrip().endswith("(rerun with -v for the traceback)")


def test_version_and_action_help(capsys):
    with pytest.raises(SystemExit) as info:
        briefing.main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("briefing ")
    for action in ("list", "add", "remove", "resume", "import", "export"):
        with pytest.raises(SystemExit):
            briefing.main(["feeds", action, "--help"])
        text = capsys.readouterr().out
        assert "Example: briefing.py feeds " + action in text
        if action not in ("list", "export"):
            assert "URL" in text or "FILE" in text


# ---------------------------------------------------------------- more of the same kinds

BAD_FLAGS = [
    (["build", "--date", "2025-6-24"], "--date"), (["build", "--date", "2025-02-30"], "--date"),
    (["build", "--date", ""], "--date"), (["build", "--date", "2025-06-24T08:00"], "--date"),
    (["build", "--date", "tomorrow"], "--date"), (["build", "--date", "0000-01-01"], "--date"),
    (["build", "--date", "+2025-06-24"], "--date"), (["run", "--date", "24.06.2025"], "--date"),
    (["build", "--since", "0"], "--since"), (["build", "--since", "-5"], "--since"),
    (["build", "--since", "abc"], "--since"), (["build", "--since", "1e400"], "--since"),
    (["build", "--since", "-inf"], "--since"), (["build", "--since", "nan"], "--since"),
    (["build", "--since", "10000"], "--since"), (["run", "--since", "1e9", "--force"], "--since"),
    (["serve", "--port", "-1"], "--port"), (["serve", "--port", "65536"], "--port"),
    (["serve", "--port", "80.5"], "--port"), (["serve", "--port", ""], "--port"),
    (["serve", "--host", " "], "--host"),
    (["search", "x", "--limit", "0"], "--limit"), (["search", "x", "--limit", "1e3"], "--limit"),
    (["search", "x", "--from", "2025-13-01"], "--from"), (["search", "x", "--to", "June"], "--to"),
    (["search"], "give words"),
    (["send", "--date", "2025/06/24"], "--date"),
    (["feeds", "add", "not a url"], "URL"), (["feeds", "add", "ftp://files.example.org/x"], "URL"),
    (["feeds", "add", "https://"], "URL"), (["feeds", "add", "javascript:alert(1)"], "URL"),
    (["archive", "remove", "2025-02-30"], "YYYY-MM-DD"),
    (["build", "--nope"], "unrecognized"), (["frobnicate"], "invalid choice"), (["feeds"], "required"),
]


@pytest.mark.parametrize("argv, word", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flags_are_usage_errors(full, capsys, argv, word):
    before = stored(full)
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert word in err and "Traceback" not in err and "rerun with -v" not in err
    assert stored(full) == before


BAD_ENVIRONMENT = [
    ("BRIEFING_SMTP_PORT", "99999"), ("BRIEFING_SMTP_PORT", "0"), ("BRIEFING_SMTP_PORT", "25.5"),
    ("BRIEFING_BRIEFING_MAX_STORIES", "-1"), ("BRIEFING_BRIEFING_MAX_STORIES", "1e3"),
    ("BRIEFING_FETCH_TIMEOUT", "nan"), ("BRIEFING_FETCH_TIMEOUT", "inf"), ("BRIEFING_FETCH_TIMEOUT", "-1"),
    ("BRIEFING_FETCH_WORKERS", "1000000"), ("BRIEFING_SUMMARY_METHOD", "magic"),
    ("BRIEFING_SCHEDULE_TIME", "25:00"), ("BRIEFING_SCHEDULE_TIMEZONE", "Europe"),
    ("BRIEFING_BRIEFING_BASE_URL", "javascript:alert(1)"), ("BRIEFING_BRIEFING_QUIET_DAY", "sometimes"),
    ("BRIEFING_BRIEFING_TOPIC_PROFILE", "/no/such/profile.toml"), ("BRIEFING_SMTP_TLS", "tls1.3"),
    ("BRIEFING_BRIEFING_TITLE", "Morning\x1b[31m notes"), ("BRIEFING_GROUPING_THRESHOLD", "-0.5"),
    ("BRIEFING_BRIEFING_TIMEZONE", "../../etc/passwd"), ("BRIEFING_SUMMARY_MAX_SENTENCES", "many"),
]


@pytest.mark.parametrize("key, value", BAD_ENVIRONMENT, ids=[f"{k}={v!r}" for k, v in BAD_ENVIRONMENT])
def test_bad_environment_values_name_the_variable(full, capsys, monkeypatch, key, value):
    monkeypatch.setenv(key, value)
    before = stored(full)
    code, out, err = run(capsys, "build", "--date", DAY)
    assert_clear(code, err, 1, f"environment variable {key}", f"unset {key}")
    assert stored(full) == before


BAD_CONFIG = [
    ('[briefing]\ntimezone = 3\n', 2, "[briefing] timezone"),
    ('[briefing]\ntimezone = ""\n', 2, "[briefing] timezone"),
    ('[briefing]\n\nmax_stories = -4\n', 3, "[briefing] max_stories"),
    ('[briefing]\nmax_stories = 2.5\n', 2, "[briefing] max_stories"),
    ('[briefing]\ntitle = ["a"]\n', 2, "[briefing] title"),
    ('[briefing]\ntitle = "a\\u0000b"\n', 2, "[briefing] title"),
    ('[smtp]\nport = 70000\n', 2, "[smtp] port"),
    ('[fetch]\ntimeout = inf\n', 2, "[fetch] timeout"),
    ('[fetch]\nmax_bytes = 1e30\n', 2, "[fetch] max_bytes"),
    ('[schedule]\ntime = "7 am"\n', 2, "[schedule] time"),
    ('[summary]\nmethod = "best"\n', 2, "[summary] method"),
    ('[grouping.weighting]\ntitle = -2\n', 2, "title"),
    ('briefing = 5\n', 1, "briefing"),
    ('feeds = "https://x.example.org/rss"\n', 1, "feeds"),
    ('[[feeds]]\nname = "A"\nurl = "https://a.example.org/rss"\n[[feeds]]\nname = "B"\nurl = "gopher://b"\n', 6,
     "feed #2"),
    ('[[feeds]]\nurl = 5\n', 2, "feed #1"),
    ('[[feeds]]\nurl = "https://a.example.org/rss"\nfetch_page = false\n', 3, "fetch_page"),
    ('[briefing]\ntitle = "x"\n[briefing]\ntitle = "y"\n', 3, "not valid TOML"),
]


@pytest.mark.parametrize("text, line, words", BAD_CONFIG, ids=[t.split("\n")[0] + f"#{i}" for i, (t, _, _) in
                                                                enumerate(BAD_CONFIG)])
def test_bad_config_values_name_the_file_and_line(full, capsys, text, line, words):
    config = full / "config.toml"
    config.write_text(text)
    before = stored(full)
    code, out, err = run(capsys, "build", "--date", DAY)
    assert_clear(code, err, 1, str(config), f"line {line}", words)
    assert stored(full) == before


@pytest.mark.parametrize("argv, code, words", [
    (["import", ""], 2, "PATH is empty"),
    (["build", "--date", DAY, "--out", ""], 2, "--out is empty"),
    (["demo", "--home", " "], 2, "--home is empty"),
    (["import", "/dev/zero"], 1, "/dev/zero: not a file or folder"),
    (["search", "--from", "2025-06-30", "--to", "2025-06-01"], 2, "is after --to"),
    (["feeds", "add", "https://desk.example.org/rss", "--name", "Desk\x1b[31m"], 2, "--name"),
    (["demo", "--home", "/proc/briefing-demo"], 1, "flag --home"),
])
def test_more_arguments_checked_where_they_enter(full, capsys, argv, code, words):
    config = (full / "config.toml").read_text() if (full / "config.toml").exists() else None
    before = stored(full)
    got, out, err = run(capsys, *argv)
    assert_clear(got, err, code, words)
    assert stored(full) == before
    assert ((full / "config.toml").read_text() if (full / "config.toml").exists() else None) == config

"""A property-based hunt for the class of fault: whatever a user types, sets or writes, a clear answer.

Hypothesis drives the command line in-process with generated arguments (dates, numbers,
paths, URLs), environment values and config files (in several encodings), against a copy of a data directory
that holds articles and an archived briefing. For every run: exit code 0, 1 or 2; no
traceback and no "unexpected" error (every bad input must be caught where it enters, with
a message naming it); the database passes ``PRAGMA integrity_check``; no stored article
and no archived briefing is lost.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import briefing
from tests.test_validation_cli import DAY, stocked  # noqa: F401 - pytest fixture

# Modest: each example is a real command on a real store, and this runs in CI.
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["20250625", "9999-12-31", "2999-01-01", "1900-01-01", "0001-01-01", "2025-02-29",
                     "2025-06-24T10:00", " 2025-06-24", "2025-06-24\n", "", "-1", DAY]),
    text,
)
numbers = st.one_of(
    st.floats().map(repr), st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.sampled_from(["1e9", "inf", "-inf", "nan", "0", "0x10", "1_000", "24", "", " 12 ", "½"]),
    text,
)
urls = st.one_of(
    st.sampled_from(["https://news.example.org/rss", "feed://news.example.org/rss", "ftp://x.example.org/f",
                     "https://", "http://[::1", "http://host:99999/x", "javascript:alert(1)", "news.example.org",
                     "https://exa mple.org/rss", "http://\u00e9xample.org/r\u00e9ss"]),
    text,
)


def _paths(root: Path) -> st.SearchStrategy[str]:
    (root / "a-file.txt").write_text("Envoys meet\nForeign ministers met in Geneva on Monday to discuss a truce.\n")
    (root / "a-folder").mkdir(exist_ok=True)
    (root / "latin.txt").write_bytes("Caf\xe9 talks\nMinisters met.\n".encode("cp1252"))
    return st.one_of(st.sampled_from([str(root / "a-file.txt"), str(root / "a-folder"), str(root / "latin.txt"),
                                      str(root / "no" / "such" / "place"), "/proc/briefing", "/dev/null", str(root), ""]),
                     text.map(lambda name: str(root / name) if name else ""))


def _argv(root: Path) -> st.SearchStrategy[list[str]]:
    paths = _paths(root)
    flag = st.sampled_from([[], ["-q"], ["-v"]])
    commands = st.one_of(
        st.tuples(st.just("build"), dates, numbers, paths, st.booleans()).map(
            lambda t: ["build", "--date", t[1], "--since", t[2], "--out", t[3]] + (["--force"] if t[4] else [])),
        st.tuples(dates, st.booleans()).map(lambda t: ["build", "--date", t[0]] + (["--force"] if t[1] else [])),
        numbers.map(lambda n: ["build", "--since", n]),
        st.tuples(text, dates, dates, numbers).map(
            lambda t: ["search", t[0] or "talks", "--from", t[1], "--to", t[2], "--limit", t[3]]),
        st.tuples(numbers, text).map(lambda t: ["serve", "--port", t[0], "--host", t[1] or "127.0.0.1"]),
        urls.map(lambda u: ["feeds", "add", u]),
        urls.map(lambda u: ["feeds", "resume", u]),
        urls.map(lambda u: ["feeds", "remove", u]),
        paths.map(lambda p: ["feeds", "export", p]),
        paths.map(lambda p: ["feeds", "import", p]),
        paths.map(lambda p: ["import", p]),
        dates.map(lambda d: ["archive", "remove", d]),
        st.just(["archive", "list"]),
        st.tuples(dates, paths).map(lambda t: ["send", "--date", t[0], "--dry-run", t[1]]),
    )
    return st.tuples(flag, commands, flag).map(lambda t: t[0] + t[1] + t[2])


SETTING_KEYS = {
    "briefing": ["timezone", "max_stories", "min_sources", "context_hours", "base_url", "quiet_day", "title",
                 "topic_profile"],
    "fetch": ["timeout", "workers", "concurrency", "max_bytes", "fetch_pages"],
    "summary": ["method", "max_sentences", "max_words", "redundancy"],
    "grouping": ["threshold", "window_days", "top_terms"],
    "smtp": ["port", "tls", "host", "to"],
    "schedule": ["time", "timezone"],
}
toml_values = st.one_of(
    st.integers(min_value=-2**63, max_value=2**63 - 1), st.floats(), st.booleans(), text,
    st.lists(st.one_of(st.integers(), text), max_size=3),
    st.sampled_from(["Europe/London", "Mars/Olympus", "UTC", "../../etc/passwd", "25:00", "07:00", "lexrank",
                     "https://briefing.example.org", "skip", "ssl"]),
)
settings_values = st.lists(
    st.sampled_from([(s, k) for s, keys in SETTING_KEYS.items() for k in keys]).flatmap(
        lambda sk: st.tuples(st.just(sk), toml_values)), max_size=4)
env_values = st.dictionaries(
    st.sampled_from([f"BRIEFING_{s.upper()}_{k.upper()}" for s, keys in SETTING_KEYS.items() for k in keys]
                    + ["BRIEFING_FROM", "BRIEFING_TO"]),
    st.one_of(numbers, text, st.sampled_from(["Mars/Olympus", "true", "-1", "1e999", "25:00"])), max_size=3)
feed_tables = st.lists(st.fixed_dictionaries({"url": urls}, optional={"name": text, "fetch_pages": st.booleans(),
                                                                      "allow_private": toml_values}), max_size=2)


def _config_text(values, feeds) -> str:
    doc = tomlkit.document()
    for (section, key), value in values:
        if section not in doc:
            doc[section] = tomlkit.table()
        doc[section][key] = value
    if feeds:
        table = tomlkit.aot()
        for feed in feeds:
            table.append(tomlkit.item(feed))
        doc["feeds"] = table
    return tomlkit.dumps(doc)


def _snapshot(home: Path) -> tuple[set[str], bool]:
    with sqlite3.connect(home / "briefing.db") as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM articles")}
    return ids, (home / "archive" / DAY / "briefing.json").is_file()


def _run(stocked_home: Path, argv: list[str], env: dict[str, str], config: str | None,
         encoding: str = "utf-8") -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        home = Path(tmp) / "home"
        shutil.copytree(stocked_home, home, symlinks=True)
        if config is not None:
            (home / "config.toml").write_bytes(config.encode(encoding, errors="replace"))
        for key in [k for k in __import__("os").environ if k.startswith("BRIEFING_")]:
            mp.delenv(key)
        mp.setenv("BRIEFING_HOME", str(home))
        for key, value in env.items():
            mp.setenv(key, value)
        # A valid `serve` must not serve forever.
        from archive.server import SiteServer
        mp.setattr(SiteServer, "serve_forever", lambda self, *a, **k: None)
        before_ids, _ = _snapshot(home)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = briefing.main(argv)
            except SystemExit as exc:  # --help/--version only
                code = exc.code
        err_text = err.getvalue()
        assert code in (0, 1, 2), (argv, env, config, code, err_text)
        assert "Traceback" not in err_text and "rerun with -v" not in err_text, (argv, env, config, err_text)
        if code:
            assert "error:" in err_text or "usage:" in err_text, (argv, env, config, err_text)
        with sqlite3.connect(home / "briefing.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after_ids, archived = _snapshot(home)
        assert before_ids <= after_ids, "stored articles were lost"
        removed_on_purpose = argv[-2:] == ["remove", DAY] or argv[-3:-1] == ["remove", DAY]
        assert archived or removed_on_purpose, (argv, "the archived briefing was lost")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-paths")


def test_generated_command_lines_get_clear_answers(stocked, scratch):  # noqa: F811
    @SETTINGS
    @given(_argv(scratch))
    def check(argv):
        _run(stocked, argv, {}, None)
    check()


def test_generated_settings_get_clear_answers(stocked):  # noqa: F811
    @SETTINGS
    @given(settings_values, feed_tables, env_values, st.sampled_from([["build", "--date", DAY], ["archive", "list"],
                                                                      ["feeds", "list"], ["search", "treaty"]]),
           st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    def check(values, feeds, env, argv, encoding):
        _run(stocked, argv, env, _config_text(values, feeds), encoding)
    check()

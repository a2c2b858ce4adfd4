"""The options object: defaults, then the config file, then the environment, then flags."""
from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.options import load_options


def test_defaults_without_a_config_file(home):
    options = load_options()
    assert options.home == home
    assert options.db_path == home / "briefing.db"
    assert options.briefing.max_stories == 20
    assert options.feeds == ()


def test_config_file_then_environment_then_flags(home, monkeypatch):
    home.mkdir()
    (home / "config.toml").write_text(
        '[briefing]\nmax_stories = 7\ntitle = "Morning notes"\n[smtp]\nport = 465\ntls = "ssl"\n'
        '[[feeds]]\nname = "Ministry"\nurl = "https://ministry.example/feed.xml"\nfetch_pages = false\n')
    monkeypatch.setenv("BRIEFING_SMTP_PORT", "2525")
    monkeypatch.setenv("BRIEFING_TO", "ana@example.org, ben@example.org")
    options = load_options(overrides={"briefing": {"max_stories": 3}})
    assert options.briefing.title == "Morning notes"
    assert options.briefing.max_stories == 3          # flag beats file
    assert options.smtp.port == 2525                   # environment beats file
    assert options.smtp.tls == "ssl"                   # file beats default
    assert options.smtp.to == ("ana@example.org", "ben@example.org")
    [feed] = options.feeds
    assert feed.url == "https://ministry.example/feed.xml" and feed.fetch_pages is False


def test_password_is_not_in_the_repr(home, monkeypatch):
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "hunter2-secret")
    options = load_options()
    assert options.smtp.password == "hunter2-secret"
    assert "hunter2-secret" not in repr(options)


@pytest.mark.parametrize("content, words", [
    ("[briefing\nmax_stories = 3", ["config.toml", "not valid TOML"]),
    ("[briefing]\nmax_storys = 3", ["max_storys", "unknown setting"]),
    ("[briefing]\nmax_stories = 'many'", ["max_stories", "'many'"]),
    ("[weather]\nsunny = true", ["[weather]", "unknown section"]),
    ("[[feeds]]\nname = 'no url'", ["feed #1", "url"]),
])
def test_bad_config_names_the_file_and_the_setting(home, content, words):
    home.mkdir()
    (home / "config.toml").write_text(content)
    with pytest.raises(ConfigError) as info:
        load_options()
    for word in words:
        assert word in str(info.value)


def test_bad_environment_value_is_named(home, monkeypatch):
    monkeypatch.setenv("BRIEFING_SMTP_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="environment variable BRIEFING_SMTP_PORT: 'twenty-five'"):
        load_options()

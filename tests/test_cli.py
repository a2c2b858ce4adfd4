"""End to end: the command line run in-process on a corpus written for these tests."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import briefing
from tests.httpserver import http_server  # noqa: F401 - pytest fixture

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = briefing.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def built(home, tmp_path, capsys):
    code, out, err = run(capsys, "import", str(CORPUS))
    assert code == 0, err
    code, out, err = run(capsys, "build", "--date", "2025-03-10", "--out", str(tmp_path / "out"))
    assert code == 0, err
    return tmp_path / "out", out


def test_import_then_build_groups_each_event_into_one_story(built):
    out_dir, closing = built
    data = json.loads((out_dir / "briefing.json").read_text())
    stories = {s["headline"]: s for s in data["stories"]}
    by_size = sorted(len(s["sources"]) for s in data["stories"])
    assert by_size == [1, 2, 3]
    treaty = next(s for s in data["stories"] if len(s["sources"]) == 3)
    assert "Silver Lake" in treaty["headline"] or "treaty" in treaty["headline"].lower()
    assert {src["outlet"] for src in treaty["sources"]} >= {"Meridian Wire", "Capital Observer"}
    summit = next(s for s in data["stories"] if len(s["sources"]) == 2)
    assert "Coastal States Forum" in summit["headline"]
    # the off-topic marathon stays out
    assert not any("marathon" in h.lower() for h in stories)
    assert "3 stories" in closing and "briefing.html" in closing


def test_summaries_are_traceable_and_from_several_sources(built):
    out_dir, _ = built
    data = json.loads((out_dir / "briefing.json").read_text())
    treaty = next(s for s in data["stories"] if len(s["sources"]) == 3)
    assert 3 <= len(treaty["summary"]) <= 5
    source_ids = {src["article_id"] for src in treaty["sources"]}
    assert {x["article_id"] for x in treaty["summary"]} <= source_ids
    assert len({x["outlet"] for x in treaty["summary"]}) >= 2


def test_email_links_every_source_and_escapes_feed_text(built):
    out_dir, _ = built
    html = (out_dir / "briefing.html").read_text()
    text = (out_dir / "briefing.txt").read_text()
    assert 'href="https://capitalobserver.example/world/2025/03/10/silver-lake-treaty?utm_source=rss"' in html
    assert "https://atlasdaily.example/coastal-league-fleet?utm_campaign=feed" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    # The record naming its source "Atlas Daily <b>" is filed under its site's one name.
    assert "Atlas Daily &lt;b&gt;" not in html and "Atlas Daily <b>" not in html and "Atlas Daily" in html
    assert "Envoys <script>alert('x')</script> open border talks" in text  # plain text keeps it as text
    assert "3 stories" in html and "Monday, 10 March 2025" in html


def test_build_archives_by_date_and_rebuild_replaces(built, home, capsys):
    out_dir, _ = built
    archived = home / "archive" / "2025-03-10"
    assert (archived / "briefing.html").read_text() == (out_dir / "briefing.html").read_text()
    code, _, err = run(capsys, "build", "--date", "2025-03-10")
    assert code == 0, err
    assert json.loads((archived / "briefing.json").read_text())["date"] == "2025-03-10"


def test_bad_files_are_reported_and_the_run_goes_on(home, tmp_path, capsys):
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.html").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "cp1252.txt").write_bytes("Headline\nCaf\xe9 diplomacy".encode("cp1252"))
    code, out, err = run(capsys, "import", str(folder))
    assert code == 0
    assert "empty.txt: empty file" in err
    assert "cp1252.txt: not UTF-8" in err
    assert "blob.html" in err
    assert "new articles" in out
    # importing the same folder again loses nothing and adds nothing
    before = out
    code, out, err = run(capsys, "import", str(CORPUS))
    assert code == 0 and "0 new articles" in out
    assert "7 new articles" in before


def test_errors_are_one_line_and_exit_non_zero(home, capsys):
    code, out, err = run(capsys, "build", "--date", "24/06/2025")
    assert code == 2  # a malformed flag is a usage error
    assert err.startswith("error: --date '24/06/2025' is not a date") and err.count("\n") == 1


def test_init_writes_real_feeds_and_feeds_commands_edit_them(home, tmp_path, capsys):
    code, out, _ = run(capsys, "init")
    assert code == 0 and "feeds" in out
    config = (home / "config.toml").read_text()
    assert "https://news.un.org/" in config
    code, out, _ = run(capsys, "feeds", "add", "https://ministry.example/rss.xml", "--name", "Ministry")
    assert code == 0
    code, out, _ = run(capsys, "feeds", "list")
    assert "Ministry" in out and "never fetched" in out
    code, out, _ = run(capsys, "feeds", "export", str(tmp_path / "feeds.opml"))
    assert 'xmlUrl="https://ministry.example/rss.xml"' in (tmp_path / "feeds.opml").read_text()
    code, out, _ = run(capsys, "feeds", "remove", "https://ministry.example/rss.xml")
    assert code == 0
    assert "ministry.example" not in (home / "config.toml").read_text()
    assert "# briefing configuration" in (home / "config.toml").read_text()  # comments kept
    code, out, _ = run(capsys, "feeds", "import", str(tmp_path / "feeds.opml"))
    assert "added 1 of" in out


@pytest.mark.parametrize("command", sorted(briefing.COMMANDS))
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as info:
        briefing.main([command, "--help"])
    assert info.value.code == 0
    assert "Example: briefing.py" in capsys.readouterr().out


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Wire</title><link>https://harbourwire.example/</link>
<description>World news</description>
<item><title>Foreign ministers agree patrol treaty in Valletta</title>
<link>https://harbourwire.example/world/patrol-treaty</link>
<pubDate>Tue, 24 Jun 2025 09:00:00 GMT</pubDate>
<description><![CDATA[<p>Foreign ministers from five coastal states signed a treaty in Valletta on Tuesday setting up joint
patrols of the strait, after eight months of negotiations hosted by the United Nations.</p>
<p>The treaty creates a coordination centre and common rules for boarding vessels, and goes to national
parliaments for ratification before the end of the year, diplomats from the five governments said.</p>
<p>The host government's foreign minister said neighbours with old disputes could still write rules
together, and envoys agreed to meet again in the autumn to review the first patrols.</p>]]></description>
</item></channel></rss>"""


def test_a_second_run_with_nothing_new_keeps_the_briefing(home, capsys, http_server):
    from tests.httpserver import Route

    def feed(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Route(304, {"ETag": '"v1"'})
        return Route(200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, FEED)

    http_server.routes["/rss"] = feed
    home.mkdir()
    (home / "config.toml").write_text(
        f'[[feeds]]\nname = "Harbour Wire"\nurl = "{http_server.url("/rss")}"\nallow_private = true\n')
    code, out, err = run(capsys, "run", "--date", "2025-06-24")
    assert code == 0, err
    assert "1 new articles" in out and "1 story" in out and "kept" not in out
    first = (home / "archive" / "2025-06-24" / "briefing.json").read_text()
    code, out, err = run(capsys, "run", "--date", "2025-06-24")
    assert code == 0, err
    assert "0 new articles" in out and "(kept: nothing new)" in out
    assert (home / "archive" / "2025-06-24" / "briefing.json").read_text() == first
    # a changed option that shapes the briefing makes the next run rebuild
    with open(home / "config.toml", "a") as config:
        config.write('[briefing]\ntitle = "Morning notes"\n')
    code, out, err = run(capsys, "run", "--date", "2025-06-24")
    assert "kept" not in out
    assert "Morning notes" in (home / "archive" / "2025-06-24" / "briefing.html").read_text()

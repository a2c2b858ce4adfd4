"""The details a new user meets at the command line: help, -q, messages for empty or odd input."""
from __future__ import annotations

import codecs

import pytest

import briefing
from feeds.decode import decode_bytes, looks_binary
from feeds.parse import parse_feed
from core.errors import FeedError


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = briefing.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("action", ["add", "remove", "list", "import", "export"])
def test_subscriber_actions_have_help_with_an_example_and_take_q_and_v_after_them(action, home, capsys):
    with pytest.raises(SystemExit) as done:
        briefing.main(["subscribers", action, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "Example: briefing.py subscribers " + action in " ".join(out.split())
    assert "-q, --quiet" in out and "-v, --verbose" in out


def test_subscribers_and_bounces_are_quiet_with_q(home, tmp_path, capsys):
    code, out, err = run(capsys, "subscribers", "add", "ann@example.org", "-q")
    assert code == 0 and out == "" and err == ""
    code, out, _ = run(capsys, "subscribers", "list", "-q")
    assert "ann@example.org" in out  # what was asked for is still listed
    box = tmp_path / "report.eml"
    box.write_bytes(b"From: MAILER-DAEMON@example.org\r\nTo: desk@example.org\r\nSubject: hello\r\n\r\nnothing\r\n")
    code, out, _ = run(capsys, "bounces", str(box))
    assert code == 0 and out.strip()  # the summary, without -q
    code, out, _ = run(capsys, "bounces", str(box), "-q")
    assert code == 0 and out == ""


def test_bounces_help_says_what_path_may_be(capsys):
    with pytest.raises(SystemExit):
        briefing.main(["bounces", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "maildir" in out and "mbox" in out and ".eml" in out and "PATH" in out


def test_a_csv_without_an_email_column_says_which_column_is_missing(home, tmp_path, capsys):
    csv = tmp_path / "readers.csv"
    csv.write_text("name,address_of_reader\nAnn Smith,ann@example.org\n", encoding="utf-8")
    code, out, err = run(capsys, "subscribers", "import", str(csv))
    assert code == 1
    assert "has no email column" in err and "name, address_of_reader" in err and "line 1" not in err


def test_archive_remove_with_a_bad_date_reads_plainly(home, capsys):
    code, _, err = run(capsys, "archive", "remove", "25-06-2025")
    assert code == 2
    assert err.startswith("error: archive remove: '25-06-2025' is not a date in the form YYYY-MM-DD, e.g. ")
    assert "YYYY-MM-DD '25" not in err and "--help for YYYY-MM-DD" not in err and "archive list" in err


def test_build_in_an_empty_store_says_how_to_fill_it_and_archives_nothing(home, capsys):
    code, out, err = run(capsys, "build", "--date", "2025-06-24")
    assert code == 1
    assert "is empty" in err and "briefing.py import" in err and "feeds add" in err and "fetch" in err
    assert not (home / "archive" / "2025-06-24").exists()


def test_feeds_list_without_a_config_points_to_init(home, capsys):
    code, out, err = run(capsys, "feeds", "list")
    assert code == 0
    assert "briefing.py init" in err and "no feeds in" not in err


def test_a_plain_text_feed_is_called_plain_text():
    with pytest.raises(FeedError) as caught:
        parse_feed(b"Service notice\nThe feed moved; see our site.\n", "https://ministry.example/rss")
    assert str(caught.value) == "https://ministry.example/rss: not a feed (plain text)"
    assert "SAXParse" not in str(caught.value)


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_a_utf16_file_with_a_bom_is_text_and_read_with_a_note(codec, bom):
    data = bom + "Envoys meet in Genève\nTalks resume on Tuesday.\n".encode(codec)
    assert not looks_binary(data)
    decoded = decode_bytes(data, "note.txt")
    assert decoded.text.startswith("Envoys meet in Genève") and "UTF-16" in decoded.note
    assert decoded.note.startswith("note.txt: ")
    assert looks_binary(b"\x00\x01\x02binary")


def test_import_reads_a_utf16_article_file_and_says_so(home, tmp_path, capsys):
    page = tmp_path / "windows-note.txt"
    body = ("Foreign ministers agree on a ceasefire monitoring mission\n\n"
            "Foreign ministers meeting in Genève agreed on Tuesday to send a monitoring mission to the "
            "ceasefire line, diplomats said after the talks. The mission will report to the Security "
            "Council within a month, and its first observers are due to arrive next week.\n")
    page.write_bytes(codecs.BOM_UTF16_LE + body.encode("utf-16-le"))
    code, out, err = run(capsys, "import", str(page))
    assert code == 0, err
    assert "binary" not in err and "UTF-16" in err
    assert "1 new articles" in out + err

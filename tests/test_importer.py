"""Stored article files in: text pages, HTML pages and JSON records; bad files reported by name."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from feeds.importer import import_paths

BODY = [
    "Foreign ministers from the five coastal states met in Valletta on Tuesday to agree a shared patrol plan for the strait.",
    "The plan, which officials said had taken eight months to negotiate, sets up a joint coordination centre and common rules for boarding vessels.",
    "Delegates said the text would be sent to national parliaments for ratification before the end of the year, with the first joint patrols expected next spring.",
    "The host government's foreign minister told reporters that the agreement showed that neighbours with old disputes could still write rules together.",
]


def _page(title: str, dateline: str | None = "Published 24 June 2025") -> str:
    lines = [title, "Home", "World", "Politics"]
    if dateline:
        lines.append(dateline)
    lines += BODY
    lines += ["Sign up to our morning email and get the headlines first", "Share this article",
              "More stories", "Storm delays ferries", "Local team wins derby"]
    return "\n".join(lines) + "\n"


def test_text_page_headline_body_and_time_from_content(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(_page("Coastal states agree shared patrol plan"), encoding="utf-8")
    report = import_paths([tmp_path])
    assert report.problems == ()
    [article] = report.articles
    assert article.title == "Coastal states agree shared patrol plan"
    assert article.text.splitlines()[0] == BODY[0]
    assert BODY[-1] in article.text
    assert "Share this article" not in article.text
    assert article.published == datetime(2025, 6, 24, tzinfo=timezone.utc)
    assert article.published_from == "content"
    assert article.id.startswith("sha256:")


def test_time_falls_back_to_file_mtime_and_says_so(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text(_page("Patrol plan agreed", dateline=None), encoding="utf-8")
    stamp = datetime(2025, 5, 1, 8, 30, tzinfo=timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
    [article] = import_paths([path]).articles
    assert article.published_from == "file-mtime"
    assert article.published == datetime(2025, 5, 1, 8, 30, tzinfo=timezone.utc)


def test_html_page_main_text_and_metadata(tmp_path):
    paras = "".join(f"<p>{p}</p>" for p in BODY)
    html = (
        "<html><head><title>Patrol plan | Harbour Ledger</title>"
        '<meta property="og:site_name" content="Harbour Ledger">'
        '<meta property="article:published_time" content="2025-06-24T09:30:00+00:00">'
        '<link rel="canonical" href="https://harbourledger.example/world/patrol-plan?utm_source=x"></head><body>'
        '<nav><a href="/">Home</a><a href="/world">World</a></nav>'
        f"<article><h1>Coastal states agree patrol plan</h1>{paras}</article>"
        "<footer>Subscribe to our newsletter. Cookie settings.</footer></body></html>")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    [article] = import_paths([tmp_path]).articles
    assert article.title == "Coastal states agree patrol plan"
    assert article.outlet == "Harbour Ledger"
    assert article.published == datetime(2025, 6, 24, 9, 30, tzinfo=timezone.utc)
    assert article.published_from == "metadata"
    assert BODY[1] in article.text and "Cookie" not in article.text


def test_json_and_jsonl_records(tmp_path):
    record = {"title": "Patrol plan agreed", "url": "https://meridian.example/a?utm_medium=rss",
              "source": "Meridian Wire", "published": "2025-06-24T10:00:00+02:00", "text": "\n".join(BODY)}
    (tmp_path / "one.json").write_text(json.dumps(record), encoding="utf-8")
    second = dict(record, url="https://atlas.example/b", source="Atlas Daily", title="Second")
    (tmp_path / "many.jsonl").write_text(json.dumps(second) + "\n\n", encoding="utf-8")
    report = import_paths([tmp_path])
    assert report.problems == ()
    by_outlet = {a.outlet: a for a in report.articles}
    assert by_outlet["Meridian Wire"].id == "https://meridian.example/a"
    assert by_outlet["Meridian Wire"].published == datetime(2025, 6, 24, 8, 0, tzinfo=timezone.utc)
    assert by_outlet["Atlas Daily"].title == "Second"


def test_bad_files_are_named_and_the_rest_imported(tmp_path):
    (tmp_path / "good.txt").write_text(_page("Patrol plan agreed"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 talks\nLes ministres se sont r\xe9unis.".encode("latin-1"))
    (tmp_path / "broken.json").write_text('{"title": "x", "text": ', encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text('{"title": "ok", "text": "' + BODY[0] + '"}\nnot json\n{"title": "no text"}\n')
    (tmp_path / "notes.md").write_text("ignored: not an article file type")
    report = import_paths([tmp_path, tmp_path / "missing.txt"])
    text = "\n".join(report.problems)
    assert "empty.txt: empty file" in text
    assert "binary.txt: binary data" in text
    assert "latin1.txt: not UTF-8" not in text  # read with a Windows-1252 fallback (feeds/decode.py)
    assert "broken.json: not valid JSON" in text
    assert "lines.jsonl:2: not valid JSON" in text
    assert 'lines.jsonl:3: no "text"' in text
    assert "missing.txt: no such file" in text
    assert sorted(a.title for a in report.articles) == ["Patrol plan agreed", "ok"]


def test_page_without_body_is_reported(tmp_path):
    (tmp_path / "headline-only.txt").write_text("Just a headline\n\n", encoding="utf-8")
    report = import_paths([tmp_path])
    assert report.articles == ()
    assert "headline-only.txt" in report.problems[0]


def test_a_browser_notice_on_the_first_line_is_not_taken_for_the_headline(tmp_path):
    page = "\n".join([
        "Alerts can be switched on in your browser preferences.",
        "Reload the page to stay signed in",
        "Coastal states settle patrol dispute after years of quarrels",
    ] + BODY) + "\n"
    (tmp_path / "a.txt").write_text(page, encoding="utf-8")
    [article] = import_paths([tmp_path]).articles
    assert article.title == "Coastal states settle patrol dispute after years of quarrels"


def test_outlet_is_read_from_the_page_when_it_names_itself(tmp_path):
    furniture = ["Subscribe to The Lantern for the morning headlines",
                 "The Lantern is read by people who care about the world. Support us."]
    (tmp_path / "a.txt").write_text("\n".join(["Patrol plan agreed"] + BODY + furniture) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(["Patrol plan agreed", "VALLETTA (Harbour Wire) - " + BODY[0]]
                                              + BODY[1:] + ["© 2025 Harbour Wire Media Ltd. All rights reserved."]))
    outlets = {a.outlet for a in import_paths([tmp_path]).articles}
    assert outlets == {"The Lantern", "Harbour Wire"}


# -- dates from the text ------------------------------------------------------------------------

def _dated(tmp_path, lines: list[str], name: str = "d.txt"):
    path = tmp_path / name
    path.write_text("\n".join(["Coastal states agree shared patrol plan"] + lines) + "\n", encoding="utf-8")
    stamp = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
    [article] = import_paths([path]).articles
    return article


def test_dateline_with_a_full_date_is_the_publication_date(tmp_path):
    article = _dated(tmp_path, ["VALLETTA, 16 May 2025 (Harbour Wire) - " + BODY[0]] + BODY[1:])
    assert (article.published, article.published_from) == (datetime(2025, 5, 16, tzinfo=timezone.utc), "content")


def test_dateline_without_a_year_takes_it_from_a_date_on_the_page(tmp_path):
    article = _dated(tmp_path, ["KYIV, May 16 (Reuters) - " + BODY[0]] + BODY[1:]
                     + ["The previous round, on April 28, 2022, ended without a statement."])
    assert (article.published, article.published_from) == (datetime(2022, 5, 16, tzinfo=timezone.utc), "content")


def test_dateline_without_any_year_on_the_page_is_not_guessed(tmp_path):
    article = _dated(tmp_path, ["KYIV, May 16 (Reuters) - " + BODY[0]] + BODY[1:] + ["© Harbour Wire"])
    assert article.published_from == "file-mtime"


def test_timestamp_line_beside_a_byline_and_reading_time(tmp_path):
    article = _dated(tmp_path, ["By Ana Lind | World | May 16, 2025 | 3 min read"] + BODY)
    assert (article.published, article.published_from) == (datetime(2025, 5, 16, tzinfo=timezone.utc), "content")
    article = _dated(tmp_path, ["Updated 6:40 AM EDT, Wed June 25, 2025"] + BODY, name="e.txt")
    assert article.published == datetime(2025, 6, 25, 10, 40, tzinfo=timezone.utc)


def test_a_date_inside_a_sentence_of_the_story_is_not_its_publication_date(tmp_path):
    article = _dated(tmp_path, ["The first round of talks on June 1, 2022 ended after an hour without agreement."]
                     + BODY)
    assert article.published_from == "file-mtime"


def test_html_copyright_year_is_not_taken_for_a_date_but_the_url_date_is(tmp_path):
    paras = "".join(f"<p>{p}</p>" for p in BODY)
    (tmp_path / "a.html").write_text(
        f"<html><body><article><h1>Patrol plan agreed</h1>{paras}</article>"
        "<footer>© 2024 Ledger Media Ltd</footer></body></html>", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        '<html><head><link rel="canonical" href="https://ledger.example/world/2025/06/24/patrol-plan"></head>'
        f"<body><article><h1>Patrol plan signed</h1>{''.join(f'<p>{p}</p>' for p in BODY[::-1])}</article>"
        "</body></html>", encoding="utf-8")
    by_title = {a.title: a for a in import_paths([tmp_path]).articles}
    assert by_title["Patrol plan agreed"].published_from == "file-mtime"
    assert by_title["Patrol plan agreed"].outlet == "Ledger"
    assert by_title["Patrol plan signed"].published == datetime(2025, 6, 24, tzinfo=timezone.utc)


def test_html_page_text_dateline_dates_the_page(tmp_path):
    paras = "".join(f"<p>{p}</p>" for p in BODY[1:])
    (tmp_path / "a.html").write_text(
        "<html><body><article><h1>Patrol plan agreed</h1>"
        f"<p>VALLETTA, June 3, 2025 (Harbour Wire) - {BODY[0]}</p>{paras}</article></body></html>",
        encoding="utf-8")
    [article] = import_paths([tmp_path]).articles
    assert (article.published, article.published_from) == (datetime(2025, 6, 3, tzinfo=timezone.utc), "content")


def test_import_counts_files_with_no_date_in_their_content(tmp_path):
    (tmp_path / "a.txt").write_text(_page("Patrol plan agreed"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(_page("Coastal states sign", dateline=None).replace(BODY[0], BODY[0][:-1] + " again."),
                                    encoding="utf-8")
    report = import_paths([tmp_path])
    assert len(report.articles) == 2 and report.undated == 1

"""The briefing's order: centrality to the beat, independent reports, recency, reports over opinion."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.models import Article, Source, Story
from summarize.standing import centrality, is_commentary, is_shown, rank_stories, story_centrality
from summarize.topic import load_profile

T0 = datetime(2025, 6, 24, 12, tzinfo=timezone.utc)

REPORT = ("The foreign ministers of the two states met in the capital on Tuesday and agreed to reopen "
          "their embassies, officials said. The agreement follows months of talks mediated by a regional "
          "body, and the first ambassadors are expected to arrive before the end of the year. " * 2)
ESSAY = ("I remember the first time I crossed that border. My father drove, and I sat in the back counting "
         "the flags. I think about it often now, because my own children will never need a visa to make "
         "the same trip, and I am not sure they understand what that meant to me. " * 3)


def _article(n: int, text: str = REPORT, url: str | None = None, title: str = "Ministers agree") -> Article:
    return Article(id=f"https://news.example/{n}", title=title, text=text, outlet=f"Outlet {n}",
                   published=T0, url=url or f"https://news.example/{n}")


def _story(name: str, centrality_: float, outlets: list[str], hours_old: float = 1.0) -> Story:
    updated = T0 - timedelta(hours=hours_old)
    sources = tuple(Source(f"{name}{i}", outlet, name, None, updated) for i, outlet in enumerate(outlets))
    return Story(name, name, (), sources, updated, centrality_)


def test_a_central_story_stands_above_an_off_beat_one_with_more_reports():
    central = _story("talks", 0.95, ["A", "B"])
    off_beat = _story("court", 0.3, ["C", "D", "E", "F", "G"])
    assert [s.id for s in rank_stories([off_beat, central], T0)] == ["talks", "court"]


def test_among_equally_central_stories_more_independent_reports_stand_higher():
    wide = _story("wide", 0.9, ["A", "B", "C", "D"])
    thin = _story("thin", 0.9, ["A"])
    assert [s.id for s in rank_stories([thin, wide], T0)] == ["wide", "thin"]


def test_carrying_outlets_and_one_outlets_several_reports_do_not_add_reports():
    carried = _story("carried", 0.9, ["Wire"])
    carried = Story(carried.id, carried.headline, (), tuple(
        Source(s.article_id, s.outlet, s.title, s.url, s.published, carried_by=("X", "Y", "Z", "W"))
        for s in carried.sources), carried.updated, 0.9)
    repeated = _story("repeated", 0.9, ["Same", "Same", "Same"])
    two = _story("two", 0.9, ["A", "B"])
    assert rank_stories([carried, repeated, two], T0)[0].id == "two"


def test_newer_stands_above_older_when_all_else_is_equal():
    old, new = _story("old", 0.9, ["A", "B"], hours_old=30), _story("new", 0.9, ["A", "B"], hours_old=1)
    assert [s.id for s in rank_stories([old, new], T0)] == ["new", "old"]


def test_opinion_is_recognised_by_section_label_or_first_person():
    assert not is_commentary(_article(1))
    assert is_commentary(_article(2, url="https://news.example/opinion/2025/06/borders"))
    assert is_commentary(_article(3, title="Opinion: the talks will fail"))
    assert is_commentary(_article(4, text=ESSAY))


def test_a_report_quoting_someone_in_the_first_person_is_still_a_report():
    quoted = REPORT + ' "I will sign it tomorrow, and my government will keep its word," the minister said. ' * 2
    assert not is_commentary(_article(5, text=quoted))


def test_a_story_told_by_opinion_is_less_central_than_one_told_by_reports():
    profile = load_profile()
    reports = [_article(1), _article(2)]
    opinion = [_article(3, url="https://news.example/opinion/a"), _article(4, url="https://news.example/opinion/b")]
    assert story_centrality(reports, [0.9, 0.9], profile) == 0.9
    told_by_opinion = story_centrality(opinion, [0.9, 0.9], profile)
    assert 0.5 < told_by_opinion < 0.9  # its odds count half: lower, but still on the beat
    reported = _story("reported", 0.9, ["A", "B"])
    opined = _story("opined", told_by_opinion, ["C", "D"])
    assert is_shown(opined) and [s.id for s in rank_stories([opined, reported], T0)] == ["reported", "opined"]


def test_a_rule_score_maps_to_one_half_at_the_threshold(tmp_path):
    path = tmp_path / "beat.toml"
    path.write_text('threshold = 2.0\n[terms]\nclimate = 2.0\n', encoding="utf-8")
    rules = load_profile(path)
    assert centrality(2.0, rules) == 0.5 and 0 < centrality(0.5, rules) < 0.5 < centrality(8.0, rules) < 1


def test_a_story_more_likely_off_the_beat_than_on_it_is_left_out_however_widely_run():
    assert not is_shown(_story("court", 0.45, ["A", "B", "C", "D", "E", "F"]))
    assert is_shown(_story("talks", 0.55, ["A"]))


def test_a_surely_central_single_report_stands_above_a_doubtful_story_run_by_four_outlets():
    sure = _story("sanctions", 0.99, ["A"])
    doubtful = _story("caravan", 0.7, ["B", "C", "D", "E"])
    assert [s.id for s in rank_stories([doubtful, sure], T0)] == ["sanctions", "caravan"]


def test_among_surely_central_stories_reports_decide_not_the_last_digits_of_centrality():
    wide = _story("wide", 0.96, ["A", "B", "C", "D", "E"])
    single = _story("single", 0.999, ["F"])
    assert [s.id for s in rank_stories([single, wide], T0)] == ["wide", "single"]


def test_a_clearly_diplomatic_story_run_by_more_outlets_leads_one_the_model_is_a_shade_surer_of():
    # a truce reported by four outlets at 0.9 is no less diplomacy than a state visit at 0.97 run by three
    truce = _story("truce", 0.9, ["A", "B", "C", "D"])
    visit = _story("visit", 0.97, ["E", "F", "G"])
    assert [s.id for s in rank_stories([visit, truce], T0)] == ["truce", "visit"]


def test_a_story_resting_on_one_short_report_goes_in_only_when_clearly_on_the_beat():
    blurb = [_article(1, text="The index ranks states by what they give the world. " * 5)]
    assert not is_shown(_story("blurb", 0.6, ["Outlet 1"]), blurb)
    assert is_shown(_story("brief", 0.9, ["Outlet 1"]), blurb)
    full = _article(2, text=REPORT * 2)
    assert is_shown(_story("report", 0.6, ["Outlet 1"]), [full] + blurb)  # a full report among them
    assert is_shown(_story("two", 0.6, ["Outlet 1", "Outlet 2"]), blurb * 2)  # two outlets: not one report

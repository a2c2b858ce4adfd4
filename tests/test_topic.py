"""Topic relevance: the default diplomacy profile, user profiles, and the scoring rules.

All texts here are invented for these tests.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bench import topic as bench_topic
from core.errors import ConfigError
from core.models import Article
from summarize.topic import (
    TopicProfile,
    is_relevant,
    load_profile,
    porter_stem,
    score_article,
    score_story,
    score_text,
)

WHEN = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)

ON_BEAT = {
    "summit": (
        "Leaders of Brazil and India open two-day summit in Brasilia",
        "The presidents of Brazil and India met on Tuesday for a summit focused on farm trade and "
        "a seat for both countries on a reformed Security Council. Their foreign ministers are "
        "expected to sign a memorandum of understanding on visas before the leaders issue a joint "
        "statement on Wednesday.",
    ),
    "sanctions": (
        "EU widens sanctions on Belarusian officials",
        "The European Union added eleven Belarusian officials to its sanctions list on Monday, "
        "freezing their assets and banning their travel. Minsk summoned the Polish ambassador and "
        "called the measures an attack on its sovereignty.",
    ),
    "ceasefire": (
        "Ceasefire talks resume in Doha",
        "Negotiators for the two sides returned to Qatar for a third round of talks on a "
        "ceasefire, with Egyptian and Qatari mediators shuttling between delegations. "
        "Envoys said a prisoner exchange was close.",
    ),
}

OFF_BEAT = {
    "football": (
        "Late header sends Rovers top of the league",
        "A stoppage-time header from the visiting striker gave Rovers a two-one win on Saturday "
        "and lifted the club to the top of the league table. The coach praised his players after "
        "a hard season of injuries, and the team now faces a cup semi-final in midweek.",
    ),
    "tax bill": (
        "State senate passes property tax bill",
        "The state senate voted 21 to 17 on Thursday for a tax bill that caps annual rises in "
        "property tax for homeowners. The governor is expected to sign it; school boards warned "
        "the cap would squeeze their budgets, and taxpayers groups welcomed the vote.",
    ),
    "celebrity": (
        "Pop singer and actor announce divorce",
        "The singer and her actor husband of six years announced their divorce on social media, "
        "asking fans for privacy. The celebrity couple met on the set of a film in 2017 and their "
        "wedding was covered by every entertainment magazine.",
    ),
    "weather": (
        "Storm brings heavy snow and flooding to the north",
        "Forecasters warned of more heavy snow overnight as the storm moved east, after rainfall "
        "flooded roads in three counties. The weather service expects the cold spell to last "
        "until the weekend, with flood warnings in place on two rivers.",
    ),
}

CLIMATE_PROFILE = """
name = "climate"
threshold = 2.0

[terms]
emissions = 3.0
"carbon dioxide" = 3.0
warming = 2.5
"renewable energy" = 2.5
"sea level" = 2.0
drought = 1.5

[negative_terms]
football = -3.0
"""

CLIMATE_STORY = (
    "Emissions from power plants fell last year",
    "Carbon dioxide emissions from the country's power plants fell four per cent last year as "
    "renewable energy supplied more of the grid, researchers reported, though they warned that "
    "warming would continue without deeper cuts.",
)


@pytest.fixture(scope="module")
def diplomacy() -> TopicProfile:
    return load_profile()


def article(title: str, text: str, n: int = 0) -> Article:
    return Article(id=f"https://news.example/{n}", title=title, text=text, outlet="Example News",
                   published=WHEN)


def write_profile(tmp_path: Path, body: str, name: str = "beat.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


# ---- the default profile -------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(ON_BEAT))
def test_diplomatic_stories_are_relevant(diplomacy, kind):
    title, text = ON_BEAT[kind]
    assert is_relevant(score_text(title, text, diplomacy), diplomacy)


@pytest.mark.parametrize("kind", sorted(OFF_BEAT))
def test_off_beat_stories_are_left_out(diplomacy, kind):
    title, text = OFF_BEAT[kind]
    assert not is_relevant(score_text(title, text, diplomacy), diplomacy)


def test_every_diplomatic_story_outscores_every_off_beat_one(diplomacy):
    lowest_on = min(score_text(t, x, diplomacy) for t, x in ON_BEAT.values())
    highest_off = max(score_text(t, x, diplomacy) for t, x in OFF_BEAT.values())
    assert lowest_on > highest_off


# Migration is diplomacy when governments act toward each other over it, and a country's own
# affair when it is enforcement at its border: the reader of a diplomacy briefing wants the
# first and not the second.
MIGRATION_DEAL = (
    "Spain and Morocco agree to take back migrants under new readmission deal",
    "The foreign ministers of Spain and Morocco signed an agreement in Rabat on Thursday under "
    "which Morocco will take back migrants who cross into the Spanish enclaves, in return for "
    "European Union aid. Madrid said the deal ends a year-long diplomatic dispute between the "
    "two governments, and the EU commissioner for home affairs welcomed it.",
)
BORDER_ENFORCEMENT = (
    "Hundreds of asylum seekers wait at border crossing as agents process claims",
    "Several hundred asylum seekers lined up at a port of entry on Sunday as border patrol "
    "agents processed their claims one family at a time. Customs and Border Protection said "
    "the facility could hold only a few dozen people, and immigration lawyers warned that many "
    "would face deportation. The administration sent the National Guard to the border last month.",
)


def test_a_migration_deal_between_governments_is_on_the_beat_and_border_enforcement_is_not(diplomacy):
    deal = score_article(article(*MIGRATION_DEAL, n=1), diplomacy)
    enforcement = score_article(article(*BORDER_ENFORCEMENT, n=2), diplomacy)
    assert is_relevant(deal, diplomacy)
    assert not is_relevant(enforcement, diplomacy)
    assert deal > enforcement


def test_default_profile_by_name_and_by_none_is_the_same(diplomacy):
    named = load_profile("diplomacy")
    assert named.name == diplomacy.name == "diplomacy"
    assert named.terms == diplomacy.terms and named.threshold == diplomacy.threshold


def test_two_states_named_up_front_raise_the_score(diplomacy):
    one = score_text("Minister visits the capital", "France sends its minister on a visit.", diplomacy)
    two = score_text("Minister visits the capital", "France sends its minister on a visit to Kenya.", diplomacy)
    assert two > one


def test_a_state_with_an_international_body_raises_the_score(diplomacy):
    alone = score_text("Statement issued", "Chile issued a statement on Friday.", diplomacy)
    with_body = score_text("Statement issued", "Chile issued a statement to NATO on Friday.", diplomacy)
    assert with_body > alone


def test_lower_case_words_that_look_like_states_do_not_count(diplomacy):
    # "us" the pronoun, "turkey" the bird and "china" the porcelain are not states.
    plain = score_text("Dinner", "They gave us turkey served on old china.", diplomacy)
    named = score_text("Dinner", "They gave US officials Turkey's offer on China.", diplomacy)
    assert plain < named


def test_dotted_acronyms_name_the_state(diplomacy):
    # The gazetteer is the rules' part of the score.
    dotted = score_text("Envoy named", "The U.S. named an envoy to Japan.", diplomacy, rules_only=True)
    plain = score_text("Envoy named", "The United States named an envoy to Japan.", diplomacy, rules_only=True)
    assert dotted == plain


# ---- scoring rules (with a tiny profile so the arithmetic is visible) ------------------------

@pytest.fixture()
def tiny(tmp_path) -> TopicProfile:
    return load_profile(write_profile(tmp_path, """
threshold = 1.0
title_weight = 2.0
length_reference = 20
length_exponent = 1.0
[terms]
sanction = 3.0
talks = 1.0
"peace talks" = 4.0
"according to" = 0.0
accord = 2.0
"""))


def test_stemming_counts_sanctioned_and_sanctions(tiny):
    assert score_text("", "The bank was sanctioned.", tiny) == 3.0
    assert score_text("", "New sanctions were announced.", tiny) == 3.0
    assert score_text("", "Nothing happened today.", tiny) == 0.0


def test_phrase_hides_the_words_inside_it(tiny):
    assert score_text("", "Peace talks began.", tiny) == 4.0
    assert score_text("", "Talks began.", tiny) == 1.0


def test_zero_weight_phrase_blocks_a_false_stem_match(tiny):
    # "according" stems to "accord"; the zero-weight phrase keeps it from counting as a treaty.
    assert score_text("", "According to officials it rained.", tiny) == 0.0
    assert score_text("", "The accord was signed.", tiny) == 2.0


def test_title_weighs_more_than_body(tiny):
    assert score_text("Sanctions announced", "Officials spoke.", tiny) > score_text(
        "Officials spoke", "Sanctions announced.", tiny)


def test_repeating_a_word_in_a_long_text_does_not_inflate_the_score(tiny):
    short = score_text("", "New sanctions were announced on Monday.", tiny)
    filler = " ".join(["The weather was mild and the markets were calm."] * 40)
    padded = score_text("", "New sanctions were announced on Monday. " + filler, tiny)
    repeated = score_text("", " ".join(["New sanctions were announced."] * 50), tiny)
    assert padded < short
    assert repeated < 50 * short / 4


def test_headline_repeated_as_first_line_is_counted_once(tiny):
    title = "Sanctions announced"
    assert score_text(title, title + ". Officials spoke.", tiny) == score_text(title, "Officials spoke.", tiny)


def test_scores_are_deterministic(diplomacy):
    title, text = ON_BEAT["summit"]
    first = score_text(title, text, diplomacy)
    assert score_text(title, text, diplomacy) == first
    assert score_text(title, text, load_profile()) == first


# ---- articles and stories ------------------------------------------------------------------

def test_score_article_uses_title_and_text(diplomacy):
    title, text = ON_BEAT["sanctions"]
    assert score_article(article(title, text), diplomacy) == score_text(title, text, diplomacy)


def test_story_score_sits_between_its_weakest_and_strongest_article(diplomacy):
    articles = [article(*ON_BEAT["ceasefire"], n=1), article(*OFF_BEAT["weather"], n=2)]
    scores = [score_article(a, diplomacy) for a in articles]
    story = score_story(articles, diplomacy)
    assert min(scores) < story < max(scores)
    assert score_story([], diplomacy) == 0.0


# ---- user profiles -------------------------------------------------------------------------

def test_custom_climate_profile_changes_what_is_relevant(tmp_path, diplomacy):
    climate = load_profile(write_profile(tmp_path, CLIMATE_PROFILE, "climate.toml"))
    assert climate.name == "climate"
    climate_score = score_text(*CLIMATE_STORY, climate)
    summit_score = score_text(*ON_BEAT["summit"], climate)
    assert is_relevant(climate_score, climate)
    assert not is_relevant(summit_score, climate)
    assert not is_relevant(score_text(*CLIMATE_STORY, diplomacy), diplomacy)


def test_profile_without_entities_gives_no_state_bonus(tmp_path):
    climate = load_profile(write_profile(tmp_path, CLIMATE_PROFILE))
    assert score_text("x", "Japan and Peru met at NATO.", climate) == 0.0


@pytest.mark.parametrize("body, needle", [
    ("threshold = 2\n[terms\nfoo = 1\n", "not valid TOML"),
    ("[terms]\nfoo = 1.0\n", "threshold"),
    ("threshold = 2\n[terms]\nfoo = 'heavy'\n", "terms.foo must be a number"),
    ("threshold = true\n[terms]\nfoo = 1\n", "threshold must be a number"),
    ("threshold = 2\n[terms]\nfoo = 1\n[negative_terms]\nbar = 2\n", "below 0"),
    ("threshold = 2\ntreshold = 3\n[terms]\nfoo = 1\n", "treshold"),
    ("threshold = 2\n[negative_terms]\nbar = -2\n", "positive weight"),
    ("threshold = 2\n[terms]\nfoo = 1\n[entities]\ngazetteer = 'nowhere.toml'\n", "nowhere.toml"),
])
def test_bad_profile_file_gives_config_error_naming_the_file(tmp_path, body, needle):
    path = write_profile(tmp_path, body, "broken-beat.toml")
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value)
    assert needle in str(caught.value)


def test_missing_profile_file_gives_config_error_naming_it(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="absent.toml"):
        load_profile(path)


def test_unknown_packaged_name_lists_the_known_ones():
    with pytest.raises(ConfigError, match="diplomacy"):
        load_profile("astrology")


# ---- the measurement entry -----------------------------------------------------------------

def test_bench_writes_one_prediction_per_item_and_ignores_labels(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "title": ON_BEAT["sanctions"][0], "text": ON_BEAT["sanctions"][1], "label": "other"},
        {"id": "b", "title": OFF_BEAT["football"][0], "text": OFF_BEAT["football"][1], "label": "diplomacy"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert bench_topic.main(str(src), str(out)) == 2
    got = {r["id"]: r["diplomacy"] for r in map(json.loads, out.read_text().splitlines())}
    assert got == {"a": True, "b": False}


@pytest.mark.parametrize("word, stem", [
    ("caresses", "caress"), ("ponies", "poni"), ("hopping", "hop"), ("filing", "file"),
    ("relational", "relat"), ("generalizations", "gener"), ("agreed", "agre"), ("us", "us"),
])
def test_porter_stemmer_follows_the_published_examples(word, stem):
    assert porter_stem(word) == stem


# ---- the trained model ---------------------------------------------------------------------

OTHER_SENSES = {
    "doping": ("Cyclist stripped of titles",
               "The anti-doping agency imposed a lifetime sanction on the cyclist after riders testified "
               "that he used banned drugs during his seven race wins. His team said it would not appeal."),
    "advertisers": ("Radio host loses sponsors",
                    "Three more companies said on Monday they would cut ties with the talk show after the host "
                    "insulted a student on air. A mattress retailer and a software firm pulled their ads."),
    "archive": ("About this collection",
                "Since 1998 the library has archived pages from the web. Captures are released after an "
                "embargo period of six months and can be browsed by date and address."),
}


@pytest.mark.parametrize("kind", sorted(OTHER_SENSES))
def test_words_of_diplomacy_in_other_senses_do_not_let_an_article_in(diplomacy, kind):
    title, text = OTHER_SENSES[kind]
    assert not is_relevant(score_text(title, text, diplomacy), diplomacy)


def test_the_default_profile_decides_with_its_packaged_model(diplomacy):
    model = diplomacy.model
    assert model is not None and 0 < diplomacy.decision_threshold < 1
    title, text = ON_BEAT["summit"]
    score = score_text(title, text, diplomacy)
    assert 0 <= score <= 1 and score >= diplomacy.decision_threshold
    assert score != score_text(title, text, diplomacy, rules_only=True)


def test_the_model_reads_the_title_and_lede_only():
    from summarize.topicmodel import LEDE_WORDS, model_text

    title, text = OTHER_SENSES["doping"]
    far_below = " ".join(["filler"] * LEDE_WORDS) + " The embassy hosted treaty talks."
    read = model_text(title, text + " " + far_below)
    assert read.startswith(title) and "sanction" in read and "embassy" not in read


def test_a_profile_naming_a_missing_model_gives_config_error_naming_it(tmp_path):
    path = write_profile(tmp_path, 'threshold = 1.0\nmodel = "weights.npz"\n[terms]\ntreaty = 2.0\n')
    profile = load_profile(path)
    with pytest.raises(ConfigError, match="weights.npz"):
        score_text("Treaty signed", "A treaty was signed.", profile)


def test_diplomatic_words_far_below_the_lede_do_not_raise_the_decision(diplomacy):
    from summarize.topicmodel import LEDE_WORDS

    title = "Minister visits the capital"
    lede = "France sends its minister on a visit to Kenya. " + " ".join(
        ["Officials spoke at length."] * (LEDE_WORDS // 4))
    later = (" The ambassador, the envoy and the foreign minister discussed the treaty, the sanctions "
             "and the embassy with the United Nations, Japan, Peru and Kenya.") * 5
    assert score_text(title, lede + later, diplomacy) == score_text(title, lede, diplomacy)
    assert score_text(title, lede + later, diplomacy, rules_only=True) > score_text(title, lede, diplomacy,
                                                                                    rules_only=True)


def test_many_articles_read_at_once_score_as_each_alone(diplomacy):
    from summarize.topic import score_texts

    texts = [ON_BEAT["summit"], OTHER_SENSES["doping"], ("", ""), ("Zzz", "qqq xxv"), OFF_BEAT[sorted(OFF_BEAT)[0]]]
    together = score_texts(texts, diplomacy)
    assert together == [score_text(title, text, diplomacy) for title, text in texts]
    assert together[0] > diplomacy.decision_threshold > together[1]
    assert diplomacy.model.log_odds("", "") == diplomacy.model.intercept  # nothing read, nothing known

"""Topic relevance: how far an article or a story is on the briefing's beat.

A *topic profile* (a TOML file) lists weighted terms and phrases for the beat, negative
terms for what is off the beat, a gazetteer bonus for texts that name several states or
an international body, and the threshold an article must reach. The packaged default is
``summarize/profiles/diplomacy.toml``; a user makes a briefing on another beat by
pointing ``load_profile`` at a TOML file of the same shape.

Scoring is a transparent weighted sum rather than a trained model so that a user can
read a profile and predict what it does, and so that it needs no labelled data:

* terms are matched on lower-cased Porter stems, longest phrase first, and a phrase
  hides the single words inside it ("peace talks" is not also "talks");
* a term counts ``weight * (1 + ln count)``: repeating a word is weak evidence;
* the title counts ``title_weight`` times; the body's sum is divided by
  ``(words / length_reference) ** length_exponent`` so that long articles, which mention
  incidental terms just by being long, do not drown short wire items;
* the entity bonus looks at the title and the lede only, because a long feature names
  many countries in passing while a diplomatic story names them up front.

Everything after ``load_profile`` is pure and deterministic.
"""
from __future__ import annotations

import functools
import logging
import math
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from core.errors import ConfigError
from core.models import Article
from summarize.parallel import map_chunks
from summarize.porter import porter_stem
from summarize.topicmodel import lede

log = logging.getLogger(__name__)

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE = "diplomacy"

# Dotted acronyms ("U.S.", "U.N.") first, so they become one token ("US") that the
# gazetteer can tell apart from the pronoun "us"; then words with inner apostrophes
# ("d'affaires", "N'Djamena"). Hyphens split words, in the text and in the profile alike,
# so "cease-fire" in a profile is the phrase "cease fire" and matches both spellings.
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?:['\u2019]\w+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)

_TOP_LEVEL_KEYS = {
    "name", "description", "threshold", "title_weight", "length_reference",
    "length_exponent", "lede_words", "terms", "negative_terms", "entities", "model",
}
_ENTITY_KEYS = {"gazetteer", "two_states", "more_states", "state_and_body", "body"}


@dataclass(frozen=True)
class _Token:
    surface: str  # as written, for the gazetteer's capital-letter test
    lower: str
    stem: str


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return porter_stem(word)


def tokenize(text: str) -> list[_Token]:
    """Split text into tokens carrying the surface form, the lower-case form and the stem."""
    tokens = []
    for surface in _TOKEN.findall(text or ""):
        token = _token(surface)
        if token is not None:
            tokens.append(token)
    return tokens


@lru_cache(maxsize=262144)
def _token(raw: str) -> _Token | None:
    # A day's articles repeat the same few thousand words; normalising and stemming each
    # distinct spelling once made scoring 30,000 articles several times faster.
    surface = raw.replace(".", "") if "." in raw else raw
    surface = _POSSESSIVE.sub("", surface).replace("\u2019", "'")
    if not surface:
        return None
    lower = surface.lower()
    return _Token(surface, lower, _stem(lower))


# ---- the gazetteer -------------------------------------------------------------------------

@dataclass(frozen=True)
class Gazetteer:
    """Names of states and international bodies, and names that only look like them.

    ``entries`` holds ``(lower-case tokens, kind, identifier, needs_capitals)`` where kind is
    ``"state"``, ``"body"`` or ``""`` (a blocking name such as "New Mexico").
    """

    entries: tuple[tuple[tuple[str, ...], str, str, bool], ...]
    _index: Mapping[str, tuple[tuple[tuple[str, ...], str, str, bool], ...]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list] = {}
        for entry in self.entries:
            index.setdefault(entry[0][0], []).append(entry)
        # Longest name first, so "South Sudan" wins over "Sudan" and "New Mexico" over "Mexico".
        frozen = {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in index.items()}
        object.__setattr__(self, "_index", frozen)

    def find(self, tokens: Sequence[_Token]) -> tuple[set[str], set[str]]:
        """The distinct states and international bodies named in ``tokens``."""
        states: set[str] = set()
        bodies: set[str] = set()
        i = 0
        while i < len(tokens):
            width = 0
            for names, kind, ident, caps in self._index.get(tokens[i].lower, ()):
                if _names_match(tokens, i, names, caps):
                    width = len(names)
                    if kind == "state":
                        states.add(ident)
                    elif kind == "body":
                        bodies.add(ident)
                    break
            if not width:
                # A demonym in the plural ("Russians", "Israelis") names the state too.
                lower = tokens[i].lower
                if lower.endswith("s") and len(lower) > 3:
                    for names, kind, ident, caps in self._index.get(lower[:-1], ()):
                        if len(names) == 1 and not caps and kind == "state" and tokens[i].surface[0].isupper():
                            states.add(ident)
                            break
            i += max(width, 1)
        return states, bodies


def _names_match(tokens: Sequence[_Token], i: int, names: tuple[str, ...], caps: bool) -> bool:
    if i + len(names) > len(tokens):
        return False
    if any(tokens[i + k].lower != name for k, name in enumerate(names)):
        return False
    first = tokens[i].surface
    # "turkey" the bird, "china" the porcelain and "us" the pronoun are not states.
    return first.isupper() if caps else first[:1].isupper()


def _load_gazetteer(path: Path) -> Gazetteer:
    data = _read_toml(path, "gazetteer")
    entries = []
    for kind, table in (("state", data.get("countries", {})), ("body", data.get("bodies", {}))):
        if not isinstance(table, dict):
            raise ConfigError(f"gazetteer {path}: [{'countries' if kind == 'state' else 'bodies'}] must be a table")
        for ident, names in table.items():
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(f"gazetteer {path}: {ident} must be a list of names")
            entries.extend(_gazetteer_entry(name, kind, ident) for name in names)
    blocked = data.get("not_places", {}).get("phrases", [])
    if not isinstance(blocked, list) or not all(isinstance(n, str) for n in blocked):
        raise ConfigError(f"gazetteer {path}: not_places.phrases must be a list of strings")
    entries.extend(_gazetteer_entry(name, "", "") for name in blocked)
    return Gazetteer(tuple(e for e in entries if e[0]))


def _gazetteer_entry(name: str, kind: str, ident: str) -> tuple[tuple[str, ...], str, str, bool]:
    tokens = tokenize(name)
    caps = bool(tokens) and len(tokens[0].surface) > 1 and tokens[0].surface.isupper()
    return tuple(t.lower for t in tokens), kind, ident, caps


# ---- the profile ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EntityWeights:
    """How much naming states and international bodies in the title and lede adds."""

    two_states: float = 0.0      # two distinct states named
    more_states: float = 0.0     # each further state, up to two more
    state_and_body: float = 0.0  # a state together with an international body
    body: float = 0.0            # an international body named at all


@dataclass(frozen=True)
class TopicProfile:
    """A beat for the briefing: weighted terms, negative terms, entity bonus and threshold.

    ``terms`` maps each term as written in the profile to its weight (negative for
    off-beat signals). Build one with ``load_profile``.
    """

    name: str
    threshold: float
    terms: Mapping[str, float]
    description: str = ""
    title_weight: float = 1.5
    length_reference: int = 60
    length_exponent: float = 0.5
    lede_words: int = 100
    entities: EntityWeights = EntityWeights()
    gazetteer: Gazetteer | None = None
    source: str = ""  # the file it was loaded from, for messages
    model_file: str = ""  # a trained model next to the profile (see summarize.topicmodel)
    _index: Mapping[str, tuple[tuple[tuple[str, ...], str, float], ...]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A read-only view, so a frozen profile cannot be changed behind the index's back.
        object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))
        object.__setattr__(self, "_index", _term_index(self.terms))

    @property
    def model(self):
        """The profile's trained model (loaded on first use), or None for a rules-only profile."""
        if not self.model_file:
            return None
        from summarize.topicmodel import load_model
        return load_model(self.model_file)

    @property
    def decision_threshold(self) -> float:
        """The score an article must reach: the model's probability line, else ``threshold``."""
        model = self.model
        return model.threshold if model is not None else self.threshold

    def term_weights(self, tokens: Sequence[_Token]) -> Counter[str]:
        """How often each profile term occurs in ``tokens`` (longest phrase first)."""
        counts: Counter[str] = Counter()
        i = 0
        while i < len(tokens):
            width = 1
            for stems, term, _weight in self._index.get(tokens[i].stem, ()):
                n = len(stems)
                if i + n <= len(tokens) and all(tokens[i + k].stem == s for k, s in enumerate(stems)):
                    counts[term] += 1
                    width = n
                    break
            i += width
        return counts


def _term_index(terms: Mapping[str, float]) -> dict[str, tuple[tuple[tuple[str, ...], str, float], ...]]:
    by_stems: dict[tuple[str, ...], tuple[str, float]] = {}
    for term, weight in terms.items():
        stems = tuple(t.stem for t in tokenize(term))
        if not stems:
            continue
        # Two spellings that stem alike ("negotiation", "negotiator") are one term;
        # keep the stronger weight rather than counting the same words twice.
        if stems in by_stems and abs(by_stems[stems][1]) >= abs(weight):
            continue
        by_stems[stems] = (term, weight)
    index: dict[str, list] = {}
    for stems, (term, weight) in by_stems.items():
        index.setdefault(stems[0], []).append((stems, term, weight))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in index.items()}


def load_profile(path_or_name: str | Path | None = None) -> TopicProfile:
    """Load a topic profile: ``None`` or a packaged name such as ``"diplomacy"``, or a TOML path.

    A term with weight 0 counts for nothing but hides the words inside it, which is how a
    profile stops a false stem match ("according to" would otherwise count as "accord").
    Raises ConfigError naming the file when it is missing, is not TOML, or holds a value
    that cannot be used (an unknown key, a non-numeric weight, a missing threshold).
    """
    path = _profile_path(path_or_name)
    data = _read_toml(path, "topic profile")
    unknown = set(data) - _TOP_LEVEL_KEYS
    if unknown:
        raise ConfigError(f"topic profile {path}: unknown key(s) {', '.join(sorted(unknown))}; "
                          f"expected some of {', '.join(sorted(_TOP_LEVEL_KEYS))}")
    if "threshold" not in data:
        raise ConfigError(f"topic profile {path}: missing 'threshold' (the score an article must reach)")

    terms: dict[str, float] = {}
    for table_name, sign in (("terms", 0), ("negative_terms", -1)):
        table = data.get(table_name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"topic profile {path}: [{table_name}] must be a table of term = weight")
        for term, weight in table.items():
            weight = _number(path, f"{table_name}.{term}", weight)
            if sign < 0 and weight >= 0:
                raise ConfigError(f"topic profile {path}: negative_terms.{term} must be below 0, got {weight}")
            if not tokenize(term):
                raise ConfigError(f"topic profile {path}: term {term!r} has no words in it")
            terms[term] = weight
    if not any(w > 0 for w in terms.values()):
        raise ConfigError(f"topic profile {path}: [terms] needs at least one term with a positive weight")

    entities, gazetteer = _entities(path, data.get("entities"))
    length_reference = _number(path, "length_reference", data.get("length_reference", 60))
    length_exponent = _number(path, "length_exponent", data.get("length_exponent", 0.5))
    lede_words = _number(path, "lede_words", data.get("lede_words", 100))
    title_weight = _number(path, "title_weight", data.get("title_weight", 1.5))
    if length_reference <= 0 or not 0 <= length_exponent <= 1 or lede_words < 0 or title_weight < 0:
        raise ConfigError(f"topic profile {path}: need length_reference > 0, 0 <= length_exponent <= 1, "
                          "lede_words >= 0 and title_weight >= 0")
    name = data.get("name", path.stem)
    description = data.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise ConfigError(f"topic profile {path}: name and description must be strings")
    model_file = ""
    if "model" in data:
        if not isinstance(data["model"], str) or not data["model"].strip():
            raise ConfigError(f"topic profile {path}: model must be the name of a file next to the profile")
        # Read on first use (summarize.topicmodel.load_model names it if it is missing).
        model_file = str((path.parent / data["model"]).resolve())
    profile = TopicProfile(
        name=name, threshold=_number(path, "threshold", data["threshold"]), terms=terms,
        description=description, title_weight=title_weight,
        length_reference=int(length_reference), length_exponent=length_exponent,
        lede_words=int(lede_words), entities=entities, gazetteer=gazetteer, source=str(path),
        model_file=model_file,
    )
    log.debug("loaded topic profile %r from %s: %d terms", profile.name, path, len(terms))
    return profile


def _profile_path(path_or_name: str | Path | None) -> Path:
    if path_or_name is None:
        path_or_name = DEFAULT_PROFILE
    text = str(path_or_name)
    is_name = not isinstance(path_or_name, Path) and re.fullmatch(r"[\w-]+", text) is not None
    if not is_name:
        return Path(text).expanduser()
    packaged = PROFILES_DIR / f"{text}.toml"
    if packaged.is_file():
        return packaged
    known = sorted(p.stem for p in PROFILES_DIR.glob("*.toml") if p.stem != "gazetteer")
    raise ConfigError(f"unknown topic profile {text!r}: packaged profiles are {', '.join(known)}; "
                      "or give the path of a TOML file")


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read {what} {path}: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{what} {path} is not valid TOML: {e}") from e


def _number(path: Path, key: str, value: Any) -> float:
    # bool is an int in Python; "threshold = true" is a mistake, not 1.0.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"topic profile {path}: {key} must be a number, got {value!r}")
    return float(value)


def _entities(path: Path, table: Any) -> tuple[EntityWeights, Gazetteer | None]:
    if table is None:
        return EntityWeights(), None
    if not isinstance(table, dict):
        raise ConfigError(f"topic profile {path}: [entities] must be a table")
    unknown = set(table) - _ENTITY_KEYS
    if unknown:
        raise ConfigError(f"topic profile {path}: unknown key(s) in [entities]: {', '.join(sorted(unknown))}")
    weights = EntityWeights(**{k: _number(path, f"entities.{k}", table[k])
                               for k in _ENTITY_KEYS - {"gazetteer"} if k in table})
    name = table.get("gazetteer", "gazetteer.toml")
    if not isinstance(name, str):
        raise ConfigError(f"topic profile {path}: entities.gazetteer must be a file name")
    # Next to the profile first (a user's own gazetteer), then the packaged one.
    candidates = [path.parent / name, PROFILES_DIR / name]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        raise ConfigError(f"topic profile {path}: gazetteer {name!r} not found next to it or in {PROFILES_DIR}")
    return weights, _cached_gazetteer(str(found.resolve()))


@lru_cache(maxsize=8)
def _cached_gazetteer(path: str) -> Gazetteer:
    return _load_gazetteer(Path(path))


# ---- scoring -------------------------------------------------------------------------------

def _term_sum(tokens: Sequence[_Token], profile: TopicProfile) -> float:
    counts = profile.term_weights(tokens)
    return sum(profile.terms[term] * (1.0 + math.log(n)) for term, n in counts.items())


def _entity_bonus(tokens: Sequence[_Token], profile: TopicProfile) -> float:
    if profile.gazetteer is None:
        return 0.0
    states, bodies = profile.gazetteer.find(tokens)
    weights = profile.entities
    bonus = 0.0
    if len(states) >= 2:
        bonus += weights.two_states + weights.more_states * min(len(states) - 2, 2)
    if states and bodies:
        bonus += weights.state_and_body
    if bodies:
        bonus += weights.body
    return bonus


def score_text(title: str, text: str, profile: TopicProfile, rules_only: bool = False) -> float:
    """How far a title and text are on the profile's beat; higher is more on-topic.

    With a trained model (the packaged diplomacy profile has one) the score is the
    probability, from 0 to 1, that combines the model's reading of the title and lede with
    the rule score of the same title and lede; a text the model puts so far off the beat
    that no rule score could bring it to the threshold gets the probability without rules,
    and its rules are never computed (most of a day's articles). ``rules_only`` (and a
    profile without a model) gives the rule score: the title counts ``title_weight`` times;
    the body is damped by its length; the gazetteer bonus looks at the title and the first
    ``lede_words`` words.
    """
    if rules_only or profile.model is None:
        return _rule_score(title, text, profile)
    return score_texts([(title, text)], profile)[0]


def score_texts(texts: Sequence[tuple[str, str]], profile: TopicProfile) -> list[float]:
    """``score_text`` of many (title, text) pairs, the model's reading of them all at once."""
    model = profile.model
    if model is None:
        return [_rule_score(title, text, profile) for title, text in texts]
    scores = []
    for (title, text), log_odds in zip(texts, model.log_odds_many(texts).tolist()):
        # The rules read what the model reads (the title and the lede), as they did on the
        # short items both were fitted on: on a whole article they add the asides of its
        # later paragraphs, which the combiner never saw.
        rules = 0.0
        if model.can_reach(log_odds):
            rules = _rule_score(title, lede(title, text, model.lede_words), profile)
        scores.append(round(model.chance(log_odds, rules), 6))
    return scores


def _rule_score(title: str, text: str, profile: TopicProfile) -> float:
    title = (title or "").strip()
    body = (text or "").strip()
    # Many feeds (and wire items) repeat the headline as the first line of the text;
    # counting it again would give those items a second title bonus.
    if title and body.startswith(title):
        body = body[len(title):]
    title_tokens = tokenize(title)
    body_tokens = tokenize(body)
    damping = max(1.0, len(body_tokens) / profile.length_reference) ** profile.length_exponent
    score = (profile.title_weight * _term_sum(title_tokens, profile)
             + _term_sum(body_tokens, profile) / damping
             + _entity_bonus(title_tokens + body_tokens[:profile.lede_words], profile))
    return round(score, 6)


def score_article(article: Article, profile: TopicProfile) -> float:
    """The topic score of one article (its title and cleaned text)."""
    return score_text(article.title, article.text, profile)


def score_articles(articles: Sequence[Article], profile: TopicProfile) -> list[float]:
    """``score_article`` of each article, in order; a big day's articles are scored on every core."""
    profile.model  # loaded once here, not in every worker
    return map_chunks(functools.partial(_score_chunk, profile), articles)


def _score_chunk(profile: TopicProfile, articles: Sequence[Article]) -> list[float]:
    return score_texts([(article.title, article.text) for article in articles], profile)


def is_relevant(score: float, profile: TopicProfile) -> bool:
    """Whether a score reaches the profile's threshold, i.e. belongs in the briefing."""
    return score >= profile.decision_threshold


def score_story(articles: Sequence[Article], profile: TopicProfile) -> float:
    """The topic score of a story from its articles (see ``combine_scores``)."""
    return combine_scores(score_articles(articles, profile))


def combine_scores(scores: Sequence[float]) -> float:
    """A story's topic score from its articles' scores: the mean of the best and the average.

    Taking the best article alone would let one outlet's aside pull in a story; the mean
    alone would let several thin reports drag down a story one outlet covers in depth.
    An empty story scores 0.
    """
    if not scores:
        return 0.0
    return round((max(scores) + sum(scores) / len(scores)) / 2, 6)

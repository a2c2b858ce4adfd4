"""The trained topic model that a profile may ship: what an article is about, read from its lede.

Keyword rules count words; many words of diplomacy have other senses ("sanction" in
doping, "embargo" in a web archive's notice, "cut ties" with an advertiser). The model was
trained (``python -m bench.topictrain``) on Wikipedia Current Events items filed under
International relations or elsewhere, so it weighs every word and word pair of a text by
what the items it saw were about. It reads the title and the first ``LEDE_WORDS`` words,
as an editor does and about as much as the one-to-three-sentence items it learned from
(a whole page of a long article drifts into asides and page junk).

A combiner then weighs the model's log-odds against the profile's rule score, so the
gazetteer and the hand-written terms still count. The weights are package data
(``profiles/diplomacy-model.npz``); inference is plain Python and numpy, loaded on first
use. The training text is Wikipedia's, CC BY-SA 4.0: see the README's credits.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from core.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

# The tokens the model was trained on: runs of two or more ASCII letters of the lower-cased
# text (scikit-learn's default pattern, letters only, and quicker); unigrams and the bigrams
# of consecutive tokens.
TOKEN_PATTERN = r"[a-z][a-z]+"
_TOKEN = re.compile(TOKEN_PATTERN)
# About the longest Current Events item the model saw (97th percentile of its training items).
LEDE_WORDS = 60
# The rule score's share of the decision stops growing here, so a text far below the
# model's line can be decided without computing its rule score at all.
# A rule score of 8 is a text full of the beat's terms (the threshold of the rules alone is
# 2.5); capping there lets the model decide about nine in ten of a day's articles alone.
RULE_CAP = 8.0


def lede(title: str, text: str, lede_words: int = LEDE_WORDS) -> str:
    """The first ``lede_words`` words of the text, after a first line that repeats the title."""
    title = (title or "").strip()
    body = (text or "").strip()
    if title and body.startswith(title):
        body = body[len(title):]
    return " ".join(body.split(None, lede_words)[:lede_words])


def model_text(title: str, text: str, lede_words: int = LEDE_WORDS) -> str:
    """What the model reads: the title and the first ``lede_words`` words of the text."""
    title = (title or "").strip()
    words = lede(title, text, lede_words)
    return f"{title}\n{words}" if title else words


@dataclass(frozen=True)
class TopicModel:
    """Weights of the word model and of the combiner, and the decision threshold.

    ``terms`` maps each term to its row in ``coef`` (coefficient times idf) and ``idf``.
    """

    terms: dict[str, int]
    coef: "np.ndarray"
    idf: "np.ndarray"
    intercept: float
    rule_weight: float
    model_weight: float
    bias: float
    threshold: float
    lede_words: int = LEDE_WORDS
    rule_cap: float = RULE_CAP

    def log_odds(self, title: str, text: str) -> float:
        """The word model's log-odds that the title and lede are about the beat."""
        return float(self.log_odds_many([(title, text)])[0])

    def log_odds_many(self, texts: Sequence[tuple[str, str]]) -> "np.ndarray":
        """``log_odds`` of many (title, text) pairs at once: the words are looked up one by
        one, the sums are numpy's (a day's articles in a fraction of the time of a loop)."""
        import numpy as np

        find = self.terms.get
        rows: list[int] = []
        cols: list[int] = []
        for row, (title, text) in enumerate(texts):
            tokens = _TOKEN.findall(model_text(title, text, self.lede_words).lower())
            found = [i for i in map(find, tokens + [a + " " + b for a, b in zip(tokens, tokens[1:])])
                     if i is not None]
            cols.extend(found)
            rows.extend([row] * len(found))
        size = len(self.terms)
        pairs, counts = np.unique(np.asarray(rows, dtype=np.int64) * size + np.asarray(cols, dtype=np.int64),
                                  return_counts=True)
        row_of, col_of = pairs // size, pairs % size
        tf = 1.0 + np.log(counts)
        dot = np.bincount(row_of, weights=tf * self.coef[col_of], minlength=len(texts))
        norm = np.bincount(row_of, weights=(tf * self.idf[col_of]) ** 2, minlength=len(texts))
        return self.intercept + np.divide(dot, np.sqrt(norm), out=np.zeros(len(texts)), where=norm > 0)

    def chance(self, log_odds: float, rule_score: float) -> float:
        """The combined probability that a text is on the beat, from both scores."""
        rules = math.log1p(min(max(rule_score, 0.0), self.rule_cap))
        z = self.rule_weight * rules + self.model_weight * log_odds + self.bias
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def can_reach(self, log_odds: float) -> bool:
        """Whether the threshold is within reach of these log-odds with the best rule score."""
        return self.chance(log_odds, self.rule_cap) >= self.threshold


@lru_cache(maxsize=4)
def load_model(path: str) -> TopicModel:
    """Read a model's weights (a ``.npz`` written by ``bench.topictrain``); ConfigError naming it if unusable."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            terms = bytes(data["terms"]).decode("utf-8").split("\n")
            weight, idf = data["weight"].tolist(), data["idf"].tolist()
            rule_weight, model_weight, bias = (float(v) for v in data["combiner"])
            model = TopicModel({term: i for i, term in enumerate(terms)}, np.asarray(weight, dtype=np.float64),
                               np.asarray(idf, dtype=np.float64), float(data["intercept"]),
                               rule_weight, model_weight, bias, float(data["threshold"]),
                               int(data["lede_words"]), float(data["rule_cap"]))
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"topic model {path} cannot be read: {exc}") from exc
    if len(terms) != len(weight) or len(terms) != len(idf) or model_weight <= 0:
        raise ConfigError(f"topic model {path} is inconsistent (terms and weights differ in number)")
    return model


"""Train the packaged topic model: ``python -m bench.topictrain [--eval-dir ../shared/eval]``.

Reads ``relevance/wcep-train.jsonl`` (Wikipedia Current Events items, CC BY-SA; every day
that holds an evaluation item is left out of it) and writes
``summarize/profiles/diplomacy-model.npz``, which ``summarize.topicmodel`` reads at run time
with numpy alone. Nothing that is tested on is trained on: wcep-silver, articles.jsonl and the
Multi-News clusters of the real day are never read here.

The model has two layers, both logistic regressions from scikit-learn (lbfgs, deterministic;
folds shuffled with a fixed seed):

1. a TF-IDF model (word unigrams and bigrams, sub-linear term frequency, seen in at least
   two items, classes weighted by their size; C and min_df chosen by out-of-fold F1) that reads what an item is about;
2. a combiner of that model's log-odds with the profile's rule score (``log1p`` of it, capped),
   fitted on out-of-fold log-odds so it learns how far to trust each.

The decision threshold is the one with the best F1 on the combiner's own out-of-fold
predictions. Scikit-learn is needed here only; the product never imports it for the topic.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from summarize.topic import PROFILES_DIR, load_profile, score_text
from summarize.topicmodel import LEDE_WORDS, RULE_CAP, TOKEN_PATTERN, model_text

SEED = 0
# Chosen by out-of-fold F1 of the combined decision on the training items alone
# (C 0.25 / 1 / 4 by min_df 2 / 3 / 5: 0.659 to 0.686, best at C 4, min_df 2).
C = 4.0
MIN_DF = 2
OUT = PROFILES_DIR / "diplomacy-model.npz"


def _items(path: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                texts.append(item["text"])
                labels.append(item["label"] == "diplomacy")
    return texts, np.array(labels)


def train(eval_dir: Path, out: Path = OUT) -> dict[str, float]:
    """Fit both layers on wcep-train.jsonl, write the weights to ``out``; return training figures."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, y = _items(eval_dir / "relevance" / "wcep-train.jsonl")
    profile = load_profile(None)
    rules = np.array([score_text("", t, profile, rules_only=True) for t in texts])
    vectorizer = TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=MIN_DF,
                                 sublinear_tf=True, dtype=np.float64)
    x = vectorizer.fit_transform([model_text("", t) for t in texts])
    words = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    held_out = cross_val_predict(words, x, y, cv=folds, method="decision_function")
    words.fit(x, y)
    stacked = np.c_[np.log1p(np.clip(rules, 0.0, RULE_CAP)), held_out]
    combiner = LogisticRegression(max_iter=1000)
    chance = cross_val_predict(combiner, stacked, y, cv=folds, method="predict_proba")[:, 1]
    combiner.fit(stacked, y)
    grid = np.round(np.arange(0.05, 0.951, 0.05), 2)
    f1 = [f1_score(y, chance >= t) for t in grid]
    threshold = float(grid[int(np.argmax(f1))])
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    idf = vectorizer.idf_.astype(np.float64)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        terms=np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        weight=(words.coef_[0] * idf).astype(np.float32),
        idf=idf.astype(np.float32),
        intercept=np.float64(words.intercept_[0]),
        combiner=np.array([combiner.coef_[0][0], combiner.coef_[0][1], combiner.intercept_[0]]),
        threshold=np.float64(threshold),
        lede_words=np.int64(LEDE_WORDS),
        rule_cap=np.float64(RULE_CAP),
    )
    return {"items": len(texts), "diplomacy": int(y.sum()), "terms": len(terms),
            "threshold": threshold, "train_f1_out_of_fold": round(max(f1), 4),
            "words_only_f1_out_of_fold": round(f1_score(y, held_out >= 0), 4)}


def main(argv: list[str] | None = None) -> int:
    """Train and write the model, print the training figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.topictrain", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", default="../shared/eval", help="the evaluation data folder")
    parser.add_argument("--out", default=str(OUT), help="where to write the weights")
    args = parser.parse_args(argv)
    figures = train(Path(args.eval_dir), Path(args.out))
    print(json.dumps(figures), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

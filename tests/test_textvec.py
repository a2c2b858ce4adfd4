"""TF-IDF rows as grouping builds them: from chunks of counted terms, equal to the textbook weighting."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from summarize import textvec


DOCUMENTS = [
    {"ceasefire": 3, "geneva": 1, "envoy": 2},
    {"geneva": 2, "talks": 1.5, "ceasefire": 1},
    {"sanctions": 4, "envoy": 1, "vote": 0},   # a term counted zero is no term
    {},
    {"talks": 1, "summit": 2, "geneva": 1, "sanctions": 1},
]


def _dense(documents):
    """The documents as a dense count matrix with columns in order of first occurrence."""
    columns = list(dict.fromkeys(t for d in documents for t, c in d.items() if c > 0))
    return columns, np.array([[d.get(t, 0) for t in columns] for d in documents], dtype=float)


def test_rows_equal_sublinear_smoothed_tfidf_with_columns_in_first_occurrence_order():
    columns, counts = _dense(DOCUMENTS)
    expected = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2").fit_transform(counts).toarray()
    got = textvec.tfidf_matrix(DOCUMENTS)
    assert got.shape == (5, len(columns))
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-6, atol=1e-7)


def test_chunks_counted_apart_give_the_same_rows_as_all_at_once():
    parts = [textvec.CountedTerms.of(DOCUMENTS[:2]), textvec.CountedTerms.of(DOCUMENTS[2:3]),
             textvec.CountedTerms.of(DOCUMENTS[3:])]
    joined = textvec.tfidf_rows(parts)
    whole = textvec.tfidf_matrix(DOCUMENTS)
    assert (joined != whole).nnz == 0
    assert [d for part in parts for d in part.documents()] == [{t: c for t, c in d.items() if c > 0} for d in DOCUMENTS]


def test_no_documents_and_empty_documents_give_empty_rows():
    assert textvec.tfidf_matrix([]).shape[0] == 0
    empty = textvec.tfidf_matrix([{}, {}])
    assert empty.shape[0] == 2 and empty.nnz == 0


def test_side_by_side_equals_hstack_of_the_scaled_rows():
    left = textvec.tfidf_matrix(DOCUMENTS)
    right = textvec.tfidf_matrix([{"n:lenk": 1}, {}, {"#412": 2, "n:lenk": 1}, {"d:2026-05-18": 1}, {}])
    joined = textvec.side_by_side(left, right, 0.8, 0.6)
    expected = sparse.hstack([left * 0.8, right * 0.6], format="csr")
    assert joined.shape == expected.shape and joined.dtype == np.float32
    np.testing.assert_allclose(joined.toarray(), expected.toarray(), rtol=1e-6)
    assert (np.diff(joined.indptr) == np.diff(expected.indptr)).all()
    assert joined.has_sorted_indices or all((np.diff(joined.indices[a:b]) > 0).all()
                                            for a, b in zip(joined.indptr[:-1], joined.indptr[1:]))


@pytest.mark.parametrize("compiled", [True, False], ids=["scipy-private-matvec", "public-product"])
def test_row_dots_equal_the_dense_products_in_any_order_of_pairs_and_across_chunks(compiled, monkeypatch):
    # Pairs as grouping makes them (sorted by left row, runs of one left row split by a
    # chunk's end) and in no order at all, over single-precision rows and a matrix that holds
    # a column twice in a row (summed, as a sparse product would).
    # Long rows (a sparse product per left row) and short ones (element-wise) alike.
    if not compiled:  # what a scipy without the private module gets
        monkeypatch.setattr(textvec, "_csr_matvec", None)
    rng = np.random.default_rng(3)
    left, right = rng.integers(0, 60, 700), rng.integers(0, 60, 700)
    for density in (0.05, 0.3, 0.8):
        matrix = sparse.random(60, 40, density=density, format="csr", random_state=5, dtype=np.float32)
        dense = matrix.toarray().astype(np.float64)
        for lefts, rights in ((left, right), (np.sort(left), right)):
            expected = (dense[lefts] * dense[rights]).sum(axis=1)
            got = textvec.row_dots(matrix, lefts, rights, chunk=13)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    for repeated in (3, 25):  # a column twice in a row of few entries, and of many
        columns = np.r_[np.arange(repeated - 1), 1, np.arange(repeated - 1), 0]
        doubled = sparse.csr_matrix((np.ones(2 * repeated, dtype=np.float32), columns,
                                     np.array([0, repeated, 2 * repeated])), shape=(2, 30))
        assert doubled.has_canonical_format is False
        dense = doubled.toarray()
        assert textvec.row_dots(doubled, [0, 0, 1], [0, 1, 1]).tolist() == [(dense[0] @ dense[0]), dense[0] @ dense[1],
                                                                           dense[1] @ dense[1]]
    assert textvec.row_dots(matrix, [], []).shape == (0,)


def test_grouping_loads_without_scikit_learn_and_keeps_its_stop_words():
    """Grouping's words start without the 1.5 s scikit-learn import, and the stop list is still scikit-learn's."""
    probe = ("import sys, summarize.textvec as t; "
             "print(any(m.split('.')[0] == 'sklearn' for m in sys.modules)); "
             "print(sorted(t.STOP_WORDS))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=str(Path(__file__).resolve().parents[1]))
    loaded, words = done.stdout.splitlines()
    assert loaded == "False"
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    assert set(ENGLISH_STOP_WORDS) <= set(eval(words))


def test_stop_words_found_by_importing_scikit_learn_when_its_file_moved(monkeypatch, tmp_path):
    """A scikit-learn release whose stop-word file lies elsewhere still gives its list (imported as usual)."""
    import importlib.util
    from types import SimpleNamespace

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from summarize import stopwords
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: SimpleNamespace(origin=str(tmp_path / "sklearn" / "__init__.py")))
    assert stopwords.english_stop_words() == frozenset(ENGLISH_STOP_WORDS)

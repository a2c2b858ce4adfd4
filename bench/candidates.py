"""Grouping's candidate pairs: the product's choice measured against the alternatives.

``python3 -m bench.candidates [--sizes 5000 20000]``

Issue 14 asks that each article be compared with a bounded number of others (its most
similar within the time window), made by a well-kept library where one fits. The product
(``summarize.group._candidate_pairs``) keeps each article's 100 best by a top-n sparse
product (sparse_dot_topn) over its 60 heaviest TF-IDF terms. This benchmark runs, on the
same real-text articles (``bench.realtext``), each of:

- ``product``: ``summarize.group._candidate_pairs`` as shipped (sparse_dot_topn, one thread
  per block, the blocks shared among forked workers on the machine's cores; the figures in
  bench/README.md were taken when it ran on the library's own 2 threads instead);
- ``previous``: the design of our own it replaced (scipy block product, per-row partition,
  lexsort; from commit d4039a1, copied below as the reference);
- ``minhash``: datasketch MinHash over each article's index terms (128 permutations), a
  MinHashLSHForest of 32 trees (``--minhash PERMxTREES`` to change both) queried for
  3 x 100 keys per article, the 100 with the highest estimated Jaccard kept (the
  post-processing the library's documentation recommends);
- ``nndescent``: pynndescent NNDescent, cosine metric on the sparse index matrix,
  ``n_neighbors`` 101 (the article itself is its own first neighbour); its numba JIT
  compile is timed apart, on a small warm-up slice of the same matrix;
- ``product1`` (only when asked with ``--methods``): the product in one process, to tell
  the library's gain from the second core's.

Per method it prints wall seconds, the peak memory the method added (the process's
high-water mark, reset just before the method, minus its resident memory then), the
number of pairs, the recall of the exact neighbour lists (for 500 sampled articles, the
share of each one's true 100 best by ``index @ index.T`` within the window, computed
exactly, that the method pairs it with; ties at the 100th value count either way), and
the outcome when the pairs feed the rest of grouping (``group_articles`` with
``_candidate_pairs`` swapped): seconds, number of stories, and B3-F against the
product's story map.

Each method runs in a child process of its own, one after another (never two at once),
on the articles and vectors the parent built and wrote to a temporary directory once per
size: the memory figure of one method is not the leftover of another.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import numpy as np
from scipy import sparse

METHODS = ("product", "previous", "minhash", "nndescent", "product1")
SAMPLE = 500


# ---- the methods -------------------------------------------------------------------------
def _index(matrix: sparse.csr_matrix, options) -> sparse.csr_matrix:
    """The product's candidate index: each row's ``top_terms`` heaviest terms of df <= ``max_index_df``."""
    from summarize import textvec
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    return textvec.top_term_matrix(matrix, options.top_terms, df <= options.max_index_df)


def product_one_thread(matrix, times, known, options):
    """The product's ``_candidate_pairs`` in this process alone, no workers (not run by default)."""
    from summarize import group, parallel
    # The shipped function even where run_method has swapped this one in for it.
    shipped = getattr(group, "_shipped_candidate_pairs", group._candidate_pairs)
    cores = parallel.cores
    parallel.cores = lambda: 1
    try:
        return shipped(matrix, times, known, options)
    finally:
        parallel.cores = cores


def _pairs_from_lists(i: np.ndarray, j: np.ndarray, times: np.ndarray, known: np.ndarray,
                      window: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique (i < j) pairs of neighbour lists, within the window, not self, not both known."""
    i, j = i.astype(np.int64), j.astype(np.int64)
    keep = (i != j) & (j >= 0) & ~(known[i] & known[j]) & (np.abs(times[j] - times[i]) <= window)
    i, j = i[keep], j[keep]
    pairs = np.unique(np.minimum(i, j) * n + np.maximum(i, j))
    return pairs // n, pairs % n


def previous_pairs(matrix, times, known, options):
    """The design of our own before sparse_dot_topn (commit d4039a1, ``_candidate_pairs``)."""
    n = matrix.shape[0]
    index = _index(matrix, options)
    index_t = index.T.tocsr()
    k = options.candidates
    keys = []
    block = 512
    for start in range(0, n, block):
        stop = min(start + block, n)
        lo = int(np.searchsorted(times, times[start] - options.window_days, side="left"))
        hi = int(np.searchsorted(times, times[stop - 1] + options.window_days, side="right"))
        shared = (index[start:stop] @ index_t[:, lo:hi]).tocoo()
        i = shared.row.astype(np.int32) + start
        j = shared.col.astype(np.int32) + lo
        keep = (i != j) & ~(known[i] & known[j]) & (np.abs(times[j] - times[i]) <= options.window_days)
        i, j, value = i[keep], j[keep], shared.data[keep]
        counts = np.bincount(i - start, minlength=stop - start)
        if (counts > k).any():
            bounds = np.concatenate([[0], np.cumsum(counts)])
            floor = np.full(len(value), -np.inf, dtype=np.float32)
            for row in np.flatnonzero(counts > k).tolist():
                a, b = bounds[row], bounds[row + 1]
                floor[a:b] = np.partition(value[a:b], b - a - k)[b - a - k]
            above = value >= floor
            i, j, value = i[above], j[above], value[above]
        order = np.lexsort((-value, i))
        i, j = i[order], j[order]
        first = np.searchsorted(i, i, side="left")
        rank = np.arange(len(i)) - first
        best = rank < k
        i, j = i[best].astype(np.int64), j[best].astype(np.int64)
        keys.append(np.minimum(i, j) * n + np.maximum(i, j))
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.unique(np.concatenate(keys))
    return pairs // n, pairs % n


# MinHash settings (``--minhash PERMxTREES``). 128 permutations: the Jaccard estimate's
# standard error is at most 0.045, well below the gap between two write-ups of one event
# (most of their top terms shared) and two events that share a name or two. 32 trees of 4
# hash values: a forest finds a neighbour at the shortest prefix (one hash value) with
# probability 1 - (1 - J) ** trees, and the 100th best neighbour by the index product often
# shares only a few of 60 terms (J about 0.03): with the library's default 8 trees of 16
# most of those are never reached (recall 0.51 at 5,000 articles against 0.67 with 32
# trees; see bench/README.md). The forest is asked for three times the wanted neighbours
# and the best by estimated Jaccard kept (datasketch's documented post-processing),
# because its own answer is unranked within a prefix length.
NUM_PERM = 128
TREES = 32
OVERFETCH = 3


def minhash_pairs(matrix, times, known, options):
    """Each article's ``candidates`` nearest by MinHash Jaccard of its index terms (datasketch)."""
    from datasketch import MinHash, MinHashLSHForest
    n = matrix.shape[0]
    index = _index(matrix, options)
    k = options.candidates
    terms = [[int(c).to_bytes(4, "little") for c in index.indices[index.indptr[r]:index.indptr[r + 1]]]
             for r in range(n)]
    hashes = MinHash.bulk(terms, num_perm=NUM_PERM, seed=1)
    del terms
    empty = np.diff(index.indptr) == 0
    forest = MinHashLSHForest(num_perm=NUM_PERM, l=TREES)
    for row, minhash in enumerate(hashes):
        if not empty[row]:
            forest.add(row, minhash)
    forest.index()
    values = np.vstack([m.hashvalues for m in hashes])
    rows, cols = [], []
    for row, minhash in enumerate(hashes):
        if empty[row]:
            continue
        found = np.fromiter(forest.query(minhash, OVERFETCH * k + 1), dtype=np.int64)
        found = found[found != row]
        if len(found) > k:
            estimate = (values[found] == values[row]).mean(axis=1)
            found = found[np.lexsort((found, -estimate))[:k]]
        rows.append(np.full(len(found), row, dtype=np.int64))
        cols.append(found)
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return _pairs_from_lists(np.concatenate(rows), np.concatenate(cols), times, known, options.window_days, n)


def _nndescent(index: sparse.csr_matrix, k: int):
    from pynndescent import NNDescent
    return NNDescent(index, metric="cosine", n_neighbors=k, random_state=1, n_jobs=2,
                     low_memory=True).neighbor_graph


def nndescent_warmup(matrix, options) -> None:
    """Run NNDescent once on a small slice so numba compiles its sparse cosine paths."""
    index = _index(matrix, options)
    _nndescent(index[:600], min(options.candidates + 1, 300))


def nndescent_pairs(matrix, times, known, options):
    """Each article's ``candidates`` nearest by cosine of its index row (pynndescent NNDescent)."""
    n = matrix.shape[0]
    index = _index(matrix, options)
    k = options.candidates
    # Articles without an index term have no direction; NNDescent gets the others only.
    present = np.flatnonzero(np.diff(index.indptr) > 0)
    neighbours, distances = _nndescent(index[present], k + 1)
    i = np.repeat(present, neighbours.shape[1])
    j = np.where(neighbours.ravel() >= 0, present[np.maximum(neighbours.ravel(), 0)], -1)
    # Cosine distance 1 means no shared term: not a candidate (the product never returns those).
    j = np.where(distances.ravel() < 1.0 - 1e-6, j, -1)
    return _pairs_from_lists(i, j, times, known, options.window_days, n)


# ---- measuring ---------------------------------------------------------------------------
def _status_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    """Reset the process's resident high-water mark (Linux ``clear_refs`` 5)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def exact_recall(matrix, times, left, right, options, sample: np.ndarray) -> float:
    """Mean share of each sampled article's exact ``candidates`` best (index product, within
    the window, itself left out, positive values only) that the pairs pair it with."""
    index = _index(matrix, options)
    k = options.candidates
    n = matrix.shape[0]
    exact = (index[sample] @ index.T).toarray()
    paired = sparse.csr_matrix((np.ones(2 * len(left), dtype=np.int8),
                                (np.concatenate([left, right]), np.concatenate([right, left]))), shape=(n, n))
    shares = []
    for row, article in enumerate(sample.tolist()):
        values = exact[row]
        values[article] = 0.0
        values[np.abs(times - times[article]) > options.window_days] = 0.0
        positive = np.flatnonzero(values > 0)
        if len(positive) == 0:
            continue
        wanted = min(k, len(positive))
        floor = np.partition(values[positive], len(positive) - wanted)[len(positive) - wanted]
        # Ties at the k-th value: any of the tied articles counts, up to ``wanted`` found.
        true = positive[values[positive] >= floor]
        mine = paired.indices[paired.indptr[article]:paired.indptr[article + 1]]
        shares.append(min(len(np.intersect1d(true, mine)), wanted) / wanted)
    return float(np.mean(shares)) if shares else 1.0


def b3_f(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F of ``pred`` against ``gold`` (both: item -> cluster).

    Per item: precision is the share of its predicted cluster that shares its gold cluster,
    recall the share of its gold cluster that shares its predicted cluster; both averaged
    over the items (as ../shared/eval/score.py defines them).
    """
    gold_members: dict[str, set] = defaultdict(set)
    pred_members: dict[str, set] = defaultdict(set)
    for item, cluster in gold.items():
        gold_members[cluster].add(item)
    for item in gold:
        pred_members[pred.get(item, "missing:" + item)].add(item)
    precision = recall = 0.0
    for item, cluster in gold.items():
        theirs, ours = gold_members[cluster], pred_members[pred.get(item, "missing:" + item)]
        both = len(theirs & ours)
        precision += both / len(ours)
        recall += both / len(theirs)
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def run_method(method: str, folder: str) -> dict:
    """In this (child) process: one method's candidates, recall and grouping outcome."""
    from core.options import load_options
    from summarize import group

    options = load_options({"BRIEFING_HOME": "/nonexistent-briefing-bench"}).grouping
    with open(os.path.join(folder, "articles.pickle"), "rb") as handle:
        ordered = pickle.load(handle)
    matrix = sparse.load_npz(os.path.join(folder, "matrix.npz")).tocsr()
    days = sparse.load_npz(os.path.join(folder, "days.npz")).tocsr()
    times = np.load(os.path.join(folder, "times.npy"))
    known = np.zeros(len(ordered), dtype=bool)
    chosen = {"product": group._candidate_pairs, "previous": previous_pairs,
              "minhash": minhash_pairs, "nndescent": nndescent_pairs, "product1": product_one_thread}[method]
    out: dict = {"method": method, "size": len(ordered)}
    if method == "minhash":
        import datasketch  # noqa: F401 (import time kept out of the method's figure)
        out["minhash"] = f"{NUM_PERM}x{TREES}"
    if method == "nndescent":
        began = time.perf_counter()
        nndescent_warmup(matrix, options)
        out["jit_s"] = time.perf_counter() - began

    _reset_peak()
    resident = _status_kb("VmRSS")
    began = time.perf_counter()
    left, right = chosen(matrix, times, known, options)
    out["seconds"] = time.perf_counter() - began
    out["peak_added_mb"] = (_status_kb("VmHWM") - resident) / 1024
    out["pairs"] = len(left)
    sample = np.random.default_rng(1).choice(len(ordered), size=min(SAMPLE, len(ordered)), replace=False)
    out["recall"] = exact_recall(matrix, times, left, right, options, np.sort(sample))
    del left, right

    # The rest of grouping on these pairs: the vectors as read once by the parent.
    group.article_vectors = lambda articles, options=options: (matrix, days)
    group._shipped_candidate_pairs = group._candidate_pairs
    group._candidate_pairs = chosen
    began = time.perf_counter()
    story_of = group.group_articles(ordered, options=options)
    out["group_s"] = time.perf_counter() - began
    out["stories"] = len(set(story_of.values()))
    reference = os.path.join(folder, "product-stories.json")
    if method == "product":
        with open(reference, "w") as handle:
            json.dump(story_of, handle)
        out["b3"] = [1.0, 1.0, 1.0]
    elif os.path.exists(reference):
        with open(reference) as handle:
            out["b3"] = list(b3_f(json.load(handle), story_of))
    return out


def prepare(size: int, folder: str) -> dict:
    """Build ``size`` real-text articles and their vectors once; write them to ``folder``."""
    from bench import realtext
    from core.options import load_options
    from summarize.group import article_vectors

    options = load_options({"BRIEFING_HOME": "/nonexistent-briefing-bench"}).grouping
    began = time.perf_counter()
    articles = realtext.articles(size, seed=1)
    built = time.perf_counter() - began
    # The order group_articles gives them, so the vectors' rows line up with its own.
    unique: dict = {}
    for article in articles:
        unique.setdefault(article.id, article)
    ordered = sorted(unique.values(), key=lambda a: (a.published.timestamp(), a.id))
    began = time.perf_counter()
    matrix, days = article_vectors(ordered, options)
    read = time.perf_counter() - began
    with open(os.path.join(folder, "articles.pickle"), "wb") as handle:
        pickle.dump(ordered, handle, protocol=pickle.HIGHEST_PROTOCOL)
    sparse.save_npz(os.path.join(folder, "matrix.npz"), matrix, compressed=False)
    sparse.save_npz(os.path.join(folder, "days.npz"), days, compressed=False)
    np.save(os.path.join(folder, "times.npy"), np.array([a.published.timestamp() / 86400.0 for a in ordered]))
    return {"size": len(ordered), "build_s": built, "vectors_s": read, "columns": matrix.shape[1]}


def main(argv: list[str] | None = None) -> int:
    """Run the comparison (or, with ``--child``, one method in this process)."""
    global NUM_PERM, TREES
    parser = argparse.ArgumentParser(prog="python3 -m bench.candidates", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS[:4]),
                        help="product1 (sparse_dot_topn on one thread) is not run by default")
    parser.add_argument("--minhash", default=f"{NUM_PERM}x{TREES}", metavar="PERMxTREES",
                        help="MinHash permutations and LSH forest trees (default %(default)s)")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    NUM_PERM, TREES = (int(x) for x in args.minhash.split("x"))
    if args.child:
        print(json.dumps(run_method(args.child, args.folder)))
        return 0
    methods = ["product"] + [m for m in args.methods if m != "product"]  # the reference first
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-candidates-") as folder:
            code = ("import json,sys; from bench.candidates import prepare; "
                    f"print(json.dumps(prepare({size}, sys.argv[1])))")
            made = subprocess.run([sys.executable, "-c", code, folder],
                                  capture_output=True, text=True, check=False)
            if made.returncode:
                print(made.stderr, file=sys.stderr)
                return 1
            info = json.loads(made.stdout.strip().splitlines()[-1])
            print(f"{size} articles: built in {info['build_s']:.1f} s, vectors in {info['vectors_s']:.1f} s "
                  f"({info['columns']} columns)", flush=True)
            for method in methods:
                child = subprocess.run([sys.executable, "-m", "bench.candidates", "--child", method,
                                        "--folder", folder, "--minhash", args.minhash], capture_output=True, text=True, check=False,
                                       env={**os.environ, "NUMBA_NUM_THREADS": "2"})
                if child.returncode:
                    print(f"  {method}: failed\n{child.stderr[-3000:]}", file=sys.stderr, flush=True)
                    continue
                row = json.loads(child.stdout.strip().splitlines()[-1])
                rows.append(row)
                print("  " + json.dumps(row), flush=True)
    print()
    print(f"{'articles':>8} {'method':<10} {'jit s':>6} {'pairs s':>8} {'peak+ MB':>9} {'pairs':>10} "
          f"{'recall':>7} {'group s':>8} {'stories':>8} {'B3-P':>6} {'B3-R':>6} {'B3-F':>6}")
    for row in rows:
        jit = f"{row['jit_s']:.1f}" if "jit_s" in row else "-"
        p, r, f = row.get("b3", [float("nan")] * 3)
        print(f"{row['size']:>8} {row['method']:<10} {jit:>6} {row['seconds']:>8.2f} {row['peak_added_mb']:>9.0f} "
              f"{row['pairs']:>10} {row['recall']:>7.3f} {row['group_s']:>8.1f} {row['stories']:>8} "
              f"{p:>6.3f} {r:>6.3f} {f:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Independent check of docsearch's full-strength LSA and TF-IDF baselines.

    sklearn_check.py DUMP_DIR [DOCSEARCH_EVAL_JSON]

DUMP_DIR is what `go run ./bench/baselines dump -index IX -out DUMP_DIR`
writes: the index's word counts of the indexed documents ("counts") and of
the training documents ("train"), and the indexed documents' labels. From
those counts alone, with scikit-learn and numpy and none of docsearch's
code, it builds the baselines as eval's package documentation defines them:

  weights   w = ln(1 + tf) * ln(N / df), N and df over the training
            documents (df = 0 counted as 1; none occurs with a vocabulary
            chosen on the training documents)
  lsa-10    rows scaled to unit length, then PCA (sklearn.decomposition.PCA,
            full SVD) fitted on the training rows; codes (x - mean) V
  lsa-50    TruncatedSVD (ARPACK) of the unnormalised training rows; codes x V
  tfidf     rows scaled to unit length (sklearn.preprocessing.normalize)

and also lsa-10 with the lsa-50 recipe ("lsa-10-raw"), the configuration of
issue 10's outside check. Every indexed document queries all the others by
cosine; the ranking (score descending as float32, then position ascending),
precision at recall, precision at k and mean average precision are computed
here with numpy, independently of eval.Evaluate.

With DOCSEARCH_EVAL_JSON (the output of `docsearch eval --json`), the
figures of both are printed side by side with their difference.
"""

import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.preprocessing import normalize

RECALL = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
KS = [1, 3, 7, 10, 15, 31, 63, 127, 255, 511, 1023]


def recall_key(r):
    return "1.0" if r == 1.0 else repr(r)


def load(d, name):
    rows, cols = map(int, open(os.path.join(d, name + ".shape")).read().split())
    indptr = np.fromfile(os.path.join(d, name + ".indptr"), dtype="<i8")
    idx = np.fromfile(os.path.join(d, name + ".idx"), dtype="<i4")
    val = np.fromfile(os.path.join(d, name + ".val"), dtype="<f4")
    return sp.csr_matrix((val.astype(np.float64), idx, indptr), shape=(rows, cols))


def weights(m, idf):
    w = m.copy()
    w.data = np.log1p(w.data)
    return sp.csr_matrix(w @ sp.diags(idf))


def evaluate(vecs, labels):
    """Cosine ranking of every labeled row against all others."""
    n = vecs.shape[0]
    unit = normalize(vecs)  # zero rows stay zero: cosine 0
    if sp.issparse(unit):
        unit = unit.tocsr()
    _, lab = np.unique(labels, return_inverse=True)
    lab[np.asarray(labels) == ""] = -1
    prec = np.zeros(len(RECALL))
    acc = np.zeros(len(KS))
    ap_sum = 0.0
    queries = 0
    pos = np.arange(n)
    block = 256
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        s = unit[lo:hi] @ unit.T
        s = s.toarray() if sp.issparse(s) else np.asarray(s)
        s = s.astype(np.float32)
        for i in range(hi - lo):
            q = lo + i
            if lab[q] < 0:
                continue
            rel = lab == lab[q]
            rel[q] = False
            R = int(rel.sum())
            if R == 0:
                continue
            queries += 1
            sc = s[i].copy()
            sc[q] = -np.inf
            order = np.lexsort((pos, -sc))  # score descending, then position
            order = order[order != q]
            hit = rel[order]
            ranks = np.flatnonzero(hit) + 1  # rank of the j-th relevant
            for l, r in enumerate(RECALL):
                j = min(max(int(np.ceil(r * R - 1e-9)), 1), R)
                prec[l] += j / ranks[j - 1]
            cum = np.cumsum(hit)
            for l, k in enumerate(KS):
                k = min(k, n - 1)
                acc[l] += cum[k - 1] / k
            ap_sum += np.mean(np.arange(1, R + 1) / ranks)
    return {
        "precision_at_recall": {recall_key(r): p / queries for r, p in zip(RECALL, prec)},
        "accuracy_at_k": {str(k): a / queries for k, a in zip(KS, acc)},
        "map": ap_sum / queries,
        "queries": queries,
    }


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    d = sys.argv[1]
    train, test = load(d, "train"), load(d, "counts")
    labels = open(os.path.join(d, "labels.txt")).read().split("\n")[:-1]
    assert len(labels) == test.shape[0], (len(labels), test.shape)
    n = train.shape[0]
    df = np.bincount(train.indices[train.data != 0], minlength=train.shape[1])
    idf = np.log(n / np.maximum(df, 1))
    xtr, xte = weights(train, idf), weights(test, idf)
    print(f"{n} training and {test.shape[0]} indexed documents, {train.shape[1]} words, "
          f"{int((df == 0).sum())} words with df = 0", file=sys.stderr)

    methods = {}

    def lsa_pca(k):
        p = PCA(n_components=k, svd_solver="full").fit(normalize(xtr).toarray())
        return p.transform(normalize(xte).toarray())

    def lsa_raw(k):
        t = TruncatedSVD(n_components=k, algorithm="arpack", tol=0, random_state=0).fit(xtr)
        return t.transform(xte)

    for name, make in [
        ("lsa-10", lambda: lsa_pca(10)),
        ("lsa-50", lambda: lsa_raw(50)),
        ("tfidf", lambda: xte),
        ("lsa-10-raw", lambda: lsa_raw(10)),
    ]:
        t0 = time.time()
        methods[name] = evaluate(make(), labels)
        print(f"{name}: {time.time() - t0:.1f} s", file=sys.stderr)

    ours = None
    if len(sys.argv) == 3:
        ours = json.load(open(sys.argv[2]))["methods"]
    rows = [("P@R " + recall_key(r), "precision_at_recall", recall_key(r)) for r in RECALL]
    rows += [("P@k " + str(k), "accuracy_at_k", str(k)) for k in KS]
    rows += [("MAP", "map", None)]
    names = list(methods)
    head = f"{'':10}"
    for m in names:
        head += f"  {m + ' sklearn':>18}"
        if ours and m in ours:
            head += f"  {'docsearch':>9}  {'diff':>7}"
    print(f"queries {methods['lsa-10']['queries']}")
    print(head)
    worst = 0.0
    for label, field, key in rows:
        line = f"{label:10}"
        for m in names:
            v = methods[m][field] if key is None else methods[m][field][key]
            line += f"  {v:18.4f}"
            if ours and m in ours:
                o = ours[m].get(field) if key is None else ours[m][field].get(key)
                line += f"  {o:9.4f}  {o - v:+7.4f}" if o is not None else f"  {'-':>9}  {'':7}"
                if o is not None:
                    worst = max(worst, abs(o - v))
        print(line)
    if ours:
        print(f"largest difference, docsearch - sklearn: {worst:.2g}")


if __name__ == "__main__":
    main()

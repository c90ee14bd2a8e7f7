#!/usr/bin/python3
"""The peer a Python user would pick for keyword search over the 20 Newsgroups
test posts: scikit-learn's TfidfVectorizer (sublinear tf, English stop words)
and a sparse dot product, top 10 by cosine. Queries are the posts' Subject
lines without "Re:", one at a time, as bench/search/run asks docsearch.
Prints one JSON object: p50 and p99 latency in ms and queries per second."""
import json, sys, tarfile, time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

archive = sys.argv[1]
n_queries = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
texts, subjects = [], []
with tarfile.open(archive) as tf:
    for m in tf:
        parts = m.name.split('/')
        if not m.isfile() or len(parts) != 3 or parts[0] != '20news-bydate-test':
            continue
        raw = tf.extractfile(m).read()
        try:
            t = raw.decode('utf-8')
        except UnicodeDecodeError:
            t = raw.decode('latin-1')
        texts.append(t)
        s = ''
        for line in t.split('\n'):
            if line.startswith('Subject:'):
                s = line[len('Subject:'):].strip()
                while s[:3].lower() == 're:':
                    s = s[3:].strip()
                break
        if s:
            subjects.append(s)
t0 = time.perf_counter()
vec = TfidfVectorizer(sublinear_tf=True, stop_words='english')
X = vec.fit_transform(texts)  # rows are unit length
XT = X.T.tocsr()
build = time.perf_counter() - t0
lat = []
start = time.perf_counter()
for i in range(n_queries):
    q = subjects[i % len(subjects)]
    a = time.perf_counter()
    s = (vec.transform([q]) @ XT).toarray().ravel()
    top = np.argpartition(-s, 10)[:10]
    top = top[np.argsort(-s[top], kind='stable')]
    lat.append(time.perf_counter() - a)
wall = time.perf_counter() - start
lat.sort()
print(json.dumps({"peer": "scikit-learn %s TfidfVectorizer + sparse dot" % __import__('sklearn').__version__,
                  "docs": len(texts), "queries": n_queries, "build_s": round(build, 2),
                  "p50_ms": round(1e3 * lat[len(lat) // 2], 3), "p99_ms": round(1e3 * lat[len(lat) * 99 // 100], 3),
                  "queries_per_s": round(n_queries / wall, 1)}))

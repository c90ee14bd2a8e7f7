#!/usr/bin/env bash
# Splits the 20 Newsgroups TRAINING posts into OUT/train80.jsonl (four
# fifths, by a hash of the id) and OUT/held20.jsonl (the rest): the
# held-out collection on which the hybrid ranking's recipe was chosen. The
# test split is never read.
#   bench/recipes/hybrid/split.sh [ARCHIVE] [OUT]   (default ../shared/data/..., /tmp/val)
set -euo pipefail
archive=${1:-$(cd "$(dirname "$0")/../../.." && pwd)/../shared/data/20news-bydate.tar.gz}
out=${2:-/tmp/val}
mkdir -p "$out"
python3 - "$archive" "$out" <<'PY'
import hashlib, json, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
tf = tarfile.open(src)
a = open(out + '/train80.jsonl', 'w')
b = open(out + '/held20.jsonl', 'w')
na = nb = 0
for m in tf:
    parts = m.name.split('/')
    if not m.isfile() or len(parts) != 3 or parts[0] != '20news-bydate-train':
        continue
    raw = tf.extractfile(m).read()
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        text = raw.decode('latin-1')
    label, docid = parts[1], parts[2]
    doc_id = label + '/' + docid
    rec = json.dumps({"id": doc_id, "label": label, "text": text}) + '\n'
    if int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 5 == 0:
        b.write(rec); nb += 1
    else:
        a.write(rec); na += 1
print(f"{na} training posts in {out}/train80.jsonl, {nb} held out in {out}/held20.jsonl")
PY

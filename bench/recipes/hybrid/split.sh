#!/usr/bin/env bash
# Splits the 20 Newsgroups TRAINING posts into OUT/train80.jsonl and
# OUT/held20.jsonl: four fifths and the rest, by a hash of the id, or with
# BY=date the latest fifth of each newsgroup by article number (Usenet
# numbers grow with time), which, like the test split, comes after the
# posts the model trains on. These are the held-out collections on which
# the hybrid ranking's recipe was chosen. The test split is never read.
#   [BY=date] bench/recipes/hybrid/split.sh [ARCHIVE] [OUT]   (default ../shared/data/..., /tmp/val)
set -euo pipefail
archive=${1:-$(cd "$(dirname "$0")/../../.." && pwd)/../shared/data/20news-bydate.tar.gz}
out=${2:-/tmp/val}
mkdir -p "$out"
python3 - "$archive" "$out" "${BY:-hash}" <<'PY'
import hashlib, json, sys, tarfile
src, out, by = sys.argv[1], sys.argv[2], sys.argv[3]
tf = tarfile.open(src)
posts = []
for m in tf:
    parts = m.name.split('/')
    if not m.isfile() or len(parts) != 3 or parts[0] != '20news-bydate-train':
        continue
    raw = tf.extractfile(m).read()
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        text = raw.decode('latin-1')
    posts.append((parts[1], parts[2], text))
held = set()
if by == 'date':
    groups = {}
    for label, docid, _ in posts:
        groups.setdefault(label, []).append(int(docid))
    for label, ids in groups.items():
        ids.sort()
        held.update((label, str(i)) for i in ids[len(ids) - len(ids) // 5:])
else:
    held = {(l, d) for l, d, _ in posts if int(hashlib.sha256((l + '/' + d).encode()).hexdigest(), 16) % 5 == 0}
a = open(out + '/train80.jsonl', 'w')
b = open(out + '/held20.jsonl', 'w')
na = nb = 0
for label, docid, text in posts:
    rec = json.dumps({"id": label + '/' + docid, "label": label, "text": text}) + '\n'
    if (label, docid) in held:
        b.write(rec); nb += 1
    else:
        a.write(rec); na += 1
print(f"{na} training posts in {out}/train80.jsonl, {nb} held out in {out}/held20.jsonl (by {by})")
PY

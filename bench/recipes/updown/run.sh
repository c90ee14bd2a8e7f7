#!/usr/bin/env bash
# bench/recipes/updown/run.sh: the DBN's up-down settings chosen as the
# paper chose them (Hinton, Osindero & Teh 2006, section 6): trained on
# 44,000 training images, judged on 10,000 others of the training set,
# never on the test set. The greedy stages are trained once (the first
# setting) and copied into each other setting's checkpoint folder, so only
# up-down runs again; each setting prints `docsearch mnist dbn --json`,
# whose test_error is the held-out error.
#
#   bench/recipes/updown/run.sh OUT [NAME:FLAGS ...]
#
# OUT holds the split, one checkpoint folder and one JSON file per setting.
# Without settings: the rate alone (0.01), momentum 0.5, momentum 0.9 at
# rate 0.001, weight decay 0.0002. DOCSEARCH (default: go run
# ./cmd/docsearch) is the binary; NICE (default 10) its niceness.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=${1:?usage: bench/recipes/updown/run.sh OUT [NAME:FLAGS ...]}
shift
settings=("$@")
if [ ${#settings[@]} -eq 0 ]; then
	settings=("base:" "m05:--updown-momentum 0.5" "m09:--updown-momentum 0.9 --updown-rate 0.001" "wd:--updown-weight-decay 0.0002")
fi
if [ -z "${DOCSEARCH:-}" ]; then
	go build -o "$out/docsearch" ./cmd/docsearch
	DOCSEARCH=$out/docsearch
fi
mkdir -p "$out"
[ -e "$out/split/t10k-labels-idx1-ubyte" ] || go run ./bench/recipes/heldout -train 44000 -held 10000 -out "$out/split"
first=
for s in "${settings[@]}"; do
	name=${s%%:*} flags=${s#*:}
	dir=$out/$name
	mkdir -p "$dir"
	if [ -n "$first" ]; then
		# A checkpoint folder's stages are used only under its own
		# settings file: let the run write it, stop it, then give it the
		# first setting's greedy stages (the same recipe and seeds).
		if [ ! -e "$dir/dbn.settings" ]; then
			# shellcheck disable=SC2086
			"$DOCSEARCH" mnist dbn --profile paper --data "$out/split" --checkpoint "$dir" --resume $flags > /dev/null 2>&1 &
			pid=$!
			while [ ! -e "$dir/dbn.settings" ] && kill -0 "$pid" 2> /dev/null; do sleep 1; done
			kill "$pid" 2> /dev/null || true
			wait "$pid" || true
		fi
		cp "$out/$first/dbn.rbm" "$out/$first/dbn.top" "$dir/"
	fi
	# shellcheck disable=SC2086 # flags are words
	nice -n "${NICE:-10}" "$DOCSEARCH" mnist dbn --profile paper --data "$out/split" \
		--checkpoint "$dir" --resume --json $flags > "$out/$name.json" 2> "$out/$name.log"
	echo "$name ($flags): $(cat "$out/$name.json")"
	first=${first:-$name}
done

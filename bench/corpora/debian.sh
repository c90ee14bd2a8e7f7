#!/usr/bin/env bash
# bench/corpora/debian.sh: a second labeled corpus, Debian's package
# descriptions labeled by section, as one deb822 file (default
# /tmp/debian-packages.txt) for `--corpus deb822:FILE`:
#
#   bench/corpora/debian.sh [OUT]         from this machine's apt lists, offline
#   bench/corpora/debian.sh --long [OUT]  with the long descriptions (downloads ~20 MB)
#
# Without --long the stanzas are `apt-cache dumpavail`: one per package
# available from the configured lists. Debian's container images set
# Acquire::Languages "none" (/etc/apt/apt.conf.d/docker-no-languages), and
# the Packages indices of the main archive carry only the one-line synopsis
# (the long descriptions are in the i18n Translation-en files), so each
# document is that one line. With --long, `apt-get update` fetches the
# current Packages and Translation-en files into a private folder
# ($DEBIAN_APT_DIR, default /tmp/debian-apt; the system's apt state is not
# touched) and each stanza's Description is replaced by the English long
# description with the same Package and Description-md5.
#
# Then, for example:
#   go run ./cmd/docsearch index --corpus deb822:/tmp/debian-packages.txt --index /tmp/ixdeb
set -euo pipefail

long=0
out=/tmp/debian-packages.txt
for a in "$@"; do
	case "$a" in
	--long) long=1 ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "debian.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	*) out=$a ;;
	esac
done

if [ "$long" = 0 ]; then
	apt-cache dumpavail >"$out.tmp"
	mv "$out.tmp" "$out"
else
	d=${DEBIAN_APT_DIR:-/tmp/debian-apt}
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	apt=(-o Acquire::Languages=en -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
	apt-get -q "${apt[@]}" update >&2
	shopt -s nullglob
	tr=("$d"/lists/*_i18n_Translation-en*)
	if [ ${#tr[@]} = 0 ]; then
		echo "debian.sh: apt-get update fetched no Translation-en file into $d/lists" >&2
		exit 1
	fi
	/usr/lib/apt/apt-helper cat-file "${tr[@]}" >"$d/translations.txt"
	apt-cache "${apt[@]}" dumpavail >"$d/packages.txt"
	# Paragraph mode: one record per stanza, one field per line.
	awk 'BEGIN { RS = ""; FS = "\n" }
	FNR == NR {
		pkg = ""; md5 = ""; desc = ""; in_desc = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^Package: /) { pkg = substr($i, 10); in_desc = 0 }
			else if ($i ~ /^Description-md5: /) { md5 = substr($i, 18); in_desc = 0 }
			else if ($i ~ /^Description-en: /) { desc = substr($i, 17); in_desc = 1 }
			else if (in_desc && $i ~ /^[ \t]/) desc = desc "\n" $i
			else in_desc = 0
		}
		if (pkg != "" && md5 != "") long[pkg SUBSEP md5] = desc
		next
	}
	{
		pkg = ""; md5 = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^Package: /) pkg = substr($i, 10)
			else if ($i ~ /^Description-md5: /) md5 = substr($i, 18)
		}
		key = pkg SUBSEP md5
		found = key in long
		merged += found
		skip = 0
		for (i = 1; i <= NF; i++) {
			if (skip && $i ~ /^[ \t]/) continue
			skip = 0
			if (found && $i ~ /^Description: /) { print "Description: " long[key]; skip = 1; continue }
			print $i
		}
		print ""
		n++
	}
	END { printf "debian.sh: %d of %d stanzas got a long description\n", merged, n > "/dev/stderr" }
	' "$d/translations.txt" "$d/packages.txt" >"$out.tmp"
	mv "$out.tmp" "$out"
fi
echo "debian.sh: wrote $out ($(grep -c '^Package:' "$out") stanzas)" >&2

#!/bin/sh
# store.sh: opening a big maildir: facteur list against neomutt (and mutt),
# side by side in one run, on generated maildirs of N messages.
#
#   bench/store.sh [N...]            default: 10000 100000
#
# Run it from the top of the tree after "make" and "make bench". For each N
# it generates a maildir (bench/gen_maildir, fixed seed), reads every file
# once so that the page cache is warm, then measures wall time and peak
# memory (GNU time) of:
#   facteur list DIR > /dev/null     no index cache, then a warm cache
#   bench/bench_store DIR            the store's open alone, same two ways
#   neomutt (and mutt if installed)  opening DIR and drawing the threaded
#                                    index, then quitting: empty header
#                                    cache, then a warm one
# Warm figures are the median of 3 runs. Nothing is written to the user's
# caches or configuration: everything lives in a temporary directory that
# is removed at the end.
#
# Environment:
#   BENCH_DIR   keep the generated maildirs in BENCH_DIR/md-N and reuse
#               them next time (a 100,000-message maildir is about 3.7 GB
#               and takes half a minute to make)
#   FACTEUR     the facteur binary (default: ./facteur)
#   SEED        gen_maildir's seed (default 1)
#
# Needs GNU time (/usr/bin/time, Debian package "time") and script(1) from
# util-linux; neomutt and mutt are optional (apt-get install neomutt mutt).

set -u

top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd) || exit 1
facteur=${FACTEUR:-$top/facteur}
gen=$top/bench/gen_maildir
bstore=$top/bench/bench_store
seed=${SEED:-1}
sizes=${*:-10000 100000}
TIME=/usr/bin/time
RUNS=3

die() {
	echo "store.sh: $*" >&2
	exit 1
}

note() {
	echo "$*" >&2
}

for f in "$facteur" "$gen" "$bstore"; do
	[ -x "$f" ] || die "$f is missing: run make and make bench first"
done
for n in $sizes; do
	case $n in
	''|*[!0-9]*) die "$n: not a number of messages" ;;
	esac
done
if ! "$TIME" -f '%e %M' -o /dev/null true 2>/dev/null; then
	die "GNU time is needed as $TIME: install the time package" \
	    "(apt-get install time)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/facteur-bench.XXXXXX") ||
    die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$tmp/config" || exit 1

# The same locale and terminal for every program; no user configuration.
if locale -a 2>/dev/null | grep -qi '^c\.utf-*8$'; then
	LC_ALL=C.UTF-8
	export LC_ALL
fi
TERM=xterm LINES=50 COLUMNS=200 XDG_CONFIG_HOME=$tmp/config
export TERM LINES COLUMNS XDG_CONFIG_HOME

have_script=no
if script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	have_script=yes
fi

# Nanoseconds since the epoch when date(1) has %N (GNU), for timings
# finer than GNU time's hundredths; empty otherwise.
ns() {
	case $(date +%N) in
	*[!0-9]*|'') ;;
	*) date +%s%N ;;
	esac
}

# timed CMD...: run CMD under GNU time; sets secs (wall) and mib (peak
# resident), returns CMD's status. CMD's output goes where the caller
# sends it.
timed() {
	t0=$(ns)
	"$TIME" -f '%e %M' -o "$tmp/time" "$@"
	status=$?
	t1=$(ns)
	last=$(tail -n 1 "$tmp/time")
	secs=${last%% *}
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		secs=$(awk -v a="$t0" -v b="$t1" \
		    'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	fi
	mib=$(awk -v k="${last##* }" 'BEGIN { printf "%.1f", k / 1024 }')
	return $status
}

# median: the middle of the numbers on standard input.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# row N TOOL MODE SECONDS MIB: one line of the final table.
row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$tmp/table"
	if [ "$5" = - ]; then
		note "  $2, $3: $4 s"
	else
		note "  $2, $3: $4 s, $5 MiB"
	fi
}

# ---- facteur list ----
bench_facteur() {
	n=$1 md=$2 xdg=$tmp/xdg-$n
	mkdir -p "$xdg"
	if ! timed env XDG_CACHE_HOME="$xdg" "$facteur" list "$md" \
	    > /dev/null 2> "$tmp/err"; then
		note "  facteur list failed: $(head -n 3 "$tmp/err")"
		row "$n" "facteur list" "FAILED" - -
		return
	fi
	row "$n" "facteur list" "no cache" "$secs" "$mib"
	: > "$tmp/runs"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		timed env XDG_CACHE_HOME="$xdg" "$facteur" list "$md" > /dev/null
		echo "$secs $mib" >> "$tmp/runs"
		i=$((i + 1))
	done
	row "$n" "facteur list" "warm cache" \
	    "$(cut -d' ' -f1 "$tmp/runs" | median)" \
	    "$(cut -d' ' -f2 "$tmp/runs" | median)"
	[ -n "$(ls -A "$xdg" 2>/dev/null)" ] ||
	    note "  note: facteur list left no cache in \$XDG_CACHE_HOME"
	lines=$(env XDG_CACHE_HOME="$xdg" "$facteur" list "$md" | wc -l)
	[ "$lines" -eq "$n" ] ||
	    note "  note: facteur list printed $lines lines for $n messages"
}

# ---- bench_store: the store's open alone ----
# store_run ARGS...: sets open_s, view_s, peak (MiB) and used (yes/no).
store_run() {
	"$bstore" "$@" > "$tmp/bs" 2>&1 || {
		note "  bench_store failed: $(head -n 3 "$tmp/bs")"
		return 1
	}
	open_s=$(awk '$1 == "open" { print $2 }' "$tmp/bs")
	view_s=$(awk '$1 == "view" { print $2 }' "$tmp/bs")
	peak=$(awk '$1 == "peak_rss" { print $2 }' "$tmp/bs")
	used=$(awk '$1 == "open" { for (i = 1; i < NF; i++)
	    if ($i == "cache_used") print $(i + 1) }' "$tmp/bs")
}

bench_store() {
	n=$1 md=$2 cache=$tmp/store-cache-$n
	mkdir -p "$cache"
	store_run "$md" || return
	row "$n" "bench_store" "open, no cache" "$open_s" "$peak"
	row "$n" "bench_store" "threads view" "$view_s" "-"
	store_run -c "$cache" "$md" || return
	row "$n" "bench_store" "open, makes cache" "$open_s" "$peak"
	: > "$tmp/runs"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		store_run -c "$cache" "$md" || return
		echo "$open_s $peak $view_s" >> "$tmp/runs"
		[ "$used" = yes ] ||
		    note "  note: bench_store -c did not use its cache"
		i=$((i + 1))
	done
	row "$n" "bench_store" "open, warm cache" \
	    "$(cut -d' ' -f1 "$tmp/runs" | median)" \
	    "$(cut -d' ' -f2 "$tmp/runs" | median)"
}

# ---- neomutt and mutt ----
# mutt_run PROG MUTTRC DIR: open DIR in a 200x50 pseudo-terminal
# (script(1)), draw the index, quit. The screen goes to $tmp/screen.
mutt_run() {
	cmd="stty rows 50 cols 200 2>/dev/null; \
exec $1 -n -R -F '$2' -f '$3' -e 'push <quit>'"
	timed timeout 1200 script -qec "$cmd" /dev/null < /dev/null \
	    > "$tmp/screen" 2>&1
}

bench_mutt() {
	prog=$1 n=$2 md=$3 hc=$tmp/hcache-$1-$2 rc=$tmp/muttrc-$1
	if ! command -v "$prog" > /dev/null 2>&1; then
		note "  $prog is not installed: skipped (apt-get install $prog)"
		return
	fi
	if [ "$have_script" = no ]; then
		note "  script(1) from util-linux is missing: $prog skipped"
		return
	fi
	mkdir -p "$hc" "$tmp/mail"
	# read-only (-R, mark_old unset): the maildir stays as it is.
	cat > "$rc" <<EOF
set header_cache="$hc/"
set quit=yes
set sort=threads
set mbox_type=Maildir
set check_new=no
unset mark_old
set mail_check_stats=no
set beep=no
set sleep_time=0
set folder="$tmp/mail"
set record=""
set postponed="$tmp/mail/postponed"
set tmpdir="$tmp"
EOF
	if ! mutt_run "$prog" "$rc" "$md"; then
		note "  $prog failed or hung: $(tail -c 300 "$tmp/screen")"
		row "$n" "$prog" "FAILED" - -
		return
	fi
	# Once: did it really open the folder and draw the index?
	if grep -q "Msgs:$n" "$tmp/screen" &&
	    grep -Eq 'Re: |\[dev\]|\[users\]|report|Meeting|Budget' \
	    "$tmp/screen"; then
		note "  $prog drew the index of $n messages (checked)"
	else
		note "  warning: no index of $n messages seen on $prog's screen"
	fi
	row "$n" "$prog" "no cache" "$secs" "$mib"
	: > "$tmp/runs"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		mutt_run "$prog" "$rc" "$md"
		echo "$secs $mib" >> "$tmp/runs"
		i=$((i + 1))
	done
	row "$n" "$prog" "warm cache" \
	    "$(cut -d' ' -f1 "$tmp/runs" | median)" \
	    "$(cut -d' ' -f2 "$tmp/runs" | median)"
}

# ---- the run ----
: > "$tmp/table"
for n in $sizes; do
	if [ -n "${BENCH_DIR:-}" ]; then
		md=$BENCH_DIR/md-$n
	else
		md=$tmp/md-$n
	fi
	if [ -d "$md/cur" ] && [ -d "$md/new" ]; then
		note "$n: reusing $md"
	else
		note "$n: generating $md"
		mkdir -p "$(dirname -- "$md")" || exit 1
		"$gen" -s "$seed" "$n" "$md" >&2 || die "gen_maildir failed"
	fi
	note "$n: reading every file once (page cache)"
	find "$md/cur" "$md/new" -type f -exec cat {} + > /dev/null
	bench_facteur "$n" "$md"
	bench_store "$n" "$md"
	bench_mutt neomutt "$n" "$md"
	bench_mutt mutt "$n" "$md"
	[ -n "${BENCH_DIR:-}" ] || rm -rf "$md"
	rm -rf "$tmp/xdg-$n" "$tmp/store-cache-$n" "$tmp"/hcache-*-"$n"
done

echo
awk -F '\t' '
BEGIN {
	printf "%9s  %-13s %-17s %9s %9s\n", "N", "tool", "mode", "seconds",
	    "peak MiB"
}
{
	printf "%9s  %-13s %-17s %9s %9s\n", $1, $2, $3, $4, $5
	if ($3 == "warm cache") {
		ws[$1, $2] = $4
		wm[$1, $2] = $5
	}
	if (!($1 in seen)) {
		seen[$1] = 1
		order[++nn] = $1
	}
}
END {
	for (i = 1; i <= nn; i++) {
		n = order[i]
		fk = n SUBSEP "facteur list"
		for (t = 1; t <= 2; t++) {
			p = t == 1 ? "neomutt" : "mutt"
			k = n SUBSEP p
			if (!(k in ws) || !(fk in ws))
				continue
			if (ws[fk] > 0)
				r = sprintf("%.1fx", ws[k] / ws[fk])
			else
				r = "(facteur: 0 s)"
			printf "%9s  %s-warm / facteur-warm: %s time, %.1fx " \
			    "peak memory\n", n, p, r, wm[k] / wm[fk]
		}
	}
}' "$tmp/table"

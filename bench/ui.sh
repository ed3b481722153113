#!/bin/sh
# ui.sh: the interface on a big maildir, side by side with neomutt, both
# driven in tmux as a user would:
#   start     from launching the program to its threaded index of N
#             messages on the screen (warm caches: facteur's index cache,
#             neomutt's header cache), median of 3
#   page      from sending PageDown to the next page on the screen, 100
#             times through the index: median, 95th percentile, worst
#
#   bench/ui.sh [N]                  default: 100000
#
# Run it from the top of the tree after "make" and "make bench". The
# maildir is generated (bench/gen_maildir, fixed seed) and opened
# read-only by both programs (facteur without a configuration reads $MAIL
# read-only; neomutt with -R), so runs do not change it. The times include
# tmux's capture-pane polling (a few milliseconds per look, the same for
# both programs). Everything lives in a temporary directory removed at the
# end.
#
# Environment:
#   BENCH_DIR   keep the maildir in BENCH_DIR/md-N and reuse it
#   FACTEUR     the facteur binary (default: ./facteur)
#   SEED        gen_maildir's seed (default 1)
#
# Needs tmux; neomutt is optional (apt-get install neomutt).

set -u

top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd) || exit 1
facteur=${FACTEUR:-$top/facteur}
gen=$top/bench/gen_maildir
seed=${SEED:-1}
n=${1:-100000}
RUNS=3
PAGES=100
W=200
H=50

die() {
	echo "ui.sh: $*" >&2
	exit 1
}

note() {
	echo "$*" >&2
}

for f in "$facteur" "$gen"; do
	[ -x "$f" ] || die "$f is missing: run make and make bench first"
done
case $n in
''|*[!0-9]*) die "$n: not a number of messages" ;;
esac
command -v tmux > /dev/null 2>&1 || die "tmux is needed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/facteur-ui-bench.XXXXXX") || exit 1
sock=facteur-bench-$$
T="tmux -L $sock -f /dev/null"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

screen() {
	$T capture-pane -p -t b 2>/dev/null
}

# wait_for TEXT SECONDS: poll the screen until it shows TEXT.
wait_for() {
	end=$(($(now_ms) + $2 * 1000))
	while :; do
		if screen | grep -qF -- "$1"; then
			return 0
		fi
		[ "$(now_ms)" -gt "$end" ] && return 1
		sleep 0.005
	done
}

# start NAME READY-TEXT CMD: the time (ms) from launch to READY-TEXT.
start() {
	t0=$(now_ms)
	$T new-session -d -s b -x "$W" -y "$H" "$3" || die "tmux failed"
	if ! wait_for "$2" 600; then
		note "  $1: \"$2\" never appeared; the screen:"
		screen | tail -5 >&2
		return 1
	fi
	echo $(($(now_ms) - t0))
}

stop() {
	$T send-keys -t b "$1"
	sleep 0.3
	$T kill-server 2>/dev/null
	sleep 0.2
}

# pages KEY ROW: PAGES times, KEY then wait until screen row ROW changes;
# prints one latency (ms) per line.
pages() {
	i=0
	while [ "$i" -lt "$PAGES" ]; do
		before=$(screen | sed -n "${2}p")
		t0=$(now_ms)
		$T send-keys -t b "$1"
		while :; do
			cur=$(screen | sed -n "${2}p")
			[ "$cur" != "$before" ] && break
			[ $(($(now_ms) - t0)) -gt 5000 ] && break
		done
		echo $(($(now_ms) - t0))
		i=$((i + 1))
	done
}

report() {
	sort -n "$2" | awk -v name="$1" '
	    { v[NR] = $1 }
	    END { printf "%-10s page  median %4d ms   p95 %4d ms   worst %4d ms\n",
		name, v[int((NR + 1) / 2)], v[int(NR * 0.95)], v[NR] }'
}

# ---- the maildir ----
if [ -n "${BENCH_DIR:-}" ]; then
	md=$BENCH_DIR/md-$n
else
	md=$tmp/md-$n
fi
if [ -d "$md/cur" ] && [ -d "$md/new" ]; then
	note "reusing $md"
else
	note "generating $md ($n messages)"
	mkdir -p "$(dirname -- "$md")" || exit 1
	"$gen" -s "$seed" "$n" "$md" >&2 || die "gen_maildir failed"
fi
note "reading every file once (page cache)"
find "$md/cur" "$md/new" -type f -exec cat {} + > /dev/null

# ---- facteur: no configuration, $MAIL read-only ----
fcmd="env HOME=$tmp FACTEUR_CONFIG=$tmp/none XDG_CACHE_HOME=$tmp/cache \
MAIL=$md LANG=C.UTF-8 $facteur"
note "facteur: first start (makes the index cache)"
start facteur "[$n messages" "$fcmd" > /dev/null || exit 1
stop q
: > "$tmp/f-start"
i=0
while [ "$i" -lt "$RUNS" ]; do
	start facteur "[$n messages" "$fcmd" >> "$tmp/f-start" || exit 1
	if [ "$i" -lt $((RUNS - 1)) ]; then
		stop q
	fi
	i=$((i + 1))
done
# From the first message, a page at a time.
$T send-keys -t b Home
sleep 0.3
pages PageDown 2 > "$tmp/f-pages"
stop q
f_start=$(median < "$tmp/f-start")

# ---- neomutt, read-only, header cache ----
n_start=
if command -v neomutt > /dev/null 2>&1; then
	mkdir -p "$tmp/hcache" "$tmp/mail"
	cat > "$tmp/muttrc" <<EOF
set header_cache="$tmp/hcache/"
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
	ncmd="env HOME=$tmp LANG=C.UTF-8 neomutt -n -R -F $tmp/muttrc -f $md"
	note "neomutt: first start (makes the header cache)"
	start neomutt "Msgs:$n" "$ncmd" > /dev/null || exit 1
	stop q
	: > "$tmp/n-start"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		start neomutt "Msgs:$n" "$ncmd" >> "$tmp/n-start" || exit 1
		if [ "$i" -lt $((RUNS - 1)) ]; then
			stop q
		fi
		i=$((i + 1))
	done
	$T send-keys -t b Home
	sleep 0.3
	pages PageDown 3 > "$tmp/n-pages"
	stop q
	n_start=$(median < "$tmp/n-start")
else
	note "neomutt is not installed: only facteur is measured"
fi

echo
echo "$n messages, threaded, ${W}x$H terminal, warm caches"
printf "%-10s start %6d ms to the drawn index (median of %d)\n" facteur \
    "$f_start" "$RUNS"
[ -n "$n_start" ] && printf "%-10s start %6d ms to the drawn index (median of %d)\n" \
    neomutt "$n_start" "$RUNS"
report facteur "$tmp/f-pages"
[ -n "$n_start" ] && report neomutt "$tmp/n-pages"
exit 0

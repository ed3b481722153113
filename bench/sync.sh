#!/bin/sh
# sync.sh: facteur sync against mbsync, side by side in one run, on a
# local Dovecot (tests/servers/) holding N generated messages.
#
#   bench/sync.sh [N...]             default: 10000 100000
#   BENCH_STORE_ROOT=DIR bench/sync.sh   the stores under DIR, not
#                                        /var/tmp
#   BENCH_FS=fresh bench/sync.sh     each initial sync into a new ext4
#                                    file system (mkfs.ext4 defaults, a
#                                    loop-mounted image under the store
#                                    root); BENCH_FS=dir: in a directory
#                                    of the store root's file system.
#                                    Default: fresh where it can mount.
#
# Run it as root from the top of the tree after "make" and "make bench"
# (it starts the test servers: see tests/servers/README.md). For each N it
# fills bob's INBOX on the test Dovecot with bench/gen_maildir's messages
# (fixed seed), lets Dovecot index them, then measures wall time and peak
# memory (GNU time) of:
#   facteur sync    into an empty store (the initial sync), then again
#                   with nothing changed (the no-change resync; the
#                   median of three runs)
#   mbsync -a       the same two runs into an empty maildir, over the
#                   same IMAPS port
# Both verify the server's certificate with the test CA and fsync what
# they store. Everything lives in a temporary directory removed at the end.
#
# Needs GNU time (/usr/bin/time) and mbsync (Debian package "isync").

set -u
cd "$(dirname "$0")/.." || exit 1
FACTEUR=${FACTEUR:-./facteur}
SIZES=${*:-10000 100000}

for need in /usr/bin/time bench/gen_maildir "$FACTEUR"; do
	if [ ! -x "$need" ]; then
		echo "sync.sh: $need missing (make && make bench; apt-get" \
		    "install time)" >&2
		exit 1
	fi
done
HAVE_MBSYNC=yes
command -v mbsync >/dev/null 2>&1 || {
	echo "sync.sh: mbsync not installed (apt-get install isync):" \
	    "measuring facteur alone" >&2
	HAVE_MBSYNC=no
}

D=$(mktemp -d /tmp/fsb.XXXXXX) || exit 1
# The two tools' stores, away from /tmp (see settle below).
S=$(mktemp -d "${BENCH_STORE_ROOT:-/var/tmp}/fsb-store.XXXXXX") || exit 1
cleanup() {
	tests/servers/stop.sh "$D" >/dev/null 2>&1
	for m in "$S"/f-* "$S"/m-*; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	rm -rf "$D" "$S"
}
trap cleanup EXIT INT TERM
tests/servers/start.sh "$D" >/dev/null || {
	echo "sync.sh: the test servers did not start" >&2
	exit 1
}
. "$D/env.sh"
USER2=$MAILTEST_USER2
PASS2=$MAILTEST_PASS2

# seconds and peak MiB of a command: "S M"
measure() {
	/usr/bin/time -f '%e %M %U %S' -o "$D/time" "$@" >"$D/out" 2>"$D/err" || {
		echo "sync.sh: failed: $*" >&2
		cat "$D/err" >&2
		return 1
	}
	awk '{ printf "%.3f %.1f %.2f\n", $1, $2 / 1024, $3 + $4 }' "$D/time"
}

# The run of median wall time of three (a no-change sync is short
# enough for one scheduling hiccup to double it).
median3() {
	for i in 1 2 3; do
		measure "$@" || return 1
	done | sort -n | sed -n 2p
}

# ext4 without a journal (this machine's) avoids reusing an inode freed
# in the last minute (six while its inode table block is dirty): each
# file created near such inodes scans past every one of them. Where many
# files come and go (/tmp here, with the test suites and this script's
# own servers), creating a file took 20 times longer (550 us, not 27 us)
# and was most of both tools' time. The stores live elsewhere
# (BENCH_STORE_ROOT, default /var/tmp), and both tools start their
# initial sync after the deletions before it have aged.
settle() {
	sync
	sleep 65
}

# A new, empty ext4 (what a user's disk looks like to a first sync: no
# churn, a journal) for each tool's store, so that neither pays for the
# other's or the servers' deleted files: make_store DIR MIB.
fresh_works() {
	[ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null 2>&1 &&
	    command -v mountpoint >/dev/null 2>&1 || return 1
	mkdir -p "$S/probe" && truncate -s 64M "$S/probe.img" &&
	    mkfs.ext4 -q -F "$S/probe.img" >/dev/null 2>&1 &&
	    mount -o loop "$S/probe.img" "$S/probe" 2>/dev/null || {
		rm -rf "$S/probe" "$S/probe.img"
		return 1
	}
	umount "$S/probe"
	rm -rf "$S/probe" "$S/probe.img"
}
BENCH_FS=${BENCH_FS:-auto}
if [ "$BENCH_FS" = auto ]; then
	if fresh_works; then BENCH_FS=fresh; else BENCH_FS=dir; fi
fi
echo "sync.sh: stores in $S ($BENCH_FS)" >&2
make_store() {
	mkdir -p "$1"
	if [ "$BENCH_FS" = fresh ]; then
		truncate -s "${2}M" "$1.img" &&
		    mkfs.ext4 -q -F "$1.img" >/dev/null 2>&1 &&
		    mount -o loop "$1.img" "$1" || {
			echo "sync.sh: could not make a file system in" \
			    "$1.img" >&2
			exit 1
		}
	fi
	mkdir -p "$1/mail"
}
drop_store() {
	mountpoint -q "$1" 2>/dev/null && umount "$1"
	rm -rf "$1" "$1.img"
}

RESULTS=$D/results
: >"$RESULTS"

for N in $SIZES; do
	echo "$N: filling the server's INBOX" >&2
	box=$MAILTEST_MAILDIR2
	# A first login makes the maildir and the special folders.
	doveadm -c "$MAILTEST_DOVECOT_CONF" mailbox status -u "$USER2" \
	    messages INBOX >/dev/null 2>&1
	# The INBOX's messages replaced, Dovecot's own files for it dropped
	# (it rebuilds them); its other folders left alone.
	rm -rf "$box/cur" "$box/new" "$box/tmp" "$box"/dovecot-uidlist \
	    "$box"/dovecot.index* "$box"/dovecot-keywords
	bench/gen_maildir "$N" "$D/gen" >/dev/null
	mv "$D/gen/cur" "$D/gen/new" "$D/gen/tmp" "$box/"
	rm -rf "$D/gen"
	chown -R --reference="$box" "$box/cur" "$box/new" "$box/tmp"
	doveadm -c "$MAILTEST_DOVECOT_CONF" force-resync -u "$USER2" INBOX \
	    >/dev/null 2>&1
	doveadm -c "$MAILTEST_DOVECOT_CONF" index -u "$USER2" INBOX \
	    >/dev/null 2>&1
	settle
	# Room for the messages (about 37 KB each) and the file system.
	mib=$((N / 20 + 512))
	make_store "$S/f-$N" "$mib"

	cat >"$D/facteur.conf" <<EOF
[general]
mail-root = $S/f-$N/mail
[account bob]
address = Bob <$USER2>
incoming = imaps://bob%40$MAILTEST_DOMAIN@$MAILTEST_TLS_SERVERNAME:$MAILTEST_IMAPS_PORT
password = $PASS2
tls-ca-file = $MAILTEST_CA_FILE
EOF
	chmod 600 "$D/facteur.conf"
	r=$(HOME=$D XDG_CACHE_HOME=$D/cache measure "$FACTEUR" sync \
	    -F "$D/facteur.conf") && echo "$N facteur initial $r" >>"$RESULTS"
	r=$(HOME=$D XDG_CACHE_HOME=$D/cache median3 "$FACTEUR" sync \
	    -F "$D/facteur.conf") && echo "$N facteur resync $r" >>"$RESULTS"
	got=$(find "$S/f-$N/mail/bob/INBOX/cur" "$S/f-$N/mail/bob/INBOX/new" -type f |
	    wc -l)
	echo "  facteur stored $got messages" >&2

	if [ "$HAVE_MBSYNC" = yes ]; then
		make_store "$S/m-$N" "$mib"
		cat >"$D/mbsyncrc" <<EOF
IMAPAccount bob
Host $MAILTEST_TLS_SERVERNAME
Port $MAILTEST_IMAPS_PORT
User $USER2
Pass $PASS2
SSLType IMAPS
CertificateFile $MAILTEST_CA_FILE

IMAPStore bob-remote
Account bob

MaildirStore bob-local
Path $S/m-$N/mail/
Inbox $S/m-$N/mail/INBOX
SubFolders Verbatim

Channel bob
Far :bob-remote:
Near :bob-local:
Patterns *
Create Near
SyncState *
EOF
		settle
		r=$(HOME=$D measure mbsync -c "$D/mbsyncrc" -a) &&
		    echo "$N mbsync initial $r" >>"$RESULTS"
		r=$(HOME=$D median3 mbsync -c "$D/mbsyncrc" -a) &&
		    echo "$N mbsync resync $r" >>"$RESULTS"
		got=$(find "$S/m-$N/mail/INBOX/cur" "$S/m-$N/mail/INBOX/new" -type f |
		    wc -l)
		echo "  mbsync stored $got messages" >&2
	fi
	drop_store "$S/f-$N"
	drop_store "$S/m-$N"
	rm -rf "$D/cache"
done

printf '%10s  %-8s %-8s %10s %9s %8s\n' N tool run seconds "peak MiB" "cpu s"
awk '{ printf "%10s  %-8s %-8s %10s %9s %8s\n", $1, $2, $3, $4, $5, $6 }' \
    "$RESULTS"
awk '
	{ t[$1 " " $2 " " $3] = $4; n[$1] = 1 }
	END {
		for (k in n) {
			fi = t[k " facteur initial"]; mi = t[k " mbsync initial"]
			fr = t[k " facteur resync"]; mr = t[k " mbsync resync"]
			if (fi > 0 && mi > 0)
				printf "%10s  initial: mbsync / facteur = %.1fx\n",
				    k, mi / fi
			if (fr > 0 && mr > 0)
				printf "%10s  resync:  mbsync / facteur = %.1fx\n",
				    k, mr / fr
		}
	}' "$RESULTS"

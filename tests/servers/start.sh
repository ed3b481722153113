#!/usr/bin/env bash
# start.sh DIR -- start throwaway mail servers for facteur's tests; all state in DIR.
#
#   Dovecot 2.3: IMAP (STARTTLS), IMAPS, POP3 (STLS), POP3S, LMTP on a unix
#                socket, a SASL auth socket for Postfix
#   Postfix 3.7: submission (STARTTLS and AUTH required), submissions/SMTPS
#                (implicit TLS, AUTH required); delivers to Dovecot over LMTP
#
# Everything listens on 127.0.0.1 only, on free ports picked at random in
# 20000-60000 (outside the kernel's ephemeral port range when possible). TLS
# uses a certificate for localhost / 127.0.0.1 from a throwaway CA made here.
# Users (passwd-file, no system users): alice@example.test / alice-Secret-1,
# bob@example.test / bob-Secret-2.
#
# Writes DIR/env.sh (the MAILTEST_* variables for the tests, see below) and
# prints it, followed by a timing line. Stop with:  stop.sh DIR
# Restarting an existing DIR (stop.sh DIR; start.sh DIR) keeps the CA, the mail
# and, if they are still free, the ports.
#
# Needs root ("postfix: fatal: the postfix command is reserved for the
# superuser") and the Debian packages dovecot-imapd dovecot-pop3d
# dovecot-lmtpd postfix openssl. Nothing outside DIR is changed: no /etc
# files, no system users, no systemd. DIR must be at most 60 characters and
# every parent directory must be world-searchable: use mktemp -d /tmp/mailtest.XXXXXX
#
# Optional environment:
#   MAILTEST_IMAP_PORT MAILTEST_IMAPS_PORT MAILTEST_POP3_PORT MAILTEST_POP3S_PORT
#   MAILTEST_SUBMISSION_PORT MAILTEST_SMTPS_PORT
#                        use this port instead of a random one (start.sh fails
#                        if it is in use). Note that env.sh exports them: to
#                        start a second instance from inside a test, unset them.
#   MAILTEST_PORT_RANGE  LO-HI range for random ports (default 20000-60000)
#   MAILTEST_DOMAIN MAILTEST_PASS1 MAILTEST_PASS2 MAILTEST_SIZE_LIMIT
#   MAILTEST_VMAIL_USER  owner of the server-side maildirs (default mail, uid 8)
#   MAILTEST_DEBUG=yes   Dovecot auth/mail/TLS debug lines in DIR/log/dovecot.log
#
# Logs: DIR/log/dovecot.log, DIR/log/postfix.log (and *-start.log: the daemons'
# own stdout/stderr).
set -Eeuo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
TPL=$HERE/templates
DOVECOT=/usr/sbin/dovecot
POSTFIX=/usr/sbin/postfix
HOST=127.0.0.1
MAX_ATTEMPTS=5          # start attempts per daemon when a random port was taken meanwhile
READY_TIMEOUT_MS=10000  # per listener

die() { echo "start.sh: $*" >&2; exit 1; }
note() { echo "start.sh: $*" >&2; }

if [ $# -ne 1 ] || [ -z "$1" ]; then echo "usage: $0 DIR" >&2; exit 2; fi
[ "$(id -u)" -eq 0 ] ||
    die "must run as root (postfix: \"the postfix command is reserved for the superuser\")"
for f in "$DOVECOT" "$POSTFIX" /usr/lib/postfix/sbin/master \
         /usr/lib/dovecot/imap /usr/lib/dovecot/pop3 /usr/lib/dovecot/lmtp; do
    [ -x "$f" ] || die "missing $f (apt-get install dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix)"
done
for c in openssl setpriv timeout cksum; do
    command -v "$c" >/dev/null || die "missing command $c (apt-get install openssl util-linux coreutils)"
done

T0=$(mt_now_ms)
TIMES=
phase() { TIMES+=" $1=$(mt_secs $(( $(mt_now_ms) - T0 )))"; }

# ---- instance directory and settings ----
mkdir -p -- "$1"
DIR=$(cd -- "$1" && pwd -P)
# DIR is pasted into config files with sed and must not need quoting there.
case $DIR in *[!A-Za-z0-9/._-]*) die "DIR may contain only [A-Za-z0-9/._-]: $DIR";; esac
# Unix socket paths are limited to 107 bytes and Dovecot's deepest one is
# DIR/run/dovecot/token-login/imap-urlauth, i.e. DIR + 40 (TESTING.md 5.9).
[ ${#DIR} -le 60 ] ||
    die "DIR is ${#DIR} characters long, at most 60 allowed (unix socket paths); use mktemp -d /tmp/mailtest.XXXXXX"

DOMAIN=${MAILTEST_DOMAIN:-example.test}
[[ $DOMAIN =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "bad MAILTEST_DOMAIN: $DOMAIN"
USER1=alice@$DOMAIN
PASS1=${MAILTEST_PASS1:-alice-Secret-1}
USER2=bob@$DOMAIN
PASS2=${MAILTEST_PASS2:-bob-Secret-2}
for p in "$PASS1" "$PASS2"; do
    # passwd-file fields are separated by ':'.
    case $p in ''|*:*|*$'\n'*) die "passwords must be non-empty, without ':' or newline";; esac
done
SIZE_LIMIT=${MAILTEST_SIZE_LIMIT:-10485760}
[[ $SIZE_LIMIT =~ ^[1-9][0-9]*$ ]] || die "bad MAILTEST_SIZE_LIMIT: $SIZE_LIMIT"
DEBUG=${MAILTEST_DEBUG:-no}
case $DEBUG in yes|no) ;; *) die "MAILTEST_DEBUG must be yes or no";; esac
VMAIL_USER=${MAILTEST_VMAIL_USER:-mail}
VMAIL_UID=$(id -u "$VMAIL_USER" 2>/dev/null) || die "no such user: $VMAIL_USER"
VMAIL_GID=$(id -g "$VMAIL_USER")
[ "$VMAIL_UID" -ne 0 ] || die "MAILTEST_VMAIL_USER must not be root (Dovecot refuses uid 0 for mail access)"
# Dovecot process titles become "dovecot-$INSTANCE/..."; stop.sh relies on it.
INSTANCE=$(mt_instance "$DIR")

if pid=$(mt_dovecot_pid "$DIR"); then die "Dovecot $pid already runs for $DIR (stop.sh $DIR first)"; fi
if pid=$(mt_postfix_pid "$DIR"); then die "Postfix $pid already runs for $DIR (stop.sh $DIR first)"; fi

# ---- ports ----
PORT_NAMES=(IMAP IMAPS POP3 POP3S SUBMISSION SMTPS)
declare -A PORT=() FIXED=() PREV=() USED=()
for n in "${PORT_NAMES[@]}"; do
    var=MAILTEST_${n}_PORT
    v=${!var:-}
    [ -n "$v" ] || continue
    [[ $v =~ ^[1-9][0-9]*$ ]] || die "$var=$v is not a port number"
    (( v <= 65535 )) || die "$var=$v is not a port number"
    [ -z "${USED[$v]:-}" ] || die "port $v is given twice in MAILTEST_*_PORT"
    FIXED[$n]=$v
    USED[$v]=1
done
# Fail early (before anything is started) if a fixed port is taken.
for n in "${!FIXED[@]}"; do
    ! mt_port_busy "$HOST" "${FIXED[$n]}" ||
        die "port ${FIXED[$n]} (MAILTEST_${n}_PORT) is in use. If it comes from another instance's env.sh, unset the MAILTEST_*_PORT variables to get free ports"
done
# A restart of the same DIR keeps the previous ports when they are free, so a
# test can stop and restart "its" server and reconnect to the same port.
if [ -f "$DIR/env.sh" ]; then
    while IFS= read -r line; do
        if [[ $line =~ ^export\ MAILTEST_([A-Z0-9]+)_PORT=([0-9]+)$ ]]; then
            PREV[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
        fi
    done < "$DIR/env.sh"
fi
# No env.sh unless this start succeeds.
rm -f "$DIR/env.sh" "$DIR/env.sh.tmp"

range=${MAILTEST_PORT_RANGE:-20000-60000}
[[ $range =~ ^([1-9][0-9]*)-([1-9][0-9]*)$ ]] || die "bad MAILTEST_PORT_RANGE: $range (want LO-HI)"
RANGE_LO=${BASH_REMATCH[1]} RANGE_HI=${BASH_REMATCH[2]}
(( RANGE_LO >= 1024 && RANGE_HI <= 65535 && RANGE_HI - RANGE_LO >= 100 )) ||
    die "bad MAILTEST_PORT_RANGE: $range (need 1024 <= LO, LO + 100 <= HI <= 65535)"
# Stay out of the ephemeral range the kernel takes client ports from (Debian:
# 32768-60999), where a port that is free now may become the local end of
# some outgoing connection a moment later. Only if that leaves enough room.
EPH_LO=1 EPH_HI=0
read -r EPH_LO EPH_HI 2>/dev/null < /proc/sys/net/ipv4/ip_local_port_range || true
outside=$(( RANGE_HI - RANGE_LO + 1 ))
if (( EPH_LO <= RANGE_HI && EPH_HI >= RANGE_LO )); then
    outside=$(( outside - ( (EPH_HI < RANGE_HI ? EPH_HI : RANGE_HI) - (EPH_LO > RANGE_LO ? EPH_LO : RANGE_LO) + 1 ) ))
fi
AVOID_EPH=0
(( outside < 1000 )) || AVOID_EPH=1

# pick_port NAME ATTEMPT -- set PORT[NAME]: the fixed port, or on the first
# attempt the previous one of this DIR if free, or a random free one. Ports
# tried before in this run are never picked again.
pick_port() {
    local n=$1 attempt=$2 p try
    if [ -n "${FIXED[$n]:-}" ]; then
        p=${FIXED[$n]}
        ! mt_port_busy "$HOST" "$p" || die "port $p (MAILTEST_${n}_PORT) is in use"
        PORT[$n]=$p
        return
    fi
    p=${PREV[$n]:-}
    if [ "$attempt" -eq 1 ] && [ -n "$p" ] && [ -z "${USED[$p]:-}" ]; then
        USED[$p]=1
        if ! mt_port_busy "$HOST" "$p"; then
            PORT[$n]=$p
            return
        fi
        note "previous $n port $p is in use now; picking another one"
    fi
    for ((try = 0; try < 1000; try++)); do
        p=$(( RANGE_LO + ((RANDOM << 15) | RANDOM) % (RANGE_HI - RANGE_LO + 1) ))
        (( AVOID_EPH && p >= EPH_LO && p <= EPH_HI )) && continue
        [ -z "${USED[$p]:-}" ] || continue
        USED[$p]=1
        mt_port_busy "$HOST" "$p" && continue
        PORT[$n]=$p
        return
    done
    die "found no free port in $RANGE_LO-$RANGE_HI"
}

# any_random NAME... -- true if one of these ports was picked (not fixed), so
# that a retry with other ports can help.
any_random() {
    local n
    for n in "$@"; do [ -n "${FIXED[$n]:-}" ] || return 0; done
    return 1
}

# ---- directory layout ----
umask 022
mkdir -p "$DIR"/{tls,dovecot,postfix/conf,postfix/spool,run,state/dovecot,log,mail/"$DOMAIN"}
# Separate postfix/conf and postfix/spool: a queue inside the config directory
# makes postfix-script warn about every queue subdirectory (TESTING.md 5.2).
# mktemp -d makes DIR 0700, but the postfix user (smtpd -> auth socket, lmtp
# -> LMTP socket), Dovecot's auth process (user dovecot) and the mail
# processes must all traverse DIR (TESTING.md 5.8).
chmod 0755 "$DIR" "$DIR/run" "$DIR/log" "$DIR/dovecot" "$DIR/postfix" \
    "$DIR/postfix/conf" "$DIR/mail" "$DIR/mail/$DOMAIN"
chmod 0700 "$DIR/tls" "$DIR/state"

# Dovecot passwd-file "user:{SCHEME}password:uid:gid:gecos:home:shell:extra"
# (uid, gid and home come from the userdb default_fields). postmaster@ must
# exist (RFC 5321) and gets Postfix's notices; its password is random so that
# nobody logs in as it by accident.
{
    printf '%s:{PLAIN}%s::::::\n' "$USER1" "$PASS1" "$USER2" "$PASS2"
    printf 'postmaster@%s:{PLAIN}%s::::::\n' "$DOMAIN" "$(openssl rand -hex 16)"
} > "$DIR/dovecot/users"
chown root:dovecot "$DIR/dovecot/users"
chmod 0640 "$DIR/dovecot/users"
# Postfix: the addresses that exist (texthash: no postmap needed).
printf '%s OK\n' "$USER1" "$USER2" "postmaster@$DOMAIN" > "$DIR/postfix/conf/vmailbox"
# Mail homes belong to the mail uid; Dovecot creates the Maildirs.
for u in "$USER1" "$USER2" "postmaster@$DOMAIN"; do
    h=$DIR/mail/$DOMAIN/${u%@*}
    mkdir -p "$h"
    chown "$VMAIL_UID:$VMAIL_GID" "$h"
    chmod 0700 "$h"
done

# Prove each daemon user can reach what it needs (a parent directory such as
# /root or a CI workspace may be 0700).
can() { # USER TEST-ARGS...
    local u=$1
    shift
    setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups -- test "$@"
}
if ! can postfix -x "$DIR/run" || ! can dovecot -r "$DIR/dovecot/users" ||
   ! can "$VMAIL_USER" -w "$DIR/mail/$DOMAIN/${USER1%@*}"; then
    die "the postfix, dovecot or $VMAIL_USER user cannot reach $DIR (a parent directory is not world-searchable?); put DIR under /tmp"
fi
phase layout

# ---- TLS: throwaway CA and server certificate, kept across restarts ----
# The extensions (key usages, SKID/AKID, SAN DNS:localhost and IP:127.0.0.1)
# make the certificate acceptable to strict verifiers: OpenSSL, GnuTLS,
# Python with VERIFY_X509_STRICT.
if [ ! -s "$DIR/tls/server.crt" ]; then
    (
        cd "$DIR/tls"
        rm -f ./*
        # The two RSA keys take about 0.25 s each: make them in parallel.
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key 2>/dev/null &
        k1=$!
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server.key 2>/dev/null &
        k2=$!
        wait "$k1"
        wait "$k2"
        openssl req -x509 -new -key ca.key -out ca.crt -days 30 \
            -subj "/O=mailtest/CN=mailtest throwaway CA $INSTANCE" \
            -addext basicConstraints=critical,CA:TRUE \
            -addext keyUsage=critical,keyCertSign,cRLSign \
            -addext subjectKeyIdentifier=hash
        openssl req -new -key server.key -out server.csr -subj "/O=mailtest/CN=localhost"
        printf '%s\n' \
            'basicConstraints = critical,CA:FALSE' \
            'keyUsage = critical,digitalSignature,keyEncipherment' \
            'extendedKeyUsage = serverAuth' \
            'subjectAltName = DNS:localhost,IP:127.0.0.1' \
            'subjectKeyIdentifier = hash' \
            'authorityKeyIdentifier = keyid,issuer' > server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -days 30 \
            -set_serial "0x$(openssl rand -hex 16)" -extfile server.ext -out server.crt 2>/dev/null
        openssl verify -CAfile ca.crt -purpose sslserver \
            -verify_hostname localhost -verify_ip 127.0.0.1 server.crt >/dev/null
        chmod 0600 ca.key server.key
        chmod 0644 ca.crt server.crt
    ) || die "certificate generation failed"
fi
phase tls

# ---- configuration files ----
# render TEMPLATE OUTPUT -- fill in the @NAME@ placeholders.
render() {
    local n args=(
        -e "s|@DIR@|$DIR|g" -e "s|@HOST@|$HOST|g" -e "s|@INSTANCE@|$INSTANCE|g"
        -e "s|@DOMAIN@|$DOMAIN|g" -e "s|@DEBUG@|$DEBUG|g"
        -e "s|@SIZE_LIMIT@|$SIZE_LIMIT|g"
        -e "s|@VMAIL_UID@|$VMAIL_UID|g" -e "s|@VMAIL_GID@|$VMAIL_GID|g"
    )
    for n in "${!PORT[@]}"; do
        args+=(-e "s|@${n}_PORT@|${PORT[$n]}|g")
    done
    sed "${args[@]}" "$TPL/$1" > "$2"
    ! grep -n '@[A-Z0-9_]*@' "$2" >&2 || die "unfilled placeholder in $2 (from $1)"
}

# launch LOG COMMAND... -- run a daemon's start command with stdin on
# /dev/null, stdout and stderr appended to LOG and every other descriptor
# closed. The Dovecot master keeps the stderr it was started with open for
# ever: a caller reading start.sh's output through a pipe ($(...), popen(),
# subprocess capture, "| tail") would otherwise never see EOF and hang
# (TESTING.md 5.4). The other descriptors (e.g. make's jobserver pipe) must not
# be kept alive by the daemons either.
launch() {
    local log=$1 fd
    shift
    (
        exec </dev/null >>"$log" 2>&1
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            (( fd > 2 )) || continue
            exec {fd}>&-
        done 2>/dev/null
        exec "$@"
    )
}

size_of() { stat -c %s -- "$1" 2>/dev/null || echo 0; }
# bind_failed FILE OFFSET... -- true if a bind failure was logged in one of
# the FILEs after its OFFSET (its size before the start attempt).
bind_failed() {
    local text=
    while [ $# -ge 2 ]; do
        text+=$(tail -c +"$(( $2 + 1 ))" -- "$1" 2>/dev/null)
        shift 2
    done
    [[ $text == *"Address already in use"* ]]
}

# On any failure from here on: show the logs and stop whatever was started.
STARTED=
on_exit() {
    local rc=$?
    trap - EXIT
    [ "$rc" -ne 0 ] && [ -n "$STARTED" ] || return "$rc"
    note "start-up failed; last log lines:"
    tail -n 20 "$DIR"/log/*.log >&2 2>/dev/null || true
    if [ "$STARTED" = postfix ] && command -v script >/dev/null; then
        # Postfix reports some early fatal errors only to syslog or a terminal
        # (TESTING.md 5.1): give it a terminal.
        note "postfix check says:"
        script -qec "$POSTFIX -c $DIR/postfix/conf check" /dev/null </dev/null >&2 || true
    fi
    "$HERE/stop.sh" "$DIR" >&2 || true
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
phase config

# ---- Dovecot first: Postfix needs its auth and LMTP sockets ----
for ((attempt = 1; ; attempt++)); do
    for n in IMAP IMAPS POP3 POP3S; do pick_port "$n" "$attempt"; done
    render dovecot.conf.in "$DIR/dovecot/dovecot.conf"
    # Remove sockets left by an earlier run (the instance is not running, see
    # above). With the anvil-auth-penalty listener disabled, a stale socket file
    # of that name makes the auth process retry connect() for 5 s before the
    # first login greeting (TESTING.md 5.6).
    rm -rf "$DIR/run/dovecot"
    o1=$(size_of "$DIR/log/dovecot.log")
    o2=$(size_of "$DIR/log/dovecot-start.log")
    STARTED=dovecot
    launch "$DIR/log/dovecot-start.log" "$DOVECOT" -c "$DIR/dovecot/dovecot.conf" && break
    if (( attempt < MAX_ATTEMPTS )) && any_random IMAP IMAPS POP3 POP3S &&
       ! mt_dovecot_pid "$DIR" >/dev/null &&
       bind_failed "$DIR/log/dovecot.log" "$o1" "$DIR/log/dovecot-start.log" "$o2"; then
        note "Dovecot: a port was taken meanwhile (attempt $attempt), retrying with other ports"
        continue
    fi
    die "Dovecot did not start"
done
phase dovecot

# ---- then Postfix ----
# "postfix start" runs postfix-script: on first use it creates the queue
# directories (post-install create-missing), then starts the master and waits
# until it has bound its listeners.
for ((attempt = 1; ; attempt++)); do
    for n in SUBMISSION SMTPS; do pick_port "$n" "$attempt"; done
    render main.cf.in "$DIR/postfix/conf/main.cf"
    render master.cf.in "$DIR/postfix/conf/master.cf"
    render header_checks.in "$DIR/postfix/conf/header_checks"
    # Postfix re-reads a main.cf changed less than a second ago in a 300 ms
    # loop until it looks stable, about 1.7 s lost per start: backdate the
    # generated files (TESTING.md 5.3).
    touch -d '-1 min' "$DIR"/postfix/conf/*
    o1=$(size_of "$DIR/log/postfix.log")
    o2=$(size_of "$DIR/log/postfix-start.log")
    STARTED=postfix
    launch "$DIR/log/postfix-start.log" "$POSTFIX" -c "$DIR/postfix/conf" start && break
    # The master logs "fatal: bind 127.0.0.1 port N: Address already in use"
    # and exits; postfix-script reports the failure about 2 s later, so a
    # Postfix retry costs about 3 s (rare: the port must be taken between the
    # check in pick_port and the bind).
    if (( attempt < MAX_ATTEMPTS )) && any_random SUBMISSION SMTPS &&
       ! mt_postfix_pid "$DIR" >/dev/null &&
       bind_failed "$DIR/log/postfix.log" "$o1" "$DIR/log/postfix-start.log" "$o2"; then
        note "Postfix: a port was taken meanwhile (attempt $attempt), retrying with other ports"
        continue
    fi
    die "Postfix did not start"
done
phase postfix

# ---- wait until every listener answers ----
# answers PORT PREFIX -- connect; with a PREFIX, the first line must start with
# it. The IMAP greeting comes only once Dovecot's auth process is up. For the
# implicit-TLS ports an accepted connection is enough (it leaves a harmless
# "SSL_accept error ... lost connection" line in the logs).
answers() {
    # shellcheck disable=SC2016  # expanded by the inner bash
    timeout 2 bash -c '
        exec 3<>"/dev/tcp/$0/$1" || exit 1
        [ -z "$2" ] && exit 0
        IFS= read -r -t 2 line <&3 && [[ $line == "$2"* ]]' "$HOST" "$1" "$2" 2>/dev/null
}
for spec in "IMAP:* OK" "POP3:+OK" "SUBMISSION:220 " "IMAPS:" "POP3S:" "SMTPS:"; do
    n=${spec%%:*}
    deadline=$(( $(mt_now_ms) + READY_TIMEOUT_MS ))
    until answers "${PORT[$n]}" "${spec#*:}"; do
        (( $(mt_now_ms) < deadline )) || die "$n port ${PORT[$n]} does not answer"
        sleep 0.05
    done
done
phase ready

# ---- environment for the tests ----
{
    q() { printf 'export %s=%q\n' "$1" "$2"; }
    q MAILTEST_DIR "$DIR"
    q MAILTEST_HOST "$HOST"
    q MAILTEST_TLS_SERVERNAME localhost
    q MAILTEST_CA_FILE "$DIR/tls/ca.crt"
    for n in "${PORT_NAMES[@]}"; do q "MAILTEST_${n}_PORT" "${PORT[$n]}"; done
    q MAILTEST_DOMAIN "$DOMAIN"
    q MAILTEST_USER1 "$USER1"
    q MAILTEST_PASS1 "$PASS1"
    q MAILTEST_USER2 "$USER2"
    q MAILTEST_PASS2 "$PASS2"
    q MAILTEST_SIZE_LIMIT "$SIZE_LIMIT"
    # Server-side maildirs, for reading only: files belong to the mail uid and
    # Dovecot's indexes must stay consistent (use doveadm or LMTP to change mail).
    q MAILTEST_MAILDIR1 "$DIR/mail/$DOMAIN/${USER1%@*}/Maildir"
    q MAILTEST_MAILDIR2 "$DIR/mail/$DOMAIN/${USER2%@*}/Maildir"
    q MAILTEST_DOVECOT_CONF "$DIR/dovecot/dovecot.conf"
    q MAILTEST_POSTFIX_CONFIG_DIR "$DIR/postfix/conf"
    q MAILTEST_LMTP_SOCKET "$DIR/run/dovecot/lmtp"
} > "$DIR/env.sh.tmp"
mv -f "$DIR/env.sh.tmp" "$DIR/env.sh"
STARTED=
cat "$DIR/env.sh"
echo "start.sh: servers up in $(mt_secs $(( $(mt_now_ms) - T0 ))) s (cumulative:$TIMES; logs in $DIR/log)"

#!/usr/bin/env bash
# stop.sh DIR -- stop the Dovecot and Postfix that start.sh started in DIR.
#
# Only this instance is touched: each master is found through its pid file in
# DIR and checked to really belong to DIR (Postfix: working directory is
# DIR/postfix/spool; Dovecot: started with -c DIR/dovecot/dovecot.conf) before
# it gets a signal. Nothing is ever killed by program name, so a system
# Postfix/Dovecot or another test instance keeps running.
# Idempotent: exits 0 when nothing runs (or DIR does not exist). DIR itself
# (mail, logs, CA, env.sh) stays; remove it with rm -rf, or run start.sh DIR
# again to restart with the same CA, mail and ports.
# Exit status 1 only if some process of the instance could not be killed.
set -Euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

note() { echo "stop.sh: $*" >&2; }
if [ $# -ne 1 ] || [ -z "$1" ]; then echo "usage: $0 DIR" >&2; exit 2; fi
[ -d "$1" ] || exit 0
DIR=$(cd -- "$1" && pwd -P)
T0=$(mt_now_ms)
TIMES=
phase() { TIMES+=" $1=$(mt_secs $(( $(mt_now_ms) - T0 )))"; }
rc=0

# stop_master NAME PID -- SIGTERM (what "postfix stop" and "dovecot stop" send;
# each master then stops its children), wait, SIGKILL after 10 s.
stop_master() {
    kill -TERM "$2" 2>/dev/null
    mt_wait_gone "$2" 10 && return
    note "$1 master $2 still alive after 10 s, sending SIGKILL"
    kill -KILL "$2" 2>/dev/null
    mt_wait_gone "$2" 2 || rc=1
}

# Postfix first: its smtpd and lmtp processes use Dovecot's sockets. Signalling
# the master directly saves the 1 s polling loop of "postfix stop".
if pid=$(mt_postfix_pid "$DIR"); then stop_master Postfix "$pid"; fi
phase postfix
# The Dovecot master needs about 1.1 s to exit: it waits a fixed second for
# its log process (TESTING.md 5.14). Its ports are closed when it is gone.
if pid=$(mt_dovecot_pid "$DIR"); then stop_master Dovecot "$pid"; fi
phase dovecot

# ---- stragglers of this instance ----
# Normally there are none. This catches children that outlived their master
# and masters whose pid file is gone. Recognised by
#   Dovecot children:  title "dovecot-<instance>/<service> ..."
#   Dovecot master:    command line "... -c DIR/dovecot/dovecot.conf"
#   Postfix processes: working directory DIR/postfix/spool
instance=$(mt_instance "$DIR")
ours() { # prints the PIDs; bash builtins only, since it looks at every process
    local p pid arg0
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        if [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ]; then continue; fi
        arg0=
        IFS= read -r -d '' arg0 2>/dev/null < "$p/cmdline"
        if [[ $arg0 == "dovecot-$instance/"* ]] ||
           { [[ $arg0 == *dovecot ]] && mt_has_args "$pid" -c "$DIR/dovecot/dovecot.conf"; } ||
           [[ $p/cwd -ef $DIR/postfix/spool ]]; then
            mt_alive "$pid" && echo "$pid"
        fi
    done
}
mapfile -t left < <(ours)
if [ ${#left[@]} -gt 0 ]; then
    note "stopping leftover processes of this instance: ${left[*]}"
    kill -TERM "${left[@]}" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        mapfile -t left < <(ours)
        [ ${#left[@]} -gt 0 ] || break
        sleep 0.1
    done
    if [ ${#left[@]} -gt 0 ]; then
        note "killing leftover processes of this instance: ${left[*]}"
        kill -KILL "${left[@]}" 2>/dev/null
        sleep 0.1
        mapfile -t left < <(ours)
        [ ${#left[@]} -eq 0 ] || rc=1
    fi
fi
phase stragglers
echo "stop.sh: stopped in $(mt_secs $(( $(mt_now_ms) - T0 ))) s (cumulative:$TIMES)"
exit "$rc"

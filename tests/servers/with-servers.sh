#!/usr/bin/env bash
# with-servers.sh CMD [ARG...] -- run CMD with facteur's test mail servers up.
#
# Makes a fresh instance directory (mktemp -d /tmp/mailtest.XXXXXX), starts
# the servers there with start.sh, exports the MAILTEST_* variables of its
# env.sh, runs CMD, then always stops the servers and removes the directory.
# When CMD fails, the last lines of the server logs go to stderr.
# Exit status: CMD's, or 1 if the servers could not be started.
#   MAILTEST_KEEP=1   keep the instance directory (its path is printed)
#   MAILTEST_TMP=DIR  where to make it (default /tmp; the path must stay short
#                     and world-searchable, see start.sh)
# Other MAILTEST_* settings are passed to start.sh (see there).
# Example:  tests/servers/with-servers.sh make check
set -uo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
if [ $# -eq 0 ]; then echo "usage: $0 CMD [ARG...]" >&2; exit 2; fi

D=$(mktemp -d "${MAILTEST_TMP:-/tmp}/mailtest.XXXXXX") || exit 1
# shellcheck disable=SC2317  # only called from the EXIT trap
cleanup() {
    "$HERE/stop.sh" "$D" >/dev/null
    if [ "${MAILTEST_KEEP:-0}" = 1 ]; then
        echo "with-servers.sh: kept $D" >&2
    else
        rm -rf -- "$D"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# start.sh prints env.sh and its timing on stdout; errors go to stderr.
"$HERE/start.sh" "$D" >/dev/null || exit 1
# shellcheck source=/dev/null
. "$D/env.sh"

# CMD's output is kept so that, on failure, its failed checks can be
# repeated after the server logs: a CI log shown by its tail then still
# names the check that failed.
"$@" 2>&1 | tee "$D/cmd.out"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
    echo "with-servers.sh: '$*' failed (status $rc); last server log lines:" >&2
    tail -n 30 "$D/log/dovecot.log" "$D/log/postfix.log" >&2 2>/dev/null
    echo "with-servers.sh: the failures of '$*' were:" >&2
    grep -E ':[FE]:|Checks:' "$D/cmd.out" >&2
fi
exit "$rc"

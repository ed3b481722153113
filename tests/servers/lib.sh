# shellcheck shell=bash
# lib.sh -- helpers shared by start.sh and stop.sh (sourced, not run).
#
# Identifying "our" daemons: an instance is only ever recognised by its pid file
# *and* a property of the process that ties it to the instance directory, never
# by program name, so other Dovecot/Postfix instances on the machine (a system
# one, or a parallel test run) are never touched.

# mt_alive PID -- true while PID exists and is not a zombie.
# The daemons are re-parented to PID 1. If that init reaps slowly (about every
# 1-2 s on the reference VM) or never (a shell or test runner as PID 1 in a
# container), a dead master stays a zombie, and "kill -0" keeps succeeding on
# it (TESTING.md 5.10). So read the state from /proc/PID/stat instead.
mt_alive() {
    local stat state
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    IFS= read -r stat 2>/dev/null < "/proc/$1/stat" || return 1
    state=${stat##*) }      # the command name (field 2) may contain spaces or ')'
    state=${state%% *}
    [[ $state != [ZX] ]]
}

# mt_wait_gone PID SECONDS -- poll every 20 ms; true once PID is gone (or a zombie).
mt_wait_gone() {
    local n=$(( $2 * 50 ))
    while mt_alive "$1"; do
        (( n-- > 0 )) || return 1
        sleep 0.02
    done
}

# mt_has_args PID ARG... -- true if PID's command line contains ARG... in a row.
mt_has_args() {
    local pid=$1 i j argv
    shift
    mapfile -d '' -t argv 2>/dev/null < "/proc/$pid/cmdline" || return 1
    for ((i = 0; i + $# <= ${#argv[@]}; i++)); do
        for ((j = 0; j < $#; j++)); do
            [[ ${argv[i + j]} == "${*:j + 1:1}" ]] || continue 2
        done
        return 0
    done
    return 1
}

# mt_dovecot_pid DIR -- print the PID of DIR's running Dovecot master, if any.
# Its pid file is in base_dir, and it was started as "dovecot -c DIR/dovecot/dovecot.conf".
mt_dovecot_pid() {
    local pid
    read -r pid 2>/dev/null < "$1/run/dovecot/master.pid" || return 1
    mt_alive "$pid" && mt_has_args "$pid" -c "$1/dovecot/dovecot.conf" && echo "$pid"
}

# mt_postfix_pid DIR -- print the PID of DIR's running Postfix master, if any.
# The pid file (a right-aligned number) is in the queue directory, and the
# master's working directory is that queue directory.
mt_postfix_pid() {
    local pid
    read -r pid 2>/dev/null < "$1/postfix/spool/pid/master.pid" || return 1
    mt_alive "$pid" && [[ /proc/$pid/cwd -ef $1/postfix/spool ]] && echo "$pid"
}

# mt_port_busy HOST PORT -- true if something accepts TCP connections on HOST:PORT
# (or the attempt hangs, which is just as unusable). Plain bash /dev/tcp, so no
# iproute2/netstat needed; "connection refused" is the only answer meaning free.
mt_port_busy() {
    local rc=0
    # shellcheck disable=SC2016  # expanded by the inner bash
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null || rc=$?
    (( rc != 1 ))
}

# mt_now_ms -- wall clock in milliseconds (bash 5 builtin, no fork).
mt_now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    echo $(( t / 1000 ))
}

# mt_secs MS -- format milliseconds as seconds with two decimals.
mt_secs() {
    printf '%d.%02d' $(( $1 / 1000 )) $(( $1 % 1000 / 10 ))
}

# mt_instance DIR -- the instance name start.sh gives DIR's servers (Dovecot's
# instance_name: its processes are titled "dovecot-NAME/SERVICE ...").
mt_instance() {
    printf 'mailtest-%s' "$(printf %s "$1" | cksum | cut -d' ' -f1)"
}

# shellcheck shell=bash
# Progress and failure messages for the long steps (sourced).
#
#   step NAME LOG CMD...   run CMD with its output in LOG and show it is alive:
#       on a terminal one updating line (elapsed time, latest status), else a
#       line every $PROGRESS_EVERY s (default 20); then "NAME: done in Xs
#       (log: LOG)", or the last lines of LOG and "NAME: failed after Xs".
#       Returns CMD's status.  $STEP_STATUS, if set, is a command printing the
#       status (default: the last line of LOG); $STEP_ERRORS, if set, filters
#       LOG into the lines shown on failure (default: tail -n 25).
#   watch_run NAME LOG CMD...  the same without the start and done lines; the
#       elapsed seconds are left in $STEP_SECONDS.
#   fail WHO SENTENCE      print "WHO: SENTENCE" on stderr and exit 1.
#   need_disk WHO DIR GIB WHAT   fail unless DIR's file system has GIB free.

fmt_time() {
    if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
    else printf '%ds' "$1"; fi
}

fail() {
    local who=$1; shift
    echo "$who: $*" >&2
    exit 1
}

need_disk() {
    local who=$1 dir=$2 gib=$3 what=$4 avail
    while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
    avail=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
    [ "$avail" -ge "$gib" ] ||
        fail "$who" "only $avail GiB free in $dir, but $what takes about" \
             "$gib GiB; free some space there and run again."
}

# The latest status of a step: $STEP_STATUS's output or LOG's last line.
step_status() {
    if [ -n "${STEP_STATUS:-}" ]; then
        eval "$STEP_STATUS" 2>/dev/null
    else
        tail -c 4096 "$1" 2>/dev/null | tr '\r' '\n' |
            sed -e '/^[[:space:]]*$/d' -e 's/[[:cntrl:]]//g' | tail -n 1
    fi | head -n 1 | cut -c1-200
    return 0
}

# Kill a process and its descendants (Ctrl-C: background jobs ignore SIGINT).
kill_tree() {
    local c
    for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
    kill -TERM "$1" 2>/dev/null || true
}

watch_run() {
    local name=$1 log=$2; shift 2
    local start=$SECONDS next shown=-1 pid rc=0 tty=0 cols=80 el line
    mkdir -p "$(dirname "$log")"
    if [ -t 1 ]; then
        tty=1
        cols=$(tput cols 2>/dev/null || echo 80)
    fi
    next=$((start + ${PROGRESS_EVERY:-20}))
    "$@" > "$log" 2>&1 < /dev/null &
    pid=$!
    # shellcheck disable=SC2064 # $pid is expanded now, on purpose
    trap "kill_tree $pid; wait $pid 2>/dev/null || true; echo; exit 130" INT TERM
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.2
        el=$((SECONDS - start))
        if [ $tty = 1 ] && [ $el -ge 1 ] && [ $SECONDS != $shown ]; then
            shown=$SECONDS
            line="$name: $(fmt_time $el)  $(step_status "$log")"
            printf '\r\033[K%s' "${line:0:$((cols - 1))}"
        elif [ $tty = 0 ] && [ $SECONDS -ge $next ]; then
            echo "$name: $(fmt_time $el)  $(step_status "$log")"
            next=$((next + ${PROGRESS_EVERY:-20}))
        fi
    done
    wait "$pid" || rc=$?
    trap - INT TERM
    [ $tty = 0 ] || printf '\r\033[K'
    STEP_SECONDS=$((SECONDS - start))
    return $rc
}

step() {
    local name=$1 log=$2 rc=0
    echo "$name: started (log: $log)"
    watch_run "$@" || rc=$?
    if [ $rc = 0 ]; then
        echo "$name: done in $(fmt_time $STEP_SECONDS) (log: $log)"
    else
        echo "---- end of $log:" >&2
        eval "${STEP_ERRORS:-tail -n 25}" < "$log" | tail -n 40 | cut -c1-300 >&2
        echo "----" >&2
        echo "$name: failed after $(fmt_time $STEP_SECONDS) (log: $log)" >&2
    fi
    return $rc
}

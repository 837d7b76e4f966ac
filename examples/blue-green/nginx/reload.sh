#!/bin/sh
# reload_cmd for nginx that returns only once the new configuration is being
# served: it signals the master (SIGHUP, what `nginx -s reload` sends) and
# waits until the master has started new worker processes. Exits 1 when no
# new worker appears in time — nginx refused the configuration at run time
# (e.g. `bind() failed` for a new listen address, which `nginx -t` cannot
# see) and keeps serving the old one — so switchyard puts the previous file
# back and reloads again instead of reporting success.
#
#   reload.sh [PID_FILE] [TIMEOUT_SECONDS]     (/run/nginx.pid, 10)
set -eu

pidfile=${1:-/run/nginx.pid}
timeout=${2:-10}

fail() {
  echo "reload.sh: $*" >&2
  exit 1
}

[ -r "$pidfile" ] || fail "no pid file $pidfile (is nginx running?)"
master=$(cat "$pidfile")
kill -0 "$master" 2>/dev/null || fail "nginx master $master (from $pidfile) is not running"

# The master's children, one PID a line (workers, cache manager and loader).
children() {
  if command -v pgrep >/dev/null 2>&1; then
    pgrep -P "$master" || true
  else
    cat /proc/"$master"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
  fi
}

before=" $(children | tr '\n' ' ') "
kill -HUP "$master"

deadline=$(($(date +%s) + timeout))
while [ "$(date +%s)" -lt "$deadline" ]; do
  for pid in $(children); do
    case "$before" in
      *" $pid "*) ;;
      *) exit 0 ;; # a new worker: the master loaded the new configuration
    esac
  done
  kill -0 "$master" 2>/dev/null || fail "nginx master $master exited during the reload"
  sleep 0.05
done
fail "nginx did not start new workers within ${timeout}s: it refused the new configuration (see its error log) and still serves the previous one"

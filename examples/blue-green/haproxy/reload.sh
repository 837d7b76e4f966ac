#!/bin/sh
# reload_cmd for HAProxy in master-worker mode: asks the master for a reload
# on its CLI socket (-S; Debian's haproxy.service passes
# `-S /run/haproxy-master.sock`) and returns only once a new worker runs.
# Exits 1 when HAProxy refused the configuration or no new worker appeared,
# so switchyard puts the previous file back and reloads again.
#
# Why not `systemctl reload haproxy` (SIGUSR2 to the master): a signal that
# reaches the master while it is still re-executing itself after the
# previous reload is lost, and HAProxy keeps serving the old file while the
# command reports success. The socket refuses connections during that time
# instead, and the reload counter in `show proc` tells whether a reload
# really happened: this script retries until it did.
#
#   reload.sh [MASTER_SOCKET] [TIMEOUT_SECONDS]     (/run/haproxy-master.sock, 15)
set -eu

socket=${1:-/run/haproxy-master.sock}
timeout=${2:-15}
deadline=$(($(date +%s) + timeout))
# A reload not picked up after 2-3 s (whole seconds) is asked for once more.
resend_after=3

# One command on the master CLI, its answer on stdout; exit 3 when the master
# does not accept connections (it is re-executing). perl-base is part of every
# Debian and Ubuntu system, socat is not.
master() {
  perl -MIO::Socket::UNIX -e '
    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 3;
    print $s "$ARGV[1]\n"; $s->shutdown(1); print while <$s>;' "$socket" "$1"
}

# "<reloads> <failed> <worker pid>..." from `show proc`; empty while the master is busy.
state() {
  master 'show proc' 2>/dev/null | awk '
    $2 == "master" { reloads = $3; failed = $5; sub(/]/, "", failed) }
    /^# / { section = $0 }
    section == "# workers" && $2 == "worker" { workers = workers " " $1 }
    END { if (reloads != "") print reloads, failed, workers }'
}

fail() {
  echo "reload.sh: $*" >&2
  exit 1
}

in_time() { [ "$(date +%s)" -lt "$deadline" ]; }

while now=$(state) && [ -z "$now" ]; do
  in_time || fail "the HAProxy master does not answer on $socket (is it running with -S $socket?)"
  sleep 0.05
done
set -- $now
reloads0=$1
shift 2
workers0=" $* "

sent=0
pending=1 # a reload request still has to go out
sent_at=0
while in_time; do
  # Refused: the master is re-executing (a reload under way); ask again next step.
  if [ "$pending" = 1 ] && master reload >/dev/null 2>&1; then
    sent=$((sent + 1))
    pending=0
    sent_at=$(date +%s)
  fi
  sleep 0.05
  now=$(state)
  [ -n "$now" ] || continue
  set -- $now
  reloads=$1
  failed=$2
  shift 2
  if [ "$reloads" -gt "$reloads0" ]; then
    for pid in "$@"; do
      case "$workers0" in
        *" $pid "*) ;;
        *) echo "HAProxy reloaded: worker $pid (reload $reloads)"; exit 0 ;;
      esac
    done
    [ "$failed" = 0 ] || fail "HAProxy refused the new configuration (reload $reloads, $failed failed); its log says why"
  elif [ "$pending" = 0 ] && [ $(($(date +%s) - sent_at)) -ge "$resend_after" ] && [ "$sent" -lt 2 ]; then
    echo "reload.sh: the master has not reloaded yet, asking again" >&2
    pending=1
  fi
done
fail "no new HAProxy worker within ${timeout}s after $sent reload request(s) on $socket"

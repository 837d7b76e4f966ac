# Shared by the runnable examples: everything on 127.0.0.1, on free ports, in
# one temporary directory, and every process stopped and every file removed
# on exit. Needs node and curl, and what each example names in `require`.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SWITCHYARD="$REPO/bin/switchyard"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-example.XXXXXX")
# The history of applied renders stays in the example's directory too, not in
# /var/lib/switchyard/history.
export SWITCHYARD_HISTORY_DIR="$WORK/history"
PIDS=()

say() { printf '\n==> %s\n' "$*"; }

# The command that stopped the script (set -e), for the message on exit.
FAILED=""
trap 'FAILED="line $LINENO: $BASH_COMMAND"' ERR

cleanup() {
  local code=$?
  if [ "$code" != 0 ] && [ -n "$FAILED" ]; then
    echo "failed (exit $code) at $FAILED" >&2
    for log in "$WORK"/*.log; do
      [ -s "$log" ] && { echo "--- the end of $log:" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Daemons (nginx, HAProxy) are not children of this shell: wait for them by
  # PID. A signal that reaches HAProxy's master while it re-executes itself
  # (a reload just asked for) is lost: asked again every second, killed after 5 s.
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      if [ $((i % 10)) = 0 ]; then kill "$pid" 2>/dev/null || true; fi
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require() {
  for program in "$@"; do
    command -v "$program" >/dev/null || { echo "missing: $program (see the README)" >&2; exit 2; }
  done
  [ -f "$REPO/dist/cli/main.js" ] || { echo "dist/ is missing: run npm ci && npm run build" >&2; exit 2; }
}

# The PID a daemonizing server (nginx, HAProxy -D) wrote to FILE: the command
# that started it may return before the file is written.
daemon_pid() {
  for _ in $(seq 1 100); do
    [ -s "$1" ] && { head -1 "$1"; return 0; }
    sleep 0.05
  done
  echo "no PID in $1 after 5 s" >&2
  exit 1
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_until DESCRIPTION COMMAND...: polls for up to 30 s; gives up at once
# when a process this script started has died.
wait_until() {
  local what=$1; shift
  for _ in $(seq 1 300); do
    "$@" >/dev/null 2>&1 && return 0
    for pid in "${PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "process $pid exited while waiting for $what; logs in $WORK:" >&2; tail -n 20 "$WORK"/*.log >&2 || true; exit 1; }
    done
    sleep 0.1
  done
  echo "timed out waiting for $what" >&2
  exit 1
}

# start_switchyard ARGS...: the watcher in the background, log in $WORK/switchyard.log;
# returns once its first round is done and it watches.
start_switchyard() {
  "$SWITCHYARD" "$@" >"$WORK/switchyard.log" 2>&1 &
  PIDS+=($!)
  wait_until "switchyard to be ready" grep -q 'ready; watching' "$WORK/switchyard.log"
}

# answers URL TEXT: the proxy answers TEXT (a new connection per request).
answers() { [ "$(curl -fsS "$1" 2>/dev/null)" = "$2" ]; }

# haproxy_runs SOCKET [BACKEND SERVERS]: HAProxy (master CLI on SOCKET) has
# no old worker left (one still finishing serves the previous file to the
# connections it holds) and, given BACKEND, its worker's BACKEND holds exactly
# SERVERS (names, space-separated). The rendered file can show the new servers
# before HAProxy has reloaded it, while the worker running holds an earlier
# render, say a and b, and answers from either: one answer proves nothing.
haproxy_runs() {
  perl -MIO::Socket::UNIX -e '
    sub ask { my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 3;
              print $s "$_[0]\n"; $s->shutdown(1); my @l = <$s>; @l }
    my $section = "";
    for (ask("show proc")) { if (/^# /) { $section = $_ } elsif ($section =~ /^# old workers/ && /^\d+\s+worker/) { exit 1 } }
    exit 0 if @ARGV < 2;
    my @names = sort map { (split)[3] } grep { /^\d+ \Q$ARGV[1]\E / } ask("\@1 show servers state $ARGV[1]");
    exit("@names" eq join(" ", sort split(" ", $ARGV[2])) ? 0 : 1);' "$@"
}

# start_consul: Consul in dev mode (in memory) on free ports; CONSUL_HTTP_ADDR for its CLI.
start_consul() {
  CONSUL=${SWITCHYARD_CONSUL_BIN:-$(cat "${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}/consul-current" 2>/dev/null || command -v consul || true)}
  [ -x "$CONSUL" ] || { echo "missing: consul (scripts/install-consul.sh builds it)" >&2; exit 2; }
  local http serf_lan serf_wan server
  http=$(free_port); serf_lan=$(free_port); serf_wan=$(free_port); server=$(free_port)
  export CONSUL_HTTP_ADDR="127.0.0.1:$http"
  CONSUL_ENDPOINT="http://$CONSUL_HTTP_ADDR"
  # Started in the current directory, as the READMEs do (a -dev agent reads
  # ./services/ there as its saved registrations: no example has one).
  mkdir -p "$WORK/consul.d"
  "$CONSUL" agent -dev -bind 127.0.0.1 -client 127.0.0.1 -config-dir "$WORK/consul.d" \
    -hcl "ports { http = $http serf_lan = $serf_lan serf_wan = $serf_wan server = $server dns = -1 grpc = -1 grpc_tls = -1 }" \
    -hcl 'disable_update_check = true' >"$WORK/consul.log" 2>&1 &
  PIDS+=($!)
  # A leader, not only an answer: KV writes need one.
  wait_until "Consul at $CONSUL_ENDPOINT" sh -c "curl -fsS $CONSUL_ENDPOINT/v1/status/leader | grep -q :"
  echo "Consul is up at $CONSUL_ENDPOINT"
}

kv_put() { "$CONSUL" kv put "$1" "$2" >/dev/null && echo "consul kv put $1 $2"; }

# passing SERVICE COUNT: Consul's catalog has COUNT instances of SERVICE with passing checks.
passing() { [ "$(curl -fsS "$CONSUL_ENDPOINT/v1/health/service/$1?passing" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).length))')" = "$2" ]; }

start_etcd() {
  local client peer
  client=$(free_port); peer=$(free_port)
  ETCD_ENDPOINT="http://127.0.0.1:$client"
  etcd --name example --data-dir "$WORK/etcd" \
    --listen-client-urls "$ETCD_ENDPOINT" --advertise-client-urls "$ETCD_ENDPOINT" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "example=http://127.0.0.1:$peer" >"$WORK/etcd.log" 2>&1 &
  PIDS+=($!)
  wait_until "etcd at $ETCD_ENDPOINT" etcdctl --endpoints "$ETCD_ENDPOINT" endpoint health
  echo "etcd is up at $ETCD_ENDPOINT"
}

put() { ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINT" put "$1" "$2" >/dev/null && echo "put $1 = $2"; }

# start_app COLOR [VERSION] [PORT]: the example app (examples/blue-green/app) on a free port.
start_app() {
  local port; port=${3:-$(free_port)}
  PORT=$port COLOR=$1 VERSION=${2:-1} node "$REPO/examples/blue-green/app/server.js" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  wait_until "$1 app" curl -fsS "http://127.0.0.1:$port/health"
  eval "${1^^}_ADDR=127.0.0.1:$port; ${1^^}_PORT=$port; ${1^^}_PID=$!"
  echo "$1 app answers on 127.0.0.1:$port"
}

# stop PID: stops a process this script started, and forgets it.
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}

# copy_example NAME: a copy of examples/NAME in $WORK, beside links to the
# repository's bin/ and examples/blue-green/, so the example's relative paths
# (../../bin/switchyard, ../blue-green/...) hold; the shell moves into it.
copy_example() {
  mkdir -p "$WORK/examples"
  cp -r "$REPO/examples/$1" "$WORK/examples/$1"
  ln -s "$REPO/bin" "$WORK/bin"
  ln -s "$REPO/examples/blue-green" "$WORK/examples/blue-green"
  cd "$WORK/examples/$1"
  rm -rf out && mkdir out
}

# Shared by the runnable examples: everything on 127.0.0.1, on free ports, in
# one temporary directory, and every process stopped on exit.
# Needs: etcd and etcdctl (Debian's etcd-server, etcd-client), node, curl.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SWITCHYARD="$REPO/bin/switchyard"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-example.XXXXXX")
PIDS=()

say() { printf '\n==> %s\n' "$*"; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

require() {
  for program in "$@"; do
    command -v "$program" >/dev/null || { echo "missing: $program (see the README)" >&2; exit 2; }
  done
  [ -f "$REPO/dist/cli/main.js" ] || { echo "dist/ is missing: run npm ci && npm run build" >&2; exit 2; }
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_until DESCRIPTION COMMAND...: polls for up to 20 s.
wait_until() {
  local what=$1; shift
  for _ in $(seq 1 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for $what" >&2
  exit 1
}

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

# start_app COLOR: the example app (examples/blue-green/app) on a free port.
start_app() {
  local port; port=$(free_port)
  PORT=$port COLOR=$1 node "$REPO/examples/blue-green/app/server.js" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  wait_until "$1 app" curl -fsS "http://127.0.0.1:$port/health"
  eval "${1^^}_ADDR=127.0.0.1:$port"
  echo "$1 app answers on 127.0.0.1:$port"
}

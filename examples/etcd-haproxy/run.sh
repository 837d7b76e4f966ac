#!/usr/bin/env bash
# HAProxy following etcd: every key under /apps/api/servers/ is a backend
# server; switchyard renders the backend, checks it with `haproxy -c` together
# with the main configuration, and reloads HAProxy's master (SIGUSR2).
# Run from the repository root after `npm ci && npm run build`:
#   examples/etcd-haproxy/run.sh
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
require etcd etcdctl haproxy curl node

say "starting etcd and two instances of the app"
start_etcd
start_app blue
start_app green
put /apps/api/servers/a "$BLUE_ADDR"

say "starting HAProxy in master-worker mode"
HAPROXY_PORT=$(free_port)
cat >"$WORK/haproxy.cfg" <<CFG
global
    master-worker
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    option idle-close-on-response
frontend fe
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend api
CFG
printf 'backend api\n    server a %s\n' "$BLUE_ADDR" >"$WORK/backend.cfg"
haproxy -W -D -f "$WORK/haproxy.cfg" -f "$WORK/backend.cfg" -p "$WORK/haproxy.pid"
wait_until "HAProxy on $HAPROXY_PORT" curl -fsS "http://127.0.0.1:$HAPROXY_PORT/"
PIDS+=("$(head -1 "$WORK/haproxy.pid")")

say "the switchyard resource"
mkdir -p "$WORK/confdir/conf.d"
cp -r "$(dirname "$0")/templates" "$WORK/confdir/"
cat >"$WORK/confdir/conf.d/api.toml" <<TOML
[template]
src        = "backend.cfg.hbs"
dest       = "$WORK/backend.cfg"
prefix     = "/apps/api"
keys       = ["/servers"]
check_cmd  = "$SWITCHYARD check-fragment haproxy --config $WORK/haproxy.cfg --config {{dest}} --staged {{src}} --dest {{dest}}"
reload_cmd = "sh -c 'kill -USR2 \$(head -1 $WORK/haproxy.pid)'"
TOML
cat "$WORK/confdir/conf.d/api.toml"

say "switchyard watching; registering a second server, then removing the first"
"$SWITCHYARD" --confdir "$WORK/confdir" --backend etcd --node "$ETCD_ENDPOINT" --wait 200ms:1s >"$WORK/switchyard.log" 2>&1 &
PIDS+=($!)
wait_until "switchyard to be ready" grep -q 'ready; watching' "$WORK/switchyard.log"
put /apps/api/servers/b "$GREEN_ADDR"
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINT" del /apps/api/servers/a >/dev/null && echo "deleted /apps/api/servers/a"
wait_until "HAProxy to serve green only" sh -c "curl -fsS http://127.0.0.1:$HAPROXY_PORT/ | grep -q green"
cat "$WORK/backend.cfg"
echo "HAProxy answers: $(curl -fsS "http://127.0.0.1:$HAPROXY_PORT/")"
say "done"

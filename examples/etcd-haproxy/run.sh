#!/usr/bin/env bash
# HAProxy following etcd: every key under /apps/api/servers/ is a backend
# server; switchyard renders the backend, checks it with `haproxy -c` together
# with the main configuration, and reloads HAProxy through its master socket
# with the shipped examples/blue-green/haproxy/reload.sh.
# Run from the repository root after `npm ci && npm run build`:
#   examples/etcd-haproxy/run.sh
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
require etcd etcdctl haproxy curl node perl

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
haproxy -W -D -S "$WORK/master.sock" -f "$WORK/haproxy.cfg" -f "$WORK/backend.cfg" -p "$WORK/haproxy.pid" 2>>"$WORK/haproxy.log"
wait_until "HAProxy on $HAPROXY_PORT" curl -fsS "http://127.0.0.1:$HAPROXY_PORT/"
PIDS+=("$(daemon_pid "$WORK/haproxy.pid")")

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
reload_cmd = "$REPO/examples/blue-green/haproxy/reload.sh $WORK/master.sock"
TOML
cat "$WORK/confdir/conf.d/api.toml"

say "switchyard watching; registering a second server, then removing the first"
start_switchyard --confdir "$WORK/confdir" --backend etcd --node "$ETCD_ENDPOINT" --wait 200ms:1s
put /apps/api/servers/b "$GREEN_ADDR"
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINT" del /apps/api/servers/a >/dev/null && echo "deleted /apps/api/servers/a"
wait_until "the rendered backend to list b only" sh -c "grep -q 'server b' '$WORK/backend.cfg' && ! grep -q 'server a' '$WORK/backend.cfg'"
wait_until "HAProxy's worker to run b only, the previous one gone" haproxy_runs "$WORK/master.sock" api b
wait_until "HAProxy to serve green only" answers "http://127.0.0.1:$HAPROXY_PORT/" "green 1"
cat "$WORK/backend.cfg"
echo "HAProxy answers: $(curl -fsS "http://127.0.0.1:$HAPROXY_PORT/")"
say "done"

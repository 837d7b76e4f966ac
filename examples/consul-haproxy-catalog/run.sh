#!/usr/bin/env bash
# HAProxy following Consul's catalog, on loopback: versions A and B of the app
# register as the service "web" with HTTP health checks, the key web/live
# picks which one takes traffic, switchyard renders HAProxy's frontend and
# backend and reloads it with examples/blue-green/haproxy/reload.sh.
# Run from anywhere after `npm ci && npm run build` and scripts/install-consul.sh:
#   examples/consul-haproxy-catalog/run.sh
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
require haproxy curl node perl

say "starting Consul (dev mode) and versions A and B of the app"
copy_example consul-haproxy-catalog
start_consul
start_app blue A
start_app green B

say "registering both instances with their health checks; A takes the traffic"
sed "s/9001/$BLUE_PORT/g" service-definitions/web-a.json >out/web-a.json
sed "s/9002/$GREEN_PORT/g" service-definitions/web-b.json >out/web-b.json
"$CONSUL" services register out/web-a.json >/dev/null && echo "registered web-a on $BLUE_ADDR"
"$CONSUL" services register out/web-b.json >/dev/null && echo "registered web-b on $GREEN_ADDR"
kv_put web/live A
wait_until "both instances to pass their health checks" passing web 2

say "rendering once (no reload: HAProxy is not running yet), then starting HAProxy"
HAPROXY_PORT=$(free_port)
export WEB_LISTEN="127.0.0.1:$HAPROXY_PORT"
"$SWITCHYARD" --confdir . --backend consul --node "$CONSUL_ENDPOINT" --onetime --sync-only --log-level warn
cat out/web.cfg
haproxy -W -D -S unix@out/master.sock -p out/haproxy.pid -f haproxy.cfg -f out/web.cfg 2>>"$WORK/haproxy.log"
PIDS+=("$(daemon_pid out/haproxy.pid)")
wait_until "HAProxy on $HAPROXY_PORT" answers "http://$WEB_LISTEN/" "blue A"

say "switchyard following the catalog and the key"
start_switchyard --confdir . --backend consul --node "$CONSUL_ENDPOINT"
echo "HAProxy answers: $(curl -fsS "http://$WEB_LISTEN/")"
kv_put web/live B
wait_until "B to take the traffic" answers "http://$WEB_LISTEN/" "green B"
wait_until "the previous HAProxy worker to leave" haproxy_runs out/master.sock
echo "HAProxy answers: $(curl -fsS "http://$WEB_LISTEN/")"
kv_put web/live both
wait_until "no backup server" sh -c '! grep -q backup out/web.cfg'

say "B stops: it fails its health check and leaves out/web.cfg"
stop "$GREEN_PID"
wait_until "web-b to leave out/web.cfg" sh -c '! grep -q web-b out/web.cfg'
grep server out/web.cfg

say "B is back: it rejoins once its check passes"
start_app green B "$GREEN_PORT"
wait_until "web-b to rejoin out/web.cfg" grep -q web-b out/web.cfg
grep server out/web.cfg
say "done"

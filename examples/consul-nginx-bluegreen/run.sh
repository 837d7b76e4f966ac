#!/usr/bin/env bash
# nginx blue/green on Consul KV, on loopback: app/live picks the color,
# switchyard renders nginx's upstream, checks it inside nginx.conf and reloads
# nginx with examples/blue-green/nginx/reload.sh.
# Run from anywhere after `npm ci && npm run build` and scripts/install-consul.sh:
#   examples/consul-nginx-bluegreen/run.sh
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
require nginx curl node

say "starting Consul (dev mode) and the two colors of the app"
copy_example consul-nginx-bluegreen
start_consul
start_app blue 1
start_app green 2

say "the keys: blue is live"
kv_put app/blue/addr "$BLUE_ADDR"
kv_put app/green/addr "$GREEN_ADDR"
kv_put app/live blue

say "rendering once without reloading, then starting nginx on it"
NGINX_PORT=$(free_port)
export APP_LISTEN="127.0.0.1:$NGINX_PORT"
"$SWITCHYARD" --confdir . --backend consul --node "$CONSUL_ENDPOINT" --onetime --sync-only --log-level warn
nginx -p . -c nginx.conf -e out/error.log
PIDS+=("$(daemon_pid out/nginx.pid)")
wait_until "nginx on $NGINX_PORT" answers "http://$APP_LISTEN/" "blue 1"
grep -E '^ +server ' out/app.conf

say "switchyard watching; switching live to green in Consul"
start_switchyard --confdir . --backend consul --node "$CONSUL_ENDPOINT"
echo "nginx answers: $(curl -fsS "http://$APP_LISTEN/")"
kv_put app/live green
wait_until "nginx to serve green" answers "http://$APP_LISTEN/" "green 2"
echo "nginx answers: $(curl -fsS "http://$APP_LISTEN/")"

say "a bad value is refused; nginx keeps serving green"
kv_put app/green/addr '9002; } server { listen 80'
wait_until "switchyard to refuse it" grep -q 'render failed' "$WORK/switchyard.log"
grep 'render failed' "$WORK/switchyard.log" | tail -1
echo "nginx answers: $(curl -fsS "http://$APP_LISTEN/")"
say "done"

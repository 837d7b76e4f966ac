#!/usr/bin/env bash
# The blue/green host of README.md, on loopback and without systemd: etcd,
# both colors of the app, nginx (or HAProxy) and switchyard on free ports in
# a temporary directory, with this directory's resource, template and
# reload.sh (their /etc, /run and /opt paths moved into the temporary
# directory). `switchyard bluegreen switch` moves the traffic to green and
# back, verified through the proxy.
# Run from anywhere after `npm ci && npm run build`:
#   examples/blue-green/run.sh [nginx|haproxy]      (nginx by default)
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
PROXY=${1:-nginx}
case "$PROXY" in
  nginx) require etcd etcdctl nginx curl node ;;
  haproxy) require etcd etcdctl haproxy curl node perl ;;
  *) echo "usage: $0 [nginx|haproxy]" >&2; exit 2 ;;
esac
HERE="$REPO/examples/blue-green"

say "starting etcd and the two colors of the app"
start_etcd
start_app blue
start_app green
put /web/blue/addr "$BLUE_ADDR"
put /web/green/addr "$GREEN_ADDR"
put /web/live blue

PROXY_PORT=$(free_port)
export WEB_LISTEN="127.0.0.1:$PROXY_PORT"
export WEB_ACCESS_LOG="$WORK/nginx/web.json.log"
URL="http://$WEB_LISTEN/"
CONFDIR="$WORK/switchyard"
mkdir -p "$CONFDIR/conf.d" "$CONFDIR/templates" "$WORK/$PROXY/conf.d"
# The resource as shipped, with its host paths moved into $WORK.
install_resource() {
  sed -e "s|/etc/$PROXY|$WORK/$PROXY|g" -e "s|/opt/switchyard|$REPO|g" -e "s|$1|$2|g" \
    -e "s|\"switchyard check-fragment|\"$SWITCHYARD check-fragment|" "$HERE/$PROXY/web.toml" >"$CONFDIR/conf.d/web.toml"
  cp "$HERE/$PROXY/$3" "$CONFDIR/templates/"
  grep -E '^(dest|check_cmd|reload_cmd)' "$CONFDIR/conf.d/web.toml"
}

say "$PROXY on $PROXY_PORT, its configuration rendered by switchyard"
if [ "$PROXY" = nginx ]; then
  cat >"$WORK/nginx/nginx.conf" <<CONF
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    include $WORK/nginx/conf.d/*.conf;
}
CONF
  install_resource /run/nginx.pid "$WORK/nginx/nginx.pid" web.conf.hbs
  DEST="$WORK/nginx/conf.d/web.conf"
  "$SWITCHYARD" --onetime --sync-only --confdir "$CONFDIR" --backend etcd --node "$ETCD_ENDPOINT" --log-level warn
  nginx -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
  PIDS+=("$(daemon_pid "$WORK/nginx/nginx.pid")")
else
  cat >"$WORK/haproxy/haproxy.cfg" <<CFG
global
    stats socket $WORK/haproxy/admin.sock mode 600 level admin expose-fd listeners
    hard-stop-after 30s
defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s
    option idle-close-on-response
CFG
  install_resource /run/haproxy-master.sock "$WORK/haproxy/master.sock" web.cfg.hbs
  DEST="$WORK/haproxy/conf.d/web.cfg"
  "$SWITCHYARD" --onetime --sync-only --confdir "$CONFDIR" --backend etcd --node "$ETCD_ENDPOINT" --log-level warn
  haproxy -W -D -S "$WORK/haproxy/master.sock" -p "$WORK/haproxy/haproxy.pid" \
    -f "$WORK/haproxy/haproxy.cfg" -f "$WORK/haproxy/conf.d" 2>>"$WORK/haproxy.log"
  PIDS+=("$(daemon_pid "$WORK/haproxy/haproxy.pid")")
fi
wait_until "$PROXY on $PROXY_PORT" answers "$URL" "blue 1"
grep -E '^ +server ' "$DEST"

say "switchyard watching /web; switching to green and back"
start_switchyard --confdir "$CONFDIR" --backend etcd --node "$ETCD_ENDPOINT"
echo "$PROXY answers: $(curl -fsS "$URL")"
"$SWITCHYARD" bluegreen switch green --app web --node "$ETCD_ENDPOINT" --verify-url "$URL"
echo "$PROXY answers: $(curl -fsS "$URL")"
"$SWITCHYARD" bluegreen switch blue --app web --node "$ETCD_ENDPOINT" --verify-url "$URL"
echo "$PROXY answers: $(curl -fsS "$URL")"

say "weights, as a canary sets them: blue 90, green 10"
put /web/weight/blue 90
put /web/weight/green 10
wait_until "the weights in $DEST" grep -Eq 'weight[ =]10(;|$)' "$DEST"
grep -E '^ +server ' "$DEST"
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINT" del --prefix /web/weight/ >/dev/null && echo "deleted /web/weight/"
wait_until "the weights gone from $DEST" sh -c "! grep -Eq 'weight[ =]10(;|$)' '$DEST'"
grep -E '^ +server ' "$DEST"
say "done"

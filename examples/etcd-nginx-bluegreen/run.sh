#!/usr/bin/env bash
# Blue/green with etcd and nginx, on loopback: etcd holds which color is
# live, switchyard renders nginx's upstream and reloads nginx, curl shows the
# switch. Run from the repository root after `npm ci && npm run build`:
#   examples/etcd-nginx-bluegreen/run.sh
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
require etcd etcdctl nginx curl node

say "starting etcd and the two colors of the app"
start_etcd
start_app blue
start_app green
put /apps/web/blue/addr "$BLUE_ADDR"
put /apps/web/green/addr "$GREEN_ADDR"
put /apps/web/live blue

say "starting nginx (its upstream lives in $WORK/upstream.conf)"
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo 'user root root;' )
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    include $WORK/upstream.conf;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / { proxy_pass http://web_live; }
    }
}
CONF
# Until switchyard renders it, the upstream points nowhere: nginx answers 502.
printf 'upstream web_live { server 127.0.0.1:%s; }\n' "$(free_port)" >"$WORK/upstream.conf"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
PIDS+=("$(cat "$WORK/nginx/nginx.pid")")
wait_until "nginx on $NGINX_PORT" curl -sS -o /dev/null "http://127.0.0.1:$NGINX_PORT/"
echo "nginx answers before switchyard: HTTP $(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/")"

say "the switchyard resource"
mkdir -p "$WORK/confdir/conf.d"
cp -r "$(dirname "$0")/templates" "$WORK/confdir/"
cat >"$WORK/confdir/conf.d/web.toml" <<TOML
[template]
src        = "upstream.nginx.hbs"
dest       = "$WORK/upstream.conf"
prefix     = "/apps/web"
keys       = ["/live", "/blue", "/green", "/weight"]
check_cmd  = "$SWITCHYARD check-fragment nginx --prefix $WORK/nginx --config $WORK/nginx/nginx.conf --staged {{src}} --dest {{dest}}"
reload_cmd = "$REPO/examples/blue-green/nginx/reload.sh $WORK/nginx/nginx.pid"
TOML
cat "$WORK/confdir/conf.d/web.toml"

say "switchyard --onetime"
"$SWITCHYARD" --onetime --confdir "$WORK/confdir" --backend etcd --node "$ETCD_ENDPOINT"
# nginx -s reload only signals the master: the new workers start a moment later.
wait_until "nginx to serve blue" sh -c "curl -fsS http://127.0.0.1:$NGINX_PORT/ | grep -q blue"
echo "nginx answers: $(curl -fsS "http://127.0.0.1:$NGINX_PORT/")"
grep -E '^ +server ' "$WORK/upstream.conf"

say "switchyard watching; switching live to green in etcd"
start_switchyard --confdir "$WORK/confdir" --backend etcd --node "$ETCD_ENDPOINT"
put /apps/web/live green
wait_until "nginx to serve green" answers "http://127.0.0.1:$NGINX_PORT/" "green 1"
echo "nginx answers: $(curl -fsS "http://127.0.0.1:$NGINX_PORT/")"

say "a bad value is refused; nginx keeps serving green"
put /apps/web/blue/addr '127.0.0.1:9001; } server { listen 80'
put /apps/web/live blue
wait_until "switchyard to refuse it" grep -q 'render failed' "$WORK/switchyard.log"
grep 'render failed' "$WORK/switchyard.log" | tail -1
echo "nginx answers: $(curl -fsS "http://127.0.0.1:$NGINX_PORT/")"
say "done"

#!/usr/bin/env bash
# The quickstart without a server: the file backend reads data.yaml,
# switchyard renders templates/app.nginx.hbs once and the result is shown.
# Works on a copy in a temporary directory, so the checkout stays clean.
# Run from anywhere after `npm ci && npm run build`:
#   examples/quickstart/run.sh
set -euo pipefail
source "$(dirname "$0")/../lib/loopback.sh"
require node

cp -r "$REPO/examples/quickstart" "$WORK/quickstart"
rm -rf "$WORK/quickstart/out"
"$SWITCHYARD" --onetime --confdir "$WORK/quickstart" --log-level warn
cat "$WORK/quickstart/out/app.conf"

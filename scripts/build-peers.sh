#!/usr/bin/env bash
# Builds confd and consul-template, which the migration tests run to compare
# outputs byte for byte, with the shared peer scripts (../shared/peers, or
# SWITCHYARD_PEERS_DIR) into ~/.cache/peers/bin. Cached: a build is keyed by
# the sha256 of its script, so a new pin rebuilds and an unchanged one
# finishes in about a second (the scripts keep a binary that works).
set -euo pipefail
cd "$(dirname "$0")/.."

peers=""
for d in "${SWITCHYARD_PEERS_DIR:-}" ../shared/peers ../../shared/peers; do
  if [ -n "$d" ] && [ -f "$d/build-confd.sh" ]; then peers=$d; break; fi
done
[ -n "$peers" ] || { echo "build-peers: the peer build scripts are missing (../shared/peers); set SWITCHYARD_PEERS_DIR" >&2; exit 1; }

out=${PEERS_BIN:-$HOME/.cache/peers/bin}
mkdir -p "$out"
for tool in confd consul-template; do
  script="$peers/build-$tool.sh"
  key=$(sha256sum "$script" | cut -d' ' -f1)
  stamp="$out/.$tool.key"
  # A binary built before stamps existed is trusted once; a changed script rebuilds.
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$key" ]; then force=1; else force=0; fi
  FORCE=$force bash "$script" "$out"
  echo "$key" > "$stamp"
done

#!/usr/bin/env bash
# Installs everything the test suite talks to, from Debian's packages and the
# Go module proxy. Idempotent: a warm machine finishes in seconds.
#   - etcd, nginx, HAProxy, wrk, debootstrap, systemd-nspawn (apt)
#   - Consul, built from its Go module once, cached in ~/.cache/switchyard
#   - a Debian root filesystem for the systemd test, cached the same way
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

PACKAGES=(etcd-server etcd-client nginx haproxy wrk curl debootstrap systemd-container openssl ca-certificates)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  # Packages must not start their daemons: tests start their own on free ports.
  $SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages already installed"
fi
for daemon in nginx haproxy etcd; do
  pkill -x "$daemon" 2>/dev/null && say "stopped a $daemon the package started" || true
done

say "Consul (built from its Go module, cached)"
bash scripts/install-consul.sh

if [ -f scripts/build-rootfs.sh ]; then
  say "Debian root filesystem for the systemd test (cached)"
  bash scripts/build-rootfs.sh
fi
say "setup done"

#!/usr/bin/env bash
# Installs everything the test suite talks to, from Debian's packages and the
# Go module proxy. Idempotent: a warm machine finishes in seconds.
#   - etcd, nginx, HAProxy, wrk, debootstrap, systemd-nspawn, chromium for the status page test (apt)
#   - Consul, built from its Go module once, cached in ~/.cache/switchyard
#   - a Debian root filesystem for the systemd test, cached the same way
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

PACKAGES=(etcd-server etcd-client nginx haproxy wrk curl debootstrap systemd-container openssl ca-certificates chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  # The packages must not start their daemons (tests start their own on free
  # ports): Debian's policy-rc.d hook refuses every start during the install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages already installed"
fi

say "Consul (built from its Go module, cached)"
bash scripts/install-consul.sh

if [ -f scripts/build-rootfs.sh ]; then
  say "Debian root filesystem for the systemd test (cached)"
  bash scripts/build-rootfs.sh
fi
say "setup done"

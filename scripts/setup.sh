#!/usr/bin/env bash
# Installs everything the test suite talks to, from Debian's packages and the
# Go module proxy. Idempotent: a warm machine finishes in seconds.
#   - etcd, nginx, HAProxy, wrk, iproute2 (network namespaces as fleet hosts),
#     debootstrap, systemd-nspawn, chromium for the
#     status page test (apt)
#   - Consul, built from its Go module once, cached in ~/.cache/switchyard;
#     that needs Go: without `go` on PATH, Debian's golang-go (or a
#     golang-1.NN-go package) is installed when it is new enough for Consul's
#     go.mod, otherwise the script says where to get Go and stops
#   - a Debian root filesystem for the systemd test, cached the same way
#   - confd and consul-template (the migration equivalence tests), built by the
#     shared peer scripts into ~/.cache/peers/bin, rebuilt when a script changes
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

# The Go that Consul's go.mod asks for (v1.20.6: `go 1.23.8`); install-consul.sh
# builds with GOTOOLCHAIN=local, so an older Go fails.
CONSUL_VERSION="${CONSUL_VERSION:-v1.20.6}"
GO_MIN="${GO_MIN:-1.23.8}"

# version_ge A B: version A is B or later.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# "2:1.19~1" → "1.19", "1.23.1-1~bpo12+1" → "1.23.1": a Debian version's upstream part.
upstream_version() { sed -E 's/^[0-9]+://; s/[-~+].*$//' <<<"$1"; }

go_instructions() {
  cat >&2 <<TEXT
==> error: building Consul $CONSUL_VERSION needs Go $GO_MIN or later, and $1.
    Install Go from https://go.dev/dl/ and run this script again, e.g.:
      curl -fsSLO https://go.dev/dl/go$GO_MIN.linux-amd64.tar.gz
      sudo rm -rf /usr/local/go && sudo tar -C /usr/local -xzf go$GO_MIN.linux-amd64.tar.gz
      export PATH="\$PATH:/usr/local/go/bin"
    (or point SWITCHYARD_CONSUL_BIN at a Consul binary and skip the build).
TEXT
  exit 1
}

# Go on PATH, new enough; else the newest Debian package that is, if any.
ensure_go() {
  if command -v go >/dev/null; then
    local have; have=$(go env GOVERSION | sed 's/^go//')
    version_ge "$have" "$GO_MIN" && return 0
    go_instructions "the go on PATH ($(command -v go)) is $have"
  fi
  local pkg candidate version
  for pkg in golang-go $(apt-cache search --names-only '^golang-1\.[0-9]+-go$' 2>/dev/null | awk '{print $1}' | sort -V -r); do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ] || continue
    version=$(upstream_version "$candidate")
    version_ge "$version" "$GO_MIN" || continue
    say "installing Go from Debian: $pkg $candidate"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg"
    # golang-1.NN-go installs into /usr/lib/go-1.NN without a link on PATH.
    if [[ "$pkg" != golang-go ]]; then
      local minor=${pkg#golang-}
      export PATH="$PATH:/usr/lib/go-${minor%-go}/bin"
    fi
    command -v go >/dev/null && return 0
  done
  go_instructions "no go is on PATH and this system's packages offer only $(upstream_version "$(apt-cache policy golang-go 2>/dev/null | awk '/Candidate:/ {print $2}')" ) (golang-go)"
}

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
PACKAGES=(etcd-server etcd-client nginx haproxy wrk curl iproute2 debootstrap systemd-container openssl ca-certificates chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
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
if [ -n "${SWITCHYARD_CONSUL_BIN:-}" ]; then
  say "using SWITCHYARD_CONSUL_BIN=$SWITCHYARD_CONSUL_BIN"
else
  consul_bin="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}/consul-$CONSUL_VERSION/consul"
  [ -x "$consul_bin" ] || ensure_go
  CONSUL_VERSION="$CONSUL_VERSION" bash scripts/install-consul.sh
fi

if [ -f scripts/build-rootfs.sh ]; then
  say "Debian root filesystem for the systemd test (cached)"
  bash scripts/build-rootfs.sh
fi
say "confd and consul-template (built from their Go modules, cached)"
bash scripts/build-peers.sh

say "setup done"

#!/usr/bin/env bash
# Builds (once) a minimal Debian bookworm root filesystem that boots systemd
# under systemd-nspawn, for the system tests and the blue/green example.
#
#   scripts/build-rootfs.sh            build if missing; print the rootfs path
#   scripts/build-rootfs.sh --print    print the path only, build nothing
#   scripts/build-rootfs.sh --force    rebuild even when cached
#
# The result lives at ~/.cache/switchyard/rootfs-bookworm-<key>/ where <key>
# hashes the package list and SCRIPT_VERSION, so a change to either builds a
# new tree and a warm run returns at once. The tree is built in a temporary
# directory and renamed into place only when complete. Node.js is not
# installed: Debian's is too old, the harness bind-mounts the host's binary.
# Progress goes to stderr; the last line on stdout is the rootfs path.
set -euo pipefail

SCRIPT_VERSION=4
SUITE=bookworm
MIRROR=${SWITCHYARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=(
  systemd systemd-sysv dbus libpam-systemd
  etcd-server etcd-client nginx haproxy
  curl ca-certificates netbase iproute2 procps psmisc less
  libstdc++6 wrk
)

log() { printf '[build-rootfs] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mode=build
case "${1:-}" in
  '') ;;
  --print) mode=print ;;
  --force) mode=force ;;
  *) die "unknown argument '$1' (expected --print or --force)" ;;
esac

cache_root=${SWITCHYARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard}
key=$(printf '%s\n' "$SCRIPT_VERSION" "$SUITE" "${PACKAGES[@]}" | sha256sum | cut -c1-12)
target="$cache_root/rootfs-$SUITE-$key"

if [[ $mode == print ]]; then echo "$target"; exit 0; fi
if [[ $mode == build && -f $target/.switchyard-rootfs-complete ]]; then
  log "cached: $target"
  echo "$target"
  exit 0
fi

[[ $(id -u) == 0 ]] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing (apt-get install systemd-container)"

mkdir -p "$cache_root"
# One builder at a time; a second caller waits and then finds the cache warm.
exec 9>"$cache_root/.rootfs-$SUITE-$key.lock"
flock 9
if [[ $mode == build && -f $target/.switchyard-rootfs-complete ]]; then
  log "cached (built by a concurrent run): $target"
  echo "$target"
  exit 0
fi

# debootstrap ignores apt.conf; hand it apt's proxy if one is configured.
if [[ -z ${http_proxy:-} ]]; then
  apt_proxy=$(apt-config shell P Acquire::http::Proxy | sed -n "s/^P='\(.*\)'$/\1/p")
  if [[ -n $apt_proxy && $apt_proxy != DIRECT ]]; then
    export http_proxy=$apt_proxy
    log "using apt's proxy $http_proxy"
  fi
fi

tmp=$(mktemp -d "$cache_root/.rootfs-$SUITE-$key.tmp.XXXXXX")
cleanup() { rm -rf --one-file-system "$tmp"; }
trap cleanup EXIT
chmod 0755 "$tmp"

start=$(date +%s)
include=$(IFS=,; echo "${PACKAGES[*]}")
log "debootstrap $SUITE from $MIRROR into $tmp (packages: $include)"
debootstrap --variant=minbase --include="$include" "$SUITE" "$tmp" "$MIRROR" 2>&1 \
  | while IFS= read -r line; do
      case $line in I:\ Retrieving*|I:\ Validating*|I:\ Unpacking\ *|I:\ Configuring\ *) ;; *) log "$line" ;; esac
    done
[[ -x $tmp/lib/systemd/systemd ]] || die "debootstrap did not install systemd (see messages above)"
log "debootstrap done after $(( $(date +%s) - start ))s; configuring"

echo switchyard-test > "$tmp/etc/hostname"
# Without it Go programs (etcd) ask DNS for "localhost", unreachable in a private network.
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tswitchyard-test\n' > "$tmp/etc/hosts"
# A fixed machine-id: an empty one would make systemd treat every boot as first boot.
tr -d '-' < /proc/sys/kernel/random/uuid > "$tmp/etc/machine-id"
passwd_root_empty() { sed -i 's/^root:[^:]*:/root::/' "$tmp/etc/shadow"; }
passwd_root_empty
# Units that only slow a test boot down or fight over the console.
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer systemd-networkd.service systemd-networkd-wait-online.service \
  systemd-resolved.service getty@.service console-getty.service serial-getty@.service \
  systemd-timesyncd.service systemd-firstboot.service; do
  ln -sfn /dev/null "$tmp/etc/systemd/system/$unit"
done
# The test installs its own etcd/nginx/haproxy configuration before starting them.
for unit in etcd nginx haproxy; do
  rm -f "$tmp/etc/systemd/system/multi-user.target.wants/$unit.service"
done
mkdir -p "$tmp/opt/switchyard"
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*_Packages
printf 'suite=%s key=%s version=%s\npackages=%s\n' "$SUITE" "$key" "$SCRIPT_VERSION" "$include" \
  > "$tmp/.switchyard-rootfs-complete"

if [[ -e $target ]]; then
  old="$target.old.$$"
  mv "$target" "$old"
  rm -rf --one-file-system "$old"
fi
mv "$tmp" "$target"
trap - EXIT
log "built $target in $(( $(date +%s) - start ))s ($(du -sh "$target" | cut -f1))"
echo "$target"

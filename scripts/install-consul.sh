#!/usr/bin/env bash
# Builds a real Consul for the integration tests from its Go module, once, with
# this machine's Go toolchain, into ~/.cache/switchyard/consul-<version>/consul.
# Later runs reuse the binary (and Go's module and build caches).
#
#   scripts/install-consul.sh            build if needed, print the binary path
#   CONSUL_VERSION=v1.20.6 scripts/...   pin another version
#
# The last line printed on stdout is the binary's path; progress goes to stderr.
set -euo pipefail

CONSUL_VERSION="${CONSUL_VERSION:-v1.20.6}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
INSTALL_DIR="$CACHE_ROOT/consul-$CONSUL_VERSION"
BIN="$INSTALL_DIR/consul"
MODULE="github.com/hashicorp/consul"

say() { printf 'install-consul: %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

# The harness finds the binary through this file when SWITCHYARD_CONSUL_BIN is unset.
remember_path() { printf '%s\n' "$BIN" >"$CACHE_ROOT/consul-current"; }

if [[ -x "$BIN" ]] && "$BIN" version >/dev/null 2>&1; then
  remember_path
  say "already built: $("$BIN" version | head -n1)"
  printf '%s\n' "$BIN"
  exit 0
fi

command -v go >/dev/null || fail "the Go toolchain is missing (go on PATH); install Go to build Consul"
command -v node >/dev/null || fail "node is missing; it reads the module's go.mod"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" CGO_ENABLED=0

say "building Consul $CONSUL_VERSION with $(go version)"
say "module cache $(go env GOMODCACHE), build cache $(go env GOCACHE)"
mkdir -p "$INSTALL_DIR"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-consul-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

say "fetching $MODULE@$CONSUL_VERSION's go.mod from the module proxy"
DOWNLOADED="$(cd "$WORK" && go mod download -json "$MODULE@$CONSUL_VERSION" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const info = JSON.parse(s);
    if (info.Error) { console.error(info.Error); process.exit(1); }
    console.log(info.GoMod); console.log(info.Dir);
  });')" || fail "could not download $MODULE@$CONSUL_VERSION"
GOMOD_FILE="$(sed -n 1p <<<"$DOWNLOADED")"
MODULE_DIR="$(sed -n 2p <<<"$DOWNLOADED")"

# Consul's go.mod replaces its own submodules with in-repo directories that the
# module zip does not carry; those resolve to the versions it requires. Every
# other replace, and every exclude, is repeated in the wrapper module.
DIRECTIVES="$(go mod edit -json "$GOMOD_FILE" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const mod = JSON.parse(s);
    const at = (m) => (m.Version ? `${m.Path}@${m.Version}` : m.Path);
    for (const r of mod.Replace ?? []) {
      if (r.New.Path.startsWith(".") || r.New.Path.startsWith("/")) continue;
      console.log(`-replace=${at(r.Old)}=${at(r.New)}`);
    }
    for (const e of mod.Exclude ?? []) console.log(`-exclude=${e.Path}@${e.Version}`);
  });')"

cd "$WORK"
go mod init switchyard.local/consul-build >/dev/null 2>&1
go mod edit -require="$MODULE@$CONSUL_VERSION"
# Consul's own go.sum pins every dependency's hash; some of its pseudo-versions
# are unknown to the checksum database, so start from it.
cp "$MODULE_DIR/go.sum" go.sum
chmod u+w go.sum
if [[ -n "$DIRECTIVES" ]]; then
  mapfile -t EDITS <<<"$DIRECTIVES"
  say "repeating ${#EDITS[@]} directive(s): ${EDITS[*]}"
  go mod edit "${EDITS[@]}"
fi

say "compiling (a fresh machine takes several minutes; later runs reuse Go's caches)"
start=$(date +%s)
go build -trimpath -o "$WORK/consul" "$MODULE"
"$WORK/consul" version >/dev/null || fail "the built binary does not run"
mv -f "$WORK/consul" "$BIN"
remember_path
say "built in $(( $(date +%s) - start ))s: $("$BIN" version | head -n1)"
printf '%s\n' "$BIN"

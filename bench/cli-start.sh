#!/usr/bin/env bash
# Start-up of the CLI: `--version` and the quickstart's `--onetime` (file
# backend), each with hyperfine (Debian's hyperfine package), then the peak
# RSS of one run of each (GNU time). `node -e 0` is the runtime's floor.
#
#   bench/cli-start.sh [SWITCHYARD...]    default: ./bin/switchyard
# Give several commands (another checkout's bin/switchyard, the single
# executable) to compare them in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench/cli-start.sh: hyperfine is missing: apt-get install hyperfine" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench/cli-start.sh: /usr/bin/time is missing: apt-get install time" >&2; exit 2; }
(($# > 0)) || set -- ./bin/switchyard
runs=${RUNS:-30}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A copy of the quickstart: its dest is relative to the confdir, so runs write into $out.
cp -r examples/quickstart "$out/quickstart"

commands=('node -e 0')
for bin in "$@"; do commands+=("$bin --version" "$bin --onetime --confdir $out/quickstart"); done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/hyperfine.json" "${commands[@]}" >&2
echo
printf '%-90s %9s %9s %9s\n' command 'mean ms' 'min ms' 'RSS MB'
for cmd in "${commands[@]}"; do
  rss=$(/usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1)
  node -e '
    const [file, cmd, rss] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(file, "utf8")).results.find((x) => x.command === cmd);
    console.log(cmd.padEnd(90), (r.mean * 1000).toFixed(1).padStart(9), (r.min * 1000).toFixed(1).padStart(9), (rss / 1024).toFixed(1).padStart(9));
  ' "$out/hyperfine.json" "$cmd" "$rss"
done

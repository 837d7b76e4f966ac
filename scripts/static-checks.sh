#!/usr/bin/env bash
# The test suite's static checks side by side, one per core: the type check
# of src/ and test/, and the lint (floating and misused promises). Fails when
# either fails; each prints its own findings.
set -uo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/tsc -p tsconfig.test.json &
types=$!
node_modules/.bin/eslint src test
lint=$?
wait "$types"
types=$?
[ "$types" -eq 0 ] || echo "static checks: the type check failed (exit $types)" >&2
[ "$lint" -eq 0 ] || echo "static checks: the lint failed (exit $lint)" >&2
[ "$types" -eq 0 ] && [ "$lint" -eq 0 ]

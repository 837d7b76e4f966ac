#!/usr/bin/env bash
# The blue/green example with nginx: see ../run.sh and ../README.md.
exec "$(dirname "$0")/../run.sh" nginx "$@"

#!/usr/bin/env bash
# The blue/green example with haproxy: see ../run.sh and ../README.md.
exec "$(dirname "$0")/../run.sh" haproxy "$@"

#!/usr/bin/env bash
# Quick start 1: the whole pipeline on Azurite with the sample feeds. Installs Azurite (npm), restores and
# builds, starts Azurite, pushes the samples, runs the local host once and prints what matched and what is
# overdue. Azurite is stopped on exit. AS_OF overrides the evaluation instant.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
AS_OF=${AS_OF:-2026-11-25T12:00:00Z}

./monitor --help >/dev/null   # restore + build once, before Azurite starts
start_azurite

scripts/push-samples.sh

echo
echo "== monitor run --once --as-of $AS_OF"
./monitor run --once --as-of "$AS_OF"
echo
echo "== monitor requests"
./monitor requests

#!/usr/bin/env bash
# Installs what is missing, builds, and starts `nfscope demo`: a lab of
# network namespaces with live traffic and the dashboard watching it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec target/release/nfscope demo "$@"

#!/usr/bin/env bash
# Every test: unit tests, the network-namespace integration tests against
# the real kernel, and the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

# Test namespaces that an earlier, killed run left behind.
ip netns list 2>/dev/null | awk '/^nfs-t-/ { print $1 }' \
    | while read -r ns; do ip netns delete "$ns"; done

echo "== lint (rustfmt, clippy)"
bash scripts/lint.sh

echo "== unit and integration tests (cargo test)"
# The ssr crates only; the hydrate crate builds for wasm in build.sh.
cargo test --release -p app --features ssr
cargo test --release -p nfscope

echo "== browser tests (playwright-core + chromium)"
node --test --test-concurrency=1 end2end/

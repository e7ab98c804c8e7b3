#!/usr/bin/env bash
# Formatting and clippy for the native (ssr) and the wasm (hydrate) builds.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --release -p app -p nfscope -p bench --features app/ssr \
    --all-targets \
    -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown \
    --profile wasm-release --target-dir target/wasm -- -D warnings

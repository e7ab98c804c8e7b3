#!/usr/bin/env bash
# Builds the site (hydrate wasm, JS glue, CSS) into target/site/pkg and
# the release binary target/release/nfscope, which serves that site.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

pkg=target/site/pkg
mkdir -p "$pkg"
cp public/* "$pkg/"

# The wasm side builds in its own target directory, with only the
# `hydrate` feature: never together with `ssr`.
cargo build -p frontend --target wasm32-unknown-unknown \
    --profile wasm-release --target-dir target/wasm
# The name section only serves debuggers; it is a quarter of the size.
wasm-bindgen --target web --no-typescript --out-dir "$pkg" \
    --out-name nfscope --remove-name-section --remove-producers-section \
    target/wasm/wasm32-unknown-unknown/wasm-release/frontend.wasm

npx --no-install tailwindcss -i style/main.css -o "$pkg/nfscope.css" --minify \
    2> >(grep -v '^≈' >&2)

cargo build --release -p nfscope

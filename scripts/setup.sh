#!/usr/bin/env bash
# Installs what building and testing nfscope needs, and only what is
# missing: Debian packages, the wasm target, the exact wasm-bindgen CLI the
# lockfile asks for, and the pinned npm tools. Quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages: ip/nft/conntrack/iptables/ipset for the lab and tests,
# chromium for the browser tests.
want=(iproute2 nftables iptables ipset conntrack chromium procps)
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
        || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen's CLI must match the crate version exactly.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]]; then
    log "installing wasm-bindgen-cli $wbg (takes a few minutes)"
    cargo install wasm-bindgen-cli --version "=$wbg"
fi

if [[ ! -d node_modules/@tailwindcss/cli || ! -d node_modules/playwright-core \
      || package.json -nt node_modules/.package-lock.json ]]; then
    log "installing npm tools"
    npm install --no-audit --no-fund --loglevel=error
fi

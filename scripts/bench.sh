#!/usr/bin/env bash
# The benchmark: nfscope against the kernel's floor and conntrack-tools.
#
#   sudo bash scripts/bench.sh
#   sudo NFSCOPE_BEFORE=old/target/release/nfscope bash scripts/bench.sh
#
# 1. time to load tables of 10k, 100k and 250k entries, and memory per
#    entry; 2. events lost during a flood of new flows; 3. a flow's way
#    to a page with eight windows watching; 4. a ruleset of 10k rules;
#    5. the history's writer and searches over a million flows; 6. time
#    from a new flow to its row in the browser; 7. the rules page with
#    10k rules; and the wasm's size.
# Prints each part's table as it goes, then one markdown table of every
# number with its goal. Not part of scripts/test.sh (nor CI): it loads the
# machine for about thirteen minutes, and its numbers only mean something on
# an otherwise quiet one.
set -euo pipefail
cd "$(dirname "$0")/.."

if ((EUID != 0)); then
    echo "bench.sh: needs root (network namespaces, ctnetlink)" >&2
    exit 1
fi

# Every namespace of this run starts with this prefix, so that the exit
# trap removes exactly ours, even after a crash.
lab="nfs-t-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
summary=$(mktemp)
cleanup() {
    rm -f "$summary"
    ip netns list | awk -v p="$lab-" 'index($1, p) == 1 { print $1 }' |
        while read -r ns; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build"
bash scripts/build.sh
cargo build --release -p bench

bench=(target/release/nfscope-bench --lab-name "$lab" --summary "$summary")
echo
echo "== 1. loading a table (median of 5)"
"${bench[@]}" --rounds 5 table
echo
echo "== 2. events lost at full data-plane rate"
"${bench[@]}" events
echo
echo "== 3. events lost and a flow's way to a page, eight windows watching"
# NFSCOPE_BEFORE=path/to/an/older/nfscope measures that build too, the
# two taking turns, so that both figures come from one run.
for _ in 1 2 3; do
    if [[ -n ${NFSCOPE_BEFORE:-} ]]; then
        "${bench[@]}" watchers --nfscope "$NFSCOPE_BEFORE" --design before
    fi
    "${bench[@]}" watchers
done
echo
echo "== 4. reading a ruleset of 10k rules"
"${bench[@]}" --rounds 5 rules
echo
echo "== 5. the history: its writer, and searches over a million flows"
"${bench[@]}" --rounds 5 store
echo
echo "== 6. browser: new flow → its row"
node end2end/bench-latency.mjs "$lab" "$summary"
echo
echo "== 7. browser: the rules page with 10k rules"
node end2end/bench-rules-page.mjs "$lab" "$summary"

wasm=$(gzip -9 -c target/site/pkg/nfscope_bg.wasm | wc -c)
goal=$((200 * 1024))
verdict=$( ((wasm <= goal)) && echo met || echo missed)
printf '| hydrate wasm, gzip -9 | %d KiB (%d B) | ≤ 200 KiB (%s) |\n' \
    $((wasm / 1024)) "$wasm" "$verdict" >>"$summary"

echo
echo "== results"
echo
echo "| Measure | Value | Goal |"
echo "|---|---:|---|"
cat "$summary"

#!/usr/bin/env bash
# A time-boxed run of every fuzz target, for CI:
#
#   fuzz/smoke.sh SECONDS      # seeds, builds, then runs each target for SECONDS
#
# Works from a clean clone: installs cargo-fuzz when it is missing, and uses the nightly
# toolchain when rustup has one, else the stable one with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs
# -Z flags; the stable toolchain ships the sanitizer runtime it links). Exits non-zero when a
# target crashes; the crashing input is in fuzz/artifacts/TARGET/: copy it to
# fuzz/regressions/TARGET/ once fixed, and tests/fuzz_regressions.rs replays it.
set -euo pipefail

seconds=${1:?usage: fuzz/smoke.sh SECONDS}
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
cd "$fuzz_dir/.."

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    # A debug build: it installs in a fraction of the time, and only drives cargo.
    cargo install cargo-fuzz --locked --debug
fi
toolchain=()
if cargo +nightly --version >/dev/null 2>&1; then
    toolchain=(+nightly)
else
    export RUSTC_BOOTSTRAP=1
fi

"$fuzz_dir/seed.sh"
echo "== building the fuzz targets ($(cargo "${toolchain[@]}" --version))"
cargo "${toolchain[@]}" fuzz build

failed=()
for target in $(cargo "${toolchain[@]}" fuzz list); do
    echo "== fuzzing $target for ${seconds}s"
    log=$(mktemp)
    # A target with a dictionary (dicts/TARGET.dict: the tokens of its format) gets it.
    dict=()
    if [[ -f "$fuzz_dir/dicts/$target.dict" ]]; then dict=(-dict="$fuzz_dir/dicts/$target.dict"); fi
    if cargo "${toolchain[@]}" fuzz run "$target" -- "${dict[@]}" \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
        cov=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | grep -oE 'cov: [0-9]+' || true)
        echo "$target: ok, ${runs:-?} executions in ${seconds}s, ${cov:-cov: ?}"
    else
        tail -n 60 "$log"
        echo "$target: FAILED (input saved under fuzz/artifacts/$target/)"
        failed+=("$target")
    fi
    rm -f "$log"
done

if ((${#failed[@]})); then
    echo "fuzz smoke failed: ${failed[*]}"
    exit 1
fi
echo "fuzz smoke: every target ran ${seconds}s without a finding"

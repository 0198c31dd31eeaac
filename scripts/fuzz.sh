#!/usr/bin/env bash
# Run the cargo-fuzz targets in fuzz/ (nightly; `cargo install cargo-fuzz`), each for N seconds
# under a memory limit. Crash, leak, timeout and out-of-memory inputs land in
# fuzz/artifacts/TARGET/; the corpus grows in fuzz/corpus/TARGET/ (seeded from
# crates/core/tests/fixtures/reports for `report`). Any crash input belongs in a regression test.
#
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]     (default: all, 600 seconds each)
#   targets: report, records_csv, records_xlsx
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-all}
secs=${2:-600}
rss_mb=${FUZZ_RSS_MB:-2048}
malloc_mb=${FUZZ_MALLOC_MB:-1024}
# AddressSanitizer by default; FUZZ_SANITIZER=none builds several times faster (panics, aborts,
# timeouts and the memory limits are still caught, memory errors in C code are not).
sanitizer=${FUZZ_SANITIZER:-address}
cd "$root/fuzz"

# Same dependency versions as the main build.
[ -f Cargo.lock ] || cp "$root/Cargo.lock" Cargo.lock

run() {
    local t=$1
    mkdir -p "corpus/$t" "artifacts/$t"
    local seeds=()
    if [ "$t" = report ] && [ -d "$root/crates/core/tests/fixtures/reports" ]; then
        seeds=("$root/crates/core/tests/fixtures/reports")
    elif [ -d "$root/fuzz/seeds/$t" ]; then
        # Small valid files of every record kind (fuzz/seeds/make.py).
        seeds=("$root/fuzz/seeds/$t")
    fi
    echo "== $t: ${secs}s, rss ${rss_mb} MB, malloc ${malloc_mb} MB"
    # -O: the build the program ships (release, no debug assertions; one codegen unit).
    cargo +nightly fuzz run -O -s "$sanitizer" "$t" "corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$malloc_mb" \
        -timeout=30 -max_len=1048576 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" 2>&1 | tee "artifacts/$t/last-run.log" \
        | grep -E '^(#[0-9]+.*(DONE|pulse)|stat::|==[0-9]+==|SUMMARY|INFO: Running|.*Test unit written)' || true
}

case "$target" in
    all) for t in report records_csv records_xlsx; do run "$t"; done ;;
    report | records_csv | records_xlsx) run "$target" ;;
    *) echo "unknown target $target (report, records_csv, records_xlsx, all)" >&2; exit 2 ;;
esac

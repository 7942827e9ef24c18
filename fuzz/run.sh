#!/usr/bin/env bash
# Fuzzes the segmenter for a bounded time (default 60 s; FUZZ_SECONDS overrides), seeded with the
# corpus notes. Installs cargo-fuzz when missing. cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP
# lets the stable toolchain accept them. A crash stops with its input saved under
# fuzz/artifacts/segment/ and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
mkdir -p fuzz/corpus/segment
RUSTC_BOOTSTRAP=1 cargo fuzz run segment fuzz/corpus/segment corpus -- \
  -max_total_time="${FUZZ_SECONDS:-60}" -max_len=65536 -print_final_stats=1

#!/usr/bin/env bash
# Whole runs against the Python anchors, on the same machine, one after the other:
#  1. embedding throughput on the first 128 talks of kubecon_talks.csv, candle
#     (examples/throughput.rs) against sentence-transformers (benches/anchor/throughput.py), at 1
#     and 2 threads, ROUNDS interleaved rounds (default 5), medians;
#  2. `confthemes run` end to end (no cache) against BERTopic's default pipeline
#     (benches/anchor/bertopic_run.py) on kubecon_talks.csv and kubecon_catalogue.csv: wall
#     seconds, seconds per stage and peak RSS, at 2 threads.
# When models/fetch-libtorch.sh has installed libtorch, the rust-bert engine (built with its
# feature into target/rust-bert) is measured beside candle in both parts.
# Prints ratios (confthemes over the anchor). The anchors print SKIPPED when Python or the packages
# are missing.
#
#   benches/whole_run.sh [PYTHON]     PYTHON: an interpreter with sentence-transformers and bertopic
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
rounds=${ROUNDS:-5}
data=../shared/data
[ -d "$data" ] || { echo "SKIPPED: $data is absent"; exit 0; }
[ -x /usr/bin/time ] || { echo "SKIPPED: /usr/bin/time (GNU time) is missing"; exit 0; }
cargo build --release --quiet --bin confthemes --example throughput
engines=(candle)
if [ -f models/libtorch/env.sh ]; then
  (source models/libtorch/env.sh && CARGO_TARGET_DIR=target/rust-bert \
    cargo build --release --quiet --features rust-bert --bin confthemes --example throughput)
  engines+=(rust-bert)
else
  echo "rust-bert: SKIPPED (models/fetch-libtorch.sh has not been run)"
fi
# The binary of an engine, run with what it needs to load.
bin() {
  case $1 in
    candle) echo "target/release/$2" ;;
    rust-bert) echo "env CONFTHEMES_ENGINE=rust-bert LD_LIBRARY_PATH=$PWD/models/libtorch/lib target/rust-bert/release/$2" ;;
  esac
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "== embedding throughput, texts/s (128 talks of kubecon_talks.csv, batch 32, median of $rounds)"
for threads in 1 2; do
  for ((r = 1; r <= rounds; r++)); do
    for engine in "${engines[@]}"; do
      RAYON_NUM_THREADS=$threads $(bin "$engine" examples/throughput) "$data/kubecon_talks.csv" 128 32 \
        | awk '{print $5}' >> "$work/${engine}_$threads"
    done
    "$python" benches/anchor/throughput.py "$data/kubecon_talks.csv" 128 32 "$threads" 2>/dev/null \
      | awk '/^sentence/ {print $5} /^SKIPPED/ {print > "/dev/stderr"}' >> "$work/st_$threads"
  done
  st=$(median < "$work/st_$threads" || true)
  for engine in "${engines[@]}"; do
    ours=$(median < "$work/${engine}_$threads")
    if [ -n "$st" ]; then
      echo "threads $threads: $engine $ours, sentence-transformers $st, ratio $(awk -v a="$ours" -v b="$st" 'BEGIN {printf "%.2f", a/b}')"
    else
      echo "threads $threads: $engine $ours, sentence-transformers SKIPPED"
    fi
  done
done

echo "== whole runs at 2 threads: wall seconds, peak RSS"
for name in kubecon_talks kubecon_catalogue; do
  csv=$data/$name.csv
  for engine in "${engines[@]}"; do
    RAYON_NUM_THREADS=2 /usr/bin/time -f '%e %M' -o "$work/ct_time" \
      $(bin "$engine" confthemes) run "$csv" --out "$work/out_$name" --no-cache --keep-logistics \
      --timings --quiet > /dev/null 2> "$work/ct_err"
    read -r wall kib < "$work/ct_time"
    echo "$name: confthemes ($engine) ${wall} s, $((kib / 1024)) MiB; $(grep '^timings' "$work/ct_err")"
    # The ratios below are for the default engine.
    if [ "$engine" = candle ]; then
      ct_wall=$wall ct_kib=$kib
      ct_emb=$(grep '^timings' "$work/ct_err" | sed -E 's/.*embedding ([0-9.]+) s.*/\1/')
    fi
  done
  NUMBA_NUM_THREADS=2 /usr/bin/time -f '%e %M' -o "$work/bt_time" \
    "$python" benches/anchor/bertopic_run.py "$csv" 2 > "$work/bt_out" 2>/dev/null || true
  if grep -q '^bertopic' "$work/bt_out"; then
    read -r bt_wall bt_kib < "$work/bt_time"
    read -r _ texts imp emb clu _ < <(grep '^bertopic' "$work/bt_out")
    echo "$name: BERTopic ${bt_wall} s, $((bt_kib / 1024)) MiB; $texts texts: import $imp s, embedding $emb s, UMAP + HDBSCAN + c-TF-IDF $clu s"
    awk -v a="$ct_wall" -v b="$bt_wall" -v c="$ct_kib" -v d="$bt_kib" \
      'BEGIN {printf "%s: confthemes is %.2fx faster, peak RSS %.2fx of BERTopic'"'"'s\n", "'"$name"'", b/a, c/d}'
    awk -v n="$texts" -v a="$ct_emb" -v b="$emb" \
      'BEGIN {printf "%s: embedding %.1f texts/s (candle) against %.1f (sentence-transformers in BERTopic), %.2fx\n", "'"$name"'", n/a, n/b, b/a}'
  else
    echo "$name: BERTopic $(cat "$work/bt_out")"
  fi
done

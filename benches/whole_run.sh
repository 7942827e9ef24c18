#!/usr/bin/env bash
# Whole runs against the Python anchors, on the same machine, one after the other:
#  1. embedding throughput on the first N talks of kubecon_talks.csv (default 256), batch 32, at 1
#     and 2 threads, ROUNDS interleaved rounds (default 5), medians: confthemes' engines
#     (examples/throughput.rs: candle, onnx in fp32 and in int8) against sentence-transformers
#     (benches/anchor/throughput.py) and ONNX Runtime from Python on the same graphs, fp32 and int8
#     (benches/anchor/onnxruntime_throughput.py);
#  2. `confthemes run` end to end (no cache) with candle, onnx fp32 and onnx int8 against BERTopic's
#     default pipeline (benches/anchor/bertopic_run.py) on each of DATASETS (default
#     "kubecon_talks kubecon_catalogue"): wall seconds, seconds per stage and peak RSS, at 2 threads.
# When models/fetch-libtorch.sh has installed libtorch, the rust-bert engine (built with its
# feature into target/rust-bert) is measured beside candle in both parts.
# Prints ratios (each engine over sentence-transformers, or over BERTopic). The anchors print
# SKIPPED when Python or the packages are missing.
#
#   benches/whole_run.sh [PYTHON]     PYTHON: an interpreter with sentence-transformers, bertopic
#                                     and onnxruntime
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
rounds=${ROUNDS:-5}
data=../shared/data
[ -d "$data" ] || { echo "SKIPPED: $data is absent"; exit 0; }
[ -x /usr/bin/time ] || { echo "SKIPPED: /usr/bin/time (GNU time) is missing"; exit 0; }
cargo build --release --quiet --bin confthemes --example throughput
engines=(candle onnx-fp32 onnx-int8)
if [ -f models/libtorch/env.sh ]; then
  (source models/libtorch/env.sh && CARGO_TARGET_DIR=target/rust-bert \
    cargo build --release --quiet --features rust-bert --bin confthemes --example throughput)
  engines+=(rust-bert)
else
  echo "rust-bert: SKIPPED (models/fetch-libtorch.sh has not been run)"
fi
n=${N:-256}
datasets=${DATASETS:-kubecon_talks kubecon_catalogue}
# The binary of an engine, run with what it needs to load.
bin() {
  case $1 in
    candle) echo "env CONFTHEMES_ENGINE=candle target/release/$2" ;;
    onnx-fp32) echo "env CONFTHEMES_ENGINE=onnx CONFTHEMES_PRECISION=fp32 target/release/$2" ;;
    onnx-int8) echo "env CONFTHEMES_ENGINE=onnx CONFTHEMES_PRECISION=int8 target/release/$2" ;;
    rust-bert) echo "env CONFTHEMES_ENGINE=rust-bert LD_LIBRARY_PATH=$PWD/models/libtorch/lib target/rust-bert/release/$2" ;;
  esac
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

echo "== embedding throughput, texts/s ($n talks of kubecon_talks.csv, batch 32, median of $rounds)"
anchors=(st ort-fp32 ort-int8)
for threads in 1 2; do
  for ((r = 1; r <= rounds; r++)); do
    for engine in "${engines[@]}"; do
      RAYON_NUM_THREADS=$threads $(bin "$engine" examples/throughput) "$data/kubecon_talks.csv" "$n" 32 \
        | awk '{print $5}' >> "$work/${engine}_$threads"
    done
    "$python" benches/anchor/throughput.py "$data/kubecon_talks.csv" "$n" 32 "$threads" 2>/dev/null \
      | awk '/^sentence/ {print $5} /^SKIPPED/ {print > "/dev/stderr"}' >> "$work/st_$threads"
    for precision in fp32 int8; do
      "$python" benches/anchor/onnxruntime_throughput.py "$data/kubecon_talks.csv" "$n" 32 "$threads" \
        "$precision" 2>/dev/null \
        | awk '/^onnxruntime/ {print $5} /^SKIPPED/ {print > "/dev/stderr"}' >> "$work/ort-${precision}_$threads"
    done
  done
  st=$(median < "$work/st_$threads" || true)
  for name in "${engines[@]}" "${anchors[@]:1}"; do
    texts=$(median < "$work/${name}_$threads" || true)
    if [ -z "$texts" ]; then
      echo "threads $threads: $name SKIPPED"
    elif [ -n "$st" ]; then
      echo "threads $threads: $name $texts, sentence-transformers $st, ratio $(ratio "$texts" "$st")"
    else
      echo "threads $threads: $name $texts, sentence-transformers SKIPPED"
    fi
  done
done

echo "== whole runs at 2 threads: wall seconds, peak RSS"
for name in $datasets; do
  csv=$data/$name.csv
  for engine in "${engines[@]}"; do
    RAYON_NUM_THREADS=2 /usr/bin/time -f '%e %M' -o "$work/ct_time" \
      $(bin "$engine" confthemes) run "$csv" --out "$work/out_$name" --no-cache --keep-logistics \
      --timings --quiet > /dev/null 2> "$work/ct_err"
    read -r wall kib < "$work/ct_time"
    echo "$name: confthemes ($engine) ${wall} s, $((kib / 1024)) MiB; $(grep '^timings' "$work/ct_err")"
    echo "$wall $kib $(grep '^timings' "$work/ct_err" | sed -E 's/.*embedding ([0-9.]+) s.*/\1/')" > "$work/run_$engine"
  done
  NUMBA_NUM_THREADS=2 /usr/bin/time -f '%e %M' -o "$work/bt_time" \
    "$python" benches/anchor/bertopic_run.py "$csv" 2 > "$work/bt_out" 2>/dev/null || true
  if grep -q '^bertopic' "$work/bt_out"; then
    read -r bt_wall bt_kib < "$work/bt_time"
    read -r _ texts imp emb clu _ < <(grep '^bertopic' "$work/bt_out")
    echo "$name: BERTopic ${bt_wall} s, $((bt_kib / 1024)) MiB; $texts texts: import $imp s, embedding $emb s, UMAP + HDBSCAN + c-TF-IDF $clu s"
    for engine in "${engines[@]}"; do
      read -r wall kib ct_emb < "$work/run_$engine"
      awk -v a="$wall" -v b="$bt_wall" -v c="$kib" -v d="$bt_kib" -v n="$texts" -v e="$ct_emb" -v f="$emb" \
        -v what="$name: confthemes ($engine)" \
        'BEGIN {printf "%s is %.2fx faster, peak RSS %.2fx of BERTopic'"'"'s; embedding %.1f texts/s against %.1f (sentence-transformers in BERTopic), %.2fx\n", what, b/a, c/d, n/e, n/f, f/e}'
    done
  else
    echo "$name: BERTopic $(cat "$work/bt_out")"
  fi
done

#!/usr/bin/env bash
# The clustering benchmark of the README: `confthemes bench` (every algorithm, MiniLM and the
# TF-IDF/LSA baseline) and BERTopic (benches/anchor/bertopic.py; skipped with a message when Python
# or its packages are missing) on ../shared/data/kubecon_talks.csv and bbc_news.csv, one after the
# other on the same machine. Outputs land in bench-results/<dataset>/.
#
#   benches/clustering.sh [PYTHON]      PYTHON: an interpreter with bertopic and gensim (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
cargo build --release --quiet
for data in kubecon_talks bbc_news; do
  csv=../shared/data/$data.csv
  [ -f "$csv" ] || { echo "SKIPPED: $csv is absent"; continue; }
  echo "== $data: confthemes bench"
  target/release/confthemes bench --data "$csv" --out "bench-results/$data" --quiet
  echo "== $data: BERTopic"
  "$python" benches/anchor/bertopic.py --data "$csv" --out "bench-results/$data" 2>/dev/null
done

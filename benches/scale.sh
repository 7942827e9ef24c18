#!/usr/bin/env bash
# Peak memory and wall time of whole `confthemes run`s over growing CSVs of talks, made by repeating
# ../shared/data/kubecon_catalogue.csv (4,865 sessions). Each copy gets its own conference name
# ("... copy 2") and a "copy 2:" prefix on its text, so no two rows are linked or embed alike.
#
#   benches/scale.sh [SIZE ...]        default sizes: 5000 20000
#
# Prints one line per size: talks, wall seconds, peak RSS (MiB), RSS per talk over the smallest run.
# Needs the model (models/fetch.sh) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
catalogue=../shared/data/kubecon_catalogue.csv
[ -f "$catalogue" ] || { echo "SKIPPED: $catalogue is absent"; exit 0; }
[ -x /usr/bin/time ] || { echo "SKIPPED: /usr/bin/time (GNU time) is missing"; exit 0; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000 20000)

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%8s %10s %14s\n' talks wall_s peak_rss_mib
for n in "${sizes[@]}"; do
  python3 - "$catalogue" "$n" "$work/talks_$n.csv" <<'PY'
import csv, sys
src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = list(csv.DictReader(open(src, newline="", encoding="utf-8")))
with open(dst, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=["conference", "year", "title", "text"])
    w.writeheader()
    for i in range(n):
        row, copy = rows[i % len(rows)], i // len(rows) + 1
        suffix = "" if copy == 1 else f" copy {copy}"
        prefix = "" if copy == 1 else f"copy {copy}: "
        w.writerow({"conference": row["conference"] + suffix, "year": row["year"],
                    "title": row["title"], "text": prefix + row["text"]})
PY
  /usr/bin/time -f '%e %M' -o "$work/time_$n" \
    target/release/confthemes run "$work/talks_$n.csv" --out "$work/out_$n" --quiet --no-cache >/dev/null
  read -r wall kib < "$work/time_$n"
  printf '%8d %10.1f %14.0f\n' "$n" "$wall" "$((kib / 1024))"
done

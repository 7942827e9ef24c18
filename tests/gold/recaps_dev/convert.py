#!/usr/bin/env python3
"""Converts ../shared/data/recaps_dev/gold.json into the test gold format: one CSV per post
(start_line,end_line,kind,title,alt_starts) and split.csv, which puts every source repository
(with all its posts) in the tuned or the held-back part: repositories in sorted order, every
second one held back. Only annotations are written here; the posts stay in ../shared.

Run from the repository root: python3 tests/gold/recaps_dev/convert.py
"""
import csv
import json
import pathlib

here = pathlib.Path(__file__).resolve().parent
gold = json.loads((here / "../../../../shared/data/recaps_dev/gold.json").read_text())
repos = sorted({d["repo"] for d in gold["docs"]})
held = {r for i, r in enumerate(repos) if i % 2 == 1}
with open(here / "split.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["file", "repo", "part"])
    for d in sorted(gold["docs"], key=lambda d: d["file"]):
        w.writerow([d["file"], d["repo"], "held-back" if d["repo"] in held else "tuned"])
for d in gold["docs"]:
    stem = d["file"].rsplit(".", 1)[0]
    with open(here / f"{stem}.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["start_line", "end_line", "kind", "title", "alt_starts", "themes"])
        for s in d["segments"]:
            w.writerow([s["start"], s["end"], s["kind"], s["title"],
                        ";".join(str(a) for a in s.get("alt_starts", [])),
                        ";".join(s.get("themes", []))])

"""sentence-transformers' embedding throughput on the first N talks of a CSV (title + text, as
confthemes embeds them), for benches/throughput.sh.

    python benches/anchor/throughput.py CSV [N] [BATCH] [THREADS]

Prints one line: `sentence-transformers TEXTS TOKENS_MEAN SECONDS TEXTS_PER_S`, or SKIPPED.
"""
import csv
import os
import sys
import time

try:
    import torch
    from sentence_transformers import SentenceTransformer
except ImportError as missing:
    print(f"SKIPPED: {missing.name} is not installed (pip install sentence-transformers)")
    sys.exit(0)


def talk_text(row):
    title, text = row.get("title", "").strip(), row["text"].strip()
    if not text:
        return title
    return text if text.startswith(title) else f"{title}.\n{text}"


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else os.cpu_count()
    torch.set_num_threads(threads)
    with open(path, newline="", encoding="utf-8") as f:
        texts = [talk_text(r) for r in csv.DictReader(f) if r["text"].strip()][:n]
    here = os.path.dirname(os.path.abspath(__file__))
    model_dir = os.environ.get("CONFTHEMES_MODEL",
                               os.path.join(here, "..", "..", "models", "all-MiniLM-L6-v2"))
    model = SentenceTransformer(model_dir, device="cpu")
    model.encode(texts[:8], batch_size=batch)  # warm-up
    start = time.perf_counter()
    model.encode(texts, batch_size=batch)
    seconds = time.perf_counter() - start
    lengths = [min(len(model.tokenizer(t)["input_ids"]), model.max_seq_length) for t in texts]
    print(f"sentence-transformers {len(texts)} {sum(lengths) / len(lengths):.1f} "
          f"{seconds:.3f} {len(texts) / seconds:.2f}")


main()

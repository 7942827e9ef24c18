"""BERTopic's default pipeline end to end on a CSV of talks, for benches/whole_run.sh: import,
embed (sentence-transformers, the same local model files), UMAP + HDBSCAN + c-TF-IDF. Texts are
built as confthemes builds them (title, then text) and a text repeated in at least 10 rows and 5%
of them is read as a placeholder (the title alone), as confthemes does.

    python benches/anchor/bertopic_run.py CSV [THREADS]

Prints `bertopic TEXTS import_s embed_s cluster_s total_s`, or SKIPPED.
"""
import time

START = time.perf_counter()

import collections  # noqa: E402
import csv  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]

try:
    import torch  # noqa: E402
    from bertopic import BERTopic  # noqa: E402
    from sentence_transformers import SentenceTransformer  # noqa: E402
except ImportError as missing:
    print(f"SKIPPED: {missing.name} is not installed (pip install bertopic)")
    sys.exit(0)


def talk_texts(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["text"].strip()]
    counts = collections.Counter(r["text"].strip() for r in rows)
    least = max(10, -(-len(rows) * 5 // 100))
    texts = []
    for r in rows:
        title, text = r.get("title", "").strip(), r["text"].strip()
        if counts[text] >= least and title:
            text = ""
        texts.append(title if not text else text if text.startswith(title) else f"{title}.\n{text}")
    return texts


def main():
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count()
    torch.set_num_threads(threads)
    imported = time.perf_counter()
    texts = talk_texts(path)
    model_dir = os.environ.get("CONFTHEMES_MODEL",
                               os.path.join(HERE, "..", "..", "models", "all-MiniLM-L6-v2"))
    model = SentenceTransformer(model_dir, device="cpu")
    embeddings = model.encode(texts, batch_size=32)
    embedded = time.perf_counter()
    BERTopic(embedding_model=model).fit_transform(texts, embeddings)
    done = time.perf_counter()
    print(f"bertopic {len(texts)} {imported - START:.2f} {embedded - imported:.2f} "
          f"{done - embedded:.2f} {done - START:.2f}")


main()

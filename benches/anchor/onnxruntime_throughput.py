"""ONNX Runtime's embedding throughput on the first N talks of a CSV, run from Python as a user of
the onnxruntime package would run it, for benches/whole_run.sh: the graphs confthemes' `onnx`
engine runs (models/all-MiniLM-L6-v2/onnx/model-PRECISION.onnx, written by models/build_onnx.py),
texts sorted by length and batched as sentence-transformers does, the Hugging Face tokenizer,
default session options with THREADS intra-op threads, mean pooling in the graph, then L2
normalisation.

    python benches/anchor/onnxruntime_throughput.py CSV [N] [BATCH] [THREADS] [PRECISION]

Prints one line: `onnxruntime-PRECISION TEXTS TOKENS_MEAN SECONDS TEXTS_PER_S`, or SKIPPED.
"""
import csv
import os
import sys
import time

try:
    import numpy as np
    import onnxruntime
    from tokenizers import Tokenizer
except ImportError as missing:
    print(f"SKIPPED: {missing.name} is not installed (pip install onnxruntime tokenizers)")
    sys.exit(0)

MAX_TOKENS = 256


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
    precision = sys.argv[5] if len(sys.argv) > 5 else "fp32"
    with open(path, newline="", encoding="utf-8") as f:
        texts = [talk_text(r) for r in csv.DictReader(f) if r["text"].strip()][:n]
    here = os.path.dirname(os.path.abspath(__file__))
    model_dir = os.environ.get("CONFTHEMES_MODEL",
                               os.path.join(here, "..", "..", "models", "all-MiniLM-L6-v2"))
    graph = os.path.join(model_dir, "onnx", f"model-{precision}.onnx")
    if not os.path.exists(graph):
        print(f"SKIPPED: {graph} is missing (run models/fetch.sh)")
        sys.exit(0)
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def embed(texts):
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), batch):
            rows = order[start:start + batch]
            encodings = tokenizer.encode_batch([texts[i] for i in rows])
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, e in enumerate(encodings):
                ids[r, :len(e.ids)] = e.ids
                mask[r, :len(e.ids)] = 1
            out[rows] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    embed(texts[:8])  # warm-up
    start = time.perf_counter()
    embed(texts)
    seconds = time.perf_counter() - start
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    print(f"onnxruntime-{precision} {len(texts)} {sum(lengths) / len(lengths):.1f} "
          f"{seconds:.3f} {len(texts) / seconds:.2f}")


main()

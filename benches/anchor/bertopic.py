"""BERTopic on the same labelled CSV, the same local model and the same metrics as `confthemes bench`.

Two rows per run: BERTopic's default pipeline (UMAP + HDBSCAN, outliers as topic -1) and BERTopic
with k-means (k = the number of labels) in place of HDBSCAN. BERTopic leaves UMAP unseeded, so each
run differs: `--runs` (default 3) shows the spread. The texts are embedded once with
sentence-transformers from models/all-MiniLM-L6-v2. Metrics: ARI, NMI, AMI, V-measure (scikit-learn,
outliers as one cluster, as `confthemes bench` counts them), cosine silhouette of the clustered
texts, NPMI coherence (gensim c_npmi, top-10 words, window 10, the evaluated corpus tokenised by
BERTopic's own CountVectorizer as reference) and topic diversity (OCTIS's formula).

    pip install bertopic gensim        # once; needs sentence-transformers, umap-learn, hdbscan
    python benches/anchor/bertopic.py --data ../shared/data/kubecon_talks.csv --out bench-anchor

Prints a table and writes bertopic.json ({"results": [...]}, the keys of bench.json).
"""
import argparse
import csv
import json
import os
import sys
import time

# This file is named bertopic.py: keep its own folder off the import path, or `import bertopic`
# would import this script instead of the package.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]

try:
    import numpy as np
    from bertopic import BERTopic
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel
    from sentence_transformers import SentenceTransformer
    from sklearn import metrics
    from sklearn.cluster import KMeans
except ImportError as missing:
    print(f"SKIPPED: {missing.name} is not installed (pip install bertopic gensim)")
    sys.exit(0)


def load(path, text_col, label_col):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r[text_col].strip() and r[label_col].strip()]
    return [r[text_col].strip() for r in rows], [r[label_col].strip() for r in rows]


def scores(name, params, topic_model, topics, texts, labels, embeddings, seconds):
    topics = np.asarray(topics)
    clustered = topics != -1
    silhouette = None
    if len(set(topics[clustered])) >= 2:
        silhouette = float(metrics.silhouette_score(
            embeddings[clustered], topics[clustered], metric="cosine"))
    analyzer = topic_model.vectorizer_model.build_analyzer()
    tokens = [analyzer(t) for t in texts]
    words = [[w for w, _ in topic_model.get_topic(t)][:10]
             for t in sorted(set(topics.tolist())) if t != -1]
    words = [w for w in words if len(w) >= 2]
    npmi = diversity = None
    if words:
        dictionary = Dictionary(tokens)
        npmi = CoherenceModel(topics=words, texts=tokens, dictionary=dictionary,
                              coherence="c_npmi", topn=10, window_size=10,
                              processes=1).get_coherence()
        diversity = len({w for t in words for w in t}) / (10 * len(words))
    return {
        "embedder": "minilm (sentence-transformers)",
        "algorithm": name,
        "params": params,
        "clusters": int(len(set(topics[clustered].tolist()))),
        "unassigned_share": float(1 - clustered.mean()),
        "ari": metrics.adjusted_rand_score(labels, topics),
        "nmi": metrics.normalized_mutual_info_score(labels, topics),
        "ami": metrics.adjusted_mutual_info_score(labels, topics),
        "v_measure": metrics.v_measure_score(labels, topics),
        "silhouette": silhouette,
        "npmi": npmi,
        "diversity": diversity,
        "seconds": seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="label")
    parser.add_argument("--model", default="models/all-MiniLM-L6-v2")
    parser.add_argument("--out", default="bench-anchor")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3,
                        help="fits of each pipeline (UMAP is unseeded in BERTopic's defaults)")
    args = parser.parse_args()

    texts, labels = load(args.data, args.text_col, args.label_col)
    k = len(set(labels))
    print(f"{len(texts)} texts, {k} labels", file=sys.stderr)
    model = SentenceTransformer(args.model, device="cpu")
    started = time.perf_counter()
    embeddings = model.encode(texts, batch_size=32, normalize_embeddings=True)
    embed_seconds = time.perf_counter() - started

    results = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        default = BERTopic(embedding_model=model)
        topics, _ = default.fit_transform(texts, embeddings)
        results.append(scores(f"bertopic (umap + hdbscan), run {run}", "defaults", default,
                              topics, texts, labels, embeddings, time.perf_counter() - started))
        started = time.perf_counter()
        kmeans = BERTopic(embedding_model=model,
                          hdbscan_model=KMeans(n_clusters=k, random_state=args.seed, n_init=4))
        topics, _ = kmeans.fit_transform(texts, embeddings)
        results.append(scores(f"bertopic (umap + kmeans), run {run}", f"k={k}", kmeans, topics,
                              texts, labels, embeddings, time.perf_counter() - started))

    print(f"{'algorithm':<36} {'k':>4} {'unassig':>7} {'ARI':>6} {'NMI':>6} {'AMI':>6} "
          f"{'V':>6} {'silh':>6} {'NPMI':>6} {'div':>6} {'seconds':>8}")
    cell = lambda v: "-" if v is None else f"{v:.3f}"
    for r in results:
        print(f"{r['algorithm']:<36} {r['clusters']:>4} {r['unassigned_share'] * 100:>6.1f}% "
              f"{r['ari']:>6.3f} {r['nmi']:>6.3f} {r['ami']:>6.3f} {r['v_measure']:>6.3f} "
              f"{cell(r['silhouette']):>6} {cell(r['npmi']):>6} {cell(r['diversity']):>6} "
              f"{r['seconds']:>8.2f}")
    print(f"embedding with sentence-transformers: {embed_seconds:.1f} s")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bertopic.json"), "w") as f:
        json.dump({"texts": len(texts), "labels": k, "results": results,
                   "embedders": [{"embedder": "minilm (sentence-transformers)",
                                  "seconds": embed_seconds}]}, f, indent=2)
    print(f"written: {os.path.join(args.out, 'bertopic.json')}")


if __name__ == "__main__":
    main()

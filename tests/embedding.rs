//! Every engine in this build reproduces sentence-transformers' all-MiniLM-L6-v2 vectors.

mod common;

use confthemes::embed::{Batching, CandleMiniLm, Embedder, Engine, ModelFiles, Precision};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    max_seq_length: usize,
    sentences: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
    text: String,
    tokens_before_truncation: usize,
    embedding: Vec<f32>,
}

fn reference() -> Reference {
    let path = common::root().join("tests/fixtures/reference_embeddings.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The engines this build has, in fp32, loaded from the installed model (candle first).
fn built_engines() -> Vec<Box<dyn Embedder>> {
    let files = ModelFiles::locate(&common::model_dir()).unwrap();
    let engines: Vec<Box<dyn Embedder>> = Engine::ALL
        .into_iter()
        .filter(|engine| engine.is_built())
        .map(|engine| {
            engine
                .load(&files, Batching::default(), Precision::Fp32)
                .unwrap()
        })
        .collect();
    eprintln!(
        "engines: {:?}",
        engines.iter().map(|e| e.engine()).collect::<Vec<_>>()
    );
    assert_eq!(
        engines.len(),
        if cfg!(feature = "rust-bert") { 3 } else { 2 }
    );
    engines
}

#[test]
fn matches_sentence_transformers_reference_vectors() {
    let reference = reference();
    assert!(reference.sentences.len() >= 5);
    assert!(reference
        .sentences
        .iter()
        .any(|s| s.tokens_before_truncation > reference.max_seq_length));
    assert!(reference.sentences.iter().any(|s| !s.text.is_ascii()));

    let texts: Vec<&str> = reference
        .sentences
        .iter()
        .map(|s| s.text.as_str())
        .collect();
    for engine in built_engines() {
        let vectors = engine.embed(&texts).unwrap();
        for (i, sentence) in reference.sentences.iter().enumerate() {
            let ours = vectors.row(i).to_vec();
            let c = cosine(&ours, &sentence.embedding);
            eprintln!(
                "{}: cosine {c:.7} for {:?}",
                engine.engine(),
                &sentence.text[..sentence.text.len().min(40)]
            );
            assert!(
                c > 0.999,
                "{}, sentence {i}: cosine {c} with sentence-transformers",
                engine.engine()
            );
            let norm: f32 = ours.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "rows are unit length");
        }
    }
}

#[test]
fn a_text_embeds_the_same_alone_or_in_a_padded_batch() {
    let reference = reference();
    let short = reference.sentences[0].text.as_str();
    let long = reference.sentences[5].text.as_str();
    for engine in built_engines() {
        let alone = engine.embed(&[short]).unwrap();
        let batched = engine.embed(&[long, short, "cost"]).unwrap();
        let c = cosine(&alone.row(0).to_vec(), &batched.row(1).to_vec());
        assert!(c > 0.99999, "{}: {c}", engine.engine());
    }
}

#[cfg(not(feature = "rust-bert"))]
#[test]
fn an_engine_left_out_of_the_build_says_how_to_build_it() {
    let files = ModelFiles::locate(&common::model_dir()).unwrap();
    let err = Engine::RustBert
        .load(&files, Batching::default(), Precision::Fp32)
        .err()
        .expect("not built");
    assert!(
        err.to_string().contains("--features rust-bert")
            && err.to_string().contains("models/fetch-libtorch.sh"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 2);
}

/// The corpus talks, as the default segmenter cuts them.
fn corpus_talks() -> Vec<String> {
    use confthemes::ingest::load_inputs;
    use confthemes::segment::{BoundarySegmenter, Segmenter};

    let corpus = load_inputs(&[common::root().join("corpus")]).unwrap();
    let texts: Vec<String> = corpus
        .documents
        .iter()
        .flat_map(|doc| BoundarySegmenter::default().segment(doc))
        .map(|talk| talk.text())
        .collect();
    assert!(texts.len() > 40, "{} talks", texts.len());
    texts
}

/// The lowest cosine between the rows of `a` and `b`.
fn worst_cosine(a: &ndarray::Array2<f32>, b: &ndarray::Array2<f32>) -> f32 {
    (0..a.nrows())
        .map(|i| cosine(&a.row(i).to_vec(), &b.row(i).to_vec()))
        .fold(f32::INFINITY, f32::min)
}

/// The fp32 engines agree on real talks far more closely than any needs to agree with
/// sentence-transformers.
#[test]
fn the_engines_agree_with_candle_on_the_corpus_talks() {
    let texts = corpus_talks();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let engines = built_engines();
    let candle = engines[0].embed(&refs).unwrap();
    for engine in &engines[1..] {
        let worst = worst_cosine(&candle, &engine.embed(&refs).unwrap());
        eprintln!(
            "lowest cosine between candle and {} over {} talks: {worst:.7}",
            engine.engine(),
            refs.len()
        );
        assert!(worst > 0.9999, "{}: {worst}", engine.engine());
    }
}

/// The onnx engine in fp32 and in int8.
fn onnx_pair() -> (Box<dyn Embedder>, Box<dyn Embedder>) {
    let files = ModelFiles::locate(&common::model_dir()).unwrap();
    let load = |precision| {
        Engine::Onnx
            .load(&files, Batching::default(), precision)
            .unwrap()
    };
    (load(Precision::Fp32), load(Precision::Int8))
}

/// The mean and the lowest cosine between int8 and fp32 vectors of `texts`, and the int8 vectors.
fn int8_against_fp32(texts: &[&str]) -> (f32, f32, ndarray::Array2<f32>) {
    let (fp32, int8) = onnx_pair();
    assert_eq!(int8.engine(), "onnx int8");
    let (exact, quantised) = (fp32.embed(texts).unwrap(), int8.embed(texts).unwrap());
    let cosines: Vec<f32> = (0..texts.len())
        .map(|i| cosine(&exact.row(i).to_vec(), &quantised.row(i).to_vec()))
        .collect();
    let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
    let worst = cosines.iter().copied().fold(f32::INFINITY, f32::min);
    (mean, worst, quantised)
}

/// int8 stays close to fp32 on the corpus talks (the lowest measured: 0.9785), and a text's int8
/// vector does not depend on the texts beside it, their order or the thread count (ONNX Runtime
/// quantises activations per input tensor, so each text runs alone).
#[test]
fn int8_is_close_to_fp32_and_each_vector_depends_on_its_text_only() {
    let texts = corpus_talks();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (mean, worst, quantised) = int8_against_fp32(&refs);
    eprintln!("int8 against fp32 on the corpus talks: mean cosine {mean:.4}, lowest {worst:.4}");
    assert!(mean > 0.99 && worst > 0.97, "{mean} {worst}");
    assert!(worst < 0.99999, "int8 differs from fp32 at all: {worst}");

    let (_, int8) = onnx_pair();
    let reversed: Vec<&str> = refs.iter().rev().take(7).copied().collect();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| int8.embed(&reversed).unwrap());
    for (i, row) in one_thread.rows().into_iter().enumerate() {
        assert_eq!(row, quantised.row(refs.len() - 1 - i), "text {i}");
    }
}

/// Issue 17's bar for int8 on the benchmark sample (the first 256 talks of kubecon_talks.csv):
/// mean cosine to fp32 at least 0.99, lowest at least 0.98 (measured: 0.9937 and 0.9858).
#[test]
fn int8_holds_the_cosine_bar_on_the_kubecon_sample() {
    use confthemes::ingest::{load_talk_table, TableColumns};
    use confthemes::segment::{talks_from_table, Talk};

    let Some(csv) = common::shared("data/kubecon_talks.csv") else {
        return;
    };
    let table = load_talk_table(&csv, &TableColumns::default()).unwrap();
    let texts: Vec<String> = talks_from_table(&table)
        .iter()
        .take(256)
        .map(Talk::text)
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (mean, worst, _) = int8_against_fp32(&refs);
    eprintln!("int8 against fp32 on 256 kubecon talks: mean cosine {mean:.4}, lowest {worst:.4}");
    assert!(mean >= 0.99 && worst >= 0.98, "{mean} {worst}");
}

/// An engine asked for a precision it does not run says which does.
#[test]
fn int8_on_candle_names_the_onnx_engine() {
    let files = ModelFiles::locate(&common::model_dir()).unwrap();
    let err = Engine::Candle
        .load(&files, Batching::default(), Precision::Int8)
        .err()
        .expect("candle runs fp32 only");
    assert!(err.to_string().contains("onnx"), "{err}");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn missing_model_names_the_fetch_script() {
    let empty = tempfile::tempdir().unwrap();
    let err = ModelFiles::locate(empty.path()).unwrap_err();
    assert!(err.to_string().contains("models/fetch.sh"), "{err}");
    assert_eq!(err.exit_code(), 5);
}

/// A copy of the installed model folder with one file replaced.
fn damaged_model(file: &str, contents: &[u8]) -> tempfile::TempDir {
    let source = common::model_dir();
    let copy = tempfile::tempdir().unwrap();
    std::fs::create_dir(copy.path().join("1_Pooling")).unwrap();
    for name in [
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
        "modules.json",
        "tokenizer_config.json",
        "vocab.txt",
    ] {
        std::fs::copy(source.join(name), copy.path().join(name)).unwrap();
    }
    // The onnx engine's graphs and runtime, shared rather than copied (180 MB).
    std::os::unix::fs::symlink(source.join("onnx"), copy.path().join("onnx")).unwrap();
    std::fs::write(copy.path().join(file), contents).unwrap();
    copy
}

/// Loads a damaged copy on every built engine and checks the error names `needle`.
fn refused_by_every_engine(model: &tempfile::TempDir, needle: &str) {
    refused_by(
        Engine::ALL.into_iter().filter(|e| e.is_built()),
        model,
        needle,
    );
}

/// Loads a damaged copy on `engines` and checks the error names `needle`.
fn refused_by(engines: impl Iterator<Item = Engine>, model: &tempfile::TempDir, needle: &str) {
    let files = ModelFiles::locate(model.path()).unwrap();
    for engine in engines {
        let err = engine
            .load(&files, Batching::default(), Precision::Fp32)
            .err()
            .unwrap_or_else(|| panic!("{engine} loaded a damaged model"));
        assert_eq!(err.exit_code(), 5, "{engine}: {err}");
        assert!(err.to_string().contains(needle), "{engine}: {err}");
    }
}

#[test]
fn truncated_weights_and_broken_tokenizer_are_clear_errors() {
    let source = std::fs::read(common::model_dir().join("model.safetensors")).unwrap();
    let truncated = damaged_model("model.safetensors", &source[..1 << 20]);
    refused_by_every_engine(&truncated, "model.safetensors");
    let err = CandleMiniLm::load(&ModelFiles::locate(truncated.path()).unwrap())
        .err()
        .expect("truncated weights refused");
    assert!(err.to_string().contains("models/fetch.sh"), "{err}");

    let broken = damaged_model("tokenizer.json", b"{\"version\": \"1.0\", \"model\": ");
    refused_by_every_engine(&broken, "tokenizer.json");
}

#[cfg(feature = "rust-bert")]
#[test]
fn rust_bert_refuses_its_own_broken_files_without_panicking() {
    // Files only rust-bert reads (candle tokenizes with tokenizer.json).
    let rust_bert = || std::iter::once(Engine::RustBert);
    for file in ["modules.json", "tokenizer_config.json"] {
        refused_by(rust_bert(), &damaged_model(file, b"{ not json"), file);
    }
    let no_vocab = damaged_model("vocab.txt", b"");
    std::fs::remove_file(no_vocab.path().join("vocab.txt")).unwrap();
    refused_by(rust_bert(), &no_vocab, "vocab.txt");
}

/// `--engine rust-bert` runs the whole pipeline and finds the same themes as candle.
#[cfg(feature = "rust-bert")]
#[test]
fn a_run_on_rust_bert_writes_the_same_talks_and_themes_as_on_candle() {
    let out = tempfile::tempdir().unwrap();
    let reports = |engine: &str| {
        let dir = out.path().join(engine);
        common::run_ok(&["corpus"], &dir, &["--engine", engine], &[]);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap())
                .unwrap();
        assert_eq!(json["model"]["engine"], engine);
        ["talks.csv", "themes.csv"].map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
    };
    assert_eq!(reports("candle"), reports("rust-bert"));
}

/// A long talk in two halves on different subjects: truncation sees only the first half, windows
/// see both; a short talk is one window, embedded as before.
#[test]
fn windows_embed_what_truncation_leaves_out() {
    use confthemes::embed::WindowedEmbedder;

    let files = ModelFiles::locate(&common::model_dir()).unwrap();
    let plain = common::minilm();
    let windowed = WindowedEmbedder::new(&files, plain, 4).unwrap();
    let mesh = "Istio and Envoy sidecars route traffic between services with mutual TLS, retries \
                and circuit breaking in the service mesh. "
        .repeat(18);
    let cost = "FinOps teams cut the cloud bill by rightsizing nodes, buying reserved instances \
                and showing each team what its workloads cost. "
        .repeat(18);
    let long = format!("{mesh}{cost}");
    let texts = [long.as_str(), cost.as_str(), "Service mesh at Lyft"];
    let a = plain.embed(&texts).unwrap();
    let b = windowed.embed(&texts).unwrap();
    let (cost_alone, truncated, whole) = (a.row(1).to_vec(), a.row(0).to_vec(), b.row(0).to_vec());
    let (before, after) = (cosine(&truncated, &cost_alone), cosine(&whole, &cost_alone));
    eprintln!("cosine with the cost half: truncated {before:.3}, windowed {after:.3}");
    assert!(after > before + 0.2, "{before} -> {after}");
    let short = cosine(&a.row(2).to_vec(), &b.row(2).to_vec());
    assert!(short > 0.99999, "a short talk is one window: {short}");
    assert!(
        windowed.engine().contains("windows"),
        "{}",
        windowed.engine()
    );
    let one = WindowedEmbedder::new(&files, plain, 1).unwrap();
    let c = cosine(
        &one.embed(&[long.as_str()]).unwrap().row(0).to_vec(),
        &truncated,
    );
    assert!(c > 0.999, "one window is (nearly) truncation: {c}");
}

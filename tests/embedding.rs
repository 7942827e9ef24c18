//! Every engine in this build reproduces sentence-transformers' all-MiniLM-L6-v2 vectors.

mod common;

use confthemes::embed::{Batching, CandleMiniLm, Embedder, Engine, ModelFiles};
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

/// The engines this build has, loaded from the installed model.
fn built_engines() -> Vec<Box<dyn Embedder>> {
    let files = ModelFiles::locate(&common::model_dir()).unwrap();
    let engines: Vec<Box<dyn Embedder>> = Engine::ALL
        .into_iter()
        .filter(|engine| engine.is_built())
        .map(|engine| engine.load(&files, Batching::default()).unwrap())
        .collect();
    eprintln!(
        "engines: {:?}",
        engines.iter().map(|e| e.engine()).collect::<Vec<_>>()
    );
    assert_eq!(
        engines.len(),
        if cfg!(feature = "rust-bert") { 2 } else { 1 }
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
        .load(&files, Batching::default())
        .err()
        .expect("not built");
    assert!(
        err.to_string().contains("--features rust-bert")
            && err.to_string().contains("models/fetch-libtorch.sh"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 2);
}

/// The two engines agree on real talks far more closely than either needs to agree with
/// sentence-transformers.
#[cfg(feature = "rust-bert")]
#[test]
fn rust_bert_and_candle_agree_on_the_corpus_talks() {
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
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let engines = built_engines();
    let (a, b) = (
        engines[0].embed(&refs).unwrap(),
        engines[1].embed(&refs).unwrap(),
    );
    let worst = (0..refs.len())
        .map(|i| cosine(&a.row(i).to_vec(), &b.row(i).to_vec()))
        .fold(f32::INFINITY, f32::min);
    eprintln!(
        "lowest cosine between candle and rust-bert over {} talks: {worst:.7}",
        refs.len()
    );
    assert!(worst > 0.9999, "{worst}");
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
            .load(&files, Batching::default())
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

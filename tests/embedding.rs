//! The candle engine reproduces sentence-transformers' all-MiniLM-L6-v2 vectors.

mod common;

use confthemes::embed::{CandleMiniLm, Embedder, ModelFiles};
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
    let vectors = common::minilm().embed(&texts).unwrap();
    for (i, sentence) in reference.sentences.iter().enumerate() {
        let ours = vectors.row(i).to_vec();
        let c = cosine(&ours, &sentence.embedding);
        eprintln!(
            "cosine {c:.7} for {:?}",
            &sentence.text[..sentence.text.len().min(40)]
        );
        assert!(
            c > 0.999,
            "sentence {i}: cosine {c} with sentence-transformers"
        );
        let norm: f32 = ours.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "rows are unit length");
    }
}

#[test]
fn a_text_embeds_the_same_alone_or_in_a_padded_batch() {
    let reference = reference();
    let short = reference.sentences[0].text.as_str();
    let alone = common::minilm().embed(&[short]).unwrap();
    let long = reference.sentences[5].text.as_str();
    let batched = common::minilm().embed(&[long, short, "cost"]).unwrap();
    assert!(cosine(&alone.row(0).to_vec(), &batched.row(1).to_vec()) > 0.99999);
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
    ] {
        std::fs::copy(source.join(name), copy.path().join(name)).unwrap();
    }
    std::fs::write(copy.path().join(file), contents).unwrap();
    copy
}

#[test]
fn truncated_weights_and_broken_tokenizer_are_clear_errors() {
    let source = std::fs::read(common::model_dir().join("model.safetensors")).unwrap();
    let truncated = damaged_model("model.safetensors", &source[..1 << 20]);
    let err = CandleMiniLm::load(&ModelFiles::locate(truncated.path()).unwrap())
        .err()
        .expect("truncated weights refused");
    assert_eq!(err.exit_code(), 5);
    assert!(
        err.to_string().contains("model.safetensors")
            && err.to_string().contains("models/fetch.sh"),
        "{err}"
    );

    let broken = damaged_model("tokenizer.json", b"{\"version\": \"1.0\", \"model\": ");
    let err = CandleMiniLm::load(&ModelFiles::locate(broken.path()).unwrap())
        .err()
        .expect("broken tokenizer refused");
    assert_eq!(err.exit_code(), 5);
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
}

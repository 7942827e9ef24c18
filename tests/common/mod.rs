//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use confthemes::embed::{CandleMiniLm, ModelFiles, DEFAULT_MODEL_DIR};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The installed model folder; panics with the fix when it is missing, because a test that
/// silently skipped the model would prove nothing.
pub fn model_dir() -> PathBuf {
    let dir = root().join(DEFAULT_MODEL_DIR);
    assert!(
        dir.join("model.safetensors").is_file(),
        "the model is not installed at {}: run models/fetch.sh first",
        dir.display()
    );
    dir
}

/// The MiniLM engine, loaded once per test binary.
pub fn minilm() -> &'static CandleMiniLm {
    static MODEL: OnceLock<CandleMiniLm> = OnceLock::new();
    MODEL.get_or_init(|| {
        let files = ModelFiles::locate(&model_dir()).expect("model files");
        CandleMiniLm::load(&files).expect("model loads")
    })
}

/// `../shared/<rel>` when it exists; otherwise prints why the caller skips and returns `None`.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = root().join("..").join("shared").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (tests on shared data need ../shared beside the repository)",
            path.display()
        );
        None
    }
}

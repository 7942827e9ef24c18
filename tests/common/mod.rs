//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use confthemes::embed::{CandleMiniLm, ModelFiles, DEFAULT_MODEL_DIR};

pub mod recaps_dev;

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

/// Runs the `confthemes` binary from the repository root with the installed model and without
/// the embedding cache (a test that wants it sets `CONFTHEMES_NO_CACHE=false`).
pub fn confthemes(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confthemes"));
    cmd.args(args)
        .current_dir(root())
        .env("CONFTHEMES_MODEL", model_dir())
        .env("CONFTHEMES_NO_CACHE", "true");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

/// What a run printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that a run exited with `code` and an error message containing `needle`.
pub fn expect_error(out: Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    assert!(stderr(&out).contains(needle), "{}", stderr(&out));
}

/// `confthemes run <inputs> --out <out> --quiet <extra>`; panics unless it succeeds.
pub fn run_ok(inputs: &[&str], out: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut args = vec!["run"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", out.to_str().unwrap(), "--quiet"]);
    args.extend_from_slice(extra);
    let res = confthemes(&args, envs);
    assert!(res.status.success(), "run failed: {}", stderr(&res));
    res
}

/// A JSON report, parsed.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `file` of every document of a parsed `report.json`, in report order.
pub fn document_files(report: &serde_json::Value) -> Vec<&str> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect()
}

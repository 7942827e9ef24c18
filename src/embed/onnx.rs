//! The `onnx` engine: all-MiniLM-L6-v2 as the ONNX graphs `models/build_onnx.py` writes from the
//! same weights, run by ONNX Runtime (loaded at run time from the library `models/fetch.sh`
//! installs beside the graphs).
//!
//! In `fp32` it computes what candle does (cosine to sentence-transformers above 0.9999); in
//! `int8` the dense products run on int8 weights with one scale per output channel and
//! activations quantised at run time (ONNX Runtime's dynamic quantisation), about twice as fast.
//!
//! Each text runs alone, on one thread of one session, and the texts are spread over one session
//! per thread. ONNX Runtime quantises activations per input tensor, so one text a run is what
//! keeps a text's int8 vector independent of the texts beside it (its batch, the input order,
//! the cache); it also leaves no padding to compute, and since one thread computes a whole text,
//! the vectors are the same at any thread count.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ndarray::Array2;
use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;
use rayon::prelude::*;

use super::model_files::{ModelFiles, MODEL_ID};
use super::sbert_tokenizer::SbertTokenizer;
use super::{normalise_rows, Embedder, Precision};
use crate::error::{Error, Result};

/// The folder of the model that holds the graphs and the runtime.
const ONNX_DIR: &str = "onnx";

/// ONNX Runtime's shared library inside [`ONNX_DIR`].
const RUNTIME_LIBRARY: &str = "libonnxruntime.so";

/// The sha256 of the model.safetensors the graphs were built from, inside [`ONNX_DIR`].
const WEIGHTS_CHECKSUM: &str = "weights.sha256";

/// Texts per session embedded between two progress reports. Each report waits for the slowest
/// text of its chunk, so a chunk is many texts long for each thread.
const PROGRESS_CHUNK_PER_SESSION: usize = 64;

/// ONNX Runtime fuses a bias addition, a residual addition and a layer norm into one
/// SkipLayerNormalization, which is slower on the CPU than the three it replaces in the int8
/// graph (about 10% of a run, profiled on ONNX Runtime 1.32).
const DISABLED_OPTIMIZERS: &str = "SkipLayerNormFusion";

/// all-MiniLM-L6-v2 on ONNX Runtime.
pub struct OnnxMiniLm {
    /// One session per thread, each running one text at a time on one thread.
    sessions: Vec<Mutex<Session>>,
    tokenizer: SbertTokenizer,
    dim: usize,
    engine: String,
    checksum: String,
}

impl OnnxMiniLm {
    /// Loads the graph of `precision` from `<model>/onnx/`, with one session for each thread of
    /// the current rayon pool.
    pub fn load(files: &ModelFiles, precision: Precision) -> Result<Self> {
        let dir = files.dir.join(ONNX_DIR);
        let hint = "run models/fetch.sh, which builds the ONNX graphs and installs ONNX Runtime";
        let graph = dir.join(format!("model-{}.onnx", precision.name()));
        let library = dir.join(RUNTIME_LIBRARY);
        for path in [&graph, &library] {
            if !path.is_file() {
                return Err(Error::model(
                    &files.dir,
                    format!("{} is missing; {hint}", path.display()),
                ));
            }
        }
        let built_from = dir.join(WEIGHTS_CHECKSUM);
        let checksum = std::fs::read_to_string(&built_from).unwrap_or_default();
        if checksum.trim() != files.sha256 {
            return Err(Error::model(
                &files.dir,
                format!(
                    "the ONNX graphs in {} were not built from this model.safetensors \
                     ({} says {:?}); {hint}",
                    dir.display(),
                    WEIGHTS_CHECKSUM,
                    checksum.trim()
                ),
            ));
        }
        let tokenizer = SbertTokenizer::load(files)?;
        let environment = environment(&library)?;
        let threads = rayon::current_num_threads().max(1);
        let sessions = (0..threads)
            .map(|_| session(environment, &graph).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        let config: serde_json::Value = super::model_files::read_json(&files.config)?;
        let dim = config["hidden_size"]
            .as_u64()
            .ok_or_else(|| Error::model(&files.config, "no hidden_size"))?
            as usize;
        Ok(OnnxMiniLm {
            sessions,
            tokenizer,
            dim,
            engine: format!("onnx {}", precision.name()),
            checksum: files.sha256.clone(),
        })
    }

    /// The mean-pooled (not yet normalised) vector of one text's token ids.
    fn embed_one(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let slot = rayon::current_thread_index().unwrap_or(0) % self.sessions.len();
        let mut session = self.sessions[slot]
            .lock()
            .map_err(|_| Error::embedding("", "an ONNX Runtime session was poisoned by a panic"))?;
        let tokens = ids.len();
        let ids: Vec<i64> = ids.iter().map(|&id| i64::from(id)).collect();
        let tensor = |values: Vec<i64>| {
            Tensor::from_array(([1, tokens], values)).map_err(|e| Error::embedding("", e))
        };
        let inputs = ort::inputs![
            "input_ids" => tensor(ids)?,
            "attention_mask" => tensor(vec![1; tokens])?,
        ];
        let outputs = session.run(inputs).map_err(|e| Error::embedding("", e))?;
        let (_, vector) = outputs["sentence_embedding"]
            .try_extract_tensor::<f32>()
            .map_err(|e| Error::embedding("", e))?;
        if vector.len() != self.dim {
            return Err(Error::embedding(
                "",
                format!(
                    "the ONNX graph gave {} values, not {}",
                    vector.len(),
                    self.dim
                ),
            ));
        }
        Ok(vector.to_vec())
    }
}

/// The process's ONNX Runtime environment, loaded from `library` the first time (ONNX Runtime
/// allows one a process).
fn environment(library: &Path) -> Result<&'static Environment> {
    static ENVIRONMENT: OnceLock<std::result::Result<(PathBuf, Environment), String>> =
        OnceLock::new();
    let loaded = ENVIRONMENT.get_or_init(|| {
        let environment = ort::init_from(library)
            .map_err(|e| e.to_string())?
            .with_name("confthemes")
            .build()
            .map_err(|e| e.to_string())?;
        Ok((library.to_path_buf(), environment))
    });
    match loaded {
        Ok((_, environment)) => Ok(environment),
        Err(message) => Err(Error::model(
            library,
            format!("ONNX Runtime did not load: {message}"),
        )),
    }
}

/// A session of `graph` that runs on the calling thread only.
fn session(environment: &Environment, graph: &Path) -> Result<Session> {
    let build = || -> std::result::Result<Session, String> {
        Session::builder(environment)
            .map_err(|e| e.to_string())?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| e.to_string())?
            .with_disabled_optimizers(DISABLED_OPTIMIZERS)
            .map_err(|e| e.to_string())?
            .with_intra_threads(1)
            .map_err(|e| e.to_string())?
            .with_inter_threads(1)
            .map_err(|e| e.to_string())?
            .commit_from_file(graph)
            .map_err(|e| e.to_string())
    };
    build().map_err(|message| {
        Error::model(
            graph,
            format!("ONNX Runtime cannot load the graph ({message}); run models/fetch.sh again"),
        )
    })
}

impl Embedder for OnnxMiniLm {
    fn model_id(&self) -> &str {
        MODEL_ID
    }

    fn checksum(&self) -> &str {
        &self.checksum
    }

    fn engine(&self) -> &str {
        &self.engine
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        let ids = self.tokenizer.token_ids(texts)?;
        // Longest first, so the last texts to finish are short ones.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(ids[i].len()), i));
        let mut out = Array2::<f32>::zeros((texts.len(), self.dim));
        let mut done = 0;
        for chunk in order.chunks(PROGRESS_CHUNK_PER_SESSION * self.sessions.len()) {
            let vectors = chunk
                .par_iter()
                .map(|&i| self.embed_one(&ids[i]))
                .collect::<Result<Vec<_>>>()?;
            for (&i, vector) in chunk.iter().zip(vectors) {
                out.row_mut(i).assign(&ndarray::ArrayView1::from(&vector));
            }
            done += chunk.len();
            progress(done);
        }
        normalise_rows(&mut out);
        Ok(out)
    }
}

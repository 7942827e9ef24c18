//! Embedding throughput of an engine on the first N talks of a CSV, for `benches/whole_run.sh`
//! (which runs sentence-transformers on the same texts in between).
//!
//!     cargo run --release --example throughput -- CSV [N] [BATCH] [TOKEN_BUDGET]
//!
//! Prints one line: `ENGINE TEXTS TOKENS_MEAN SECONDS TEXTS_PER_S`. Threads: RAYON_NUM_THREADS;
//! engine: CONFTHEMES_ENGINE (onnx, candle, or rust-bert in a build with that feature);
//! precision: CONFTHEMES_PRECISION (fp32, or int8 on onnx).

use std::path::PathBuf;
use std::time::Instant;

use confthemes::embed::{
    Batching, Engine, ModelFiles, Precision, DEFAULT_MODEL_DIR, DEFAULT_TOKEN_BUDGET,
};
use confthemes::ingest::{load_talk_table, TableColumns};
use confthemes::segment::{talks_from_table, Talk};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let csv = PathBuf::from(
        args.first()
            .ok_or("usage: throughput CSV [N] [BATCH] [TOKEN_BUDGET]")?,
    );
    let n: usize = args.get(1).map_or(Ok(128), |a| a.parse())?;
    let batch: usize = args.get(2).map_or(Ok(32), |a| a.parse())?;
    let budget: usize = args
        .get(3)
        .map_or(Ok(DEFAULT_TOKEN_BUDGET), |a| a.parse())?;
    let table = load_talk_table(&csv, &TableColumns::default())?;
    let texts: Vec<String> = talks_from_table(&table)
        .iter()
        .take(n)
        .map(Talk::text)
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let model_dir = std::env::var_os("CONFTHEMES_MODEL")
        .map_or_else(|| PathBuf::from(DEFAULT_MODEL_DIR), PathBuf::from);
    let engine: Engine =
        std::env::var("CONFTHEMES_ENGINE").map_or(Ok(Engine::default()), |name| name.parse())?;
    let precision: Precision =
        std::env::var("CONFTHEMES_PRECISION").map_or(Ok(Precision::Fp32), |name| name.parse())?;
    let files = ModelFiles::locate(&model_dir)?;
    let model = engine.load(
        &files,
        Batching {
            batch_size: batch,
            token_budget: budget,
        },
        precision,
    )?;
    model.embed(&refs[..refs.len().min(8)])?; // warm-up
    let start = Instant::now();
    model.embed(&refs)?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{} {} {:.1} {seconds:.3} {:.2}",
        model.engine().replace(' ', "-"),
        refs.len(),
        files.mean_tokens(&refs)?,
        refs.len() as f64 / seconds
    );
    Ok(())
}

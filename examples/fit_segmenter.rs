//! Fits the boundary model on every annotated document and writes it to
//! `src/segment/boundary_model.csv` (the model the segmenter ships with). Needs `../shared`
//! beside the repository. Run from the repository root:
//! `cargo run --release --example fit_segmenter`.

use std::path::Path;

use confthemes::segment::boundary::{training, BoundaryModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    if !shared.is_dir() {
        return Err(format!("{} is absent: the dev set lives there", shared.display()).into());
    }
    let docs = training::annotated_docs(root, Some(&shared))?;
    let examples: Vec<_> = docs.iter().flat_map(training::examples).collect();
    let model = BoundaryModel::fit(&examples);
    let out = root.join("src/segment/boundary_model.csv");
    std::fs::write(&out, model.to_csv())?;
    eprintln!(
        "fitted on {} candidates of {} documents; wrote {}",
        examples.len(),
        docs.len(),
        out.display()
    );
    Ok(())
}

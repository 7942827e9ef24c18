//! The same input gives the same reports, byte for byte, whatever the thread count and whatever
//! the order the input arrives in.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use confthemes::ingest::load_notes;
use confthemes::pipeline::segment_corpus;
use confthemes::segment::BoundarySegmenter;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use common::run_ok;

const REPORTS: [&str; 5] = [
    "talks.csv",
    "themes.csv",
    "clusters.csv",
    "report.json",
    "report.html",
];

fn assert_same_reports(a: &Path, b: &Path, what: &str) {
    for name in REPORTS {
        let left = fs::read(a.join(name)).unwrap();
        let right = fs::read(b.join(name)).unwrap();
        assert!(left == right, "{name} differs {what}");
    }
}

/// The corpus files, each given as its own input.
fn corpus_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(common::root().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".txt"))
        .map(|n| format!("corpus/{n}"))
        .collect();
    files.sort();
    files
}

#[test]
fn notes_give_identical_reports_across_threads_and_input_orders() {
    let files = corpus_files();
    assert_eq!(files.len(), 5);
    let mut shuffled = files.clone();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(7));
    assert_ne!(shuffled, files);
    let reversed: Vec<String> = files.iter().rev().cloned().collect();

    let tmp = tempfile::tempdir().unwrap();
    let runs = [
        ("sorted, 1 thread", &files, "1"),
        ("sorted, 2 threads", &files, "2"),
        ("shuffled, 2 threads", &shuffled, "2"),
        ("reversed, 1 thread", &reversed, "1"),
    ];
    for (i, (_, inputs, threads)) in runs.iter().enumerate() {
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let out = tmp.path().join(i.to_string());
        run_ok(&inputs, &out, &[], &[("RAYON_NUM_THREADS", threads)]);
    }
    for (i, (what, _, _)) in runs.iter().enumerate().skip(1) {
        assert_same_reports(&tmp.path().join("0"), &tmp.path().join(i.to_string()), what);
    }
    // The folder as one input gives the same talks and themes as its files given one by one.
    let folder = tmp.path().join("folder");
    run_ok(&["corpus"], &folder, &[], &[]);
    let themes = |dir: &Path| fs::read(dir.join("themes.csv")).unwrap();
    assert!(themes(&folder) == themes(&tmp.path().join("0")));
}

/// One CSV row per corpus talk, written in the given order.
fn write_table(path: &Path, rows: &[(String, String)]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(["title", "text"]).unwrap();
    for (title, text) in rows {
        writer.write_record([title, text]).unwrap();
    }
    writer.flush().unwrap();
}

/// talks.csv as title -> (theme, theme_score, cluster).
fn talk_outcomes(dir: &Path) -> BTreeMap<String, (String, String, String)> {
    csv::Reader::from_path(dir.join("talks.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[4].to_string(), (r[8].into(), r[9].into(), r[12].into()))
        })
        .collect()
}

#[test]
fn shuffled_csv_rows_get_the_same_themes_and_clusters() {
    let corpus = load_notes(&common::root().join("corpus")).unwrap();
    let mut rows: Vec<(String, String)> = segment_corpus(&corpus, &BoundarySegmenter::default())
        .into_iter()
        .map(|t| (format!("{} ({} #{})", t.title, t.file, t.index), t.text()))
        .collect();
    assert!(rows.len() > 40);
    let tmp = tempfile::tempdir().unwrap();
    let (sorted_csv, shuffled_csv) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
    write_table(&sorted_csv, &rows);
    rows.shuffle(&mut ChaCha8Rng::seed_from_u64(11));
    write_table(&shuffled_csv, &rows);

    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_ok(&[sorted_csv.to_str().unwrap()], &a, &[], &[]);
    run_ok(
        &[shuffled_csv.to_str().unwrap()],
        &b,
        &[],
        &[("RAYON_NUM_THREADS", "1")],
    );
    let outcomes = talk_outcomes(&a);
    assert_eq!(outcomes.len(), rows.len());
    assert_eq!(outcomes, talk_outcomes(&b));
    // Theme counts, shares, keywords and examples do not depend on row order at all.
    assert!(fs::read(a.join("themes.csv")).unwrap() == fs::read(b.join("themes.csv")).unwrap());
}

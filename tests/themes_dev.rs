//! Theme assignment against themes a careful reader chose, with the talk spans given (so the
//! segmenter plays no part):
//! - the recap development set (`../shared/data/recaps_dev/`, gold in `tests/gold/recaps_dev/`),
//!   split by source repository as for segmentation: the threshold is calibrated on the tuned
//!   part, and the held-back part is the quality figure;
//! - every third row of `../shared/data/kubecon_talks.csv`, its track labels mapped to theme ids
//!   ([`accepted_themes`]); `themes/make_examples.py` takes no example from these rows.
//!
//! A talk counts as right when its theme is one of its gold themes. Prints the README's table:
//! `cargo test --release --test themes_dev -- --nocapture`.

mod common;

use common::recaps_dev;

use std::path::Path;

use confthemes::embed::{CachedEmbedder, Embedder};
use confthemes::ingest::{load_talk_table, TableColumns};
use confthemes::segment::{talks_from_table, Talk};
use confthemes::themes::eval::{calibrate_threshold, GoldThemes, ScoredTalk, ThemeAccuracy};
use confthemes::themes::{Taxonomy, ThemeClassifier, DEFAULT_THRESHOLD};
use ndarray::Array2;

/// Accuracy the held-back part of the dev set must keep (measured 0.742 when set).
const MIN_HELD_BACK: f64 = 0.71;
/// Accuracy on the sampled kubecon_talks rows (measured 0.489 when set; 0.501 for the top theme
/// with no threshold, against 0.441 for the zero-shot assignment it replaced, also ungated).
const MIN_KUBECON: f64 = 0.46;

/// The themes accepted for a kubecon_talks track label: the themes whose subject the track's
/// published names cover (`networking` holds the Service Mesh and Networking + Edge + Telco
/// tracks, `operations` the Operations + Performance, Reliability and Runtime Performance ones).
/// `extending-kubernetes` has no theme of its own and is not scored.
fn accepted_themes(label: &str) -> &'static [&'static str] {
    match label {
        "ai-ml" => &["ml-on-kubernetes"],
        "app-delivery" => &["gitops-delivery"],
        "community" => &["community"],
        "networking" => &["networking", "service-mesh", "edge"],
        "observability" => &["observability"],
        "operations" => &["reliability-sre", "cost", "containers-runtime"],
        "platform-engineering" => &["platform-devex"],
        "security" => &["security"],
        "storage-data" => &["data-storage"],
        _ => &[],
    }
}

/// A talk to theme, with the themes a reader accepts.
struct Case {
    part: String,
    title: String,
    text: String,
    gold: GoldThemes,
}

/// The talks of the dev set, their text being the gold span's lines.
fn dev_cases(posts: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    for row in recaps_dev::posts() {
        let post = std::fs::read_to_string(posts.join(&row.file)).unwrap();
        let lines: Vec<&str> = post.lines().collect();
        for segment in recaps_dev::spans(&row) {
            if segment.kind != "talk" {
                continue;
            }
            let span = &lines[segment.start_line - 1..segment.end_line];
            cases.push(Case {
                part: row.part.clone(),
                title: plain_title(span[0]),
                text: span.join("\n"),
                gold: GoldThemes {
                    themes: segment
                        .themes
                        .split(';')
                        .filter(|t| !t.is_empty())
                        .map(String::from)
                        .collect(),
                },
            });
        }
    }
    cases
}

/// A span's first line without markdown: link targets, emphasis, heading and list markers.
fn plain_title(line: &str) -> String {
    let mut title = String::new();
    let mut in_target = 0;
    for c in line.chars() {
        match c {
            '(' if title.ends_with(']') => in_target += 1,
            ')' if in_target > 0 => in_target -= 1,
            _ if in_target > 0 => {}
            '#' | '*' | '[' | ']' | '_' | '`' => {}
            _ => title.push(c),
        }
    }
    title
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .to_string()
}

/// Every third row of kubecon_talks.csv whose label maps to themes.
fn kubecon_cases(csv: &Path) -> Vec<Case> {
    let columns = TableColumns {
        label: Some("label".into()),
        ..TableColumns::default()
    };
    let table = load_talk_table(csv, &columns).unwrap();
    let talks = talks_from_table(&table);
    talks
        .iter()
        .zip(&table.rows)
        .step_by(3)
        .filter_map(|(talk, row)| {
            let themes = accepted_themes(row.label.as_deref()?);
            (!themes.is_empty()).then(|| Case {
                part: "kubecon_talks".into(),
                title: talk.title.clone(),
                text: Talk::text(talk),
                gold: GoldThemes {
                    themes: themes.iter().map(|t| t.to_string()).collect(),
                },
            })
        })
        .collect()
}

/// The classifier's input for each case: its text vectors and its title vectors.
fn vectors(cases: &[Case], embedder: &dyn Embedder) -> (Array2<f32>, Array2<f32>) {
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let titles: Vec<&str> = cases.iter().map(|c| c.title.as_str()).collect();
    (
        embedder.embed(&texts).unwrap(),
        embedder.embed(&titles).unwrap(),
    )
}

#[test]
fn themes_agree_with_a_careful_reader_on_talks_they_were_not_fitted_on() {
    let (Some(posts), Some(kubecon)) = (
        common::shared("data/recaps_dev"),
        common::shared("data/kubecon_talks.csv"),
    ) else {
        return;
    };
    let mut cases = dev_cases(&posts);
    cases.extend(kubecon_cases(&kubecon));
    let cache_dir = tempfile::tempdir().unwrap();
    let embedder = CachedEmbedder::open(cache_dir.path(), common::minilm());
    let taxonomy = Taxonomy::builtin();
    let (texts, titles) = vectors(&cases, &embedder);

    // The threshold, calibrated on the tuned part only.
    let open = ThemeClassifier { threshold: -1.0 }
        .fit(&taxonomy, &embedder)
        .unwrap();
    let predicted = open.predict(texts.view(), titles.view());
    let tuned: Vec<ScoredTalk> = cases
        .iter()
        .zip(&predicted)
        .filter(|(c, _)| c.part == "tuned")
        .map(|(c, p)| ScoredTalk {
            score: p.nearest_phrase,
            top_right: c.gold.accepts(&p.theme),
            unthemed: c.gold.themes.is_empty(),
        })
        .collect();
    let calibrated = calibrate_threshold(&tuned);
    println!(
        "threshold calibrated on the tuned part: {calibrated:.3} (default {DEFAULT_THRESHOLD})"
    );

    let model = ThemeClassifier {
        threshold: DEFAULT_THRESHOLD,
    }
    .fit(&taxonomy, &embedder)
    .unwrap();
    let assigned = model.predict(texts.view(), titles.view());
    let mut parts: Vec<(&str, ThemeAccuracy, ThemeAccuracy)> =
        ["tuned", "held-back", "kubecon_talks"]
            .into_iter()
            .map(|p| (p, ThemeAccuracy::default(), ThemeAccuracy::default()))
            .collect();
    for ((case, a), top) in cases.iter().zip(&assigned).zip(&predicted) {
        let part = parts.iter_mut().find(|(p, ..)| *p == case.part).unwrap();
        part.1.add(&case.gold, &a.theme);
        part.2.add(&case.gold, &top.theme);
    }
    println!("| part | themed talks | right | accuracy | top theme right, no threshold | themed left unassigned | talks with no gold theme | of those unassigned |");
    println!("|---|---|---|---|---|---|---|---|");
    for (part, acc, top) in &parts {
        println!(
            "| {part} | {} | {} | {:.3} | {:.3} | {} | {} | {} |",
            acc.themed,
            acc.themed_right,
            acc.accuracy(),
            top.accuracy(),
            acc.themed_unassigned,
            acc.unthemed,
            acc.unthemed_unassigned
        );
    }
    for (part, acc, _) in &parts[1..] {
        let top: Vec<String> = acc
            .top_confusions()
            .iter()
            .take(8)
            .map(|(gold, got, n)| format!("{gold} -> {got} ({n})"))
            .collect();
        println!("{part} confusions: {}", top.join(", "));
    }

    assert!(
        (calibrated - DEFAULT_THRESHOLD).abs() <= 0.02,
        "DEFAULT_THRESHOLD {DEFAULT_THRESHOLD} is not what the tuned part calibrates to ({calibrated:.3})"
    );
    let held_back = parts[1].1.accuracy();
    assert!(
        held_back >= MIN_HELD_BACK,
        "held-back accuracy {held_back:.3} < {MIN_HELD_BACK}"
    );
    let kubecon = parts[2].1.accuracy();
    assert!(
        kubecon >= MIN_KUBECON,
        "kubecon_talks accuracy {kubecon:.3} < {MIN_KUBECON}"
    );
}

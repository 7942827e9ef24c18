//! Trends against annotated data: on kubecon_talks.csv, each year's share of talks given the
//! security, observability, AI/ML and platform-engineering themes follows the share of the
//! official track of the same name (the `label` column, mapped from sched.com tracks) across
//! 2021-2026. Thresholds sit under the figures measured with the default settings (README,
//! "Comparing periods"). Skips when ../shared/data is absent.

mod common;

use confthemes::compare::{TrendOptions, Trends};
use confthemes::ingest::{load_talk_table, TableColumns};
use confthemes::pipeline::{run_table, RunOptions, Silent};

/// (theme, track, lowest Pearson r accepted; measured 0.890, 0.459, 0.940, 0.905 with the
/// classifier, 0.989, 0.518, 0.903, 0.886 with the zero-shot rule before it: README).
const PAIRS: [(&str, &str, f32); 4] = [
    ("security", "security", 0.85),
    ("observability", "observability", 0.35),
    ("ml-on-kubernetes", "ai-ml", 0.80),
    ("platform-devex", "platform-engineering", 0.75),
];

#[test]
fn theme_shares_per_year_follow_the_official_tracks() {
    let Some(path) = common::shared("data/kubecon_talks.csv") else {
        return;
    };
    let table = load_talk_table(&path, &TableColumns::default()).unwrap();
    let options = RunOptions {
        trends: TrendOptions {
            track_column: Some("label".into()),
            pairs: PAIRS
                .iter()
                .map(|(theme, track, _)| format!("{theme}={track}").parse().unwrap())
                .collect(),
            ..TrendOptions::default()
        },
        ..RunOptions::default()
    };
    let report = run_table(&path, &table, common::minilm(), &options, &Silent).unwrap();
    let trends: &Trends = &report.trends;
    let years: Vec<&str> = trends.periods.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(years, ["2021", "2022", "2023", "2024", "2025", "2026"]);
    let correlations = &trends.tracks.as_ref().unwrap().correlations;
    let mut failures = Vec::new();
    for ((theme, track, least), found) in PAIRS.iter().zip(correlations) {
        let r = found.pearson.unwrap();
        eprintln!(
            "{theme} vs {track}: r = {r:.3} (p {:.3})",
            found.p_value.unwrap()
        );
        if r < *least {
            failures.push(format!("{theme} vs {track}: r = {r:.3} < {least}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

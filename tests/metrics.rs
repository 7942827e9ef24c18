//! The clustering and topic metrics against values computed by scikit-learn and gensim
//! (`tests/fixtures/make_metric_references.py` wrote `metric_references.json`).

use confthemes::bench::{npmi_coherence, partition_scores, topic_diversity};
use confthemes::cluster::cosine_silhouette;
use ndarray::Array2;
use serde_json::Value;

fn references() -> Value {
    let text = include_str!("fixtures/metric_references.json");
    serde_json::from_str(text).expect("fixture parses")
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn close(name: &str, ours: f64, theirs: &Value) {
    let theirs = theirs.as_f64().unwrap();
    assert!(
        (ours - theirs).abs() < 1e-9,
        "{name}: ours {ours}, reference {theirs}"
    );
}

#[test]
fn partition_metrics_match_scikit_learn() {
    let refs = references();
    for case in refs["partition"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let s = partition_scores(&ints(&case["gold"]), &ints(&case["predicted"]));
        close(&format!("{name} ari"), s.ari, &case["ari"]);
        close(&format!("{name} nmi"), s.nmi, &case["nmi"]);
        close(&format!("{name} ami"), s.ami, &case["ami"]);
        close(
            &format!("{name} homogeneity"),
            s.homogeneity,
            &case["homogeneity"],
        );
        close(
            &format!("{name} completeness"),
            s.completeness,
            &case["completeness"],
        );
        close(
            &format!("{name} v_measure"),
            s.v_measure,
            &case["v_measure"],
        );
    }
}

#[test]
fn cosine_silhouette_matches_scikit_learn() {
    let refs = &references()["silhouette"];
    let rows: Vec<Vec<f64>> = serde_json::from_value(refs["x"].clone()).unwrap();
    let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
    let x = Array2::from_shape_vec((rows.len(), rows[0].len()), flat).unwrap();
    let labels: Vec<Option<usize>> = ints(&refs["labels"])
        .iter()
        .map(|&l| Some(l as usize))
        .collect();
    let all: Vec<usize> = (0..labels.len()).collect();
    let ours = f64::from(cosine_silhouette(x.view(), &labels, &all));
    let theirs = refs["silhouette"].as_f64().unwrap();
    assert!(
        (ours - theirs).abs() < 1e-5,
        "ours {ours}, reference {theirs}"
    );
}

#[test]
fn npmi_and_diversity_match_gensim_and_octis() {
    let refs = &references()["topics"];
    let texts: Vec<Vec<String>> = refs["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(strings)
        .collect();
    let topics: Vec<Vec<String>> = refs["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(strings)
        .collect();
    let window = refs["window"].as_u64().unwrap() as usize;
    let npmi = npmi_coherence(&topics, &texts, window).unwrap();
    close("npmi", npmi, &refs["npmi"]);
    close(
        "diversity",
        topic_diversity(&topics, 3).unwrap(),
        &refs["diversity_top3"],
    );
}

//! Discovered themes: talks no taxonomy theme takes, and that resemble each other, become a theme
//! of kind `discovered` with an id from its keyphrases, in every report and in the trends, where a
//! topic that appears in a later period is `new`.

mod common;

use std::path::Path;

/// Talks that clearly fit the taxonomy, in both years.
const KUBECON: [(&str, &str); 6] = [
    (
        "Istio in Production: Lessons From Running a Service Mesh",
        "We moved every service behind Istio and Envoy sidecars. Mutual TLS, traffic shifting and retries came from the mesh instead of libraries.",
    ),
    (
        "Prometheus and OpenTelemetry at Scale",
        "Metrics, traces and logs for two thousand services: how we run Prometheus, Thanos and the OpenTelemetry collector, and what our dashboards and alerts look like.",
    ),
    (
        "Securing the Software Supply Chain with Sigstore",
        "Signing container images, verifying provenance and admission policies that refuse unsigned images: supply chain security on Kubernetes.",
    ),
    (
        "Serving LLMs on Kubernetes with GPUs",
        "Scheduling GPU workloads for model inference and training, KServe, autoscaling inference servers and sharing GPUs between machine learning teams.",
    ),
    (
        "Cutting Our Cloud Bill in Half",
        "Right-sizing requests, spot instances, cluster autoscaling and showing each team its cost: how FinOps cut our Kubernetes spend.",
    ),
    (
        "GitOps with Argo CD Across 200 Clusters",
        "Every change goes through Git: Argo CD syncs manifests to two hundred clusters, with progressive delivery and automated rollbacks.",
    ),
];

/// A topic the taxonomy does not know, in the second year only.
const BAKING: [(&str, &str); 4] = [
    (
        "Sourdough Starters for Beginners",
        "Feeding a sourdough starter with flour and water, keeping it warm, and baking your first loaf of bread with a crisp crust.",
    ),
    (
        "The Science of Bread Crust and Crumb",
        "Why bread forms a crust in a hot oven, how steam and dough hydration shape the crumb of a sourdough loaf.",
    ),
    (
        "Baking Bread at Home: Flour, Water, Salt",
        "Kneading dough, proofing overnight and baking loaves in a dutch oven: home bread baking with sourdough and yeast.",
    ),
    (
        "Sourdough Pizza and Focaccia",
        "Stretching sourdough pizza dough, baking focaccia in the oven, and the flour and hydration that give an open crumb.",
    ),
];

fn write_talks(path: &Path) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["conference", "year", "title", "text"])
        .unwrap();
    for year in ["2022", "2023"] {
        for (title, text) in KUBECON {
            w.write_record(["KubeCon", year, title, text]).unwrap();
        }
    }
    for (title, text) in BAKING {
        w.write_record(["KubeCon", "2023", title, text]).unwrap();
    }
    w.flush().unwrap();
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn talks_no_theme_takes_become_a_discovered_theme_that_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("talks.csv");
    write_talks(&input);
    let out = dir.path().join("out");
    let res = common::confthemes(
        &[
            "compare",
            "--data",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", common::stderr(&res));

    // themes.csv: theme,name,kind,talks,...; one discovered theme holding the four baking talks.
    let themes = rows(&out.join("themes.csv"));
    let discovered: Vec<&csv::StringRecord> =
        themes.iter().filter(|r| &r[2] == "discovered").collect();
    assert_eq!(discovered.len(), 1, "{themes:?}");
    let theme = discovered[0];
    let id = theme[0].to_string();
    assert_eq!(&theme[3], "4");
    assert!(
        ["sourdough", "bread", "baking", "dough", "flour"]
            .iter()
            .any(|w| id.contains(w) && theme[1].to_lowercase().contains(w)),
        "id {id}, name {}",
        &theme[1]
    );
    assert!(themes
        .iter()
        .filter(|r| &r[0] != id.as_str())
        .all(|r| &r[2] == "taxonomy"));

    // talks.csv: the baking talks, and only they, carry its id.
    let talks = rows(&out.join("talks.csv"));
    let baking: Vec<&str> = BAKING.iter().map(|(t, _)| *t).collect();
    for talk in &talks {
        assert_eq!(
            &talk[8] == id.as_str(),
            baking.contains(&&talk[4]),
            "{talk:?}"
        );
    }

    // trends.csv: period,theme,...,name,kind,change; new in 2023, absent in 2022.
    let trends = rows(&out.join("trends.csv"));
    let of_theme: Vec<(&str, &str, &str, &str)> = trends
        .iter()
        .filter(|r| &r[1] == id.as_str())
        .map(|r| (&r[0], &r[2], &r[10], &r[11]))
        .collect();
    assert_eq!(
        of_theme,
        [
            ("2022", "0", "discovered", "first"),
            ("2023", "4", "discovered", "new")
        ]
    );
    let report = common::read_json(&out.join("report.json"));
    let kinds: Vec<&str> = report["themes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] == id.as_str())
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["discovered"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("(discovered)"));

    // `assign` with the saved model gives a new baking talk the discovered theme.
    let new = dir.path().join("new.csv");
    let mut w = csv::Writer::from_path(&new).unwrap();
    w.write_record(["title", "text"]).unwrap();
    w.write_record([
        "Rye Sourdough Loaves",
        "Baking rye bread with a sourdough starter: flour, water, a long proof and a hot oven for a good crust and crumb.",
    ])
    .unwrap();
    w.write_record([KUBECON[0].0, KUBECON[0].1]).unwrap();
    w.flush().unwrap();
    let assigned = dir.path().join("assigned");
    let res = common::confthemes(
        &[
            "assign",
            new.to_str().unwrap(),
            "--themes-from",
            out.to_str().unwrap(),
            "--out",
            assigned.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", common::stderr(&res));
    let themes: Vec<String> = rows(&assigned.join("talks.csv"))
        .iter()
        .map(|r| r[8].to_string())
        .collect();
    assert_eq!(themes, [id.clone(), "service-mesh".to_string()]);
}

#[test]
fn discovery_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("talks.csv");
    write_talks(&input);
    let out = dir.path().join("out");
    let res = common::confthemes(
        &[
            "run",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--min-discovered",
            "0",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", common::stderr(&res));
    let themes = rows(&out.join("themes.csv"));
    assert!(themes.iter().all(|r| &r[2] == "taxonomy"), "{themes:?}");
    let talks = rows(&out.join("talks.csv"));
    for talk in talks
        .iter()
        .filter(|t| BAKING.iter().any(|(b, _)| *b == &t[4]))
    {
        assert_eq!(&talk[8], "unassigned", "{talk:?}");
    }
    let refused = common::confthemes(
        &[
            "run",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--min-discovered",
            "1",
        ],
        &[],
    );
    common::expect_error(refused, 2, "--min-discovered");
}

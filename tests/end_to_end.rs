//! The whole pipeline on the founding corpus with the real model.

mod common;

use std::sync::OnceLock;

use confthemes::ingest::load_notes;
use confthemes::pipeline::{run, RunOptions, Silent};
use confthemes::report::{RunReport, TalkRecord};
use confthemes::segment::BoundarySegmenter;

/// The corpus report, computed once for all tests of this file.
fn corpus_report() -> &'static RunReport {
    static REPORT: OnceLock<RunReport> = OnceLock::new();
    REPORT.get_or_init(|| {
        let input = common::root().join("corpus");
        let corpus = load_notes(&input).expect("corpus loads");
        run(
            std::slice::from_ref(&input),
            &corpus,
            &BoundarySegmenter::default(),
            common::minilm(),
            &RunOptions::default(),
            &Silent,
        )
        .expect("pipeline runs")
    })
}

fn talk<'a>(report: &'a RunReport, title: &str) -> &'a TalkRecord {
    report
        .talks
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("no talk titled {title:?}"))
}

#[test]
fn corpus_segments_into_the_talks_the_documents_name() {
    let report = corpus_report();
    let titles = |file: &str| -> Vec<&str> {
        report
            .talks
            .iter()
            .filter(|t| t.file.starts_with(file))
            .map(|t| t.title.as_str())
            .collect()
    };
    assert_eq!(
        titles("000"),
        [
            "Measuring and optimizing ML Workloads at Lyft",
            "How Spotify Migrated Ingress HTTP Systems to Envoy",
            "Moving from Legacy Infrastructure to the Cloud in a Government Organization",
            "Flyte: Cloud Native Machine Learning & Data Processing Platform",
            "How Yelp Moved Security From the App to the Mesh with Envoy and OPA",
            "Security Beyond Buzzwords: How to Secure Kubernetes with Empathy?",
            "Tutorial: From Notebook to Kubeflow Pipelines: An End-to-End Data Science Workflow",
            "Fine Grained Mesh Metrics for Better Visibility With Native Performance",
        ]
    );
    assert_eq!(
        titles("001"),
        [
            "Cloud Native ML on Kubernetes",
            "Running with Scissors",
            "Chaos Engineering WG Deep Dive",
            "Istio - The Weather Company’s Journey",
            "Are You Ready to Be Edgy? — Bringing Cloud-Native Applications to the Edge of the Network",
            "Integrating Prometheus and InfluxDB",
            "A Hackers Guide to Kubernetes and the Cloud",
            "Cloudbursting with Kubernetes",
            "Operating a Global-Scale FaaS on Top of Kubernetes",
            "Inside Kubernetes Resource Management (QoS) – Mechanics and Lessons from the Field",
            "Observing and Troubleshooting your Microservices with Istio",
            "Vitess and a Kubernetes Operator",
        ]
    );
    // Talk headings with speakers in 002, numbered takeaway sections in 003, a bullet list of
    // talks in 004.
    for title in [
        "No-Nonsense Observability Improvement",
        "Weaveworks EKS AppMesh Gitops workshop",
        "Reducing SRE toil is important, and directly impacts the bottom line, productivity, and fun",
        "Multi-cloud is big business",
        "Accelerating Envoy with the Linux Kernel",
        "SIG Multi-Cluster deep dive",
    ] {
        talk(report, title);
    }
    // Intro, outro, captions and labels are not talks.
    for not_a_talk in [
        "Final words?",
        "Just before the Keynotes",
        "Photo Credit: Pascal Martin",
        "Key Takeaways",
        "Wrapping Up Part 2",
        "Bella Center - Copenhagen",
        "Executive notes:",
    ] {
        assert!(
            report.talks.iter().all(|t| t.title != not_a_talk),
            "{not_a_talk} taken as a talk"
        );
    }

    // Seed 002 ends with an older post: its talks belong to their own events, and its title is
    // not a talk.
    let docker = talk(report, "State of the Art in Microservices");
    assert_eq!(
        (docker.conference.as_deref(), docker.year),
        (Some("DockerCon Europe"), Some(2014))
    );
    assert_eq!(docker.speakers[0].name, "Adrian Cockcroft");
    let meetup = talk(report, "Docker in Production – Reality, Not Hype");
    assert_eq!(
        (meetup.conference.as_deref(), meetup.year),
        (Some("DevOps-Chicago meetup"), Some(2015))
    );
    assert!(report
        .talks
        .iter()
        .all(|t| !t.title.starts_with("Whale riding")));
    // Talks described in two documents of the same conference are one talk: the Yelp talk (000 and
    // 002, NA 2019) and "Are You Ready to Be Edgy?" (001 and 004, EU 2018). They share id, theme
    // and cluster, and no other talks are linked.
    for prefix in ["How Yelp Moved Security", "Are You Ready to Be Edgy?"] {
        let same: Vec<&TalkRecord> = report
            .talks
            .iter()
            .filter(|t| t.title.starts_with(prefix))
            .collect();
        assert_eq!(same.len(), 2, "{prefix}");
        assert_ne!(same[0].file, same[1].file);
        assert_eq!(
            (same[0].talk_id, &same[0].theme, same[0].cluster),
            (same[1].talk_id, &same[1].theme, same[1].cluster),
            "{prefix}"
        );
    }
    let distinct: std::collections::BTreeSet<usize> =
        report.talks.iter().map(|t| t.talk_id).collect();
    assert_eq!(distinct.len(), report.talks.len() - 2);
    // Seed 004's keynotes told as narrative.
    let kohn = talk(report, "Keynote by Dan Kohn");
    assert_eq!(kohn.start_line, 19);

    let scissors = talk(report, "Running with Scissors");
    assert_eq!((scissors.start_line, scissors.end_line), (14, 16));
    assert_eq!(scissors.speakers[0].name, "Liz Rice");
    assert_eq!(
        scissors.speakers[0].affiliation.as_deref(),
        Some("Technology Evangelist, Aqua Security")
    );
    assert_eq!(scissors.year, Some(2018));
    assert_eq!(scissors.edition.as_deref(), Some("Copenhagen"));
    let cloudburst = talk(report, "Cloudbursting with Kubernetes");
    let names: Vec<&str> = cloudburst
        .speakers
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["Irfan Ur Rehman", "Quinton Hoole"]);
    assert_eq!(talk(report, "Multi-cloud is big business").start_line, 45);
}

#[test]
fn clearly_themed_talks_get_their_theme() {
    let report = corpus_report();
    for (title, theme) in [
        (
            "How Spotify Migrated Ingress HTTP Systems to Envoy",
            "service-mesh",
        ),
        (
            "Tutorial: From Notebook to Kubeflow Pipelines: An End-to-End Data Science Workflow",
            "ml-on-kubernetes",
        ),
        ("Measuring and optimizing ML Workloads at Lyft", "cost"),
        ("Running with Scissors", "security"),
        (
            "Doing Things Prometheus Can’t Do with Prometheus",
            "observability",
        ),
        ("Chaos Engineering WG Deep Dive", "reliability-sre"),
        (
            "The Elephant in the Kubernetes Room: Team Interactions at Scale",
            "platform-devex",
        ),
    ] {
        assert_eq!(talk(report, title).theme, theme, "{title}");
    }
}

#[test]
fn report_is_consistent() {
    let report = corpus_report();
    let n = report.talks.len();
    assert_eq!(report.documents.iter().map(|d| d.talks).sum::<usize>(), n);
    // Clusters and themes count distinct talks.
    let distinct = report.talks.iter().map(|t| t.talk_id).max().unwrap();
    assert_eq!(
        report.clusters.iter().map(|c| c.size).sum::<usize>(),
        distinct
    );
    assert_eq!(
        report.themes.iter().map(|t| t.talks).sum::<usize>(),
        distinct
    );
    let share: f32 = report.themes.iter().map(|t| t.share).sum();
    assert!((share - 1.0).abs() < 1e-4);
    assert!(report.clustering.k >= 2);
    assert!(report
        .clusters
        .iter()
        .all(|c| !c.keywords.is_empty() && !c.name.is_empty()));
    let mesh = report
        .themes
        .iter()
        .find(|t| t.id == "service-mesh")
        .unwrap();
    let words: Vec<&str> = mesh.keywords.iter().map(|k| k.word.as_str()).collect();
    assert!(
        words.contains(&"envoy") && words.contains(&"istio"),
        "{words:?}"
    );
}

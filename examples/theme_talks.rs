//! confthemes as a library: theme talks held in memory, then theme a new talk with the fitted
//! themes, refitting nothing. Run from the repository root (the model is read from `models/`):
//!
//! ```sh
//! cargo run --release --example theme_talks
//! ```

use confthemes::app;
use confthemes::config::{AssignConfig, CachePolicy, Input, RunConfig};
use confthemes::ingest::TalkText;
use confthemes::pipeline::Silent;

fn main() -> Result<(), confthemes::Error> {
    let talks = vec![
        TalkText::new(
            "Istio at scale",
            "Running a service mesh across 40 clusters with Envoy sidecars and mTLS.",
        ),
        TalkText::new(
            "Cutting the cloud bill",
            "FinOps practices and right-sizing that halved our Kubernetes compute spend.",
        ),
        TalkText::new(
            "Tracing everything",
            "OpenTelemetry traces, Prometheus metrics and logs in one observability pipeline.",
        ),
        TalkText::new(
            "Kubeflow pipelines in practice",
            "Training and serving machine-learning models on Kubernetes with GPUs.",
        ),
    ];
    let mut config = RunConfig::new(Input::Texts(talks), "reports");
    config.model.cache = CachePolicy::Off;
    // `app::run` would write the reports into config.out; `theme` returns them.
    let themed = app::theme(&config, &Silent)?;
    for talk in &themed.report.talks {
        println!(
            "{:<32} {:<18} {:.3}",
            talk.title, talk.theme, talk.theme_score
        );
    }

    // The fitted themes (what `run` saves as themes.model) theme new talks the same way.
    let new = Input::Texts(vec![TalkText::new(
        "Sourdough at home",
        "Flour, water, salt and a starter: proofing times and oven heat for a good crust.",
    )]);
    let mut assign = AssignConfig::new("reports", new, "reports-new");
    assign.model = config.model.clone();
    let fitted = &themed.report.themes_model;
    let again = app::apply(fitted, "memory".as_ref(), &assign, &Silent)?;
    println!("new talk: {}", again.report.talks[0].theme);
    Ok(())
}

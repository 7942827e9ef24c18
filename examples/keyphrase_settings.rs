//! Keyphrases against c-TF-IDF words on the gold label groups of a labelled CSV: NPMI and topic
//! diversity of each, and the top phrases of each label, for choosing [`KeyphraseSettings`]
//! (README, "Keyphrases").
//!
//!     cargo run --release --example keyphrase_settings -- CSV [CANDIDATES DIVERSITY CONTRAST]...
//!
//! Each trailing triple is one setting to score; without any, the defaults. Embeddings are cached
//! in the default cache folder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use confthemes::bench::{keyphrase_words, npmi_coherence, topic_diversity, NPMI_WINDOW};
use confthemes::config::CachePolicy;
use confthemes::embed::{CachedEmbedder, CandleMiniLm, Embedder, ModelFiles, DEFAULT_MODEL_DIR};
use confthemes::ingest::{load_talk_table, TableColumns};
use confthemes::segment::{talks_from_table, Talk};
use confthemes::text::words;
use confthemes::themes::{class_tfidf, keyphrases, KeyphraseSettings, Keyword};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let csv = PathBuf::from(
        args.first()
            .ok_or("usage: keyphrase_settings CSV [C D K]...")?,
    );
    let mut settings = Vec::new();
    for triple in args[1..].chunks(3) {
        let [candidates, diversity, contrast] = triple else {
            return Err("settings come in triples: CANDIDATES DIVERSITY CONTRAST".into());
        };
        settings.push(KeyphraseSettings {
            candidates: candidates.parse()?,
            diversity: diversity.parse()?,
            contrast: contrast.parse()?,
            ..KeyphraseSettings::default()
        });
    }
    if settings.is_empty() {
        settings.push(KeyphraseSettings::default());
    }

    let columns = TableColumns {
        label: Some("label".into()),
        ..TableColumns::default()
    };
    let table = load_talk_table(&csv, &columns)?;
    let texts: Vec<String> = talks_from_table(&table).iter().map(Talk::text).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let labels: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.label.clone().unwrap_or_default())
        .collect();
    let names: Vec<&String> = labels.iter().collect::<BTreeSet<_>>().into_iter().collect();
    let groups: Vec<Vec<usize>> = names
        .iter()
        .map(|n| (0..labels.len()).filter(|&i| &labels[i] == *n).collect())
        .collect();

    let model = CandleMiniLm::load(&ModelFiles::locate(Path::new(DEFAULT_MODEL_DIR))?)?;
    let cache = CachePolicy::Default
        .dir()
        .ok_or("no cache folder: set HOME")?;
    let embedder = CachedEmbedder::open(&cache, &model);
    let vectors = embedder.embed(&texts)?;
    let tokens: Vec<Vec<String>> = texts.iter().map(|t| words(t).collect()).collect();
    let report = |what: &str, topics: Vec<Vec<Keyword>>| {
        let topic_words: Vec<Vec<String>> = topics.iter().map(|t| keyphrase_words(t)).collect();
        println!(
            "{what}: NPMI {:.3}, diversity {:.3}",
            npmi_coherence(&topic_words, &tokens, NPMI_WINDOW).unwrap_or(f64::NAN),
            topic_diversity(&topic_words, 10).unwrap_or(f64::NAN)
        );
        for (name, topic) in names.iter().zip(&topics) {
            let phrases: Vec<&str> = topic.iter().map(|k| k.word.as_str()).collect();
            println!("    {name}: {}", phrases.join(", "));
        }
    };
    let members: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.iter().map(|&i| texts[i]).collect())
        .collect();
    report("c-TF-IDF words", class_tfidf(&members, 10));
    for s in &settings {
        let phrases = keyphrases(&texts, vectors.view(), &groups, &embedder, s)?;
        report(
            &format!(
                "keyphrases, {} candidates, diversity {}, contrast {}",
                s.candidates, s.diversity, s.contrast
            ),
            phrases,
        );
    }
    Ok(())
}

//! Keyphrases a person can read: n-grams of one to three words, scored by c-TF-IDF with their
//! plural and singular forms merged, kept only when several talks of the group use them, then
//! re-ranked by how close their embedding is to the group's centroid (BERTopic's
//! KeyBERTInspired) and diversified by maximal marginal relevance (MMR).
//!
//! A phrase never spans a stop word, a number or punctuation, so "cost of GPU inference" gives
//! "cost" and "gpu inference", never "cost gpu".

use std::collections::{BTreeMap, BTreeSet};

use ndarray::{Array1, ArrayView2};

use super::{round4, ClassTfidf, Keyword};
use crate::embed::Embedder;
use crate::error::Result;
use crate::text::{is_content_word, words};

/// Longest phrase, in words.
const MAX_WORDS: usize = 3;

/// From this many talks on, a group's phrases must be used by two of its talks: one talk's
/// names ("greeks, persians") do not describe a group. Smaller groups would have too few left.
const MIN_GROUP_FOR_SHARED: usize = 4;

/// How keyphrases are chosen.
#[derive(Debug, Clone, Copy)]
pub struct KeyphraseSettings {
    /// Candidates per group taken from c-TF-IDF and embedded.
    pub candidates: usize,
    /// Weight of novelty against relevance in MMR (0: relevance only).
    pub diversity: f32,
    /// How much a phrase's closeness to all talks is taken off its closeness to the group: a
    /// phrase as close to every group ("kubernetes" at KubeCon) tells none of them apart.
    pub contrast: f32,
    /// Keyphrases kept per group.
    pub top_n: usize,
}

impl Default for KeyphraseSettings {
    fn default() -> Self {
        KeyphraseSettings {
            candidates: 30,
            diversity: 0.1,
            contrast: 1.0,
            top_n: super::TOP_KEYWORDS,
        }
    }
}

/// A phrase's merged form: its words with plurals folded ("gpus" and "gpu" share "gpu").
type PhraseKey = String;

/// How a group of talks uses one phrase.
#[derive(Debug, Default, Clone)]
struct PhraseUse {
    /// Occurrences over the group's talks.
    count: f64,
    /// Talks that use it.
    talks: usize,
    /// Occurrences of each surface form (lowercased).
    forms: BTreeMap<String, usize>,
}

impl PhraseUse {
    /// The commonest surface form (ties: alphabetical).
    fn form(&self) -> &str {
        self.forms
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or("", |(form, _)| form.as_str())
    }
}

/// The keyphrases of each group of talks. `groups[g]` holds indices into `texts` and `vectors`
/// (one unit row per talk); the candidates of every group are embedded in one call.
pub fn keyphrases(
    texts: &[&str],
    vectors: ArrayView2<'_, f32>,
    groups: &[Vec<usize>],
    embedder: &dyn Embedder,
    settings: &KeyphraseSettings,
) -> Result<Vec<Vec<Keyword>>> {
    let vocabulary = Vocabulary::of(texts.iter().copied());
    let uses: Vec<BTreeMap<PhraseKey, PhraseUse>> = groups
        .iter()
        .map(|g| group_uses(&vocabulary, g.iter().map(|&i| texts[i])))
        .collect();
    let candidates = candidates(&uses, groups, settings.candidates);
    let phrases: Vec<&str> = candidates.iter().flatten().map(String::as_str).collect();
    let embedded = embedder.embed(&phrases)?;
    let everything = centroid(vectors, &(0..vectors.nrows()).collect::<Vec<_>>());
    let mut row = 0;
    let mut keywords = Vec::with_capacity(groups.len());
    for (group, forms) in groups.iter().zip(&candidates) {
        let rows = embedded.slice(ndarray::s![row..row + forms.len(), ..]);
        row += forms.len();
        let relevance =
            rows.dot(&centroid(vectors, group)) - rows.dot(&everything) * settings.contrast;
        keywords.push(mmr(forms, rows, relevance, settings));
    }
    Ok(keywords)
}

/// Every group's best candidates by c-TF-IDF (at most `n`, surface forms), counting only the
/// phrases used by two talks or more in a group of [`MIN_GROUP_FOR_SHARED`] talks or more.
fn candidates(
    uses: &[BTreeMap<PhraseKey, PhraseUse>],
    groups: &[Vec<usize>],
    n: usize,
) -> Vec<Vec<String>> {
    let counts = |group: &BTreeMap<PhraseKey, PhraseUse>, min_talks: usize| {
        group
            .iter()
            .filter(|(_, u)| u.talks >= min_talks)
            .map(|(key, u)| (key.clone(), u.count))
            .collect::<BTreeMap<String, f64>>()
    };
    let all: Vec<BTreeMap<String, f64>> = uses.iter().map(|g| counts(g, 0)).collect();
    let idf = ClassTfidf::from_counts(&all);
    uses.iter()
        .zip(groups)
        .map(|(group, members)| {
            let min_talks = if members.len() >= MIN_GROUP_FOR_SHARED {
                2
            } else {
                1
            };
            // The order within a class does not depend on its total, so the phrases too rare
            // to count are left out before scoring.
            idf.top(&counts(group, min_talks), n)
                .into_iter()
                .map(|k| group[&k.word].form().to_string())
                .collect()
        })
        .collect()
}

/// Picks `top_n` of `forms` (embedded as `rows`, with their `relevance` to the group) by MMR:
/// each step takes the candidate with the best (1 - diversity) * relevance - diversity *
/// (similarity to the closest phrase already taken), skipping a phrase inside a phrase already
/// taken or holding one ("case" beside "case studies"). Similarities are rounded to 4 decimals
/// so that the last bits of a vector (which depend on the batch it was embedded in) never decide
/// a choice.
fn mmr(
    forms: &[String],
    rows: ArrayView2<'_, f32>,
    relevance: Array1<f32>,
    settings: &KeyphraseSettings,
) -> Vec<Keyword> {
    let relevance: Vec<f32> = relevance.iter().map(|&s| round4(s)).collect();
    let mut taken: Vec<usize> = Vec::new();
    while taken.len() < settings.top_n.min(forms.len()) {
        let score = |c: usize| {
            let redundancy = taken
                .iter()
                .map(|&t| round4(rows.row(c).dot(&rows.row(t))))
                .fold(0.0f32, f32::max);
            (1.0 - settings.diversity) * relevance[c] - settings.diversity * redundancy
        };
        let best = (0..forms.len())
            .filter(|&c| !taken.iter().any(|&t| overlaps(&forms[c], &forms[t])))
            .max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)));
        match best {
            Some(c) => taken.push(c),
            None => break,
        }
    }
    taken
        .into_iter()
        .map(|c| Keyword {
            word: forms[c].clone(),
            weight: relevance[c],
        })
        .collect()
}

/// Whether one phrase holds the other, word for word ("case" and "case studies"; a phrase and
/// itself).
fn overlaps(a: &str, b: &str) -> bool {
    let inside = |short: &str, long: &str| {
        let (short, long): (Vec<&str>, Vec<&str>) =
            (short.split(' ').collect(), long.split(' ').collect());
        long.windows(short.len()).any(|w| w == short.as_slice())
    };
    inside(a, b) || inside(b, a)
}

/// The normalised mean of the group's rows (zeros for an empty group).
pub(super) fn centroid(vectors: ArrayView2<'_, f32>, group: &[usize]) -> Array1<f32> {
    let mut sum = Array1::<f32>::zeros(vectors.ncols());
    for &i in group {
        sum += &vectors.row(i);
    }
    let norm = sum.dot(&sum).sqrt();
    if norm > 0.0 {
        sum /= norm;
    }
    sum
}

/// How the talks of a group use each phrase.
fn group_uses<'a>(
    vocabulary: &Vocabulary,
    texts: impl Iterator<Item = &'a str>,
) -> BTreeMap<PhraseKey, PhraseUse> {
    let mut uses: BTreeMap<PhraseKey, PhraseUse> = BTreeMap::new();
    for text in texts {
        let mut seen: BTreeSet<PhraseKey> = BTreeSet::new();
        for_each_phrase(vocabulary, text, |key, form| {
            let u = uses.entry(key.clone()).or_default();
            u.count += 1.0;
            *u.forms.entry(form).or_insert(0) += 1;
            if seen.insert(key) {
                u.talks += 1;
            }
        });
    }
    uses
}

/// Calls `emit` with every phrase of one to [`MAX_WORDS`] content words in a row of `text`, as
/// (key, surface form). Streams: a note of many megabytes holds one run in memory at a time.
fn for_each_phrase(vocabulary: &Vocabulary, text: &str, mut emit: impl FnMut(PhraseKey, String)) {
    for_each_run(text, |run| {
        for start in 0..run.len() {
            for end in start + 1..=(start + MAX_WORDS).min(run.len()) {
                let words = &run[start..end];
                let key = words
                    .iter()
                    .map(|w| vocabulary.singular(w))
                    .collect::<Vec<_>>()
                    .join(" ");
                emit(key, words.join(" "));
            }
        }
    });
}

/// Calls `emit` with every run of consecutive content words (lowercased), broken by stop words,
/// numbers, one-letter words and any punctuation but a hyphen ("multi-cluster" reads as "multi
/// cluster").
fn for_each_run(text: &str, mut emit: impl FnMut(&[String])) {
    let mut run: Vec<String> = Vec::new();
    let mut word = String::new();
    // A final newline ends the last run.
    for c in text.chars().chain(['\n']) {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        let mut breaks = !(c == ' ' || c == '\t' || c == '-');
        if !word.is_empty() {
            let w = word.to_lowercase();
            word.clear();
            if is_content_word(&w) {
                run.push(w);
            } else {
                breaks = true;
            }
        }
        if breaks && !run.is_empty() {
            emit(&run);
            run.clear();
        }
    }
}

/// The words of every text: a plural is folded only into a singular that occurs.
#[derive(Debug, Default)]
struct Vocabulary(BTreeSet<String>);

impl Vocabulary {
    fn of<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        Vocabulary(texts.flat_map(words).collect())
    }

    /// `word` with an English plural folded into its singular when the texts use that singular:
    /// "policies" -> "policy", "gpus" -> "gpu", "classes" -> "class"; "status" stays itself
    /// unless some text says "statu".
    fn singular(&self, word: &str) -> String {
        let folds = [("ies", "y"), ("es", ""), ("s", "")];
        folds
            .iter()
            .filter_map(|(suffix, with)| Some(format!("{}{with}", word.strip_suffix(suffix)?)))
            .find(|stem| stem.len() >= 2 && self.0.contains(stem))
            .unwrap_or_else(|| word.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_stop_at_stop_words_and_punctuation() {
        let mut runs: Vec<Vec<String>> = Vec::new();
        for_each_run(
            "The cost of GPU inference. Service-mesh talks, 2019 edition",
            |run| runs.push(run.to_vec()),
        );
        assert_eq!(
            runs,
            vec![
                vec!["cost".to_string()],
                vec!["gpu".into(), "inference".into()],
                vec!["service".into(), "mesh".into()],
                vec!["edition".into()],
            ]
        );
        let vocabulary = Vocabulary::of(["GPU inference"].into_iter());
        let mut keys: Vec<String> = Vec::new();
        for_each_phrase(&vocabulary, "GPU inference", |key, _| keys.push(key));
        assert_eq!(keys, ["gpu", "gpu inference", "inference"]);
    }

    #[test]
    fn plurals_fold_into_one_key() {
        for (plural, one) in [
            ("gpus", "gpu"),
            ("policies", "policy"),
            ("classes", "class"),
            ("status", "status"),
            ("analysis", "analysis"),
        ] {
            let vocabulary = Vocabulary::of([plural, one].into_iter());
            assert_eq!(vocabulary.singular(plural), one);
        }
        let lone = Vocabulary::of(["gpus"].into_iter());
        assert_eq!(lone.singular("gpus"), "gpus", "no singular in the texts");
        let texts = ["GPUs for training", "one GPU"];
        let uses = group_uses(&Vocabulary::of(texts.into_iter()), texts.into_iter());
        let gpu = &uses["gpu"];
        assert_eq!((gpu.count, gpu.talks, gpu.form()), (2.0, 2, "gpu"));
    }

    #[test]
    fn candidates_need_two_talks_and_rank_by_class_tfidf() {
        let texts = [
            "gpu inference on kubernetes",
            "gpu inference at scale, greeks",
            "training jobs",
            "training at scale",
            "service mesh",
            "service mesh sidecars",
        ];
        let groups = vec![vec![0, 1, 2, 3], vec![4, 5]];
        let vocabulary = Vocabulary::of(texts.into_iter());
        let uses: Vec<_> = groups
            .iter()
            .map(|g: &Vec<usize>| group_uses(&vocabulary, g.iter().map(|&i| texts[i])))
            .collect();
        let c = candidates(&uses, &groups, 10);
        assert!(c[0].contains(&"gpu inference".to_string()));
        assert!(
            !c[0].contains(&"greeks".to_string()),
            "one talk of four only"
        );
        assert!(!c[0].contains(&"service mesh".to_string()));
        assert_eq!(
            c[1],
            [
                "mesh",
                "service",
                "service mesh",
                "mesh sidecars",
                "service mesh sidecars",
                "sidecars"
            ],
            "a group of two keeps a phrase of one talk, after the shared ones"
        );
    }

    #[test]
    fn mmr_trades_relevance_for_novelty() {
        let forms: Vec<String> = ["a", "a2", "b"].map(String::from).to_vec();
        // a and a2 are near twins, both close to the centroid; b is less relevant but new.
        let rows = ndarray::array![[1.0f32, 0.0], [0.995, 0.0998], [0.6, 0.8]];
        let centroid = ndarray::array![1.0f32, 0.0];
        let pick = |diversity| {
            let settings = KeyphraseSettings {
                candidates: 3,
                diversity,
                contrast: 0.0,
                top_n: 2,
            };
            mmr(&forms, rows.view(), rows.dot(&centroid), &settings)
                .into_iter()
                .map(|k| k.word)
                .collect::<Vec<_>>()
        };
        assert_eq!(pick(0.0), ["a", "a2"]);
        assert_eq!(pick(0.7), ["a", "b"]);
    }

    #[test]
    fn a_phrase_inside_another_is_not_taken_twice() {
        assert!(overlaps("case", "case studies") && overlaps("case studies", "studies"));
        assert!(overlaps("gpu", "gpu"));
        assert!(!overlaps("case", "showcase") && !overlaps("mesh", "service"));
        let forms: Vec<String> = ["case studies", "case", "platform"]
            .map(String::from)
            .to_vec();
        let rows = ndarray::array![[1.0f32, 0.0], [0.99, 0.14], [0.8, 0.6]];
        let settings = KeyphraseSettings {
            top_n: 3,
            ..KeyphraseSettings::default()
        };
        let picked: Vec<String> = mmr(&forms, rows.view(), rows.column(0).to_owned(), &settings)
            .into_iter()
            .map(|k| k.word)
            .collect();
        assert_eq!(picked, ["case studies", "platform"]);
    }
}

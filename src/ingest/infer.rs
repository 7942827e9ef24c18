//! Conference, edition and year inferred from a document's own text, for notes without a manifest.
//!
//! Each known KubeCon + CloudNativeCon edition is scored by the evidence in the text: a year next
//! to "KubeCon" (3 per mention, region-checked when one is named), the host city (2 per mention,
//! English or French spelling), a region next to "KubeCon" (2) and a bare year (1). The best
//! edition wins; when the best editions tie across regions only their common year is reported.
//! Documents that never name KubeCon get no conference.

use std::sync::LazyLock;

use regex::Regex;

use super::DocMeta;

/// An in-person edition of KubeCon + CloudNativeCon.
struct Edition {
    region: &'static str,
    city: &'static str,
    /// Other spellings of the city found in notes.
    aliases: &'static [&'static str],
    year: u16,
}

const fn edition(
    region: &'static str,
    city: &'static str,
    aliases: &'static [&'static str],
    year: u16,
) -> Edition {
    Edition {
        region,
        city,
        aliases,
        year,
    }
}

const EUROPE: &str = "Europe";
const NORTH_AMERICA: &str = "North America";
const CHINA: &str = "China";

/// The editions, with the cities they were held in.
const EDITIONS: &[Edition] = &[
    edition(EUROPE, "London", &["Londres"], 2016),
    edition(NORTH_AMERICA, "Seattle", &[], 2016),
    edition(EUROPE, "Berlin", &[], 2017),
    edition(NORTH_AMERICA, "Austin", &[], 2017),
    edition(EUROPE, "Copenhagen", &["Copenhague", "København"], 2018),
    edition(CHINA, "Shanghai", &[], 2018),
    edition(NORTH_AMERICA, "Seattle", &[], 2018),
    edition(EUROPE, "Barcelona", &["Barcelone"], 2019),
    edition(CHINA, "Shanghai", &[], 2019),
    edition(NORTH_AMERICA, "San Diego", &[], 2019),
    edition(NORTH_AMERICA, "Los Angeles", &[], 2021),
    edition(EUROPE, "Valencia", &["Valence"], 2022),
    edition(NORTH_AMERICA, "Detroit", &[], 2022),
    edition(EUROPE, "Amsterdam", &[], 2023),
    edition(CHINA, "Shanghai", &[], 2023),
    edition(NORTH_AMERICA, "Chicago", &[], 2023),
    edition(EUROPE, "Paris", &[], 2024),
    edition(CHINA, "Hong Kong", &[], 2024),
    edition(NORTH_AMERICA, "Salt Lake City", &[], 2024),
    edition(EUROPE, "London", &["Londres"], 2025),
    edition(NORTH_AMERICA, "Atlanta", &[], 2025),
];

/// "KubeCon [/ CloudNativeCon] [Europe|NA|...] [2019|'19]", also as in URLs (kubecon-europe-2024).
static ANCHORED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:kubecon|cloudnativecon)(?:\s*(?:\+|/|and)\s*cloudnativecon)?[\s\-,]*(?:(?P<region>europe|eu|north america|na|china)\b[\s\-,]*)?(?:['’](?P<yy>\d{2})\b|(?P<year>20\d{2})\b)?")
        .expect("valid regex")
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(20[0-3]\d)\b").expect("valid regex"));

/// Infers where and when the talks of a document were given.
pub fn infer_meta(text: &str) -> DocMeta {
    let anchors: Vec<(Option<&'static str>, Option<u16>)> = ANCHORED
        .captures_iter(text)
        .map(|c| {
            let region = c
                .name("region")
                .map(|r| match r.as_str().to_lowercase().as_str() {
                    "europe" | "eu" => EUROPE,
                    "china" => CHINA,
                    _ => NORTH_AMERICA,
                });
            let year = c
                .name("year")
                .and_then(|y| y.as_str().parse().ok())
                .or_else(|| {
                    c.name("yy")
                        .and_then(|y| y.as_str().parse::<u16>().ok())
                        .map(|y| 2000 + y)
                });
            (region, year)
        })
        .collect();
    if anchors.is_empty() {
        return DocMeta::default();
    }
    let lower = text.to_lowercase();
    let years: Vec<u16> = YEAR
        .find_iter(text)
        .filter_map(|m| m.as_str().parse().ok())
        .collect();
    let scores: Vec<usize> = EDITIONS
        .iter()
        .map(|e| {
            let anchored: usize = anchors
                .iter()
                .map(|&(region, year)| match (region, year) {
                    (r, Some(y)) if y == e.year && r.is_none_or(|r| r == e.region) => 3,
                    (Some(r), None) if r == e.region => 2,
                    _ => 0,
                })
                .sum();
            let city: usize = std::iter::once(e.city)
                .chain(e.aliases.iter().copied())
                .map(|name| lower.matches(&name.to_lowercase()).count())
                .sum();
            let bare = years.iter().filter(|&&y| y == e.year).count();
            anchored + 2 * city + bare
        })
        .collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let winners: Vec<&Edition> = EDITIONS
        .iter()
        .zip(&scores)
        .filter(|&(_, &s)| s == best && s >= 3)
        .map(|(e, _)| e)
        .collect();
    match winners.as_slice() {
        [] => DocMeta {
            conference: Some("KubeCon + CloudNativeCon".into()),
            ..DocMeta::default()
        },
        [e] => DocMeta {
            conference: Some(format!("KubeCon + CloudNativeCon {}", e.region)),
            edition: Some(e.city.to_string()),
            year: Some(e.year),
        },
        [first, rest @ ..] => DocMeta {
            conference: Some("KubeCon + CloudNativeCon".into()),
            edition: None,
            year: rest
                .iter()
                .all(|e| e.year == first.year)
                .then_some(first.year),
        },
    }
}

/// The event named in a citation's context ("the DockerCon Europe 2014 keynote", "at the
/// March-2015 DevOps-Chicago meetup"), if it names a year.
pub fn event_from_context(context: &str) -> Option<DocMeta> {
    static MEETUP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?P<name>[A-Z][A-Za-z-]*(?:\s+[A-Z][A-Za-z-]*)*)\s+meetup\b")
            .expect("valid regex")
    });
    static DATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?P<name>[A-Z][A-Za-z-]*(?:\s+[A-Z][A-Za-z-]*)*)\s+20\d{2}\b")
            .expect("valid regex")
    });
    let year: u16 = YEAR.find(context)?.as_str().parse().ok()?;
    let name = MEETUP
        .captures(context)
        .map(|c| format!("{} meetup", &c["name"]))
        .or_else(|| DATED.captures(context).map(|c| c["name"].to_string()));
    Some(DocMeta {
        conference: name,
        edition: None,
        year: Some(year),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(conference: &str, edition: &str, year: u16) -> DocMeta {
        DocMeta {
            conference: Some(conference.into()),
            edition: Some(edition.into()),
            year: Some(year),
        }
    }

    #[test]
    fn city_region_and_year_pick_the_edition() {
        assert_eq!(
            infer_meta("KubeCon / CloudNativeCon Europe 2018 took place at the Bella Center of Copenhagen on May 2 – 4, 2018. Attendance grew from 1000 at KubeCon 2017 in Berlin."),
            meta("KubeCon + CloudNativeCon Europe", "Copenhagen", 2018)
        );
        assert_eq!(
            infer_meta("Kubecon North America\n\nWriting this from San Diego"),
            meta("KubeCon + CloudNativeCon North America", "San Diego", 2019)
        );
        assert_eq!(
            infer_meta("Back from kubeCon'24 in Paris"),
            meta("KubeCon + CloudNativeCon Europe", "Paris", 2024)
        );
    }

    #[test]
    fn ambiguous_or_absent_evidence_says_less() {
        let both = infer_meta("Notre retour sur la KubeCon 2022.");
        assert_eq!((both.edition, both.year), (None, Some(2022)));
        assert_eq!(
            infer_meta("Notes from a Rust meetup in 2019"),
            DocMeta::default()
        );
    }

    #[test]
    fn citations_name_their_own_event() {
        let docker = event_from_context("the DockerCon Europe 2014 keynote").unwrap();
        assert_eq!(
            (docker.conference.as_deref(), docker.year),
            (Some("DockerCon Europe"), Some(2014))
        );
        let meetup = event_from_context("at the March-2015 DevOps-Chicago meetup").unwrap();
        assert_eq!(
            (meetup.conference.as_deref(), meetup.year),
            (Some("DevOps-Chicago meetup"), Some(2015))
        );
        assert_eq!(event_from_context("a great talk"), None);
    }
}

//! Catalogue rows that are not talks: badge pick-up, the cloakroom, meals and parties, wellness
//! sessions, the show floor, opening and closing remarks, cancelled sessions. They are dropped by
//! title, with the patterns in `logistics.txt`, before anything is embedded.

use regex::{Regex, RegexBuilder};

use super::{TalkTable, Warning};

/// The built-in patterns, one regular expression per line.
const PATTERNS: &str = include_str!("logistics.txt");

/// Recognises logistics rows by their titles.
#[derive(Debug, Clone)]
pub struct LogisticsRule {
    patterns: Vec<Regex>,
}

impl Default for LogisticsRule {
    fn default() -> Self {
        let patterns = PATTERNS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|p| {
                RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .expect("built-in logistics patterns are valid")
            })
            .collect();
        LogisticsRule { patterns }
    }
}

impl LogisticsRule {
    /// The pattern a title matches, if it is a logistics row.
    pub fn matches(&self, title: &str) -> Option<&str> {
        self.patterns
            .iter()
            .find(|p| p.is_match(title.trim()))
            .map(Regex::as_str)
    }

    /// Removes the logistics rows of `table` (renumbering the rest) and records one warning that
    /// counts them by pattern. Returns the number removed.
    pub fn drop_from(&self, table: &mut TalkTable) -> usize {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        table.rows.retain(|row| match self.matches(&row.title) {
            Some(pattern) => {
                match counts.iter_mut().find(|(p, _)| *p == pattern) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((pattern, 1)),
                }
                false
            }
            None => true,
        });
        for (i, row) in table.rows.iter_mut().enumerate() {
            row.row = i + 1;
        }
        let dropped: usize = counts.iter().map(|(_, n)| n).sum();
        if dropped > 0 {
            counts.sort_by_key(|&(p, n)| (std::cmp::Reverse(n), p));
            let by_pattern: Vec<String> =
                counts.iter().map(|(p, n)| format!("{n} `{p}`")).collect();
            table.warnings.push(Warning {
                file: table.file.clone(),
                message: format!(
                    "dropped {dropped} logistics rows by title (keep_logistics keeps them): {}",
                    by_pattern.join(", ")
                ),
            });
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistics_titles_match_and_talk_titles_do_not() {
        let rule = LogisticsRule::default();
        for title in [
            "Badge Pick-Up",
            "Cloakroom",
            "Keynote: Closing Remarks",
            "Happy Hour and Pizza Hosted by CloudBees",
            "Project Pavilion Kiosks | Friday Morning",
            "Thursday Keynote Sessions",
            "CANCELED: Discover Cortex: High Scalability Metrics in 2025",
            "🏃 Fun Run",
        ] {
            assert!(rule.matches(title).is_some(), "{title}");
        }
        for title in [
            "Secrets of Running Etcd",
            "AuthN and AuthZ at Cruise: Crawl, Walk, Run",
            "Keynote: Kubernetes Project Updates",
            "Registration-free Service Discovery",
            "Cloud Native Theater | EnvoyCon: Lessons Learned",
        ] {
            assert_eq!(rule.matches(title), None, "{title}");
        }
    }
}

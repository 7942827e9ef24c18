//! The theme taxonomy: ids, display names and descriptions, from `themes.toml`.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The taxonomy shipped with confthemes (the repository's `themes.toml`).
pub const DEFAULT_TAXONOMY: &str = include_str!("../../themes.toml");

/// One theme a talk can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeDef {
    /// Stable identifier, lowercase with dashes, e.g. `service-mesh`.
    pub id: String,
    /// Display name, e.g. "Service mesh".
    pub name: String,
    /// What talks on the theme are about, written for embedding.
    pub description: String,
    /// Short, title-like phrases of talks on the theme.
    pub examples: Vec<String>,
}

impl ThemeDef {
    /// The phrases that describe the theme for zero-shot assignment: "name. description", then
    /// the examples.
    pub fn phrases(&self) -> Vec<String> {
        let mut phrases = vec![format!("{}. {}", self.name, self.description)];
        phrases.extend(self.examples.iter().cloned());
        phrases
    }
}

/// An ordered set of themes with unique ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    /// The themes, in file order.
    pub themes: Vec<ThemeDef>,
    /// Phrases every talk in the domain shares; their common direction is removed before
    /// comparing talks with themes.
    pub generic: Vec<String>,
}

#[derive(Deserialize)]
struct TaxonomyFile {
    #[serde(default)]
    generic: Vec<String>,
    theme: Vec<RawTheme>,
}

#[derive(Deserialize)]
struct RawTheme {
    id: toml::Spanned<String>,
    name: String,
    description: String,
    #[serde(default)]
    examples: Vec<String>,
}

impl Taxonomy {
    /// The default taxonomy.
    pub fn builtin() -> Self {
        Self::parse(DEFAULT_TAXONOMY, Path::new("themes.toml"))
            .expect("built-in themes.toml is valid")
    }

    /// Reads a taxonomy file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::input(path, e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            Error::parse(
                path,
                line,
                format!(
                    "not valid UTF-8 (byte {} of the file); TOML must be UTF-8",
                    valid.len()
                ),
            )
        })?;
        Self::parse(&text, path)
    }

    /// Parses taxonomy TOML; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let line_of =
            |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u64 + 1;
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(s.start));
            Error::parse(path, line, e.message().to_string())
        })?;
        let mut seen = HashSet::new();
        let mut themes = Vec::new();
        for raw in file.theme {
            let line = line_of(raw.id.span().start);
            let id = raw.id.into_inner();
            let valid_id = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid_id {
                return Err(Error::parse(
                    path,
                    line,
                    format!("theme id `{id}` must be lowercase letters, digits and dashes"),
                ));
            }
            if id == super::UNASSIGNED {
                return Err(Error::parse(
                    path,
                    line,
                    "`unassigned` is reserved for talks with no theme",
                ));
            }
            if raw.name.trim().is_empty() || raw.description.trim().is_empty() {
                return Err(Error::parse(
                    path,
                    line,
                    format!("theme `{id}` needs a name and a description"),
                ));
            }
            if !seen.insert(id.clone()) {
                return Err(Error::parse(
                    path,
                    line,
                    format!("theme `{id}` is defined twice"),
                ));
            }
            themes.push(ThemeDef {
                id,
                name: raw.name.trim().to_string(),
                description: raw.description.trim().to_string(),
                examples: raw.examples.iter().map(|e| e.trim().to_string()).collect(),
            });
        }
        if themes.is_empty() {
            return Err(Error::parse(path, 1, "no [[theme]] entries"));
        }
        let generic = file
            .generic
            .iter()
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty())
            .collect();
        Ok(Taxonomy { themes, generic })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_the_sixteen_ids() {
        let ids: Vec<_> = Taxonomy::builtin()
            .themes
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(
            ids,
            [
                "service-mesh",
                "ml-on-kubernetes",
                "cost",
                "security",
                "observability",
                "serverless-events",
                "edge",
                "platform-devex",
                "multi-cloud",
                "networking",
                "reliability-sre",
                "data-storage",
                "migration",
                "gitops-delivery",
                "community",
                "containers-runtime"
            ]
        );
    }

    #[test]
    fn duplicate_and_empty_themes_name_the_line() {
        let dup = "[[theme]]\nid = \"a\"\nname = \"A\"\ndescription = \"x\"\n\n[[theme]]\nid = \"a\"\nname = \"B\"\ndescription = \"y\"\n";
        let err = Taxonomy::parse(dup, Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "t.toml:7: theme `a` is defined twice");
        let empty = "[[theme]]\nid = \"a\"\nname = \"\"\ndescription = \"x\"\n";
        let err = Taxonomy::parse(empty, Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.toml:2:"), "{err}");
        let broken = "[[theme]]\nid = \"a\nname = 3\n";
        assert!(matches!(
            Taxonomy::parse(broken, Path::new("t.toml")),
            Err(Error::Parse { line: 2, .. })
        ));
    }
}

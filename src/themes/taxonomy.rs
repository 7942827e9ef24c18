//! The theme taxonomy: ids, display names, descriptions and example talk titles, from
//! `themes.toml` and the examples file it names.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The taxonomy shipped with confthemes (the repository's `themes.toml`).
pub const DEFAULT_TAXONOMY: &str = include_str!("../../themes.toml");

/// The example talk titles of the default taxonomy (`themes/examples.csv`, made by
/// `themes/make_examples.py` from the KubeCon catalogue).
pub const DEFAULT_EXAMPLES: &str = include_str!("../../themes/examples.csv");

/// One theme a talk can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeDef {
    /// Stable identifier, lowercase with dashes, e.g. `service-mesh`.
    pub id: String,
    /// Display name, e.g. "Service mesh".
    pub name: String,
    /// What talks on the theme are about, written for embedding.
    pub description: String,
    /// Talk titles (or short, title-like phrases) on the theme: inline in `themes.toml` and from
    /// its examples file.
    pub examples: Vec<String>,
}

impl ThemeDef {
    /// The phrases the classifier learns the theme from: "name. description", then the examples.
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
}

#[derive(Deserialize)]
struct TaxonomyFile {
    /// A CSV of `theme,title[,source]` rows, relative to the taxonomy file.
    examples_file: Option<toml::Spanned<String>>,
    theme: Vec<RawTheme>,
}

#[derive(Deserialize)]
struct ExampleRow {
    theme: String,
    title: String,
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
    /// The default taxonomy, with its examples.
    pub fn builtin() -> Self {
        let mut taxonomy = Self::parse(DEFAULT_TAXONOMY, Path::new("themes.toml"))
            .expect("built-in themes.toml is valid");
        taxonomy
            .add_examples(DEFAULT_EXAMPLES, Path::new("themes/examples.csv"))
            .expect("built-in themes/examples.csv is valid");
        taxonomy
    }

    /// Reads a taxonomy file, and the examples file it names.
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::parse(&read_utf8(path, "TOML")?, path)
    }

    /// Parses taxonomy TOML; `path` is used in error messages, and an `examples_file` it names is
    /// read relative to `path`'s folder.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let line_of =
            |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u64 + 1;
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(s.start));
            Error::parse(path, line, e.message().to_string())
        })?;
        let mut taxonomy = Taxonomy {
            themes: parse_themes(file.theme, path, line_of)?,
        };
        if let Some(examples) = file.examples_file {
            let line = line_of(examples.span().start);
            let examples = path
                .parent()
                .unwrap_or(Path::new(""))
                .join(examples.into_inner());
            if !examples.is_file() {
                return Err(Error::parse(
                    path,
                    line,
                    format!("examples_file {} is not a file", examples.display()),
                ));
            }
            taxonomy.add_examples(&read_utf8(&examples, "CSV")?, &examples)?;
        }
        Ok(taxonomy)
    }

    /// Adds the examples of a `theme,title[,source]` CSV (`path` is used in error messages).
    pub fn add_examples(&mut self, csv_text: &str, path: &Path) -> Result<()> {
        let at = |e: &csv::Error| e.position().map_or(0, csv::Position::line);
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| Error::parse_from(path, at(&e), e))?
            .clone();
        for record in reader.records() {
            let record = record.map_err(|e| Error::parse_from(path, at(&e), e))?;
            let line = record.position().map_or(0, csv::Position::line);
            let row: ExampleRow = record
                .deserialize(Some(&headers))
                .map_err(|e| Error::parse_from(path, line, e))?;
            let title = row.title.trim();
            let Some(theme) = self.themes.iter_mut().find(|t| t.id == row.theme.trim()) else {
                return Err(Error::parse(
                    path,
                    line,
                    format!("theme `{}` is not in the taxonomy", row.theme.trim()),
                ));
            };
            if title.is_empty() {
                return Err(Error::parse(path, line, "the example title is empty"));
            }
            theme.examples.push(title.to_string());
        }
        Ok(())
    }
}

/// Two themes, `a` (Alpha) and `b` (Beta), for the unit tests of the stages that take a taxonomy.
#[cfg(test)]
pub(crate) fn two_themes() -> Taxonomy {
    let text = "[[theme]]\nid = \"a\"\nname = \"Alpha\"\ndescription = \"x\"\n[[theme]]\nid = \"b\"\nname = \"Beta\"\ndescription = \"y\"\n";
    Taxonomy::parse(text, Path::new("t.toml")).expect("the test taxonomy is valid")
}

/// Reads a UTF-8 file; `what` names its format in the error.
fn read_utf8(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::input_from(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Error::parse(
            path,
            line,
            format!(
                "not valid UTF-8 (byte {} of the file); {what} must be UTF-8",
                valid.len()
            ),
        )
    })
}

/// Checks the `[[theme]]` entries; `line_of` turns a byte offset of the TOML into its line.
fn parse_themes(
    raw_themes: Vec<RawTheme>,
    path: &Path,
    line_of: impl Fn(usize) -> u64,
) -> Result<Vec<ThemeDef>> {
    let mut seen = HashSet::new();
    let mut themes = Vec::new();
    for raw in raw_themes {
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
    Ok(themes)
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

    #[test]
    fn an_examples_file_adds_titles_and_names_the_line_of_a_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("t.toml");
        std::fs::write(
            &toml,
            "examples_file = \"ex.csv\"\n[[theme]]\nid = \"a\"\nname = \"A\"\ndescription = \"x\"\nexamples = [\"inline\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("ex.csv"),
            "theme,title,source\na,From the file,me\n",
        )
        .unwrap();
        let taxonomy = Taxonomy::from_file(&toml).unwrap();
        assert_eq!(taxonomy.themes[0].examples, ["inline", "From the file"]);
        std::fs::write(dir.path().join("ex.csv"), "theme,title\na,ok\nb,unknown\n").unwrap();
        let err = Taxonomy::from_file(&toml).unwrap_err().to_string();
        assert!(
            err.ends_with("ex.csv:3: theme `b` is not in the taxonomy"),
            "{err}"
        );
        std::fs::remove_file(dir.path().join("ex.csv")).unwrap();
        let err = Taxonomy::from_file(&toml).unwrap_err().to_string();
        assert!(err.contains("t.toml:1: examples_file"), "{err}");
    }

    #[test]
    fn the_builtin_taxonomy_has_its_example_titles() {
        let taxonomy = Taxonomy::builtin();
        let fewest = taxonomy.themes.iter().map(|t| t.examples.len()).min();
        assert!(fewest >= Some(20), "{fewest:?}");
    }
}

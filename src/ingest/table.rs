//! A CSV of talks (one row per talk), the other input besides a folder of notes.
//!
//! The text column is required; `title`, `conference`, `edition` and `year` are read when present,
//! and every other column is kept with the row ([`Field`]). A malformed file stops with the line at
//! fault; a row with no text is skipped with a warning. A text repeated verbatim in many rows (a
//! catalogue's "no transcript available") is a placeholder, not a description: those rows keep their
//! title alone ([`PLACEHOLDER_MIN_ROWS`]).

use std::path::Path;

use super::{csv_error, parse_year, DocMeta, LineIndex, Warning};
use crate::error::{Error, Result};

/// Which columns hold a talk's text and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumns {
    /// The talk's text (required).
    pub text: String,
    /// The talk's title; when the column is missing, the title is the text's first sentence.
    pub title: String,
    /// A gold label column, required when set (benchmarks); rows without a label are skipped.
    pub label: Option<String>,
}

impl Default for TableColumns {
    fn default() -> Self {
        TableColumns {
            text: "text".into(),
            title: "title".into(),
            label: None,
        }
    }
}

/// A column of the CSV that the pipeline does not read, kept with each row for the reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// Column name.
    pub column: String,
    /// The row's value.
    pub value: String,
}

/// A text shared verbatim by at least this many rows, and by at least
/// [`PLACEHOLDER_MIN_SHARE`] of them, is a placeholder (when the file has titles).
pub const PLACEHOLDER_MIN_ROWS: usize = 10;

/// See [`PLACEHOLDER_MIN_ROWS`].
pub const PLACEHOLDER_MIN_SHARE: f64 = 0.05;

/// One talk read from a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub struct TalkRow {
    /// Position among the rows kept, from 1.
    pub row: usize,
    /// Line of the file where the record starts.
    pub line: usize,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Conference, edition and year from their columns.
    pub meta: DocMeta,
    /// Gold label, when a label column was asked for.
    pub label: Option<String>,
    /// The row's other columns, in file order.
    pub extra: Vec<Field>,
}

/// The talks of one CSV file.
#[derive(Debug, Clone)]
pub struct TalkTable {
    /// The file's name.
    pub file: String,
    /// Its rows, in file order.
    pub rows: Vec<TalkRow>,
    /// Rows skipped.
    pub warnings: Vec<Warning>,
}

/// A talk given in memory (a program's own data) rather than read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TalkText {
    /// Title.
    pub title: String,
    /// Text: abstract or notes.
    pub text: String,
    /// Conference, edition and year, when known.
    pub meta: DocMeta,
}

impl TalkText {
    /// A talk with a title and a text, conference unknown.
    pub fn new(title: impl Into<String>, text: impl Into<String>) -> Self {
        TalkText {
            title: title.into(),
            text: text.into(),
            meta: DocMeta::default(),
        }
    }
}

impl TalkTable {
    /// The talks given in memory as a table named `name`: row and line `i` is talk `i`, from 1.
    pub fn from_texts(name: &str, talks: &[TalkText]) -> TalkTable {
        TalkTable {
            file: name.to_string(),
            rows: talks
                .iter()
                .enumerate()
                .map(|(i, talk)| TalkRow {
                    row: i + 1,
                    line: i + 1,
                    title: talk.title.clone(),
                    text: talk.text.clone(),
                    meta: talk.meta.clone(),
                    label: None,
                    extra: Vec::new(),
                })
                .collect(),
            warnings: Vec::new(),
        }
    }
}

/// Longest title taken from the start of a text when there is no title column.
const TITLE_FROM_TEXT: usize = 80;

/// Reads a CSV of talks.
pub fn load_talk_table(path: &Path, columns: &TableColumns) -> Result<TalkTable> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::read(path).map_err(|e| Error::input_from(path, e))?;
    // The csv crate reads an unclosed quote as a field running to the end of the file, which would
    // silently swallow every row after it.
    if let Some(line) = unclosed_quote(&bytes) {
        return Err(Error::parse(
            path,
            line as u64,
            "this quote is never closed",
        ));
    }
    let lines = LineIndex::new(&bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| Error::parse_from(path, 1, e))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = |name: &str, option: &str| {
        column(name).ok_or_else(|| {
            let found: Vec<&str> = headers.iter().collect();
            Error::parse(
                path,
                1,
                format!(
                    "no `{name}` column (columns: {}); choose one with {option}",
                    found.join(", ")
                ),
            )
        })
    };
    let text_at = required(&columns.text, "text_column")?;
    let label_at = match &columns.label {
        Some(name) => Some(required(name, "label_column")?),
        None => None,
    };
    let (title_at, conference_at, edition_at, year_at) = (
        column(&columns.title),
        column("conference"),
        column("edition"),
        column("year"),
    );
    let read = [
        Some(text_at),
        label_at,
        title_at,
        conference_at,
        edition_at,
        year_at,
    ];
    let extra_at: Vec<usize> = (0..headers.len())
        .filter(|i| !read.contains(&Some(*i)))
        .collect();

    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &lines, e))?;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte())) as usize;
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let text = get(Some(text_at));
        if text.is_empty() {
            warnings.push(Warning {
                file: file.clone(),
                message: format!("line {line}: skipped: empty `{}`", columns.text),
            });
            continue;
        }
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let label = non_empty(get(label_at));
        if let (Some(name), None) = (&columns.label, &label) {
            warnings.push(Warning {
                file: file.clone(),
                message: format!("line {line}: skipped: empty `{name}`"),
            });
            continue;
        }
        let year = parse_year(get(year_at), path, line as u64)?;
        let title = non_empty(get(title_at)).unwrap_or_else(|| first_sentence(text));
        rows.push(TalkRow {
            row: rows.len() + 1,
            line,
            title,
            text: text.to_string(),
            meta: DocMeta {
                conference: non_empty(get(conference_at)),
                edition: non_empty(get(edition_at)),
                year,
            },
            label,
            extra: extra_at
                .iter()
                .map(|&i| Field {
                    column: headers[i].trim().to_string(),
                    value: get(Some(i)).to_string(),
                })
                .collect(),
        });
    }
    if rows.is_empty() {
        return Err(Error::input(path, "no talks: every row is empty"));
    }
    if title_at.is_some() {
        clear_placeholders(&file, &mut rows, &mut warnings);
    }
    Ok(TalkTable {
        file,
        rows,
        warnings,
    })
}

/// Empties the texts that are placeholders (see [`PLACEHOLDER_MIN_ROWS`]), leaving those talks
/// their titles, with one warning per placeholder.
fn clear_placeholders(file: &str, rows: &mut [TalkRow], warnings: &mut Vec<Warning>) {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for row in rows.iter() {
        *counts.entry(row.text.as_str()).or_default() += 1;
    }
    let least =
        PLACEHOLDER_MIN_ROWS.max((PLACEHOLDER_MIN_SHARE * rows.len() as f64).ceil() as usize);
    let placeholders: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|&(_, n)| n >= least)
        .map(|(text, n)| (text.to_string(), n))
        .collect();
    for (text, n) in placeholders {
        for row in rows.iter_mut().filter(|r| r.text == text) {
            row.text.clear();
        }
        let shown: String = text.chars().take(60).collect();
        warnings.push(Warning {
            file: file.to_string(),
            message: format!(
                "the text `{shown}` is in {n} rows: read as a placeholder, those talks are embedded from their titles"
            ),
        });
    }
}

/// The line of a quoted field left open at the end of the file, if any, read as the csv crate reads
/// it: a quote opens a quoted field only at the start of a field (elsewhere it is a literal
/// character, as in `5" screen`), and inside one `""` is an escaped quote.
fn unclosed_quote(bytes: &[u8]) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        /// A quote inside a quoted field: the end of the field, or the first of `""`.
        QuoteInQuoted,
    }
    let (mut line, mut opened_at, mut state) = (1, 0, State::FieldStart);
    for &b in bytes {
        state = match (state, b) {
            (State::FieldStart, b'"') => {
                opened_at = line;
                State::Quoted
            }
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::Quoted, _) => State::Quoted,
            (_, b',' | b'\n' | b'\r') => State::FieldStart,
            _ => State::Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(opened_at)
}

/// The text up to its first sentence end, at most [`TITLE_FROM_TEXT`] characters.
fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end]
        .chars()
        .take(TITLE_FROM_TEXT)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(csv: &str) -> Result<TalkTable> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("talks.csv");
        std::fs::write(&path, csv).unwrap();
        load_talk_table(&path, &TableColumns::default())
    }

    fn error(csv: &str) -> String {
        let err = load(csv).unwrap_err();
        assert_eq!(err.exit_code(), 4);
        let text = err.to_string();
        text[text.find("talks.csv").unwrap()..].to_string()
    }

    #[test]
    fn rows_become_talk_rows_with_their_lines() {
        let table = load("title,text,year,conference\nA talk,\"Envoy at scale,\nover two lines.\",2019,KubeCon\n,Prometheus everywhere. More text,,\n, ,2020,\n").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(
            (table.rows[0].line, table.rows[0].meta.year),
            (2, Some(2019))
        );
        assert_eq!(table.rows[0].text, "Envoy at scale,\nover two lines.");
        assert_eq!((table.rows[1].line, table.rows[1].row), (4, 2));
        assert_eq!(table.rows[1].title, "Prometheus everywhere.");
        assert_eq!(table.warnings[0].message, "line 5: skipped: empty `text`");
        assert_eq!(
            table.rows[0].extra,
            [],
            "every column is read by the pipeline"
        );
    }

    #[test]
    fn other_columns_are_kept_and_placeholder_texts_dropped() {
        let mut csv = String::from("id,title,text,track\n");
        for i in 0..12 {
            csv.push_str(&format!("r{i},Talk {i},No transcript.,t{}\n", i % 2));
        }
        csv.push_str("r12,Real talk,Envoy at scale.,t0\n");
        let table = load(&csv).unwrap();
        let field = |column: &str, value: &str| Field {
            column: column.into(),
            value: value.into(),
        };
        assert_eq!(
            table.rows[1].extra,
            [field("id", "r1"), field("track", "t1")]
        );
        assert_eq!(table.rows[0].text, "", "12 of 13 rows share it");
        assert_eq!(table.rows[12].text, "Envoy at scale.");
        assert!(table.warnings[0]
            .message
            .contains("`No transcript.` is in 12 rows"));
        // Under the threshold the repeated text is kept.
        let few: String = csv
            .lines()
            .take(10)
            .chain(csv.lines().skip(13))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(load(&few).unwrap().rows.iter().all(|r| !r.text.is_empty()));
    }

    #[test]
    fn a_single_literal_quote_is_not_an_unclosed_one() {
        let table = load("title,text\nScreens,A 5\" screen is small\nB,More text\n").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].text, "A 5\" screen is small");
    }

    #[test]
    fn crlf_files_keep_their_line_numbers() {
        let table = load("title,text\r\nA,\"two\r\nlines\"\r\nB,b\r\n,\r\nC,c\r\n").unwrap();
        let lines: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
        assert_eq!(table.warnings[0].message, "line 5: skipped: empty `text`");
        assert_eq!(
            error("text,year\r\na,2019\r\nb,soon\r\n"),
            "talks.csv:3: year `soon` is not a year"
        );
        assert!(error("text,year\r\na,2019\r\nb,2019,extra\r\n").starts_with("talks.csv:3:"));
    }

    #[test]
    fn years_out_of_range_or_signed_are_refused() {
        for year in ["0", "65535", "+2019", "-2019", "20190"] {
            let text = error(&format!("text,year\na,{year}\n"));
            assert!(text.starts_with("talks.csv:2: year"), "{year}: {text}");
        }
        assert_eq!(
            load("text,year\na,2019\n").unwrap().rows[0].meta.year,
            Some(2019)
        );
    }

    #[test]
    fn malformed_tables_name_the_line() {
        assert!(error("title,body\na,b\n")
            .starts_with("talks.csv:1: no `text` column (columns: title, body)"));
        assert_eq!(
            error("text,year\na,2019\nb,soon\n"),
            "talks.csv:3: year `soon` is not a year"
        );
        assert!(error("text,year\na,2019\nb,2019,extra\n").starts_with("talks.csv:3:"));
        assert_eq!(
            error("text\nok\n\"say \"\"hi\"\"\"\n\"unclosed\nx\ny\n"),
            "talks.csv:4: this quote is never closed"
        );
        // A literal quote inside a field does not cancel a real unclosed quote later.
        assert_eq!(
            error("title,text\nScreens,A 5\" screen\nB,\"open\nC,d\n"),
            "talks.csv:3: this quote is never closed"
        );
    }
}

//! Stage 1: read a folder of notes into [`Document`]s, or a CSV of talks into [`TalkRow`]s
//! ([`load_talk_table`]).
//!
//! Notes are `.txt` and `.md` files, found recursively and taken in path order (so the input order on
//! disk never changes a result). An optional `manifest.csv` beside them gives each file's conference,
//! edition and year. Files a user would not want read are skipped with a [`Warning`] rather than
//! failing the run: empty files and binary files. Text that is not UTF-8 is decoded as
//! Windows-1252 (a superset of Latin-1), also with a warning. Line endings are normalised to `\n`
//! without changing line numbers. Without a manifest entry, a document's conference, edition and
//! year are inferred from its text ([`infer_meta`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod infer;
mod logistics;
mod table;
pub use infer::{event_from_context, infer_meta};
pub use logistics::LogisticsRule;
pub use table::{
    load_talk_table, Field, TableColumns, TalkRow, TalkTable, TalkText, PLACEHOLDER_MIN_ROWS,
    PLACEHOLDER_MIN_SHARE,
};

/// The name of the optional manifest file inside an input folder.
pub const MANIFEST_FILE: &str = "manifest.csv";

/// Files larger than this are refused: no conference note is this long, and reading one would
/// hold the whole file in memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Where and when the talks in a document were given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Conference name, e.g. "KubeCon + CloudNativeCon North America".
    pub conference: Option<String>,
    /// Edition, usually the host city, e.g. "San Diego".
    pub edition: Option<String>,
    /// Year the conference took place.
    pub year: Option<u16>,
}

/// One file of notes, decoded to text.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Path relative to the input folder, with `/` separators: the document's identity in reports.
    pub file: String,
    /// The full text with `\n` line endings.
    pub text: String,
    /// Conference metadata, from the manifest when there is one.
    pub meta: DocMeta,
}

impl Document {
    /// Builds a document from text already in memory (tests, other front ends).
    pub fn from_text(file: impl Into<String>, text: &str, meta: DocMeta) -> Self {
        Document {
            file: file.into(),
            text: normalise_newlines(text),
            meta,
        }
    }

    /// The document's lines; line `n` (1-based) is `lines()[n - 1]`.
    pub fn lines(&self) -> Vec<&str> {
        self.text.split('\n').collect()
    }
}

/// Something the user should know about that did not stop the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The file concerned.
    pub file: String,
    /// What happened and what was done about it.
    pub message: String,
}

/// The documents read from one or more inputs, with the warnings raised while reading them.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Documents in path order.
    pub documents: Vec<Document>,
    /// Files skipped or decoded with a fallback.
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Deserialize)]
struct ManifestRow {
    file: String,
    conference: String,
    edition: String,
    year: String,
}

/// Reads every note under `input` (a folder, or a single `.txt`/`.md` file).
pub fn load_notes(input: &Path) -> Result<Corpus> {
    let meta = fs::metadata(input).map_err(|e| Error::input_from(input, e))?;
    let mut skipped = Vec::new();
    let (root, files) = if meta.is_dir() {
        let mut files = Vec::new();
        collect_note_files(input, &mut files, &mut skipped)?;
        files.sort();
        (input.to_path_buf(), files)
    } else if meta.is_file() {
        let root = input.parent().unwrap_or(Path::new(".")).to_path_buf();
        (root, vec![input.to_path_buf()])
    } else {
        return Err(Error::input(input, not_regular(&meta)));
    };

    let manifest_path = root.join(MANIFEST_FILE);
    let manifest = if manifest_path.is_file() {
        read_manifest(&manifest_path)?
    } else {
        BTreeMap::new()
    };

    let mut documents = Vec::new();
    let mut warnings: Vec<Warning> = skipped
        .into_iter()
        .map(|(path, message)| Warning {
            file: relative_name(&root, &path),
            message,
        })
        .collect();
    for path in &files {
        let file = relative_name(&root, path);
        let text = match read_note(path)? {
            NoteText::Text(text) => text,
            NoteText::Decoded(text, message) | NoteText::Skipped(text, message) => {
                warnings.push(Warning {
                    file: file.clone(),
                    message,
                });
                if text.is_empty() {
                    continue;
                }
                text
            }
        };
        // The manifest wins; without an entry, the text says what it can.
        let meta = manifest
            .get(&file)
            .cloned()
            .unwrap_or_else(|| infer_meta(&text));
        documents.push(Document { file, text, meta });
    }
    // A folder should hold every file its manifest lists (a single note is checked alone).
    for listed in manifest.keys().filter(|_| meta.is_dir()) {
        if !documents.iter().any(|d| &d.file == listed)
            && !warnings.iter().any(|w| &w.file == listed)
        {
            warnings.push(Warning {
                file: MANIFEST_FILE.to_string(),
                message: format!("lists {listed}, which is not in {}", root.display()),
            });
        }
    }
    if documents.is_empty() {
        let skipped: String = warnings
            .iter()
            .map(|w| format!("; {}: {}", w.file, w.message))
            .collect();
        return Err(Error::NoNotes {
            path: input.to_path_buf(),
            skipped,
        });
    }
    Ok(Corpus {
        documents,
        warnings,
    })
}

/// Reads the notes of several inputs (folders or files) into one corpus.
///
/// With one input this is [`load_notes`], documents named relative to it. With several, each
/// document is named by its path as given (`notes/2018/recap.md`), and documents and warnings are
/// put in path order, so the order the inputs are given in never changes a result. An input given
/// twice is an error, as its talks would otherwise be counted twice.
pub fn load_inputs(inputs: &[PathBuf]) -> Result<Corpus> {
    if let [input] = inputs {
        return load_notes(input);
    }
    let mut seen = BTreeMap::new();
    let mut documents = Vec::new();
    let mut warnings = Vec::new();
    for input in inputs {
        let key = fs::canonicalize(input).map_err(|e| Error::input_from(input, e))?;
        if let Some(first) = seen.insert(key, input) {
            return Err(Error::input(
                input,
                format!("given twice (also as {})", first.display()),
            ));
        }
        let prefix = |file: String| {
            if input.is_dir() {
                format!("{}/{file}", slashed(input))
            } else {
                slashed(input)
            }
        };
        let corpus = load_notes(input)?;
        documents.extend(corpus.documents.into_iter().map(|mut d| {
            d.file = prefix(std::mem::take(&mut d.file));
            d
        }));
        warnings.extend(corpus.warnings.into_iter().map(|mut w| {
            w.file = prefix(std::mem::take(&mut w.file));
            w
        }));
    }
    documents.sort_by(|a, b| a.file.cmp(&b.file));
    warnings.sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
    Ok(Corpus {
        documents,
        warnings,
    })
}

/// A path as given, with `/` separators and no trailing `/`; bytes that are not UTF-8 are written
/// as `\xNN`, so two such names stay distinct.
fn slashed(path: &Path) -> String {
    let text = path
        .components()
        .map(|c| escaped_name(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/");
    match text.strip_prefix("//") {
        Some(rest) => format!("/{rest}"),
        None => text,
    }
}

/// Reads `manifest.csv` (columns `file,conference,edition,year`) into metadata by file name.
pub fn read_manifest(path: &Path) -> Result<BTreeMap<String, DocMeta>> {
    let bytes = fs::read(path).map_err(|e| Error::input_from(path, e))?;
    let lines = LineIndex::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| Error::parse_from(path, 1, e))?
        .clone();
    for column in ["file", "conference", "edition", "year"] {
        if !headers.iter().any(|h| h == column) {
            return Err(Error::parse(
                path,
                1,
                format!("missing column `{column}` (expected file,conference,edition,year)"),
            ));
        }
    }
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &lines, e))?;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let row: ManifestRow = record
            .deserialize(Some(&headers))
            .map_err(|e| Error::parse_from(path, line, e))?;
        let year = parse_year(&row.year, path, line)?;
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        let meta = DocMeta {
            conference: non_empty(row.conference),
            edition: non_empty(row.edition),
            year,
        };
        if rows.insert(row.file.clone(), meta).is_some() {
            return Err(Error::parse(
                path,
                line,
                format!("{} is listed twice", row.file),
            ));
        }
    }
    Ok(rows)
}

/// Line numbers of byte offsets in a file, counted from its `\n` bytes (the csv crate's own line
/// count is off by one per `\r\n`).
struct LineIndex {
    /// Offset of every `\n`.
    newlines: Vec<u64>,
}

impl LineIndex {
    fn new(bytes: &[u8]) -> Self {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i as u64)
            .collect();
        LineIndex { newlines }
    }

    /// The 1-based line of a record starting at byte `offset`. After a `\r\n` the csv crate puts
    /// a record's start on the `\n`, so a `\n` at `offset` ends the line before it.
    fn line_at(&self, offset: u64) -> u64 {
        self.newlines.partition_point(|&n| n <= offset) as u64 + 1
    }
}

/// A malformed CSV record as an error naming the file and the line the csv crate stopped at.
fn csv_error(path: &Path, lines: &LineIndex, error: csv::Error) -> Error {
    let line = error.position().map_or(0, |p| lines.line_at(p.byte()));
    Error::parse_from(path, line, error)
}

/// The years a conference can have taken place in.
const YEARS: std::ops::RangeInclusive<u16> = 1950..=2100;

/// A year column's value: empty is unknown, anything else must be a year of [`YEARS`], in digits.
fn parse_year(value: &str, path: &Path, line: u64) -> Result<Option<u16>> {
    if value.is_empty() {
        return Ok(None);
    }
    let year = value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<u16>().ok())
        .flatten()
        .filter(|year| YEARS.contains(year));
    match year {
        Some(year) => Ok(Some(year)),
        None => {
            let numeric = value.parse::<i64>().is_ok();
            let hint = if numeric {
                format!(" (expected {}-{}, in digits)", YEARS.start(), YEARS.end())
            } else {
                String::new()
            };
            Err(Error::parse(
                path,
                line,
                format!("year `{value}` is not a year{hint}"),
            ))
        }
    }
}

/// Gathers the note files under `dir`. Only regular files are read (a FIFO would block the run, a
/// device could be endless); what is passed over is named in `skipped` with the reason. Links to
/// files are followed, links to folders are not (they could loop).
fn collect_note_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    skipped: &mut Vec<(PathBuf, String)>,
) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::input_from(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::input_from(dir, e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::input_from(&path, e))?;
        if kind.is_dir() {
            collect_note_files(&path, out, skipped)?;
            continue;
        }
        match (kind.is_symlink(), fs::metadata(&path)) {
            (true, Ok(target)) if target.is_dir() => skipped.push((
                path,
                "skipped: a link to a folder (not followed; give the folder itself)".into(),
            )),
            (true, Err(_)) => {
                skipped.push((path, "skipped: a link to nothing (broken link)".into()))
            }
            _ if !is_note(&path) => {}
            (_, Ok(target)) if !target.is_file() => {
                skipped.push((path, format!("skipped: {}", not_regular(&target))))
            }
            _ => out.push(path),
        }
    }
    Ok(())
}

/// What a path that is not a regular file is, for a warning.
fn not_regular(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "not a regular file (a named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "not a regular file (a device)"
    } else if kind.is_socket() {
        "not a regular file (a socket)"
    } else {
        "not a regular file"
    }
}

fn is_note(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("txt" | "md" | "markdown")
    )
}

/// A file name as text, with each byte that is not UTF-8 written as `\xNN`.
fn escaped_name(name: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut text = String::new();
    for chunk in name.as_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02X}"));
        }
    }
    text
}

fn relative_name(root: &Path, path: &Path) -> String {
    slashed(path.strip_prefix(root).unwrap_or(path))
}

/// How a note's bytes became text.
enum NoteText {
    Text(String),
    /// Decoded with a fallback encoding; the message says which.
    Decoded(String, String),
    /// Not read; the text is empty and the message says why.
    Skipped(String, String),
}

fn read_note(path: &Path) -> Result<NoteText> {
    let size = fs::metadata(path)
        .map_err(|e| Error::input_from(path, e))?
        .len();
    if size > MAX_FILE_BYTES {
        return Ok(NoteText::Skipped(
            String::new(),
            format!(
                "skipped: {size} bytes is over the {} MiB limit for one note",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    // Bounded: the file may have grown since, or be something whose size says nothing.
    let mut bytes = Vec::new();
    let read = fs::File::open(path).and_then(|file| {
        use std::io::Read;
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
    });
    read.map_err(|e| Error::input_from(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(NoteText::Skipped(
            String::new(),
            format!(
                "skipped: over the {} MiB limit for one note",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(decode_note(&bytes))
}

fn decode_note(bytes: &[u8]) -> NoteText {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            let (decoded, _, malformed) = encoding.decode(bytes);
            let text = normalise_newlines(&decoded);
            if text.trim().is_empty() {
                return NoteText::Skipped(String::new(), "skipped: empty file".into());
            }
            let mut message = format!("decoded as {} (byte order mark)", encoding.name());
            if malformed {
                message.push_str("; malformed sequences replaced with U+FFFD");
            }
            return NoteText::Decoded(text, message);
        }
    }
    let sniff = &bytes[..bytes.len().min(8192)];
    if sniff.contains(&0) {
        return NoteText::Skipped(
            String::new(),
            "skipped: binary file (contains NUL bytes)".into(),
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, fallback) = match std::str::from_utf8(bytes) {
        Ok(text) => (normalise_newlines(text), None),
        Err(e) => {
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (
                normalise_newlines(&decoded),
                Some(format!(
                    "not valid UTF-8 (first bad byte at offset {}); decoded as Windows-1252",
                    e.valid_up_to()
                )),
            )
        }
    };
    if text.trim().is_empty() {
        return NoteText::Skipped(String::new(), "skipped: empty file".into());
    }
    match fallback {
        Some(message) => NoteText::Decoded(text, message),
        None => NoteText::Text(text),
    }
}

/// Turns `\r\n` and lone `\r` into `\n`, keeping the number of lines.
fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_lone_cr_keep_line_numbers() {
        let doc = Document::from_text("a.txt", "one\r\ntwo\rthree\nfour", DocMeta::default());
        assert_eq!(doc.lines(), vec!["one", "two", "three", "four"]);
    }

    #[test]
    fn binary_and_empty_are_skipped_with_reason() {
        assert!(matches!(decode_note(b"ab\0cd"), NoteText::Skipped(_, m) if m.contains("binary")));
        assert!(matches!(decode_note(b" \n\t\n"), NoteText::Skipped(_, m) if m.contains("empty")));
    }

    #[test]
    fn windows_1252_is_decoded_with_a_warning() {
        // "café – ok" in Windows-1252: é = 0xE9, en dash = 0x96.
        match decode_note(b"caf\xE9 \x96 ok") {
            NoteText::Decoded(text, message) => {
                assert_eq!(text, "café – ok");
                assert!(message.contains("offset 3"), "{message}");
            }
            _ => panic!("expected a fallback decode"),
        }
    }

    fn manifest_error(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        fs::write(&path, text).unwrap();
        let err = read_manifest(&path).unwrap_err();
        assert_eq!(err.exit_code(), 4);
        err.to_string()
            .replace(&dir.path().display().to_string(), "DIR")
    }

    #[test]
    fn malformed_manifests_name_the_line() {
        assert_eq!(
            manifest_error("file,conference,year\na.txt,K,2019\n"),
            "DIR/manifest.csv:1: missing column `edition` (expected file,conference,edition,year)"
        );
        assert_eq!(
            manifest_error("file,conference,edition,year\na.txt,K,X,2019\nb.txt,K,X,20x9\n"),
            "DIR/manifest.csv:3: year `20x9` is not a year"
        );
        assert!(manifest_error("file,conference,edition,year\na.txt,K,X\n")
            .starts_with("DIR/manifest.csv:2:"));
        assert_eq!(
            manifest_error("file,conference,edition,year\na.txt,K,X,2019\na.txt,K,X,2019\n"),
            "DIR/manifest.csv:3: a.txt is listed twice"
        );
    }

    #[test]
    fn the_manifest_wins_for_folders_and_single_notes() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("a.txt"),
            "Notes from KubeCon Europe 2024 in Paris.",
        )
        .unwrap();
        fs::write(
            dir.path().join("c.md"),
            "Notes from KubeCon 2019 in San Diego.",
        )
        .unwrap();
        fs::write(
            dir.path().join(MANIFEST_FILE),
            "file,conference,edition,year\na.txt,DevConf,Brno,2023\nb.txt,DevConf,Brno,2022\n",
        )
        .unwrap();
        let folder = load_notes(dir.path()).unwrap();
        assert_eq!(
            folder.documents[0].meta.year,
            Some(2023),
            "manifest over text"
        );
        assert_eq!(
            folder.documents[1].meta.edition.as_deref(),
            Some("San Diego"),
            "inferred"
        );
        assert_eq!(folder.warnings.len(), 1, "b.txt is listed but missing");
        let single = load_notes(&dir.path().join("a.txt")).unwrap();
        assert_eq!(
            single.documents[0].meta.conference.as_deref(),
            Some("DevConf")
        );
        assert!(single.warnings.is_empty());
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("Envoy é\r\nline".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(
            matches!(decode_note(&le), NoteText::Decoded(t, m) if t == "Envoy é\nline" && m.contains("UTF-16LE"))
        );
        let mut be = vec![0xFE, 0xFF];
        be.extend("hi".encode_utf16().flat_map(u16::to_be_bytes));
        assert!(matches!(decode_note(&be), NoteText::Decoded(t, _) if t == "hi"));
    }

    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let a = escaped_name(std::ffi::OsStr::from_bytes(b"bad\xff.md"));
        let b = escaped_name(std::ffi::OsStr::from_bytes(b"bad\xfe.md"));
        assert_eq!(a, "bad\\xFF.md");
        assert_ne!(a, b);
    }

    #[test]
    fn utf8_bom_is_dropped() {
        assert!(matches!(decode_note(b"\xEF\xBB\xBFhi"), NoteText::Text(t) if t == "hi"));
    }
}

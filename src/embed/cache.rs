//! An on-disk embedding cache, so that a re-run, or a comparison that adds one year, embeds only
//! the texts it has not seen.
//!
//! One file per model and engine, named by the model's checksum and the engine, holds `(sha256 of the text, vector)` records.
//! It is read once when the cache is opened and rewritten (to a temporary file, then renamed) after
//! new texts are embedded, so an interrupted run never leaves a half-written cache. A cache file that
//! cannot be read is ignored with a warning and rebuilt: the cache can only save work, never fail
//! a run. Only for embedders whose vector of a text depends on that text alone (not on the corpus).

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ndarray::Array2;
use sha2::{Digest, Sha256};

use super::Embedder;
use crate::error::Result;

/// First bytes of a cache file; the version changes with the layout.
const MAGIC: &[u8; 8] = b"CTEMB02\n";

/// Bytes of a record's check: the first bytes of the sha256 of its text hash and values.
const CHECK_BYTES: usize = 8;

/// A temporary file of the cache's this old is left by a run that died; younger ones may belong
/// to a run writing now.
const STALE_TMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Temporary files are named `.<cache file>.<random>.tmp`.
const TMP_SUFFIX: &str = ".tmp";

type TextHash = [u8; 32];

/// What the cache did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Texts whose vector came from the cache.
    pub hits: usize,
    /// Texts the wrapped embedder had to embed.
    pub computed: usize,
    /// Problems reading or writing the cache file (they never stop a run).
    pub warnings: Vec<String>,
}

/// An [`Embedder`] that looks texts up in an on-disk cache before embedding them with `inner`.
pub struct CachedEmbedder<'a> {
    inner: &'a dyn Embedder,
    file: PathBuf,
    state: Mutex<State>,
}

struct State {
    vectors: HashMap<TextHash, Vec<f32>>,
    stats: CacheStats,
}

impl<'a> CachedEmbedder<'a> {
    /// Opens (or starts) the cache of `inner`'s model inside `dir`.
    pub fn open(dir: &Path, inner: &'a dyn Embedder) -> Self {
        let file = dir.join(format!(
            "{}-{}.vectors",
            file_stem(inner.checksum()),
            inner
                .engine()
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
        ));
        let mut stats = CacheStats::default();
        remove_stale_tmp_files(&file);
        let vectors = match read_regular(&file) {
            Ok(bytes) => match parse(&bytes, inner.dim()) {
                Ok((vectors, 0)) => vectors,
                Ok((vectors, damaged)) => {
                    stats.warnings.push(format!(
                        "{}: {damaged} damaged records dropped (their texts are embedded again)",
                        file.display()
                    ));
                    vectors
                }
                Err(why) => {
                    stats
                        .warnings
                        .push(format!("{}: ignored and rebuilt: {why}", file.display()));
                    HashMap::new()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(e) => {
                stats
                    .warnings
                    .push(format!("{}: unreadable: {e}", file.display()));
                HashMap::new()
            }
        };
        CachedEmbedder {
            inner,
            file,
            state: Mutex::new(State { vectors, stats }),
        }
    }

    /// The cache file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Hits, texts embedded and warnings so far.
    pub fn stats(&self) -> CacheStats {
        self.lock().stats.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves a usable map: every insert is complete.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes every vector to a temporary file beside the cache file and renames it into place.
    fn save(&self, state: &State) -> std::io::Result<()> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut keys: Vec<&TextHash> = state.vectors.keys().collect();
        keys.sort();
        let dim = self.inner.dim();
        let record = 32 + 4 * dim + CHECK_BYTES;
        let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + keys.len() * record);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(dim as u32).to_le_bytes());
        for key in keys {
            let start = bytes.len();
            bytes.extend_from_slice(key);
            for x in &state.vectors[key] {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
            let check = Sha256::digest(&bytes[start..]);
            bytes.extend_from_slice(&check[..CHECK_BYTES]);
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.", file_name(&self.file)))
            .suffix(TMP_SUFFIX)
            .tempfile_in(dir)?;
        tmp.write_all(&bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.file).map_err(|e| e.error)?;
        Ok(())
    }
}

impl Embedder for CachedEmbedder<'_> {
    fn model_id(&self) -> &str {
        self.inner.model_id()
    }

    fn checksum(&self) -> &str {
        self.inner.checksum()
    }

    fn engine(&self) -> &str {
        self.inner.engine()
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        let hashes: Vec<TextHash> = texts.iter().map(|t| Sha256::digest(t).into()).collect();
        // Texts not in the cache, each once, in input order.
        let mut missing: Vec<usize> = Vec::new();
        {
            let state = self.lock();
            let mut seen = std::collections::HashSet::new();
            for (i, hash) in hashes.iter().enumerate() {
                if !state.vectors.contains_key(hash) && seen.insert(hash) {
                    missing.push(i);
                }
            }
        }
        let found = texts.len() - missing.len();
        progress(found);
        let new_texts: Vec<&str> = missing.iter().map(|&i| texts[i]).collect();
        let computed = if new_texts.is_empty() {
            Array2::zeros((0, self.dim()))
        } else {
            self.inner
                .embed_with_progress(&new_texts, &|done| progress(found + done))?
        };

        let mut state = self.lock();
        for (&i, row) in missing.iter().zip(computed.rows()) {
            state.vectors.insert(hashes[i], row.to_vec());
        }
        state.stats.computed += missing.len();
        state.stats.hits += found;
        if !missing.is_empty() {
            if let Err(e) = self.save(&state) {
                let warning = format!("{}: not saved: {e}", self.file.display());
                state.stats.warnings.push(warning);
            }
        }
        let mut out = Array2::zeros((texts.len(), self.dim()));
        for (mut row, hash) in out.rows_mut().into_iter().zip(&hashes) {
            row.assign(&ndarray::ArrayView1::from(&state.vectors[hash]));
        }
        Ok(out)
    }
}

/// A file name from a checksum: its hex digits, or a hash of it when it is not plain hex.
fn file_stem(checksum: &str) -> String {
    if !checksum.is_empty()
        && checksum.len() <= 64
        && checksum.bytes().all(|b| b.is_ascii_hexdigit())
    {
        checksum.to_ascii_lowercase()
    } else {
        hex(&Sha256::digest(checksum))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of `path`, refusing anything but a regular file (a named pipe would block the run).
fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    if !fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    fs::read(path)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Removes the temporary files of `cache_file` that runs which died left behind.
fn remove_stale_tmp_files(cache_file: &Path) {
    let (Some(dir), prefix) = (cache_file.parent(), format!(".{}.", file_name(cache_file))) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_TMP_AGE);
        if name.starts_with(&prefix) && name.ends_with(TMP_SUFFIX) && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The vectors in a cache file written by [`CachedEmbedder::save`], and how many records were
/// dropped as damaged: a check that does not match, or a vector that is not finite with norm 1.
fn parse(
    bytes: &[u8],
    dim: usize,
) -> std::result::Result<(HashMap<TextHash, Vec<f32>>, usize), String> {
    let body = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or(if bytes.starts_with(b"CTEMB") {
            "written by another version of confthemes"
        } else {
            "not a confthemes embedding cache"
        })?;
    let (width, records) = body.split_at_checked(4).ok_or("truncated header")?;
    let width = u32::from_le_bytes(width.try_into().expect("4 bytes")) as usize;
    if width != dim {
        return Err(format!("vectors of {width} values, the model makes {dim}"));
    }
    let record = 32 + 4 * dim + CHECK_BYTES;
    if records.len() % record != 0 {
        return Err("truncated".into());
    }
    let mut vectors = HashMap::new();
    let mut damaged = 0;
    for r in records.chunks_exact(record) {
        let (content, check) = r.split_at(record - CHECK_BYTES);
        let (hash, values) = content.split_at(32);
        let vector: Vec<f32> = values
            .chunks_exact(4)
            .map(|v| f32::from_le_bytes(v.try_into().expect("4 bytes")))
            .collect();
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        let sound = Sha256::digest(content)[..CHECK_BYTES] == *check
            && vector.iter().all(|x| x.is_finite())
            && (norm - 1.0).abs() < 1e-3;
        if sound {
            vectors.insert(hash.try_into().expect("32 bytes"), vector);
        } else {
            damaged += 1;
        }
    }
    Ok((vectors, damaged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Embeds a text as (length, 1), normalised; counts the texts it embeds.
    struct Counting(AtomicUsize);

    impl Embedder for Counting {
        fn model_id(&self) -> &str {
            "counting"
        }
        fn checksum(&self) -> &str {
            "abc123"
        }
        fn engine(&self) -> &str {
            "counting"
        }
        fn dim(&self) -> usize {
            2
        }
        fn embed_with_progress(&self, texts: &[&str], _: &dyn Fn(usize)) -> Result<Array2<f32>> {
            self.0.fetch_add(texts.len(), Ordering::SeqCst);
            let mut m = Array2::from_shape_fn((texts.len(), 2), |(i, j)| {
                if j == 0 {
                    texts[i].len() as f32
                } else {
                    1.0
                }
            });
            super::super::normalise_rows(&mut m);
            Ok(m)
        }
    }

    #[test]
    fn a_second_run_embeds_only_new_texts() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Counting(AtomicUsize::new(0));
        let first = CachedEmbedder::open(dir.path(), &inner)
            .embed(&["a", "bb", "a"])
            .unwrap();
        assert_eq!(
            inner.0.load(Ordering::SeqCst),
            2,
            "a repeated text is embedded once"
        );

        let cached = CachedEmbedder::open(dir.path(), &inner);
        let second = cached.embed(&["bb", "ccc", "a"]).unwrap();
        assert_eq!(inner.0.load(Ordering::SeqCst), 3, "only ccc is new");
        assert_eq!(second.row(0), first.row(1));
        assert_eq!(second.row(2), first.row(0));
        let stats = cached.stats();
        assert_eq!((stats.hits, stats.computed), (2, 1));
        assert!(stats.warnings.is_empty());
    }

    #[test]
    fn a_corrupt_cache_is_rebuilt_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Counting(AtomicUsize::new(0));
        let cache = CachedEmbedder::open(dir.path(), &inner);
        let file = cache.file().to_path_buf();
        cache.embed(&["a"]).unwrap();
        let mut bytes = fs::read(&file).unwrap();
        bytes.pop();
        fs::write(&file, bytes).unwrap();

        let reopened = CachedEmbedder::open(dir.path(), &inner);
        assert!(reopened.stats().warnings[0].contains("truncated"));
        reopened.embed(&["a"]).unwrap();
        assert_eq!(inner.0.load(Ordering::SeqCst), 2, "embedded again");
        let healed = CachedEmbedder::open(dir.path(), &inner);
        assert!(healed.stats().warnings.is_empty(), "the file was rewritten");
    }

    #[test]
    fn damaged_records_are_dropped_and_embedded_again() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Counting(AtomicUsize::new(0));
        let cache = CachedEmbedder::open(dir.path(), &inner);
        let file = cache.file().to_path_buf();
        let clean = cache.embed(&["a", "bb", "ccc"]).unwrap();
        let record = 32 + 4 * 2 + CHECK_BYTES;
        let header = MAGIC.len() + 4;
        let mut bytes = fs::read(&file).unwrap();
        // Record 0: the sign bit of its first value (the norm stays 1); record 2: a NaN.
        bytes[header + 32 + 3] ^= 0x80;
        bytes[header + 2 * record + 32..header + 2 * record + 36]
            .copy_from_slice(&f32::NAN.to_le_bytes());
        fs::write(&file, bytes).unwrap();

        let reopened = CachedEmbedder::open(dir.path(), &inner);
        let warning = &reopened.stats().warnings[0];
        assert!(warning.contains("2 damaged records dropped"), "{warning}");
        let again = reopened.embed(&["a", "bb", "ccc"]).unwrap();
        assert_eq!(again, clean, "the damaged vectors were not used");
        assert_eq!(
            inner.0.load(Ordering::SeqCst),
            5,
            "two texts embedded again"
        );
    }

    #[test]
    fn stale_temporary_files_are_removed_and_young_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Counting(AtomicUsize::new(0));
        let name = file_name(CachedEmbedder::open(dir.path(), &inner).file());
        let old = dir.path().join(format!(".{name}.abc{TMP_SUFFIX}"));
        let young = dir.path().join(format!(".{name}.def{TMP_SUFFIX}"));
        for path in [&old, &young] {
            fs::write(path, "partial").unwrap();
        }
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        CachedEmbedder::open(dir.path(), &inner);
        assert!(!old.exists());
        assert!(young.exists());
    }

    #[test]
    fn a_cache_file_that_is_not_a_regular_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Counting(AtomicUsize::new(0));
        let file = CachedEmbedder::open(dir.path(), &inner)
            .file()
            .to_path_buf();
        std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
        let cache = CachedEmbedder::open(dir.path(), &inner);
        assert!(cache.stats().warnings[0].contains("not a regular file"));
    }
}

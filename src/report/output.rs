//! The output folder: locked for one run at a time, and switched from one complete set of reports
//! to the next in a way a crash cannot tear.
//!
//! A new set is written into a hidden staging folder inside the output folder and synced. Then a
//! journal naming the staging folder, the files to move in and the stale files to remove is written
//! and renamed into place: that rename is the one atomic step that commits the switch. The files
//! are then moved in, the stale ones removed, and the journal and the staging folder deleted.
//! Whoever opens the folder next (this run or a later one) and finds a journal completes the switch
//! it names; a staging folder without a journal belongs to a run that never committed and is
//! removed. So after a crash at any point the folder holds the old set, or the new one once the
//! next run has opened it.

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The committed journal of a switch in progress.
const JOURNAL: &str = ".confthemes-journal";
/// The journal while it is being written (not yet committed).
const JOURNAL_TMP: &str = ".confthemes-journal.tmp";
/// Prefix of the staging folders.
const STAGING_PREFIX: &str = ".confthemes-staging-";
/// First line of a journal.
const JOURNAL_HEADER: &str = "confthemes journal 1";

/// An output folder opened for one run: it exists, this process holds its lock, and any switch a
/// crashed run left half-done has been completed.
#[derive(Debug)]
pub struct OutputDir {
    path: PathBuf,
    /// The folder opened and locked until the run ends.
    _lock: File,
}

impl OutputDir {
    /// Creates `path` if needed and takes its lock; a second run into the same folder gets an
    /// error at once rather than mixing its reports with this one's. Then completes a switch an
    /// interrupted run committed, and removes staging folders of runs that never committed.
    pub fn open(path: &Path) -> Result<OutputDir> {
        if path.exists() && !path.is_dir() {
            let not_dir = std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "the output folder is a file",
            );
            return Err(Error::output(path, not_dir));
        }
        fs::create_dir_all(path).map_err(|e| Error::output(path, e))?;
        // The lock is on the folder itself, so nothing is left in it.
        let lock = File::open(path).map_err(|e| Error::output(path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let busy = std::io::Error::new(
                    std::io::ErrorKind::ResourceBusy,
                    "another confthemes run is writing into this folder; wait for it to finish \
                     or choose another output folder",
                );
                return Err(Error::output(path, busy));
            }
            Err(TryLockError::Error(e)) => return Err(Error::output(path, e)),
        }
        let dir = OutputDir {
            path: path.to_path_buf(),
            _lock: lock,
        };
        dir.recover()?;
        // Fail now, not after the work, when the folder cannot be written.
        tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(path)
            .map_err(|e| Error::output(path, e))?;
        Ok(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the folder's report set: `files` (name, contents) are written, `stale` names are
    /// removed when present, all in one committed switch. Returns the paths written.
    pub fn replace(&self, files: &[(&str, Vec<u8>)], stale: &[&str]) -> Result<Vec<PathBuf>> {
        // Refuse before writing anything, so a failure cannot leave a mix of old and new files.
        for (name, _) in files {
            let target = self.path.join(name);
            if target.is_dir() {
                let taken = std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "a folder has the report's name",
                );
                return Err(Error::output(target, taken));
            }
        }
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&self.path)
            .map_err(|e| Error::output(&self.path, e))?;
        for (name, bytes) in files {
            let path = staging.path().join(name);
            write_synced(&path, bytes)?;
        }
        let journal = Journal {
            staging: file_name(staging.path()),
            write: files.iter().map(|(name, _)| name.to_string()).collect(),
            remove: stale.iter().map(|name| name.to_string()).collect(),
        };
        // Until the journal is renamed into place, dropping `staging` undoes everything.
        let tmp = self.path.join(JOURNAL_TMP);
        write_synced(&tmp, journal.to_text().as_bytes())?;
        let committed = self.path.join(JOURNAL);
        fs::rename(&tmp, &committed).map_err(|e| Error::output(&committed, e))?;
        sync_dir(&self.path)?;
        // Committed: from here on the staging folder belongs to the journal.
        let _ = staging.keep();
        self.apply(&journal)?;
        Ok(files.iter().map(|(name, _)| self.path.join(name)).collect())
    }

    /// Completes a committed switch, if one is pending, and removes what uncommitted runs left.
    fn recover(&self) -> Result<()> {
        let committed = self.path.join(JOURNAL);
        match fs::read_to_string(&committed) {
            Ok(text) => {
                let journal = Journal::parse(&text).ok_or_else(|| {
                    let bad = std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "not a confthemes journal; remove it if no confthemes run wrote it",
                    );
                    Error::output(&committed, bad)
                })?;
                self.apply(&journal)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::output(&committed, e)),
        }
        let _ = fs::remove_file(self.path.join(JOURNAL_TMP));
        let entries = fs::read_dir(&self.path).map_err(|e| Error::output(&self.path, e))?;
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(STAGING_PREFIX)
            {
                // Best effort: a leftover that cannot be removed harms nothing.
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        Ok(())
    }

    /// Moves the journal's files into place and removes its stale ones; safe to repeat, so a
    /// crash in the middle is completed by the next run.
    fn apply(&self, journal: &Journal) -> Result<()> {
        let staging = self.path.join(&journal.staging);
        for name in &journal.write {
            let staged = staging.join(name);
            let target = self.path.join(name);
            match fs::rename(&staged, &target) {
                Ok(()) => {}
                // Moved already, before a crash.
                Err(_) if !staged.exists() && target.exists() => {}
                Err(e) => return Err(Error::output(&target, e)),
            }
        }
        for name in &journal.remove {
            let target = self.path.join(name);
            match fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::output(&target, e)),
            }
        }
        sync_dir(&self.path)?;
        let committed = self.path.join(JOURNAL);
        fs::remove_file(&committed).map_err(|e| Error::output(&committed, e))?;
        let _ = fs::remove_dir_all(&staging);
        Ok(())
    }
}

/// Refuses a run that would replace one of its own inputs: every file in `inputs` is compared
/// with the files `names` in `out_dir`, by their resolved paths.
pub fn refuse_overlap(inputs: &[&Path], out_dir: &Path, names: &[&str]) -> Result<()> {
    let Some(out) = resolved(out_dir) else {
        // The folder does not exist yet, so no input lies in it.
        return Ok(());
    };
    for input in inputs {
        let Some(input_path) = resolved(input) else {
            continue;
        };
        if let Some(name) = names.iter().find(|name| out.join(name) == input_path) {
            return Err(Error::Setting(format!(
                "{}: this input would be replaced by the report {name} in {}; \
                 write the reports into another folder",
                input.display(),
                out_dir.display()
            )));
        }
    }
    Ok(())
}

/// `path` with symbolic links and `..` resolved; `None` when it does not exist.
fn resolved(path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

/// What a switch does, as written in the journal: one `write NAME` or `remove NAME` per line.
#[derive(Debug, PartialEq)]
struct Journal {
    /// The staging folder's name inside the output folder.
    staging: String,
    /// Files moved from the staging folder into the output folder.
    write: Vec<String>,
    /// Stale files removed from the output folder.
    remove: Vec<String>,
}

impl Journal {
    fn to_text(&self) -> String {
        let mut text = format!("{JOURNAL_HEADER}\nstaging {}\n", self.staging);
        for name in &self.write {
            text.push_str(&format!("write {name}\n"));
        }
        for name in &self.remove {
            text.push_str(&format!("remove {name}\n"));
        }
        text
    }

    /// `None` for anything a confthemes run did not write; names are plain file names only.
    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next()? != JOURNAL_HEADER {
            return None;
        }
        let staging = plain_name(lines.next()?.strip_prefix("staging ")?)?;
        if !staging.starts_with(STAGING_PREFIX) {
            return None;
        }
        let mut journal = Journal {
            staging,
            write: Vec::new(),
            remove: Vec::new(),
        };
        for line in lines {
            match line.split_once(' ')? {
                ("write", name) => journal.write.push(plain_name(name)?),
                ("remove", name) => journal.remove.push(plain_name(name)?),
                _ => return None,
            }
        }
        Some(journal)
    }
}

/// `name` if it names a file inside the folder (no separator, not `.` or `..`).
fn plain_name(name: &str) -> Option<String> {
    let plain = !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\']);
    plain.then(|| name.to_string())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes `bytes` to `path` and syncs them to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(|e| Error::output(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::output(path, e))
}

/// Syncs a folder, so the renames in it survive a power cut.
fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| Error::output(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_switch_writes_the_new_files_and_removes_stale_ones() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("a.csv"), "old").unwrap();
        fs::write(tmp.path().join("trends.csv"), "stale").unwrap();
        let out = OutputDir::open(tmp.path()).unwrap();
        let written = out
            .replace(
                &[("a.csv", b"new".to_vec())],
                &["trends.csv", "absent.json"],
            )
            .unwrap();
        assert_eq!(written, vec![tmp.path().join("a.csv")]);
        assert_eq!(fs::read_to_string(tmp.path().join("a.csv")).unwrap(), "new");
        assert_eq!(
            names_in(tmp.path()),
            ["a.csv"],
            "no journal or staging left"
        );
    }

    #[test]
    fn a_second_run_into_a_locked_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let first = OutputDir::open(tmp.path()).unwrap();
        let err = OutputDir::open(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("another confthemes run"), "{err}");
        drop(first);
        OutputDir::open(tmp.path()).expect("free once the first run ends");
    }

    #[test]
    fn a_committed_switch_is_completed_when_the_folder_is_opened_again() {
        let tmp = tempfile::tempdir().unwrap();
        for name in ["a.csv", "b.json", "old.csv"] {
            fs::write(tmp.path().join(name), "old").unwrap();
        }
        // A crash after the commit and the first move: a.csv is new, b.json still old.
        let staging = tmp.path().join(format!("{STAGING_PREFIX}x"));
        fs::create_dir(&staging).unwrap();
        fs::write(tmp.path().join("a.csv"), "new").unwrap();
        fs::write(staging.join("b.json"), "new").unwrap();
        let journal = Journal {
            staging: file_name(&staging),
            write: vec!["a.csv".into(), "b.json".into()],
            remove: vec!["old.csv".into()],
        };
        fs::write(tmp.path().join(JOURNAL), journal.to_text()).unwrap();
        OutputDir::open(tmp.path()).unwrap();
        assert_eq!(names_in(tmp.path()), ["a.csv", "b.json"]);
        for name in ["a.csv", "b.json"] {
            assert_eq!(fs::read_to_string(tmp.path().join(name)).unwrap(), "new");
        }
    }

    #[test]
    fn uncommitted_staging_is_removed_and_the_old_set_kept() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("a.csv"), "old").unwrap();
        let staging = tmp.path().join(format!("{STAGING_PREFIX}y"));
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("a.csv"), "new").unwrap();
        fs::write(tmp.path().join(JOURNAL_TMP), "confthemes journal 1\n").unwrap();
        OutputDir::open(tmp.path()).unwrap();
        assert_eq!(names_in(tmp.path()), ["a.csv"]);
        assert_eq!(fs::read_to_string(tmp.path().join("a.csv")).unwrap(), "old");
    }

    #[test]
    fn a_journal_naming_paths_outside_the_folder_is_refused() {
        for text in [
            "confthemes journal 1\nstaging ../x\n",
            "confthemes journal 1\nstaging .confthemes-staging-a\nwrite ../../etc/passwd\n",
            "confthemes journal 1\nstaging .confthemes-staging-a\nrename a\n",
            "something else\n",
        ] {
            assert_eq!(Journal::parse(text), None, "{text}");
        }
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(JOURNAL), "something else\n").unwrap();
        let err = OutputDir::open(tmp.path()).unwrap_err();
        assert!(err.to_string().contains(JOURNAL), "{err}");
    }

    #[test]
    fn an_input_among_the_reports_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("talks.csv");
        fs::write(&input, "title,text\n").unwrap();
        let err = refuse_overlap(&[&input], tmp.path(), &["talks.csv", "themes.csv"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("talks.csv"), "{err}");
        // Through another spelling of the same folder.
        let other = tmp.path().join("sub/../talks.csv");
        fs::create_dir(tmp.path().join("sub")).unwrap();
        assert!(refuse_overlap(&[&other], tmp.path(), &["talks.csv"]).is_err());
        assert!(refuse_overlap(&[&input], tmp.path(), &["themes.csv"]).is_ok());
        assert!(refuse_overlap(&[&input], &tmp.path().join("new"), &["talks.csv"]).is_ok());
    }
}

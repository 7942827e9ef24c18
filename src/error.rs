//! The library's error type. Every variant names what the user must look at (a file, a line, a
//! setting) and maps to a documented process exit code.

use std::path::PathBuf;

/// The underlying error that caused one of ours, kept for callers that inspect it (an
/// `io::ErrorKind`, a csv position); its text is already part of the message.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can stop a run. Messages are written for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input path does not exist or is neither a folder nor a file we can read.
    #[error("{path}: {message}")]
    Input {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<Cause>,
    },

    /// A structured input (manifest, taxonomy, CSV) is malformed at a known place.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: u64,
        message: String,
        #[source]
        source: Option<Cause>,
    },

    /// The input folder holds no usable notes; `skipped` says why each candidate was skipped.
    #[error("{path}: no notes found (expected non-empty .txt or .md files){skipped}")]
    NoNotes { path: PathBuf, skipped: String },

    /// The model files are missing, incomplete or corrupt.
    #[error("model at {path}: {message}")]
    Model {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<Cause>,
    },

    /// An embedding engine failed while running.
    #[error("embedding failed: {message}")]
    Embedding {
        message: String,
        #[source]
        source: Option<Cause>,
    },

    /// A setting is out of range or conflicts with another (named by its field in the library's
    /// configuration; the command line names the flag).
    #[error("invalid setting: {0}")]
    Setting(String),

    /// The data cannot give what was asked: a comparison of one period, more clusters than talks,
    /// a track column no talk has.
    #[error("{0}")]
    Data(String),

    /// Writing reports failed; nothing partial was left behind.
    #[error("{path}: {source}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error (see the README's "Errors and exit codes").
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::NoNotes { .. } => 3,
            Error::Parse { .. } => 4,
            Error::Model { .. } | Error::Embedding { .. } => 5,
            Error::Output { .. } => 6,
            Error::Setting(_) | Error::Data(_) => 2,
        }
    }

    pub(crate) fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
            source: None,
        }
    }

    /// Reading `path` failed because of `cause`.
    pub(crate) fn input_from(path: impl Into<PathBuf>, cause: impl Into<Cause>) -> Self {
        let cause = cause.into();
        Error::Input {
            path: path.into(),
            message: cause.to_string(),
            source: Some(cause),
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
            source: None,
        }
    }

    /// `path` is malformed at `line`, as `cause` says.
    pub(crate) fn parse_from(path: impl Into<PathBuf>, line: u64, cause: impl Into<Cause>) -> Self {
        let cause = cause.into();
        Error::Parse {
            path: path.into(),
            line,
            message: cause.to_string(),
            source: Some(cause),
        }
    }

    pub(crate) fn model(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Model {
            path: path.into(),
            message: message.into(),
            source: None,
        }
    }

    /// The model file `path` could not be used because of `cause`.
    pub(crate) fn model_from(path: impl Into<PathBuf>, cause: impl Into<Cause>) -> Self {
        let cause = cause.into();
        Error::Model {
            path: path.into(),
            message: cause.to_string(),
            source: Some(cause),
        }
    }

    /// The engine failed in `stage` (e.g. `tokenizer`; empty: running the model).
    pub(crate) fn embedding(stage: &str, cause: impl Into<Cause>) -> Self {
        let cause = cause.into();
        let message = match stage {
            "" => cause.to_string(),
            _ => format!("{stage}: {cause}"),
        };
        Error::Embedding {
            message,
            source: Some(cause),
        }
    }

    /// Writing `path` failed.
    pub fn output(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Output {
            path: path.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    #[test]
    fn a_failed_read_keeps_its_io_error_as_the_source() {
        let err = crate::ingest::load_notes(std::path::Path::new("no/such/folder")).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io::Error is kept");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with("no/such/folder: "), "{err}");
    }
}

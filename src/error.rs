//! The library's error type. Every variant names what the user must look at (a file, a line, a
//! setting) and maps to a documented process exit code.

use std::path::PathBuf;

/// Everything that can stop a run. Messages are written for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input path does not exist or is neither a folder nor a file we can read.
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },

    /// A structured input (manifest, taxonomy, CSV) is malformed at a known place.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: u64,
        message: String,
    },

    /// The input folder holds no usable notes; `skipped` says why each candidate was skipped.
    #[error("{path}: no notes found (expected non-empty .txt or .md files){skipped}")]
    NoNotes { path: PathBuf, skipped: String },

    /// The model files are missing, incomplete or corrupt.
    #[error("model at {path}: {message}")]
    Model { path: PathBuf, message: String },

    /// An embedding engine failed while running.
    #[error("embedding failed: {0}")]
    Embedding(String),

    /// A setting given on the command line or in code is out of range.
    #[error("invalid setting: {0}")]
    Setting(String),

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
            Error::Model { .. } | Error::Embedding(_) => 5,
            Error::Output { .. } => 6,
            Error::Setting(_) => 2,
        }
    }

    pub(crate) fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn model(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Model {
            path: path.into(),
            message: message.into(),
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

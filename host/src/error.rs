//! relkit's errors. Each message says what failed, where, and how to fix it;
//! `main` prints it as one line (`error: ...`) and exits with status 1.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),

    #[error("{0}")]
    Git(#[from] crate::git::GitError),

    #[error("{0}")]
    Plugin(#[from] crate::runtime::PluginError),

    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },

    /// relkit refuses to act: the message explains why and what to do.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    pub fn file(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::File { path: path.into(), message: err.to_string() }
    }

    /// The process exit status for this error (DESIGN.md: 1 error; usage
    /// errors, status 2, are clap's and never reach here).
    pub fn exit_code(&self) -> i32 {
        1
    }
}

//! The commands of DESIGN.md's command line, as library functions. The binary
//! (`main.rs`) only parses arguments into these types.

pub mod changelog;
pub mod notes;
pub mod plugins;
pub mod release;
pub mod rollback;
pub mod tag;
pub mod version;

use std::io::Write;

use crate::ci::{self, CiKind};
use crate::error::{Error, Result};

/// How messages look and where they go.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub ci: CiKind,
}

/// stdout for results, stderr for progress and warnings.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub style: Style,
}

impl Io<'_> {
    /// A progress line on stderr (suppressed by `-q`).
    pub fn note(&mut self, message: &str) -> Result<()> {
        if !self.style.quiet {
            writeln!(self.err, "{message}").map_err(write_error)?;
        }
        Ok(())
    }

    /// A detail shown with `-v`.
    pub fn detail(&mut self, message: &str) -> Result<()> {
        if self.style.verbose {
            writeln!(self.err, "{message}").map_err(write_error)?;
        }
        Ok(())
    }

    pub fn warn(&mut self, message: &str) -> Result<()> {
        match self.style.ci {
            CiKind::GitHub => writeln!(self.out, "::warning title=relkit::{}", ci::escape_github(message)),
            _ => {
                let label = if self.style.color { "\x1b[1;33mwarning\x1b[0m" } else { "warning" };
                writeln!(self.err, "{label}: {message}")
            }
        }
        .map_err(write_error)
    }

    pub fn print(&mut self, text: &str) -> Result<()> {
        self.out.write_all(text.as_bytes()).map_err(write_error)
    }
}

/// The value of a scoped thread; a panic there is re-raised here.
pub(crate) fn rejoin<T>(result: std::thread::Result<T>) -> T {
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

pub fn write_error(e: std::io::Error) -> Error {
    Error::file("<stdout>", e)
}

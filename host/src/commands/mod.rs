//! The commands of DESIGN.md's command line, as library functions. The binary
//! (`main.rs`) only parses arguments into these types.

pub mod changelog;
pub mod check;
pub mod init;
pub mod metrics;
pub mod notes;
pub mod plugins;
pub mod prepare;
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
    /// stdout is a regular file (`relkit notes > notes.md`): the runner never
    /// reads it, so it gets the text as it is, with no stop-commands lines.
    pub stdout_is_file: bool,
}

/// stdout for results, stderr for progress and warnings.
///
/// Text that can hold commit or plugin text goes through [`Io::print`],
/// [`Io::note`], [`Io::detail`] and [`Io::warn`], which make it safe for the
/// place it is shown (`ci::sanitize`): no terminal escape sequences, and
/// under GitHub Actions no line the runner would execute as a workflow
/// command — stdout is enclosed in `::stop-commands::<token>` blocks, which
/// relkit pauses only for its own commands ([`Io::raw`]).
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub style: Style,
    /// The token of the open `::stop-commands::` block on stdout, if any.
    stopped: Option<String>,
    /// Whether stdout's last byte was a line break (or nothing was written).
    at_line_start: bool,
}

impl<'a> Io<'a> {
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write, style: Style) -> Self {
        Self { out, err, style, stopped: None, at_line_start: true }
    }

    /// A progress line on stderr (suppressed by `-q`).
    pub fn note(&mut self, message: &str) -> Result<()> {
        if !self.style.quiet {
            let text = ci::sanitize(message, self.style.ci);
            writeln!(self.err, "{text}").or_else(tolerate_closed)?;
        }
        Ok(())
    }

    /// A detail shown with `-v`.
    pub fn detail(&mut self, message: &str) -> Result<()> {
        if self.style.verbose {
            let text = ci::sanitize(message, self.style.ci);
            writeln!(self.err, "{text}").or_else(tolerate_closed)?;
        }
        Ok(())
    }

    pub fn warn(&mut self, message: &str) -> Result<()> {
        match self.style.ci {
            CiKind::GitHub => {
                let line =
                    format!("::warning title=relkit::{}\n", ci::escape_github(&ci::sanitize(message, CiKind::Local)));
                self.raw(&line)
            }
            _ => {
                let label = if self.style.color { "\x1b[1;33mwarning\x1b[0m" } else { "warning" };
                let text = ci::sanitize(message, self.style.ci);
                writeln!(self.err, "{label}: {text}").or_else(tolerate_closed)
            }
        }
    }

    /// Text that may hold commit or plugin text, on stdout.
    pub fn print(&mut self, text: &str) -> Result<()> {
        let guard = self.style.ci == CiKind::GitHub && !self.style.stdout_is_file;
        if guard && self.stopped.is_none() && !text.is_empty() {
            let token = ci::stop_token();
            let line = format!("::stop-commands::{token}\n");
            self.out.write_all(line.as_bytes()).or_else(tolerate_closed)?;
            self.stopped = Some(token);
        }
        let text = ci::sanitize(text, CiKind::Local);
        if !text.is_empty() {
            self.at_line_start = text.ends_with('\n');
        }
        self.out.write_all(text.as_bytes()).or_else(tolerate_closed)
    }

    /// Machine-readable output that no line of can be a workflow command (a
    /// bare version, JSON, whose strings cannot break a line): printed without
    /// stop-commands lines, so that `$(relkit version)` and `relkit notes --json | jq` get
    /// exactly the value in GitHub Actions too.
    pub fn print_data(&mut self, text: &str) -> Result<()> {
        self.close()?;
        // `##[` (the runner's older command syntax, matched anywhere in a
        // line) can only stand inside a JSON string here; `\u005b` is the
        // same `[` to a JSON reader.
        let text = &text.replace("##[", "##\\u005b");
        if !text.is_empty() {
            self.at_line_start = text.ends_with('\n');
        }
        self.out.write_all(text.as_bytes()).or_else(tolerate_closed)
    }

    /// relkit's own output on stdout: workflow commands, section markers.
    /// Closes an open stop-commands block first, so that the runner sees it.
    pub fn raw(&mut self, text: &str) -> Result<()> {
        self.close()?;
        if !text.is_empty() {
            self.at_line_start = text.ends_with('\n');
        }
        self.out.write_all(text.as_bytes()).or_else(tolerate_closed)
    }

    /// Ends the open stop-commands block, if any (at the end of every run).
    pub fn close(&mut self) -> Result<()> {
        if let Some(token) = self.stopped.take() {
            // The resume command must start a line of its own.
            let line = if self.at_line_start { format!("::{token}::\n") } else { format!("\n::{token}::\n") };
            self.at_line_start = true;
            self.out.write_all(line.as_bytes()).or_else(tolerate_closed)?;
        }
        Ok(())
    }
}

/// Whether the command is about several packages: `[[packages]]` without
/// `--package`. Each package's output then carries its name; with one
/// package (implicit or chosen) the output is the single-package one.
pub fn several(app: &crate::app::App) -> bool {
    app.has_packages() && app.selected.is_none()
}

/// The heading a package's text gets when a command prints several
/// packages' notes or runbooks (and in the `notes` output): `# api 1.1.0`,
/// then a blank line.
pub fn package_heading(name: &str, version: &str) -> String {
    format!("# {name} {version}\n\n")
}

/// The value of a scoped thread; a panic there is re-raised here.
pub(crate) fn rejoin<T>(result: std::thread::Result<T>) -> T {
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A reader that went away (`relkit notes | head -1`, a closed CI log) is not
/// an error: relkit carries on quietly, as command-line tools do, and a
/// release that was made stays made (its exit status does not change).
fn tolerate_closed(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(write_error(e)) }
}

pub fn write_error(e: std::io::Error) -> Error {
    Error::file("<stdout>", e)
}

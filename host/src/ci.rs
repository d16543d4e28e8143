//! CI integration: the same facts on both forges (DESIGN.md, "CI outputs").
//!
//! - GitHub Actions (`GITHUB_ACTIONS=true`): every output in `$GITHUB_OUTPUT`
//!   (multiline values with a random delimiter), notes and rollback text in
//!   `$GITHUB_STEP_SUMMARY`, `::error::`/`::warning::` annotations and
//!   `::group::` sections.
//! - GitLab CI (`GITLAB_CI=true`): `relkit.env` for `artifacts:reports:dotenv`,
//!   `relkit-notes.md` and `relkit-rollback.md` beside it, collapsible sections.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::app::Env;
use crate::config::CiConfig;
use crate::error::{Error, Result};
use crate::fsutil;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiKind {
    GitHub,
    GitLab,
    Local,
}

impl CiKind {
    pub fn detect(env: &Env) -> Self {
        if env.is_true("GITHUB_ACTIONS") {
            CiKind::GitHub
        } else if env.is_true("GITLAB_CI") {
            CiKind::GitLab
        } else {
            CiKind::Local
        }
    }
}

/// What `relkit release` reports to the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outputs {
    pub version: Option<String>,
    pub tag: Option<String>,
    pub released: bool,
    pub dry_run: bool,
    pub notes: String,
    pub rollback: String,
}

/// What [`write_outputs`] changed, so that a later failure can take it back.
#[derive(Debug, Default)]
pub struct Written {
    /// Each file and what it held before: its length (appended files) or its
    /// content (rewritten files); `None` when it did not exist.
    files: Vec<(PathBuf, Before)>,
}

#[derive(Debug)]
enum Before {
    Length(Option<u64>),
    Content(Option<Vec<u8>>),
}

impl Written {
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Restores every file (best effort: each is tried).
    pub fn undo(self) {
        for (path, before) in self.files.into_iter().rev() {
            let _ = match before {
                Before::Length(None) | Before::Content(None) => std::fs::remove_file(&path),
                Before::Length(Some(n)) => {
                    std::fs::OpenOptions::new().write(true).open(&path).and_then(|f| f.set_len(n))
                }
                Before::Content(Some(old)) => fsutil::write_atomic(&path, &old),
            };
        }
    }
}

/// Writes the outputs where the CI expects them; nothing happens locally.
pub fn write_outputs(kind: CiKind, env: &Env, config: &CiConfig, cwd: &Path, outputs: &Outputs) -> Result<Written> {
    let mut written = Written::default();
    let result = match kind {
        CiKind::GitHub => write_github(env, outputs, &mut written),
        CiKind::GitLab => write_gitlab(config, cwd, outputs, &mut written),
        CiKind::Local => Ok(()),
    };
    match result {
        Ok(()) => Ok(written),
        Err(e) => {
            written.undo();
            Err(e)
        }
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn write_github(env: &Env, o: &Outputs, written: &mut Written) -> Result<()> {
    if let Some(path) = env.get("GITHUB_OUTPUT").map(PathBuf::from) {
        let mut text = String::new();
        for (name, value) in [
            ("version", o.version.clone().unwrap_or_default()),
            ("tag", o.tag.clone().unwrap_or_default()),
            ("released", bool_text(o.released).to_string()),
            ("dry-run", bool_text(o.dry_run).to_string()),
            ("notes", o.notes.clone()),
            ("rollback", o.rollback.clone()),
        ] {
            text.push_str(&github_output_entry(name, &value));
        }
        append(&path, &text, written)?;
    }
    if let Some(path) = env.get("GITHUB_STEP_SUMMARY").map(PathBuf::from) {
        append(&path, &summary(o), written)?;
    }
    Ok(())
}

/// `name=value`, or for a value with a line break `name<<DELIM\n...\nDELIM`
/// with a delimiter that does not occur in the value.
pub fn github_output_entry(name: &str, value: &str) -> String {
    if !value.contains('\n') && !value.contains('\r') {
        return format!("{name}={value}\n");
    }
    let mut salt = 0u32;
    let delimiter = loop {
        let mut h = Sha256::new();
        h.update(value.as_bytes());
        h.update(std::process::id().to_le_bytes());
        h.update(salt.to_le_bytes());
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        h.update(nanos.to_le_bytes());
        let candidate = format!("relkit_{}", &crate::runtime::hex(&h.finalize())[..24]);
        if !value.contains(&candidate) {
            break candidate;
        }
        salt += 1;
    };
    let body = value.strip_suffix('\n').unwrap_or(value);
    format!("{name}<<{delimiter}\n{body}\n{delimiter}\n")
}

fn summary(o: &Outputs) -> String {
    let mut s = String::new();
    match (&o.tag, o.released) {
        (Some(tag), true) if o.dry_run => s.push_str(&format!("## relkit: {tag} (dry run, nothing was released)\n\n")),
        (Some(tag), true) => s.push_str(&format!("## relkit: released {tag}\n\n")),
        _ => s.push_str("## relkit: no release due\n\n"),
    }
    if !o.notes.trim().is_empty() {
        s.push_str(o.notes.trim_end());
        s.push_str("\n\n");
    }
    if !o.rollback.trim().is_empty() {
        s.push_str("<details><summary>Rollback instructions</summary>\n\n");
        s.push_str(o.rollback.trim_end());
        s.push_str("\n\n</details>\n\n");
    }
    s
}

fn append(path: &Path, text: &str, written: &mut Written) -> Result<()> {
    let before = match std::fs::metadata(path) {
        Ok(m) => Some(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::file(path, e)),
    };
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::file(path, e))?;
    written.files.push((path.to_path_buf(), Before::Length(before)));
    f.write_all(text.as_bytes()).map_err(|e| Error::file(path, e))
}

fn write_gitlab(config: &CiConfig, cwd: &Path, o: &Outputs, written: &mut Written) -> Result<()> {
    let resolve = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) };
    // dotenv: KEY=VALUE lines, no quoting, no multiline values.
    let env_text = format!(
        "RELKIT_VERSION={}\nRELKIT_TAG={}\nRELKIT_RELEASED={}\nRELKIT_DRY_RUN={}\n",
        o.version.as_deref().unwrap_or(""),
        o.tag.as_deref().unwrap_or(""),
        bool_text(o.released),
        bool_text(o.dry_run),
    );
    let files = [
        (resolve(&config.env_file), env_text),
        (resolve(&config.notes_file), o.notes.clone()),
        (resolve(&config.rollback_file), o.rollback.clone()),
    ];
    for (path, text) in files {
        let before = match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::file(&path, e)),
        };
        fsutil::write_atomic(&path, text.as_bytes()).map_err(|e| Error::file(&path, e))?;
        written.files.push((path, Before::Content(before)));
    }
    Ok(())
}

/// Escapes the data of a GitHub workflow command (`::error::<data>`).
pub fn escape_github(data: &str) -> String {
    data.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Starts a folded section of the job log.
pub fn section_start(kind: CiKind, id: &str, title: &str, now: i64) -> String {
    match kind {
        CiKind::GitHub => format!("::group::{title}\n"),
        CiKind::GitLab => format!("\x1b[0Ksection_start:{now}:{id}[collapsed=true]\r\x1b[0K{title}\n"),
        CiKind::Local => format!("--- {title} ---\n"),
    }
}

pub fn section_end(kind: CiKind, id: &str, now: i64) -> String {
    match kind {
        CiKind::GitHub => "::endgroup::\n".to_string(),
        CiKind::GitLab => format!("\x1b[0Ksection_end:{now}:{id}\r\x1b[0K\n"),
        CiKind::Local => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_outputs_use_a_delimiter_absent_from_the_value() {
        let entry = github_output_entry("notes", "line\nEOF\nmore\n");
        let first = entry.lines().next().unwrap();
        let delimiter = first.strip_prefix("notes<<").unwrap();
        assert!(delimiter.starts_with("relkit_"));
        assert_eq!(entry, format!("notes<<{delimiter}\nline\nEOF\nmore\n{delimiter}\n"));
        assert_eq!(github_output_entry("tag", "v1.0.0"), "tag=v1.0.0\n");
    }

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_github("50% done\nnext"), "50%25 done%0Anext");
    }
}

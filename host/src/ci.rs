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
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outputs {
    pub version: Option<String>,
    pub tag: Option<String>,
    pub released: bool,
    pub dry_run: bool,
    pub notes: String,
    pub rollback: String,
    /// The release before this one (the start of its notes), when there is one.
    #[serde(default)]
    pub previous_tag: Option<String>,
    /// `major`, `minor`, `patch` (or `none` for a pre-release step or a
    /// `--release-as` that decides it).
    #[serde(default)]
    pub bump: Option<String>,
    /// The commit the tag points at (the release commit when one is made).
    #[serde(default)]
    pub sha: Option<String>,
    /// With `[[packages]]`: each released package (the `packages` output);
    /// empty for the implicit package, whose outputs are the ones above.
    #[serde(default)]
    pub packages: Vec<PackageRelease>,
}

/// One package of a monorepo release, for the `packages` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PackageRelease {
    pub name: String,
    pub version: String,
    pub tag: String,
    pub previous_tag: Option<String>,
    /// Its release notes (written to its own notes file).
    pub notes: String,
}

impl PackageRelease {
    /// Package `name`'s release, with its notes.
    pub fn of(name: &str, release: &crate::app::ReleaseData, notes: &str) -> Self {
        Self {
            name: name.to_string(),
            version: release.version.clone(),
            tag: release.tag.clone(),
            previous_tag: release.previous.as_ref().map(|t| t.name.clone()),
            notes: notes.to_string(),
        }
    }
}

/// The notes file of package `name`: `relkit-notes-<name>.md` beside the
/// notes file (`[ci] notes-file`, or the GitLab template's
/// `RELKIT_NOTES_FILE`), the name's characters other than letters, digits,
/// `.`, `_` and `-` written as `-`, an npm scope's `@` dropped (`@acme/web`
/// → `relkit-notes-acme-web.md`).
pub fn package_notes_file(notes_file: &Path, name: &str) -> PathBuf {
    let name = name.trim_start_matches('@');
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    let stem = notes_file.file_stem().map_or("relkit-notes".to_string(), |s| s.to_string_lossy().into_owned());
    let ext = notes_file.extension().map_or("md".to_string(), |e| e.to_string_lossy().into_owned());
    notes_file.with_file_name(format!("{stem}-{safe}.{ext}"))
}

impl Outputs {
    /// `(major, minor, patch)` of `version`, as text; empty when there is none.
    pub fn version_parts(&self) -> [String; 3] {
        match self.version.as_deref().and_then(|v| semver::Version::parse(v).ok()) {
            Some(v) => [v.major.to_string(), v.minor.to_string(), v.patch.to_string()],
            None => Default::default(),
        }
    }

    /// Every output as `(name, value)`, in the order they are written
    /// (DESIGN.md, "CI outputs"; GitLab's dotenv uses the same names in
    /// upper case with a `RELKIT_` prefix, for the single-line ones).
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        let [major, minor, patch] = self.version_parts();
        vec![
            ("version", self.version.clone().unwrap_or_default()),
            ("tag", self.tag.clone().unwrap_or_default()),
            ("released", bool_text(self.released).to_string()),
            ("dry-run", bool_text(self.dry_run).to_string()),
            ("previous-tag", self.previous_tag.clone().unwrap_or_default()),
            ("bump", self.bump.clone().unwrap_or_default()),
            ("major", major),
            ("minor", minor),
            ("patch", patch),
            ("sha", self.sha.clone().unwrap_or_default()),
            ("notes", self.notes.clone()),
            ("rollback", self.rollback.clone()),
        ]
    }

    /// The `packages` output: a JSON array (one line) of the released
    /// packages — `name`, `version`, `tag`, `previous-tag`, `notes-file` —
    /// for a build matrix (`fromJSON` on GitHub); `None` without `[[packages]]`.
    pub fn packages_json(&self, notes_file: &Path) -> Option<String> {
        if self.packages.is_empty() {
            return None;
        }
        let list: Vec<serde_json::Value> = self
            .packages
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "version": p.version,
                    "tag": p.tag,
                    "previous-tag": p.previous_tag,
                    "notes-file": package_notes_file(notes_file, &p.name).display().to_string(),
                })
            })
            .collect();
        Some(serde_json::Value::Array(list).to_string())
    }
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

/// Where output files go: `[ci]` paths are relative to `cwd` and must stay
/// inside the repository at `root`; temporary files go to `tmp` (in `.git`).
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub env: &'a Env,
    pub cwd: &'a Path,
    pub root: &'a Path,
    pub tmp: &'a Path,
}

/// Writes the outputs where the CI expects them; nothing happens locally.
pub fn write_outputs(kind: CiKind, config: &CiConfig, place: &Place<'_>, outputs: &Outputs) -> Result<Written> {
    let mut written = Written::default();
    let result = match kind {
        CiKind::GitHub => write_github(config, place, outputs, &mut written),
        CiKind::GitLab => write_gitlab(config, place, outputs, &mut written),
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

/// The notes file the CI reads (`RELKIT_NOTES_FILE` wins over `[ci]
/// notes-file`: the GitLab template names its artifacts there), as given.
fn notes_file(config: &CiConfig, env: &Env) -> PathBuf {
    env.get("RELKIT_NOTES_FILE").map_or_else(|| config.notes_file.clone(), PathBuf::from)
}

/// Each released package's notes in its own file ([`package_notes_file`]).
fn write_package_notes(config: &CiConfig, place: &Place<'_>, o: &Outputs, written: &mut Written) -> Result<()> {
    let base = notes_file(config, place.env);
    for package in &o.packages {
        let file = package_notes_file(&base, &package.name);
        let path = fsutil::resolve_inside(place.root, place.cwd, &file)
            .map_err(|m| Error::Refused(format!("[ci] notes-file: {m}")))?;
        rewrite(&path, package.notes.as_bytes(), place, written)?;
    }
    Ok(())
}

fn rewrite(path: &Path, bytes: &[u8], place: &Place<'_>, written: &mut Written) -> Result<()> {
    let before = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::file(path, e)),
    };
    fsutil::write_atomic_in(path, bytes, place.tmp).map_err(|e| Error::file(path, e))?;
    written.files.push((path.to_path_buf(), Before::Content(before)));
    Ok(())
}

fn write_github(config: &CiConfig, place: &Place<'_>, o: &Outputs, written: &mut Written) -> Result<()> {
    let env = place.env;
    if let Some(path) = env.get("GITHUB_OUTPUT").map(PathBuf::from) {
        let mut text = String::new();
        for (name, value) in o.entries() {
            text.push_str(&github_output_entry(name, &value));
        }
        if let Some(list) = o.packages_json(&notes_file(config, env)) {
            text.push_str(&github_output_entry("packages", &list));
        }
        append(&path, &text, written)?;
        write_package_notes(config, place, o, written)?;
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
    // With several packages there is no one tag: their tags, listed.
    let tags: Vec<&str> = o.packages.iter().map(|p| p.tag.as_str()).collect();
    let tag = o.tag.clone().filter(|t| !t.is_empty()).or_else(|| (!tags.is_empty()).then(|| tags.join(", ")));
    match (&tag, o.released) {
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

/// Appends `text` to `$GITHUB_STEP_SUMMARY` when it is set (a report such as
/// `relkit metrics` shown on the run's page); returns the file written.
pub fn append_step_summary(env: &Env, text: &str) -> Result<Option<PathBuf>> {
    let Some(path) = env.get("GITHUB_STEP_SUMMARY").map(PathBuf::from) else { return Ok(None) };
    append(&path, text, &mut Written::default())?;
    Ok(Some(path))
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

/// The GitLab output files: env, notes and rollback. The GitLab template
/// names its artifact paths in its inputs and passes them as
/// `RELKIT_ENV_FILE`, `RELKIT_NOTES_FILE` and `RELKIT_ROLLBACK_FILE`, which
/// win over `[ci]`: the files must be where the template's artifacts are.
/// Errors: a path outside the repository (or through a symlink out of it),
/// naming the variable or key it came from.
fn gitlab_paths(config: &CiConfig, place: &Place<'_>) -> Result<[PathBuf; 3]> {
    let pick = |var: &str, configured: &Path, key: &str| {
        let (path, from) = match place.env.get(var) {
            Some(value) => (PathBuf::from(value), var.to_string()),
            None => (configured.to_path_buf(), format!("[ci] {key}")),
        };
        fsutil::resolve_inside(place.root, place.cwd, &path).map_err(|m| Error::Refused(format!("{from}: {m}")))
    };
    Ok([
        pick("RELKIT_ENV_FILE", &config.env_file, "env-file")?,
        pick("RELKIT_NOTES_FILE", &config.notes_file, "notes-file")?,
        pick("RELKIT_ROLLBACK_FILE", &config.rollback_file, "rollback-file")?,
    ])
}

/// Checks, before anything is made, that the outputs of `kind` can be
/// written where they are configured: a release made and pushed whose
/// outputs then fail would leave every later run re-reporting it.
pub fn check_paths(kind: CiKind, config: &CiConfig, place: &Place<'_>) -> Result<()> {
    match kind {
        CiKind::GitLab => gitlab_paths(config, place).map(|_| ()),
        CiKind::GitHub | CiKind::Local => Ok(()),
    }
}

fn write_gitlab(config: &CiConfig, place: &Place<'_>, o: &Outputs, written: &mut Written) -> Result<()> {
    // dotenv: KEY=VALUE lines, no quoting, no multiline values (the notes
    // and rollback texts go to their own files).
    let mut env_text = String::new();
    for (name, value) in o.entries() {
        if name == "notes" || name == "rollback" {
            continue;
        }
        env_text.push_str(&format!("RELKIT_{}={value}\n", name.to_ascii_uppercase().replace('-', "_")));
    }
    if let Some(list) = o.packages_json(&notes_file(config, place.env)) {
        env_text.push_str(&format!("RELKIT_PACKAGES={list}\n"));
        // The same for shell loops (the template's release job has no JSON
        // reader): tags and notes files, space-separated, in one order.
        let base = notes_file(config, place.env);
        let tags: Vec<&str> = o.packages.iter().map(|p| p.tag.as_str()).collect();
        let files: Vec<String> =
            o.packages.iter().map(|p| package_notes_file(&base, &p.name).display().to_string()).collect();
        env_text.push_str(&format!("RELKIT_PACKAGE_TAGS={}\n", tags.join(" ")));
        env_text.push_str(&format!("RELKIT_PACKAGE_NOTES_FILES={}\n", files.join(" ")));
    }
    let [env, notes, rollback] = gitlab_paths(config, place)?;
    for (path, text) in [(env, env_text), (notes, o.notes.clone()), (rollback, o.rollback.clone())] {
        rewrite(&path, text.as_bytes(), place, written)?;
    }
    write_package_notes(config, place, o, written)
}

/// Text from commits and plugins made safe to print:
/// - terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \\`,
///   other `ESC x`), C1 controls and every other control character but line
///   feed and tab are removed, so commit text cannot move the cursor, retitle
///   the terminal or hide lines (`\r`);
/// - with `CiKind::GitHub` (text outside a stop-commands block, i.e. on
///   stderr), no line can be read as a workflow command: a line starting with
///   `::` gets a zero-width space between the colons, and `##[` anywhere gets
///   one after `##` (the runner's two command syntaxes).
///
/// Files relkit writes keep the text as it is; this is for what is shown.
pub fn sanitize(text: &str, kind: CiKind) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    // Parameters and intermediates up to the final byte; an
                    // unterminated one ends at the line break, which stays.
                    for c in chars.by_ref() {
                        if c == '\n' {
                            out.push(c);
                            break;
                        }
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']' | 'P' | '_' | '^') => {
                    // A string up to BEL or ST (`ESC \\`), or the line break.
                    while let Some(c) = chars.next() {
                        if c == '\n' {
                            out.push(c);
                            break;
                        }
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if kind != CiKind::GitHub {
        return out;
    }
    let mut safe = String::with_capacity(out.len());
    for line in out.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let (lead, rest) = line.split_at(indent);
        safe.push_str(lead);
        let rest = match rest.strip_prefix("::") {
            Some(after) => format!(":\u{200b}:{after}"),
            None => rest.to_string(),
        };
        safe.push_str(&rest.replace("##[", "##\u{200b}["));
    }
    safe
}

/// A fresh token for `::stop-commands::<token>`: 32 hex digits nobody can
/// guess from the commits (so commit text cannot end the block early).
pub fn stop_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = Sha256::new();
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    h.update(nanos.to_le_bytes());
    // Addresses differ between runs (ASLR): one more source the commits cannot know.
    h.update((&raw const COUNTER as usize).to_le_bytes());
    crate::runtime::hex(&h.finalize())[..32].to_string()
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
    fn shown_text_loses_escape_sequences_and_cannot_command_the_runner() {
        let text = "fix: \x1b[31mred\x1b[0m \x1b]0;title\x07ok\rover\u{9b}\n::add-mask::x\n  ::set-output name=v::9\nsee ##[error]x\n";
        assert_eq!(
            sanitize(text, CiKind::Local),
            "fix: red okover\n::add-mask::x\n  ::set-output name=v::9\nsee ##[error]x\n"
        );
        let safe = sanitize(text, CiKind::GitHub);
        assert_eq!(
            safe,
            "fix: red okover\n:\u{200b}:add-mask::x\n  :\u{200b}:set-output name=v::9\nsee ##\u{200b}[error]x\n"
        );
        // Unterminated sequences end at the line: the next lines are kept.
        assert_eq!(sanitize("a\x1b]0;open title\nnext\n\x1b[31\nlast", CiKind::Local), "a\nnext\n\nlast");
        assert_ne!(stop_token(), stop_token());
        assert_eq!(stop_token().len(), 32);
    }

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_github("50% done\nnext"), "50%25 done%0Anext");
    }
}

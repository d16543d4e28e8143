//! `[[version-files]]`: the new version written into manifests.
//!
//! The host reads each configured file (and the lock files beside it), the
//! version-files plugin returns their new texts, and the release puts them
//! into the one release commit with the CHANGELOG (`crate::release`). Every
//! problem stops the release before anything is written: a missing file, a
//! file that is not UTF-8, a key the plugin cannot find. Never a silent skip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use semver::Version;

use crate::app::App;
use crate::contract::{UpdatedFile, VersionFile as ContractFile, VersionFilesInput};
use crate::error::{Error, Result};
use crate::release::FileChange;
use crate::runtime::Capability;

/// Lock files updated with the manifest they sit beside or above: a Cargo
/// workspace has one `Cargo.lock` at its root, an npm workspace one
/// `package-lock.json` that records each member under
/// `packages["<member dir>"]`. They change only for the manifests' own
/// packages; the plugin decides which entries.
const COMPANIONS: &[(&str, &[&str])] = &[
    // (manifest, lock files: the nearest at or above the manifest)
    ("Cargo.toml", &["Cargo.lock"]),
    ("package.json", &["package-lock.json", "npm-shrinkwrap.json"]),
];

/// One version file the release changes.
#[derive(Debug, Clone)]
pub struct Updated {
    /// Where it is, symlinks resolved, inside the repository.
    pub path: PathBuf,
    /// Relative to the repository root, `/`-separated (`deploy/Chart.yaml`).
    pub display: String,
    pub old: String,
    pub new: String,
    /// `(location, old value, new value)`: `package.version`, `line 12`.
    pub changes: Vec<(String, String, String)>,
}

impl Updated {
    pub fn file_change(&self) -> FileChange {
        FileChange {
            path: self.path.clone(),
            old: Some(self.old.clone().into_bytes()),
            new: self.new.clone().into_bytes(),
        }
    }

    /// A unified diff of the file (`--- a/path` / `+++ b/path`, one line of
    /// context), as `relkit release --dry-run` prints it.
    pub fn diff(&self) -> String {
        let diff = similar::TextDiff::from_lines(&self.old, &self.new);
        diff.unified_diff()
            .context_radius(1)
            .header(&format!("a/{}", self.display), &format!("b/{}", self.display))
            .missing_newline_hint(true)
            .to_string()
    }
}

/// A file handed to the plugin.
struct Read {
    path: PathBuf,
    display: String,
    text: String,
}

/// Runs the version-files plugin for a release of `version` and returns the
/// files whose text changes, in configuration order (lock files after the
/// manifests). `last_stable` is what a `prerelease = false` file keeps under
/// a pre-release; with none (no stable release yet), such a file is left as
/// it is. Errors: a configured file that is missing or not UTF-8 (naming the
/// entry's line in relkit.toml), or the plugin's error (naming the file and key).
pub fn plan(app: &App, version: &Version, last_stable: Option<&Version>) -> Result<Vec<Updated>> {
    plan_over(app, version, last_stable, &HashMap::new())
}

/// [`plan`], reading a file from `overlay` (its text after the packages
/// planned before this one) when it is there: two packages of a workspace
/// share a `Cargo.lock` or `package-lock.json`, and each one's edit must
/// build on the other's. Refuses a change that would lower a version
/// (a manifest above the first release relkit computes).
pub fn plan_over(
    app: &App,
    version: &Version,
    last_stable: Option<&Version>,
    overlay: &HashMap<PathBuf, String>,
) -> Result<Vec<Updated>> {
    let read_file = |root: &Path, path: &Path| match overlay.get(path) {
        Some(text) => Ok(Read { path: path.to_path_buf(), display: relative(root, path), text: text.clone() }),
        None => read_file(root, path),
    };
    let entries = &app.config.config.version_files;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let root = app.repo.root();
    let configured: Vec<Option<PathBuf>> =
        entries.iter().map(|e| crate::fsutil::resolve_inside(root, root, &e.path).ok()).collect();
    let changelog = if app.config.config.release.changelog { app.changelog_path().ok() } else { None };
    let mut files: Vec<(Read, ContractFile)> = Vec::new();
    let mut companions: Vec<(Read, ContractFile)> = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        let at = || format!("{}: {}", app.config.file_name(), app.version_file_key(n, "path"));
        let path =
            crate::fsutil::resolve_inside(root, root, &entry.path).map_err(|m| refused(format!("{}: {m}", at())))?;
        // Two writers of one file would each undo the other's edit.
        if changelog.as_deref() == Some(path.as_path()) {
            return Err(refused(format!(
                "{}: {} is the CHANGELOG ([changelog] path), which relkit writes with the release's section; put \
                 the x-relkit-version marker in another file and remove this entry",
                at(),
                relative(root, &path)
            )));
        }
        let write = if version.pre.is_empty() || entry.prerelease {
            version.to_string()
        } else if let Some(stable) = last_stable {
            stable.to_string()
        } else {
            app.detail(format!(
                "relkit: {} keeps its version: prerelease = false and there is no stable release yet",
                entry.path.display()
            ));
            continue;
        };
        let read = read_file(root, &path)
            .map_err(|why| refused(format!("{}: {why}; fix the path or remove the [[version-files]] entry", at())))?;
        let mut extra = companion_paths(root, &path);
        if path.file_name().is_some_and(|n| n == "Cargo.toml") {
            extra.extend(member_manifests(root, &path, &read.text, app.head_tree_paths()?));
        }
        for lock in extra {
            // A lock file git does not track (a library's ignored Cargo.lock,
            // a package-lock.json the CI's `npm install` wrote) is the
            // runner's, not the release's.
            let shown = relative(root, &lock);
            if !app.head_tree_paths()?.contains(&shown) {
                app.detail(format!("relkit: {shown} is not tracked by git; it is left as it is"));
                continue;
            }
            let member = lock.file_name().is_some_and(|n| n == "Cargo.toml");
            if member && configured.iter().any(|p| p.as_deref() == Some(lock.as_path())) {
                // A member with a version of its own, configured itself.
                continue;
            }
            if let Some(other) = configured.iter().position(|p| p.as_deref() == Some(lock.as_path())) {
                return Err(refused(format!(
                    "{}: {}: relkit updates {} with {} already (its own entries only); remove that entry",
                    app.config.file_name(),
                    app.version_file_key(other, "path"),
                    relative(root, &lock),
                    entry.path.display()
                )));
            }
            if files.iter().chain(&companions).any(|(r, _)| r.path == lock) {
                continue;
            }
            let lock_read =
                read_file(root, &lock).map_err(|why| refused(format!("{why} (beside {})", read.display)))?;
            let contract = ContractFile {
                path: lock_read.display.clone(),
                text: lock_read.text.clone(),
                fields: Vec::new(),
                version: write.clone(),
                companion: true,
            };
            companions.push((lock_read, contract));
        }
        let contract = ContractFile {
            path: read.display.clone(),
            text: read.text.clone(),
            fields: entry.fields.clone(),
            version: write,
            companion: false,
        };
        files.push((read, contract));
    }
    dependents(app, &files, &mut companions, version, &read_file)?;
    files.extend(companions);
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let (reads, inputs): (Vec<Read>, Vec<ContractFile>) = files.into_iter().unzip();
    let results = app.update_version_files(VersionFilesInput { files: inputs, settings: Vec::new() })?;
    if results.len() != reads.len() || results.iter().zip(&reads).any(|(r, f)| r.path != f.display) {
        return Err(refused(format!(
            "plugin version-files: returned {} results for {} files, or not in their order; the plugin breaks the \
             version-files contract",
            results.len(),
            reads.len()
        )));
    }
    let updated: Vec<Updated> =
        reads.into_iter().zip(results).filter_map(|(read, result)| updated(read, result)).collect();
    for file in &updated {
        for (at, old, new) in &file.changes {
            let lower = Version::parse(old.trim_start_matches('v'))
                .ok()
                .zip(Version::parse(new.trim_start_matches('v')).ok())
                .is_some_and(|(o, n)| o > n);
            let is_configured = configured.iter().any(|p| p.as_deref() == Some(file.path.as_path()));
            if lower && !is_configured {
                // A lock file (or a dependent) out of step with its manifest.
                let fix = if file.display.ends_with(".lock") {
                    "run `cargo update --workspace` and commit Cargo.lock"
                } else {
                    "run `npm install --package-lock-only` and commit the lock file"
                };
                return Err(refused(format!(
                    "{} says {old} ({at}), above the release {new}, which its manifest says is next: the file is out \
                     of step with the manifest; {fix}, then release again",
                    file.display
                )));
            }
            if lower {
                return Err(refused(format!(
                    "{} says {old} ({at}), above the release {new}; relkit does not lower a version. If this is the \
                     first release with relkit, tag the release the file holds first (`git tag {}{old} <its \
                     commit>`), so that relkit goes on from it; if {old} was never released, set `{} initial = \
                     \"{old}\"`",
                    file.display,
                    app.tag_prefix(),
                    if app.package.name.is_some() { "[packages.version]" } else { "[version]" }
                )));
            }
        }
    }
    Ok(updated)
}

/// For a merged release pull request tagged at `commit`: refuses when a
/// configured version file there (at HEAD: any file the release writes, lock
/// files and dependents' requirements too) does not hold what it writes
/// (`version`, or `last_stable` for a `prerelease = false` file) — a
/// merge-conflict resolution that kept the old text would otherwise tag a
/// commit that contradicts its own version, which `relkit tag` refuses too.
/// The file at `commit` is read from git; its lock files from the work tree.
pub fn check_at(app: &App, commit: &str, version: &Version, last_stable: Option<&Version>) -> Result<()> {
    let root = app.repo.root();
    let mut overlay = HashMap::new();
    let mut configured = Vec::new();
    for entry in &app.config.config.version_files {
        let Ok(path) = crate::fsutil::resolve_inside(root, root, &entry.path) else { continue };
        if let Some(bytes) = app.repo.file_at(commit, &relative(root, &path))? {
            overlay.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
        }
        configured.push(path);
    }
    if configured.is_empty() {
        return Ok(());
    }
    let updated = plan_over(app, version, last_stable, &overlay)?;
    // At HEAD every file the release writes is as git has it, so a lock file
    // or a dependent's requirement the merge lost counts too; behind HEAD
    // only the configured files are read from that commit.
    let all = app.repo.head()? == commit;
    if let Some(file) = updated.iter().find(|u| all || configured.contains(&u.path))
        && let Some((at, old, new)) = file.changes.first()
    {
        return Err(refused(format!(
            "{} says {old} ({at}) at the release pull request's commit {}, not {new}: the merge lost that change. \
             Revert {} and run relkit prepare again",
            file.display,
            crate::git::short_id(commit),
            crate::git::short_id(commit)
        )));
    }
    Ok(())
}

/// The manifest kinds whose requirements on a released package the plugin
/// follows (`requirements.rs` of the built-in plugin).
const DEPENDENT_KINDS: &[&str] = &["Cargo.toml", "package.json"];

/// Adds to `companions` the repository's other manifests that may require
/// a package `files` release: every tracked `Cargo.toml` (with a configured
/// `Cargo.toml`) or `package.json` (with a configured `package.json`;
/// never under `node_modules/`) whose text names one of the released
/// packages. The plugin changes their requirements only where they no longer
/// admit the new version (a path dependency `acme-core = { path = "../core",
/// version = "0.3.0" }` would stop the workspace from building at 0.4.0).
/// Files that cannot be read are passed over: they are not version files.
fn dependents(
    app: &App,
    files: &[(Read, ContractFile)],
    companions: &mut Vec<(Read, ContractFile)>,
    version: &Version,
    read_file: &dyn Fn(&Path, &Path) -> std::result::Result<Read, String>,
) -> Result<()> {
    fn kind(path: &Path) -> Option<&'static str> {
        let name = path.file_name()?.to_str()?;
        DEPENDENT_KINDS.iter().copied().find(|k| *k == name)
    }
    let kinds: Vec<&str> = files.iter().filter(|(_, c)| !c.companion).filter_map(|(r, _)| kind(&r.path)).collect();
    if kinds.is_empty() {
        return Ok(());
    }
    // The packages' names: a crate's, or a workspace member's that inherits
    // its version (passed as a companion already); an npm package's.
    let names: Vec<String> = files
        .iter()
        .chain(companions.iter())
        .filter(|(r, _)| kind(&r.path).is_some())
        .filter_map(|(r, _)| package_name(&r.path, &r.text))
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let root = app.repo.root();
    let tree = app.head_tree_paths()?;
    // Which manifests name which package, read once for every package of
    // the run (a 200-package release would otherwise read 200² files).
    let index = app.dependents_index(|| {
        let mut index: HashMap<String, Vec<String>> = HashMap::new();
        for p in tree {
            let base = p.rsplit('/').next().unwrap_or(p);
            if !DEPENDENT_KINDS.contains(&base) || p.split('/').any(|s| s == "node_modules") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(root.join(p)) else { continue };
            for name in required_names(Path::new(p), &text) {
                index.entry(name).or_default().push(p.clone());
            }
        }
        Ok(index)
    })?;
    let mut wanted: Vec<&str> = names.iter().filter_map(|n| index.get(n)).flatten().map(String::as_str).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // npm links a member only inside its workspace: the members of the
    // workspaces the configured package.json files belong to.
    let mut npm: Vec<String> = Vec::new();
    if wanted.iter().any(|p| p.ends_with("package.json")) {
        for (read, _) in files.iter().filter(|(r, c)| !c.companion && kind(&r.path) == Some("package.json")) {
            npm.extend(npm_workspace(root, &read.display));
        }
    }
    for p in wanted {
        let base = p.rsplit('/').next().unwrap_or(p);
        let wanted = match base {
            "Cargo.toml" => kinds.contains(&base),
            "package.json" => npm.iter().any(|f| f == p),
            _ => false,
        };
        if !wanted {
            continue;
        }
        let Ok(path) = crate::fsutil::resolve_inside(root, root, Path::new(p)) else { continue };
        if files.iter().chain(companions.iter()).any(|(r, _)| r.path == path) {
            continue;
        }
        let Ok(read) = read_file(root, &path) else { continue };
        let contract = ContractFile {
            path: read.display.clone(),
            text: read.text.clone(),
            fields: Vec::new(),
            version: version.to_string(),
            companion: true,
        };
        companions.push((read, contract));
    }
    Ok(())
}

/// The `package.json` files of the npm workspace that `manifest` (a
/// `/`-separated path from the repository root) is in: the nearest
/// directory above it whose `package.json` declares workspaces that include
/// it (read as `relkit init --packages` reads them:
/// [`crate::discover::npm_members`]), with that root's own `package.json`.
/// None when it is in no workspace; a workspace root's are its members'.
fn npm_workspace(root: &Path, manifest: &str) -> Vec<String> {
    let mut at = Some(manifest.rsplit_once('/').map_or("", |(d, _)| d));
    while let Some(dir) = at {
        let file = |rel: &str| if dir.is_empty() { rel.to_string() } else { format!("{dir}/{rel}") };
        if let Ok(Some(members)) = crate::discover::npm_members(&root.join(dir)) {
            let mut files: Vec<String> = members.iter().map(|m| file(&format!("{m}/package.json"))).collect();
            files.push(file("package.json"));
            if files.iter().any(|f| f == manifest) {
                return files;
            }
        }
        at = dir.rsplit_once('/').map(|(d, _)| d).or((!dir.is_empty()).then_some(""));
    }
    Vec::new()
}

/// The packages the manifest at `path` names among its dependencies (for a
/// `Cargo.toml`, those with a `path`: only they resolve against a member;
/// by their `package` name when renamed). A file that does not parse names
/// none: it is not this release's to fix, and a fixture under a workspace is
/// no member.
fn required_names(path: &Path, text: &str) -> Vec<String> {
    if path.file_name().is_some_and(|n| n == "package.json") {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { return Vec::new() };
        return ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]
            .iter()
            .filter_map(|section| value.get(section)?.as_object())
            .flat_map(|deps| deps.keys().cloned())
            .collect();
    }
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let tables = ["dependencies", "dev-dependencies", "build-dependencies", "dev_dependencies", "build_dependencies"];
    let mut found: Vec<&toml::Table> = tables.iter().filter_map(|t| doc.get(*t)?.as_table()).collect();
    found.extend(doc.get("workspace").and_then(|w| w.get("dependencies")?.as_table()));
    for target in doc.get("target").and_then(toml::Value::as_table).into_iter().flat_map(|t| t.values()) {
        found.extend(tables.iter().filter_map(|t| target.get(*t)?.as_table()));
    }
    found
        .iter()
        .flat_map(|deps| deps.iter())
        .filter_map(|(key, value)| {
            let detail = value.as_table()?;
            let name = detail.get("package").and_then(toml::Value::as_str).unwrap_or(key);
            detail.contains_key("path").then(|| name.to_string())
        })
        .collect()
}

/// A manifest's package name: `package.name` of a `Cargo.toml`, `name` of a
/// `package.json`; `None` when it has none or does not parse.
fn package_name(path: &Path, text: &str) -> Option<String> {
    if path.file_name().is_some_and(|n| n == "package.json") {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        return value.get("name")?.as_str().map(str::to_string);
    }
    let doc = text.parse::<toml::Table>().ok()?;
    doc.get("package")?.get("name")?.as_str().map(str::to_string)
}

fn updated(read: Read, result: UpdatedFile) -> Option<Updated> {
    (result.text != read.text).then(|| Updated {
        path: read.path,
        display: read.display,
        old: read.text,
        new: result.text,
        changes: result.changes.into_iter().map(|c| (c.location, c.old, c.new)).collect(),
    })
}

fn refused(message: String) -> Error {
    Error::Refused(message)
}

/// Reads a version file as UTF-8 text; the error says what is wrong.
fn read_file(root: &Path, path: &Path) -> std::result::Result<Read, String> {
    let display = relative(root, path);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(format!("{display} does not exist")),
        Err(e) if path.is_dir() => return Err(format!("{display} is a directory, not a file ({e})")),
        Err(e) => return Err(format!("cannot read {display}: {e}")),
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("{display} is not UTF-8 text (byte {at}); relkit edits text files only")
    })?;
    Ok(Read { path: path.to_path_buf(), display, text })
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The member manifests of a Cargo workspace whose root manifest is
/// `manifest`: the tracked `Cargo.toml` files (from `tree`, HEAD's paths)
/// of the directories `[workspace] members` names and `exclude` does not
/// (Cargo's rules: paths relative to the root, `*` and `?` globs within a
/// path segment), so that the plugin knows which members inherit the
/// workspace's version. They never change. A manifest with no
/// `[workspace]`, or one that does not parse (the plugin then says why),
/// has none.
fn member_manifests(root: &Path, manifest: &Path, text: &str, tree: &[String]) -> Vec<PathBuf> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let Some(workspace) = doc.get("workspace").and_then(toml::Value::as_table) else { return Vec::new() };
    let list = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str()).map(|p| p.trim_end_matches('/').to_string()).collect())
            .unwrap_or_default()
    };
    let (members, exclude) = (list("members"), list("exclude"));
    let dir = relative(root, manifest.parent().unwrap_or(root));
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    tree.iter()
        .filter_map(|p| {
            let member = p.strip_prefix(&prefix)?.strip_suffix("/Cargo.toml")?;
            let named = members.iter().any(|m| glob_match(m, member));
            let excluded = exclude.iter().any(|e| glob_match(e, member) || member.starts_with(&format!("{e}/")));
            (named && !excluded).then(|| root.join(p))
        })
        .filter(|p| p != manifest && p.is_file())
        .collect()
}

/// Whether `path` matches `pattern`, segment by segment: `*` is any run of
/// characters and `?` one character, neither crossing a `/`.
fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./");
    let (pats, parts): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    pats.len() == parts.len() && pats.iter().zip(&parts).all(|(p, s)| segment_match(p.as_bytes(), s.as_bytes()))
}

fn segment_match(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => segment_match(&p[1..], s) || (!s.is_empty() && segment_match(p, &s[1..])),
        (Some(b'?'), Some(_)) => segment_match(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => segment_match(&p[1..], &s[1..]),
        _ => false,
    }
}

/// The lock files that go with a manifest: the nearest at or above it inside
/// the repository. An npm lock above a `package.json` counts only when it
/// records that directory as a workspace member (`packages["web"]`): a
/// package with no lock of its own beside a repository-wide lock is not
/// necessarily in it.
fn companion_paths(root: &Path, manifest: &Path) -> Vec<PathBuf> {
    let Some(name) = manifest.file_name().and_then(|n| n.to_str()) else { return Vec::new() };
    let Some((_, locks)) = COMPANIONS.iter().find(|(m, _)| *m == name) else { return Vec::new() };
    let own = manifest.parent();
    let mut found = Vec::new();
    let mut dir = own;
    while let Some(d) = dir.filter(|d| d.starts_with(root)) {
        let present: Vec<PathBuf> = locks.iter().map(|lock| d.join(lock)).filter(|c| c.is_file()).collect();
        if !present.is_empty() {
            for candidate in present {
                let Ok(resolved) = crate::fsutil::resolve_inside(root, root, &candidate) else { continue };
                let member_dir = own.and_then(|o| o.strip_prefix(d).ok()).unwrap_or(Path::new(""));
                if name == "package.json"
                    && !member_dir.as_os_str().is_empty()
                    && !npm_lock_lists(&resolved, member_dir)
                {
                    continue;
                }
                found.push(resolved);
            }
            break;
        }
        dir = d.parent();
    }
    found
}

/// Whether the npm lock at `lock` has an entry `packages["<member>"]`
/// (`member` relative to the lock's directory). An unreadable or unparsable
/// lock has none.
fn npm_lock_lists(lock: &Path, member: &Path) -> bool {
    let key: Vec<&str> = member.iter().filter_map(|c| c.to_str()).collect();
    std::fs::read_to_string(lock)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|v| v["packages"][key.join("/")].is_object())
}

impl App {
    /// Runs the version-files plugin (built-in or `[[plugins.load]]`).
    pub fn update_version_files(&self, mut input: VersionFilesInput) -> Result<Vec<UpdatedFile>> {
        let plugin = self.plugin(Capability::VersionFiles)?;
        input.settings.extend(self.extra_settings(&plugin));
        self.timed(&plugin, || self.runtime()?.update_version_files(&plugin, &input).map_err(Error::from))
    }
}

#[cfg(test)]
mod glob_tests {
    use super::glob_match;

    #[test]
    fn member_globs_match_within_a_segment() {
        assert!(glob_match("crates/*", "crates/core"));
        assert!(glob_match("./crates/*", "crates/core"));
        assert!(!glob_match("crates/*", "crates/core/fixtures"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("cli", "cli"));
        assert!(!glob_match("cli", "client"));
    }
}

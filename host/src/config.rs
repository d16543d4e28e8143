//! `relkit.toml`: every key optional, unknown keys refused.
//!
//! Errors name the file, the line, the table and the key:
//! `relkit.toml: line 4: unknown key `sectoins` in [notes]; expected one of …`.
//! The README documents every key; keep the two in step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::forge::Forge;

pub const FILE_NAME: &str = "relkit.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub release: ReleaseConfig,
    #[serde(default)]
    pub version: VersionConfig,
    #[serde(default)]
    pub notes: NotesConfig,
    #[serde(default)]
    pub changelog: ChangelogConfig,
    #[serde(default)]
    pub rollback: RollbackConfig,
    #[serde(default)]
    pub plugins: PluginsConfig,
    #[serde(default)]
    pub repository: RepositoryConfig,
    #[serde(default)]
    pub ci: CiConfig,
    /// `[[version-files]]`: manifests the release writes the new version
    /// into (see [`VersionFile`]).
    #[serde(default)]
    pub version_files: Vec<VersionFile>,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub check: CheckConfig,
    /// `[[packages]]`: the packages of a monorepo, each released on its own
    /// (see [`PackageConfig`]); empty: the repository is one package.
    #[serde(default)]
    pub packages: Vec<PackageConfig>,
}

/// One `[[packages]]` entry: a package of a monorepo, released from the
/// commits that change files under `path` (or name one of `scopes`), with
/// its own tags, CHANGELOG and version files. `preset`, `[packages.version]`
/// and `[packages.notes]` override the top-level keys one by one (the same
/// fallback release-please's per-package config and knope's packages use).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageConfig {
    /// Letters, digits, `.`, `_`, `-`, `@` and `/` (npm's `@org/web`).
    pub name: String,
    /// The package's directory, relative to the repository root.
    pub path: PathBuf,
    /// Default `<name>-v` (release-please's and cocogitto's monorepo style).
    #[serde(default)]
    pub tag_prefix: Option<String>,
    /// Default `<path>/CHANGELOG.md`.
    #[serde(default)]
    pub changelog: Option<PathBuf>,
    /// A commit whose Conventional Commit scope is one of these belongs to
    /// the package even when it changes no file under `path`; default: the
    /// package's short name ([`PackageConfig::short_name`]).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub version_files: Vec<VersionFile>,
    #[serde(default)]
    pub preset: Option<Preset>,
    /// Keys of `[version]` for this package only.
    #[serde(default)]
    pub version: Option<toml::Table>,
    /// Keys of `[notes]` for this package only.
    #[serde(default)]
    pub notes: Option<toml::Table>,
    /// Keys of `[rollback]` for this package only (a service beside libraries).
    #[serde(default)]
    pub rollback: Option<toml::Table>,
}

impl PackageConfig {
    /// `tag-prefix`, else `<name>-v` with an npm scope dropped (`@acme/web` → `web-v`).
    pub fn tag_prefix(&self) -> String {
        self.tag_prefix.clone().unwrap_or_else(|| format!("{}-v", self.short_name()))
    }

    /// The name without an npm scope: `web` for `@acme/web`. Also accepted by
    /// `--package` and in `Release-As: web@1.2.0`.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name).trim_start_matches('@')
    }

    /// `scopes`, else the short name: `feat(web): …` belongs to web.
    pub fn scopes(&self) -> Vec<String> {
        self.scopes.clone().unwrap_or_else(|| vec![self.short_name().to_string()])
    }

    /// `path` as git writes paths: `/`-separated, no `./`, no trailing `/`;
    /// empty for the repository root.
    pub fn git_path(&self) -> String {
        normal_path(&self.path)
    }
}

/// Why `name` cannot name a package, or `None`: letters, digits, `.`, `_`,
/// `-`, and `@org/` for an npm scope; not starting with `-`, `.` or `/`, no
/// `..` or `//` (it becomes a tag prefix, a file name and a CLI argument).
pub fn package_name_problem(name: &str) -> Option<String> {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-@/".contains(c))
        && !name.starts_with(['-', '.', '/'])
        && !name.ends_with('/')
        && !name.contains("..")
        && !name.contains("//");
    (!valid).then(|| {
        "is not a package name; use letters, digits, `.`, `_`, `-` (and `@org/` for an npm scope), not starting \
         with `-`, `.` or `/`"
            .to_string()
    })
}

/// A relative path as git writes it (`packages/api`); empty for the root.
pub fn normal_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// `[check]`: the rules of `relkit check` (see `crate::lint`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CheckConfig {
    /// Allowed types; default: the preset's (commitlint's config-conventional
    /// list, or Angular's for `semantic-release`) plus `[[version.rules]]` types.
    pub types: Option<Vec<String>>,
    /// Allowed scopes; default: any.
    pub scopes: Option<Vec<String>>,
    /// Every header must have a scope.
    pub require_scope: bool,
    /// The longest header, in characters (commitlint's `header-max-length`).
    pub max_header_length: usize,
    /// `fixup!`, `squash!` and `amend!` commits pass (they are squashed before merging).
    pub allow_fixup: bool,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self { types: None, scopes: None, require_scope: false, max_header_length: 100, allow_fixup: true }
    }
}

/// One `[[version-files]]` entry. The version-files plugin knows the format
/// from the file name (README: "Version files"); `Cargo.lock`,
/// `package-lock.json` and `npm-shrinkwrap.json` beside a configured manifest
/// are updated with it without an entry of their own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionFile {
    /// Relative to the repository root; must stay inside it.
    pub path: PathBuf,
    /// Dotted keys (`["version", "appVersion"]`) for TOML, JSON and YAML
    /// files; empty: the keys the format's own rules name.
    #[serde(default)]
    pub fields: Vec<String>,
    /// `false`: a pre-release leaves this file at the last stable version,
    /// for ecosystems whose manifests cannot hold `1.3.0-rc.1`.
    #[serde(default = "default_true")]
    pub prerelease: bool,
}

fn default_true() -> bool {
    true
}

/// `[rollback] kind`: what the project is, for the runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RollbackKind {
    /// Decided from the repository's files (deploy manifests → service).
    Auto,
    Service,
    Library,
}

/// `[metrics]`: settings of the release-metrics plugin.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetricsConfig {
    /// How soon after a release a patch release of fixes counts as its
    /// hotfix: hours as an integer, or `"48h"`, `"2d"`, `"90m"`. Default 48 hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_window: Option<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ReleaseConfig {
    /// Release tags are `<tag-prefix><version>`; other tags are ignored.
    /// Unset: both `v1.2.3` and `1.2.3` are release tags, and a new tag
    /// follows the style of the newest one (`v` when there is none).
    pub tag_prefix: Option<String>,
    /// `relkit release` writes the CHANGELOG.
    pub changelog: bool,
    /// ... and commits it in the release commit, which the tag points at.
    /// Default (`None`): commit when pushing (`--push`), so a CI runner's
    /// CHANGELOG is kept; without `--push` it is written to the work tree
    /// only. `commit-changelog` is its old name, still accepted.
    #[serde(alias = "commit-changelog")]
    pub commit: Option<bool>,
    /// The message of that commit; `{version}` and `{tag}` are replaced.
    pub commit_message: String,
    /// Sign release tags (git's own signing configuration: GPG or SSH).
    pub sign: bool,
    /// The remote `--push` pushes to.
    pub remote: String,
    /// `Name <email>` for the release commit and tag when git has no identity
    /// (default: the forge's bot in CI, see `release::identity`).
    pub identity: Option<String>,
    /// `[[release.freeze]]`: windows in which `release` and `tag` refuse
    /// (see [`crate::freeze`]).
    pub freeze: Vec<crate::freeze::Freeze>,
    /// Release only what a merged release pull request (`relkit prepare`)
    /// prepared; other commits wait for the next one.
    pub pull_request: bool,
}

impl Default for ReleaseConfig {
    fn default() -> Self {
        Self {
            tag_prefix: None,
            changelog: true,
            commit: None,
            commit_message: "chore(release): {version}".to_string(),
            sign: false,
            remote: "origin".to_string(),
            identity: None,
            freeze: Vec::new(),
            pull_request: false,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionConfig {
    /// `conventional` (default) or `semantic-release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// The first version when there is no release tag yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial: Option<String>,
    /// `minor` (default), `cargo` or `semver`.
    #[serde(rename = "pre-1.0", skip_serializing_if = "Option::is_none")]
    pub pre_1_0: Option<Pre1>,
    /// TOML reads an unquoted `pre-1.0 = "cargo"` as the dotted key
    /// `pre-1` → `0`; both spellings are accepted (see [`parse`]).
    #[serde(rename = "pre-1", default, skip_serializing)]
    pub pre_1_dotted: Option<Pre1Dotted>,
    /// A pre-release label for every release (`rc`, `beta`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prerelease: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<VersionRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    Conventional,
    SemanticRelease,
}

impl Preset {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "conventional" => Some(Preset::Conventional),
            "semantic-release" => Some(Preset::SemanticRelease),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Preset::Conventional => "conventional",
            Preset::SemanticRelease => "semantic-release",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pre1Dotted {
    #[serde(rename = "0")]
    pub value: Pre1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pre1 {
    Minor,
    Cargo,
    Semver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BumpName {
    None,
    Patch,
    Minor,
    Major,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub bump: BumpName,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NotesConfig {
    /// A handlebars file replacing the built-in notes template.
    #[serde(skip_serializing)]
    pub template: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<Section>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<ScopeStyle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_non_conventional: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_squash: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributors: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeStyle {
    Prefix,
    Group,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ChangelogConfig {
    #[serde(skip_serializing)]
    pub path: PathBuf,
    #[serde(skip_serializing)]
    pub template: Option<PathBuf>,
    /// The text above the first release of a new file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// `--full` also writes a section per pre-release tag.
    pub include_prereleases: bool,
}

impl Default for ChangelogConfig {
    fn default() -> Self {
        Self { path: PathBuf::from("CHANGELOG.md"), template: None, header: None, include_prereleases: false }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RollbackConfig {
    #[serde(skip_serializing)]
    pub template: Option<PathBuf>,
    /// `auto` (default), `service` or `library`: a library's runbook yanks
    /// or deprecates the version instead of deploying anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<RollbackKind>,
    /// The Argo CD Application's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argocd_app: Option<String>,
    /// The Flux object: `helmrelease/NAME` or `kustomization/NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flux_resource: Option<String>,
    /// The Flux object's namespace (default: `flux-system` for a
    /// Kustomization, `namespace` for a HelmRelease).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flux_namespace: Option<String>,
    /// The Argo Rollout or Flagger Canary name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm_release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_urls: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboards: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_paths: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PluginsConfig {
    /// CPU budget of one plugin call, in wasmtime fuel units.
    pub fuel: u64,
    /// Memory limit of one plugin call.
    pub memory_mib: u64,
    /// Plugins loaded from files, each replacing the built-in plugins for the
    /// capabilities it exports.
    pub load: Vec<PluginLoad>,
}

/// Enough for a full CHANGELOG of 100,000 commits; an endless loop still
/// stops within seconds.
pub const DEFAULT_FUEL: u64 = 20_000_000_000;
/// The largest budget accepted: 50 times the default, about a minute of
/// plugin work on the benchmark machine.
pub const MAX_FUEL: u64 = 1_000_000_000_000;
pub const DEFAULT_MEMORY_MIB: u64 = 512;

impl Default for PluginsConfig {
    fn default() -> Self {
        Self { fuel: DEFAULT_FUEL, memory_mib: DEFAULT_MEMORY_MIB, load: Vec::new() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PluginLoad {
    /// A `.wasm` component, relative to the configuration file.
    pub path: PathBuf,
    /// Its sha256 (hex): the file must match it to be loaded.
    pub sha256: String,
    /// Settings passed to the plugin in addition to its capability's table.
    #[serde(default)]
    pub settings: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RepositoryConfig {
    /// `github`, `gitlab` or `none`, when the remote's host does not tell.
    pub forge: Option<Forge>,
    /// The project's web address, e.g. `https://git.example.com/group/project`.
    pub web_url: Option<String>,
    /// The remote whose URL identifies the project (default `origin`, else the first).
    pub remote: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CiConfig {
    /// GitLab: the dotenv report.
    pub env_file: PathBuf,
    /// GitLab: the release notes for the `release:` keyword.
    pub notes_file: PathBuf,
    /// GitLab: the rollback instructions.
    pub rollback_file: PathBuf,
}

impl Default for CiConfig {
    fn default() -> Self {
        Self {
            env_file: PathBuf::from("relkit.env"),
            notes_file: PathBuf::from("relkit-notes.md"),
            rollback_file: PathBuf::from("relkit-rollback.md"),
        }
    }
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// The file, when one was read.
    pub path: Option<PathBuf>,
    /// Relative paths in the file are relative to this directory.
    pub base_dir: PathBuf,
    /// The file's text, to name the line of a key in later errors.
    pub text: String,
    /// The file's `[version]`, `[notes]` and `[rollback]` tables as written,
    /// parsed once: each package's own keys are laid over them.
    pub tables: toml::Table,
}

impl Loaded {
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() { path.to_path_buf() } else { self.base_dir.join(path) }
    }
}

/// Loads `explicit` (which must exist), else `<repo_root>/relkit.toml` when it
/// exists, else the defaults.
pub fn load(explicit: Option<&Path>, repo_root: &Path) -> Result<Loaded, ConfigError> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (repo_root.join(FILE_NAME), false),
    };
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| ConfigError::Invalid { path: path.clone(), message: "is not UTF-8 text".to_string() })?,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded {
                config: Config::default(),
                path: None,
                base_dir: repo_root.to_path_buf(),
                text: String::new(),
                tables: toml::Table::new(),
            });
        }
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::NotFound { " (check the --config path)" } else { "" };
            return Err(ConfigError::Unreadable { path, message: format!("{e}{hint}") });
        }
    };
    let config = parse(&text).map_err(|message| ConfigError::Invalid { path: path.clone(), message })?;
    let base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut tables: toml::Table =
        if config.packages.is_empty() { toml::Table::new() } else { toml::from_str(&text).unwrap_or_default() };
    tables.retain(|key, _| key == "version" || key == "notes" || key == "rollback");
    let loaded = Loaded { config, path: Some(path.clone()), base_dir, text, tables };
    loaded.check_paths(repo_root).map_err(|(table, key, message)| ConfigError::Invalid {
        path: path.clone(),
        message: located(&loaded.text, table, key, &message),
    })?;
    loaded.check_version_files(repo_root).map_err(|message| ConfigError::Invalid { path: path.clone(), message })?;
    loaded.check_packages(repo_root).map_err(|message| ConfigError::Invalid { path: path.clone(), message })?;
    Ok(loaded)
}

impl Loaded {
    /// Refuses paths that lead out of the repository (`..`, absolute paths,
    /// symlinks): the CHANGELOG and the templates. relkit writes the first and
    /// hands the others to plugins; neither may reach outside the repository.
    fn check_paths(&self, repo_root: &Path) -> Result<(), (&'static str, &'static str, String)> {
        let c = &self.config;
        let paths = [
            ("changelog", "path", Some(&c.changelog.path), repo_root),
            ("changelog", "template", c.changelog.template.as_ref(), self.base_dir.as_path()),
            ("notes", "template", c.notes.template.as_ref(), self.base_dir.as_path()),
            ("rollback", "template", c.rollback.template.as_ref(), self.base_dir.as_path()),
        ];
        for (table, key, path, base) in paths {
            if let Some(path) = path {
                crate::fsutil::resolve_inside(repo_root, base, path).map_err(|m| (table, key, m))?;
            }
        }
        Ok(())
    }
}

impl Loaded {
    /// `relkit.toml` as the user named it, for messages.
    pub fn file_name(&self) -> String {
        self.path.as_ref().map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string())
    }

    /// `line N: [[version-files]] #i key `key``: where entry `index`'s key is.
    pub fn version_file_key(&self, index: usize, key: &str) -> String {
        located_entry(&self.text, "version-files", index, key)
    }

    /// Where the `index`-th (from 0, across all packages) `[[packages.version-files]]`
    /// entry's key is.
    pub fn package_version_file_key(&self, index: usize, key: &str) -> String {
        located_entry(&self.text, "packages.version-files", index, key)
    }

    /// Each `[[version-files]]` path stays inside the repository, appears
    /// once, and its `fields` are dotted keys without empty parts.
    fn check_version_files(&self, repo_root: &Path) -> Result<(), String> {
        let mut seen: Vec<PathBuf> = Vec::new();
        for (n, entry) in self.config.version_files.iter().enumerate() {
            let at = |key: &str| self.version_file_key(n, key);
            let resolved = crate::fsutil::resolve_inside(repo_root, repo_root, &entry.path)
                .map_err(|m| format!("{}: {m}", at("path")))?;
            if seen.contains(&resolved) {
                return Err(format!(
                    "{}: {} is listed twice; remove one of the entries",
                    at("path"),
                    entry.path.display()
                ));
            }
            seen.push(resolved);
            for field in &entry.fields {
                if field.is_empty() || field.split('.').any(str::is_empty) {
                    return Err(format!(
                        "{}: {field:?} is not a dotted key; write keys like \"version\" or \"package.version\"",
                        at("fields")
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Loaded {
    /// `line N: key `key` in [[packages]] #i`: where package `index`'s key is.
    pub fn package_key(&self, index: usize, key: &str) -> String {
        located_entry(&self.text, "packages", index, key)
    }

    /// The `[[packages]]` entries: names unique and usable, each path an
    /// existing directory inside the repository that no other package's path
    /// contains or is contained in, tag prefixes distinct and valid git ref
    /// names, CHANGELOG and version-file paths inside the repository; the
    /// per-package `[version]` and `[notes]` keys valid. Top-level
    /// `[[version-files]]` and `[release] tag-prefix` have no meaning beside
    /// packages and are refused with the fix.
    fn check_packages(&self, repo_root: &Path) -> Result<(), String> {
        let packages = &self.config.packages;
        if packages.is_empty() {
            return Ok(());
        }
        if !self.config.version_files.is_empty() {
            return Err(format!(
                "{}: [[version-files]] at the top level is not used with [[packages]]; move each entry under the \
                 package whose version it holds, as [[packages.version-files]]",
                located_entry(&self.text, "version-files", 0, "path")
            ));
        }
        if self.config.release.tag_prefix.is_some() {
            return Err(located(
                &self.text,
                "release",
                "tag-prefix",
                "is not used with [[packages]]: each package's tags are `<name>-v<version>`, or its own \
                 `tag-prefix` in [[packages]]; remove it",
            ));
        }
        let root = std::fs::canonicalize(repo_root).unwrap_or_else(|_| repo_root.to_path_buf());
        // Per package: name, git path, tag prefix, CHANGELOG, notes file.
        let mut seen: Vec<(String, String, String, PathBuf, PathBuf)> = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        for (n, package) in packages.iter().enumerate() {
            let at = |key: &str| self.package_key(n, key);
            let name = &package.name;
            if let Some(why) = package_name_problem(name) {
                return Err(format!("{}: {name:?} {why}", at("name")));
            }
            let resolved = crate::fsutil::resolve_inside(repo_root, repo_root, &package.path)
                .map_err(|m| format!("{}: {m}", at("path")))?;
            if !resolved.is_dir() {
                return Err(format!(
                    "{}: {} does not exist in the repository (or is not a directory); give the package's \
                     directory, relative to the repository root",
                    at("path"),
                    package.path.display()
                ));
            }
            let path = package.git_path();
            // Commits name files by their path from the root: an absolute
            // path, `..` or a symlink would match none of them.
            let plain = !package.path.is_absolute()
                && !package.path.components().any(|c| matches!(c, std::path::Component::ParentDir))
                && std::fs::canonicalize(&resolved).ok() == std::fs::canonicalize(root.join(&path)).ok()
                && root.join(&path) == std::fs::canonicalize(root.join(&path)).unwrap_or_default();
            if !plain {
                return Err(format!(
                    "{}: {:?} is not the directory's own path from the repository root; write it as git names it, \
                     e.g. \"packages/api\" (no absolute path, no `..`, no symlink)",
                    at("path"),
                    package.path.display().to_string()
                ));
            }
            let prefix = package.tag_prefix();
            if let Some(why) = crate::refname::tag_prefix_problem(&prefix) {
                return Err(format!("{}: {prefix:?} {why}", at("tag-prefix")));
            }
            let changelog_rel = package.changelog.clone().unwrap_or_else(|| package.path.join("CHANGELOG.md"));
            let changelog = crate::fsutil::resolve_inside(repo_root, repo_root, &changelog_rel)
                .map_err(|m| format!("{}: {m}", at("changelog")))?;
            if changelog.is_dir() {
                return Err(format!(
                    "{}: {} is a directory; give the CHANGELOG file's path",
                    at("changelog"),
                    changelog_rel.display()
                ));
            }
            if self.path.as_ref().and_then(|p| std::fs::canonicalize(p).ok()).as_ref() == Some(&changelog) {
                return Err(format!("{}: the CHANGELOG cannot be relkit.toml itself", at("changelog")));
            }
            let notes_file = crate::ci::package_notes_file(Path::new("relkit-notes.md"), name);
            for (other, other_path, other_prefix, other_changelog, other_notes) in &seen {
                if other == name {
                    return Err(format!("{}: two packages are named {name:?}; rename one", at("name")));
                }
                if other.eq_ignore_ascii_case(name) {
                    return Err(format!(
                        "{}: two packages are named {name:?} and {other:?} (names differing only in case collide on \
                         macOS and Windows runners); rename one",
                        at("name")
                    ));
                }
                let inside = |a: &str, b: &str| a.is_empty() || a == b || b.starts_with(&format!("{a}/"));
                if inside(&path, other_path) || inside(other_path, &path) {
                    return Err(format!(
                        "{}: the path {:?} of {name} overlaps {other}'s {:?}; packages' paths must not contain one \
                         another (a commit would belong to both by its files)",
                        at("path"),
                        if path.is_empty() { "." } else { &path },
                        if other_path.is_empty() { "." } else { other_path }
                    ));
                }
                // `x` and `x1`: x1's tag x10.1.0 would read as x's 10.1.0.
                let shadows = |short: &str, long: &str| {
                    long.len() > short.len()
                        && long[..short.len()].eq_ignore_ascii_case(short)
                        && long[short.len()..].chars().all(|c| c.is_ascii_digit())
                };
                if *other_prefix == prefix {
                    return Err(format!(
                        "{}: {name} and {other} have one tag prefix {prefix:?}; give one of them its own `tag-prefix`",
                        at("tag-prefix")
                    ));
                }
                if other_prefix.eq_ignore_ascii_case(&prefix)
                    || shadows(other_prefix, &prefix)
                    || shadows(&prefix, other_prefix)
                {
                    return Err(format!(
                        "{}: the tag prefixes {prefix:?} ({name}) and {other_prefix:?} ({other}) would read each \
                         other's tags; give one of them its own `tag-prefix`, ending in a letter or `-v`",
                        at("tag-prefix")
                    ));
                }
                if *other_changelog == changelog {
                    return Err(format!(
                        "{}: {name} and {other} would write one CHANGELOG ({}); give each package its own \
                         `changelog`",
                        at("changelog"),
                        changelog_rel.display()
                    ));
                }
                if other_notes.to_string_lossy().eq_ignore_ascii_case(&notes_file.to_string_lossy()) {
                    return Err(format!(
                        "{}: {name} and {other} would share the notes file {} in CI; rename one",
                        at("name"),
                        notes_file.display()
                    ));
                }
            }
            seen.push((name.clone(), path, prefix, changelog, notes_file));
            for entry in &package.version_files {
                let at = self.package_version_file_key(files.len(), "path");
                let resolved = crate::fsutil::resolve_inside(repo_root, repo_root, &entry.path)
                    .map_err(|m| format!("{at}: {m}"))?;
                if files.contains(&resolved) {
                    return Err(format!(
                        "{at}: {} is listed twice; a file holds one package's version, remove one entry",
                        entry.path.display()
                    ));
                }
                files.push(resolved);
                for field in &entry.fields {
                    if field.is_empty() || field.split('.').any(str::is_empty) {
                        return Err(format!(
                            "{}: {field:?} is not a dotted key; write keys like \"version\" or \"package.version\"",
                            self.package_version_file_key(files.len() - 1, "fields")
                        ));
                    }
                }
            }
            let config = self.package_config(n)?;
            for (key, template) in [("notes", &config.notes.template), ("rollback", &config.rollback.template)] {
                if let Some(t) = template {
                    crate::fsutil::resolve_inside(repo_root, &self.base_dir, t)
                        .map_err(|m| format!("{}: [packages.{key}] template: {m}", self.package_table_line(n, key)))?;
                }
            }
        }
        // A CHANGELOG that is a version file would get two writers.
        for (name, _, _, changelog, _) in &seen {
            if files.contains(changelog) {
                return Err(format!(
                    "{}: {name}'s CHANGELOG is also a version file; give it another `changelog`",
                    self.package_key(seen.iter().position(|s| &s.0 == name).unwrap_or(0), "changelog")
                ));
            }
        }
        Ok(())
    }

    /// `line N: [packages.<table>] of [[packages]] #i`: the line of package
    /// `index`'s sub-table header, else the package's own header.
    fn package_table_line(&self, index: usize, table: &str) -> String {
        let header = format!("[packages.{table}]");
        let mut entry: Option<usize> = None;
        for (n, line) in self.text.lines().enumerate() {
            let l = line.trim().replace(' ', "");
            if l == "[[packages]]" {
                entry = Some(entry.map_or(0, |e| e + 1));
            } else if entry == Some(index) && l == header {
                return format!("line {}: {header} of [[packages]] #{}", n + 1, index + 1);
            }
        }
        self.package_key(index, "name")
    }

    /// The configuration package `index` runs with: the top level with the
    /// package's `preset`, `[version]` and `[notes]` keys laid over it key by
    /// key, its tag prefix, CHANGELOG (default `<path>/CHANGELOG.md`) and
    /// version files. Errors name the key that does not fit.
    pub fn package_config(&self, index: usize) -> Result<Config, String> {
        let package = &self.config.packages[index];
        let mut config = self.config.clone();
        config.packages = Vec::new();
        let merged = |key: &str, own: Option<&toml::Table>| -> toml::Table {
            let mut table = self.tables.get(key).and_then(toml::Value::as_table).cloned().unwrap_or_default();
            for (k, v) in own.into_iter().flatten() {
                table.insert(k.clone(), v.clone());
            }
            table
        };
        let mut version_table = merged("version", package.version.as_ref());
        if let Some(preset) = package.preset {
            version_table.insert("preset".to_string(), toml::Value::String(preset.name().to_string()));
        }
        let mut version: VersionConfig =
            toml::Value::Table(version_table).try_into().map_err(|e: toml::de::Error| {
                format!("{}: {}", self.package_table_line(index, "version"), e.message().trim())
            })?;
        if let Some(dotted) = version.pre_1_dotted.take() {
            version.pre_1_0.get_or_insert(dotted.value);
        }
        if let Some(label) = &version.prerelease
            && let Some(why) = label_problem(label)
        {
            return Err(format!("{}: prerelease: {why}", self.package_table_line(index, "version")));
        }
        config.version = version;
        config.notes =
            toml::Value::Table(merged("notes", package.notes.as_ref())).try_into().map_err(|e: toml::de::Error| {
                format!("{}: {}", self.package_table_line(index, "notes"), e.message().trim())
            })?;
        config.rollback = toml::Value::Table(merged("rollback", package.rollback.as_ref())).try_into().map_err(
            |e: toml::de::Error| format!("{}: {}", self.package_table_line(index, "rollback"), e.message().trim()),
        )?;
        config.release.tag_prefix = Some(package.tag_prefix());
        config.changelog.path = package.changelog.clone().unwrap_or_else(|| package.path.join("CHANGELOG.md"));
        config.version_files = package.version_files.clone();
        Ok(config)
    }
}

/// `line N: key `key` in [[table]] #i` for the `index`-th (from 0) entry of
/// an array of tables; the entry's header line when the key is not written.
fn located_entry(text: &str, table: &str, index: usize, key: &str) -> String {
    let header = format!("[[{table}]]");
    let mut entry: Option<usize> = None;
    let mut header_line = None;
    let mut in_entry = false;
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            in_entry = l.replace(' ', "") == header && {
                entry = Some(entry.map_or(0, |e| e + 1));
                entry == Some(index)
            };
            if in_entry {
                header_line = Some(n + 1);
            }
            continue;
        }
        if in_entry
            && let Some((k, _)) = l.split_once('=')
            && k.trim().trim_matches('"') == key
        {
            return format!("line {}: key `{key}` in [[{table}]] #{}", n + 1, index + 1);
        }
    }
    match header_line {
        Some(line) => format!("line {line}: [[{table}]] #{}", index + 1),
        None => format!("key `{key}` in [[{table}]] #{}", index + 1),
    }
}

/// Why `text` is not a pre-release label, or `None`: one identifier of
/// letters, digits and hyphens, not a number (relkit numbers the releases of
/// the channel itself: `rc` gives `rc.1`, `rc.2`; SemVer 9's identifiers).
pub fn label_problem(text: &str) -> Option<String> {
    let valid = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !text.chars().all(|c| c.is_ascii_digit());
    (!valid).then(|| {
        format!(
            "`{text}` is not a pre-release label (letters, digits and hyphens, e.g. `rc`; relkit adds the number: \
             rc.1, rc.2)"
        )
    })
}

/// Parses configuration text; the error is `line N: ...` with the key and table.
pub fn parse(text: &str) -> Result<Config, String> {
    let mut config: Config = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if let Some(dotted) = config.version.pre_1_dotted.take() {
        config.version.pre_1_0.get_or_insert(dotted.value);
    }
    validate(&config).map_err(|(key, message)| match key {
        Some((table, key)) => located(text, table, key, &message),
        None => message,
    })?;
    for (n, window) in config.release.freeze.iter().enumerate() {
        if let Some((key, message)) = crate::freeze::problem(window) {
            return Err(format!("{}: {message}", located_entry(text, "release.freeze", n, key)));
        }
    }
    if let Some(n) = crate::freeze::never_ends(&config.release.freeze) {
        return Err(format!(
            "{}: the weekly windows together cover every weekday, so releases would never be allowed again; drop \
             a day, or use from/to dates for a long freeze",
            located_entry(text, "release.freeze", n, "days")
        ));
    }
    Ok(config)
}

/// `line N: key `k` in [table]: message`, the line found by scanning for the
/// key under its table header (serde has no span once a value deserialized).
fn located(text: &str, table: &str, key: &str, message: &str) -> String {
    let mut current = String::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            current = l.trim_matches(['[', ']']).trim().to_string();
            continue;
        }
        let Some((k, _)) = l.split_once('=') else { continue };
        if current == table && k.trim().trim_matches('"') == key {
            return format!("line {}: key `{key}` in [{table}]: {message}", n + 1);
        }
    }
    format!("key `{key}` in [{table}]: {message}")
}

/// A configuration's problem: the (table, key) it is about, and the message.
type Problem = (Option<(&'static str, &'static str)>, String);

fn validate(config: &Config) -> Result<(), Problem> {
    let release = &config.release;
    if let Some(prefix) = &release.tag_prefix
        && let Some(why) = crate::refname::tag_prefix_problem(prefix)
    {
        return Err((
            Some(("release", "tag-prefix")),
            format!("{prefix:?} {why}; release tags are `<tag-prefix><version>`, e.g. \"v\" for v1.2.3"),
        ));
    }
    if let Some(why) = crate::refname::remote_problem(&release.remote) {
        return Err((
            Some(("release", "remote")),
            format!("{:?} {why}; set it to the name of a remote of the repository, such as \"origin\"", release.remote),
        ));
    }
    if let Some(remote) = &config.repository.remote
        && let Some(why) = crate::refname::remote_problem(remote)
    {
        return Err((
            Some(("repository", "remote")),
            format!("{remote:?} {why}; set it to the name of a remote of the repository, such as \"origin\""),
        ));
    }
    if let Some(initial) = &config.version.initial
        && semver::Version::parse(initial.trim_start_matches('v')).is_err()
    {
        return Err((
            Some(("version", "initial")),
            format!("{initial:?} is not a semantic version; write the first version like \"0.1.0\""),
        ));
    }
    if let Some(label) = &config.version.prerelease
        && let Some(why) = label_problem(label)
    {
        return Err((Some(("version", "prerelease")), why));
    }
    if let Some(identity) = &release.identity
        && crate::git::Identity::parse(identity).is_none()
    {
        return Err((
            Some(("release", "identity")),
            format!("{identity:?} is not `Name <email>`; write it like \"Release Bot <bot@example.com>\""),
        ));
    }
    validate_plugins(config).map_err(|m| (None, m))
}

fn validate_plugins(config: &Config) -> Result<(), String> {
    if config.plugins.fuel == 0 || config.plugins.fuel > MAX_FUEL {
        return Err(format!(
            "[plugins] fuel must be between 1 and {MAX_FUEL} (the default is {DEFAULT_FUEL}): a larger budget \
             means no limit, and an endless plugin would hang the release"
        ));
    }
    if config.plugins.memory_mib == 0 || config.plugins.memory_mib > 4096 {
        return Err("[plugins] memory-mib must be between 1 and 4096".to_string());
    }
    for load in &config.plugins.load {
        let ok = load.sha256.len() == 64 && load.sha256.chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(format!(
                "[[plugins.load]] {}: sha256 must be 64 hexadecimal digits (run `relkit plugins check {}` to print it)",
                load.path.display(),
                load.path.display()
            ));
        }
    }
    Ok(())
}

/// Turns toml/serde's message into `line N: unknown key `x` in [table]; ...`.
fn describe(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim().to_string();
    let Some(span) = err.span() else { return message };
    let line_no = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let table = table_at(text, span.start);
    let where_ = table.map(|t| format!(" in [{t}]")).unwrap_or_else(|| " at the top level".to_string());
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (key, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = if expected.is_empty() { String::new() } else { format!("; expected {expected}") };
        return format!("line {line_no}: unknown key {key}{where_}{expected}");
    }
    let key = key_at(text, span.start);
    match key {
        Some(key) => format!("line {line_no}: key `{key}`{where_}: {message}"),
        None => format!("line {line_no}: {message}"),
    }
}

/// The `[table]` (or `[[table]]`) header above byte `at`.
fn table_at(text: &str, at: usize) -> Option<String> {
    text[..at.min(text.len())].lines().rev().find_map(|line| {
        let l = line.trim();
        let inner = l
            .strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .map(|(t, _)| t)
            .or_else(|| l.strip_prefix('[').and_then(|r| r.split_once(']')).map(|(t, _)| t))?;
        Some(inner.trim().to_string())
    })
}

/// The `key` of the `key = value` line holding byte `at`.
fn key_at(text: &str, at: usize) -> Option<String> {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// A serializable table as plugin settings: each key with its value as JSON.
pub fn settings_of<T: Serialize>(table: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(table) {
        for (k, v) in map {
            if !v.is_null() {
                out.push((k, v.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.release.tag_prefix, None);
        assert_eq!(c.plugins.fuel, DEFAULT_FUEL);
        assert_eq!(c.changelog.path, PathBuf::from("CHANGELOG.md"));
    }

    #[test]
    fn unknown_key_names_line_table_and_key() {
        let err = parse("[notes]\nsplit-squash = true\nsectoins = []\n").unwrap_err();
        assert!(err.starts_with("line 3: unknown key `sectoins` in [notes]; expected one of"), "{err}");
        let err = parse("colour = 1\n").unwrap_err();
        assert!(err.starts_with("line 1: unknown key `colour` at the top level"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = parse("[plugins]\nfuel = \"lots\"\n").unwrap_err();
        assert!(err.starts_with("line 2: key `fuel` in [plugins]: invalid type: string \"lots\""), "{err}");
        let err = parse("[version]\npreset = \"angular\"\n").unwrap_err();
        assert!(err.starts_with("line 2: key `preset` in [version]: unknown variant `angular`"), "{err}");
    }

    #[test]
    fn nested_tables_and_arrays() {
        let c = parse(
            "[[version.rules]]\ntype = \"chore\"\nscope = \"deps\"\nbump = \"patch\"\n\n[[plugins.load]]\npath = \"x.wasm\"\nsha256 = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"\n",
        )
        .unwrap();
        assert_eq!(c.version.rules[0].kind, "chore");
        assert_eq!(c.plugins.load[0].path, PathBuf::from("x.wasm"));
        let err = parse("[[version.rules]]\ntype = \"chore\"\nbump = \"huge\"\n").unwrap_err();
        assert!(err.contains("line 3") && err.contains("[version.rules]"), "{err}");
    }

    #[test]
    fn pre_one_point_oh_key_in_both_spellings() {
        assert_eq!(parse("[version]\npre-1.0 = \"cargo\"\n").unwrap().version.pre_1_0, Some(Pre1::Cargo));
        assert_eq!(parse("[version]\n\"pre-1.0\" = \"semver\"\n").unwrap().version.pre_1_0, Some(Pre1::Semver));
        let settings = settings_of(&parse("[version]\npre-1.0 = \"cargo\"\n").unwrap().version);
        assert_eq!(settings, vec![("pre-1.0".to_string(), "\"cargo\"".to_string())]);
    }

    #[test]
    fn settings_are_json_values() {
        let notes =
            NotesConfig { split_squash: Some(true), breaking_title: Some("Breaks".into()), ..Default::default() };
        let s = settings_of(&notes);
        assert_eq!(
            s,
            vec![
                ("breaking-title".to_string(), "\"Breaks\"".to_string()),
                ("split-squash".to_string(), "true".to_string())
            ]
        );
    }
}

//! What every command shares: the repository, the configuration, the plugin
//! runtime (created on first use) and the facts every plugin call needs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use semver::Version;

use crate::config::{self, Loaded, Preset};
use crate::contract::{self, Release, Repository, Template, VersionDecision, VersionInput};
use crate::error::{Error, Result};
use crate::forge::{self, CiServer, RepositoryInfo};
use crate::git::{self, GitCommit, Repo, VersionTag};
use crate::runtime::{Capability, Limits, Plugin, PluginError, Runtime, Source};

/// Command-line choices that override `[version]`.
#[derive(Debug, Clone, Default)]
pub struct VersionOverrides {
    pub preset: Option<Preset>,
    pub prerelease: Option<String>,
    pub release_as: Option<String>,
}

/// The environment relkit reads, captured once (tests pass their own).
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    pub fn from_process() -> Self {
        Self { vars: std::env::vars().collect() }
    }

    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        Self { vars: pairs.into_iter().collect() }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.vars.get(key).cloned().filter(|v| !v.is_empty())
    }

    pub fn is_true(&self, key: &str) -> bool {
        self.get(key).as_deref() == Some("true")
    }
}

pub struct App {
    pub repo: Repo,
    /// The configuration this scope runs with: the file's, or for a package
    /// the file's with the package's keys laid over it
    /// (`config::Loaded::package_config`).
    pub config: Loaded,
    pub env: Env,
    /// "Now" for release dates: `SOURCE_DATE_EPOCH` when set, else the clock.
    pub now: i64,
    /// The package this scope is about: the implicit package of a repository
    /// without `[[packages]]`, or one of them (DESIGN: every command runs in
    /// a package scope; the repository-wide context is shared).
    pub package: Package,
    /// `--package NAME`: the one package the command is about.
    pub selected: Option<String>,
    /// What every scope of one run shares: plugins, forge facts, the tags
    /// and the history read once.
    shared: Arc<Shared>,
    tags: OnceLock<(Vec<VersionTag>, HashSet<String>)>,
    /// Version-like tags under other prefixes (`pkg-v3.4.0`).
    foreign: OnceLock<Vec<VersionTag>>,
    /// `-v`: collect [`App::detail`] lines.
    pub verbose: bool,
}

/// The package a scope is about.
#[derive(Debug, Clone, Default)]
pub struct Package {
    /// `[[packages]] name`; `None` for the implicit package (the repository).
    pub name: Option<String>,
    /// The name without an npm scope (`web` for `@acme/web`).
    pub short_name: String,
    /// `/`-separated, relative to the repository root; empty: every path.
    pub path: String,
    /// Conventional Commit scopes that make a commit the package's.
    pub scopes: Vec<String>,
    /// How many `[[packages.version-files]]` entries the packages before
    /// this one have (to name an entry's line in relkit.toml).
    pub version_files_before: usize,
}

impl Package {
    /// Whether `commit` belongs to the package: it changes a file under the
    /// package's path, its Conventional Commit scope is one of the package's
    /// scopes, or a `Release-As: <name>@<version>` footer names the package.
    /// The implicit package holds every commit.
    pub fn holds(&self, commit: &GitCommit) -> bool {
        let Some(name) = &self.name else { return true };
        commit.paths.iter().any(|(_, p)| self.contains(p))
            || header_scopes(commit.subject()).any(|s| self.scopes.iter().any(|own| own == s))
            || release_as_for(&commit.message).any(|(n, _)| self.is_named(name, n))
    }

    /// Whether the repository path `p` (`/`-separated) is under the package's path.
    pub fn contains(&self, p: &str) -> bool {
        self.path.is_empty()
            || (p.starts_with(self.path.as_str())
                && (p.len() == self.path.len() || p.as_bytes()[self.path.len()] == b'/'))
    }

    /// Whether `n` names this package: its name, or its short name.
    fn is_named(&self, name: &str, n: &str) -> bool {
        n == name || (!self.short_name.is_empty() && n == self.short_name)
    }

    /// The commit as the package's version rules read it: a `Release-As:
    /// <name>@<version>` footer becomes `Release-As: <version>` for this
    /// package and is dropped for the others (release-please's per-package
    /// form); everything else is as written.
    pub fn view(&self, commit: &GitCommit) -> GitCommit {
        let Some(name) = &self.name else { return commit.clone() };
        if release_as_for(&commit.message).next().is_none() {
            return commit.clone();
        }
        let mut message = String::with_capacity(commit.message.len());
        for line in commit.message.split_inclusive('\n') {
            match release_as_for(line).next() {
                Some((n, version)) if self.is_named(name, n) => {
                    let end = if line.ends_with('\n') { "\n" } else { "" };
                    message.push_str(&format!("Release-As: {version}{end}"));
                }
                Some(_) => {}
                None => message.push_str(line),
            }
        }
        GitCommit { message, ..commit.clone() }
    }
}

/// The scopes of a Conventional Commit header: `api` and `web` for
/// `feat(api,web): …`; none for a header without one.
fn header_scopes(subject: &str) -> impl Iterator<Item = &str> {
    let head = subject.split(':').next().unwrap_or("");
    let inner = head.split_once('(').and_then(|(_, rest)| rest.split_once(')')).map_or("", |(scope, _)| scope);
    inner.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// `(package, version)` of each `Release-As: <package>@<version>` line.
fn release_as_for(message: &str) -> impl Iterator<Item = (&str, &str)> {
    message.lines().filter_map(|line| {
        let key = line.get(..11)?;
        if !key.eq_ignore_ascii_case("release-as:") {
            return None;
        }
        let value = line.get(11..)?.trim();
        // `@org/web@1.2.0`: the version follows the last `@`.
        let (name, version) = value.rsplit_once('@')?;
        (!name.is_empty() && Version::parse(version.trim_start_matches('v')).is_ok()).then_some((name, version))
    })
}

/// What the scopes of one run share.
#[derive(Default)]
struct Shared {
    // Filled on first use, from any thread: commands read git on one thread
    // while another loads the plugins they will need (see `preload`).
    repository: OnceLock<RepositoryInfo>,
    runtime: OnceLock<Result<Runtime, String>>,
    /// The `[[plugins.load]]` files by capability.
    loaded: OnceLock<Result<BTreeMap<Capability, Arc<Plugin>>, PluginError>>,
    /// The plugin serving each capability (`Capability::SLOTS` order).
    plugins: [OnceLock<Result<Arc<Plugin>, PluginError>>; 6],
    /// Every package's name and short name (for `Release-As` footers).
    package_names: OnceLock<Vec<String>>,
    /// Every tag: `(name, commit or object it peels to)`, one `show-ref`.
    tag_refs: OnceLock<Vec<(String, String)>>,
    /// What every tag leads to, by name (one `cat-file --batch-check`).
    tag_kinds: OnceLock<HashMap<String, String>>,
    /// The names of the tags reachable from HEAD (one `for-each-ref --merged`).
    merged_at_head: OnceLock<HashSet<String>>,
    /// Every path of HEAD's tree (one `ls-tree -r`), for the version files.
    head_tree: OnceLock<Vec<String>>,
    /// The tracked manifests that depend on each package name (built once:
    /// see `version_files::dependents`).
    dependents: OnceLock<HashMap<String, Vec<String>>>,
    /// The starts of the ranges the scopes of this run read (their last
    /// releases), registered before the history is read once for all.
    bases: std::sync::Mutex<Option<Vec<Option<String>>>>,
    /// The history from HEAD back to every registered start, read once.
    history: std::sync::Mutex<Option<Arc<History>>>,
    /// Warnings found while reading (odd tags, ignored footers), shown once
    /// when the command ends.
    warnings: std::sync::Mutex<Vec<String>>,
    details: std::sync::Mutex<Vec<String>>,
}

/// Commits from HEAD back to a set of starts (`git log HEAD ^base…`), with
/// their parent links as indices, so that each scope's range (HEAD minus
/// what its own start reaches) is found without reading git again.
struct History {
    head: String,
    /// The starts it covers (`None`: the whole history was read).
    bases: Vec<Option<String>>,
    with_paths: bool,
    commits: Vec<GitCommit>,
    index: HashMap<String, usize>,
    parents: Vec<Vec<usize>>,
}

impl History {
    fn new(head: String, bases: Vec<Option<String>>, with_paths: bool, commits: Vec<GitCommit>) -> Self {
        let index: HashMap<String, usize> = commits.iter().enumerate().map(|(n, c)| (c.id.clone(), n)).collect();
        let parents =
            commits.iter().map(|c| c.parents.iter().filter_map(|p| index.get(p).copied()).collect()).collect();
        Self { head, bases, with_paths, commits, index, parents }
    }

    /// Whether `from..HEAD` can be cut from this read.
    fn covers(&self, head: &str, from: Option<&str>, with_paths: bool) -> bool {
        // After a whole-history read, a start outside it (not reachable from
        // HEAD) may still share ancestors with HEAD: read again for that one.
        let whole = self.bases.iter().any(Option::is_none) && from.is_none_or(|f| self.index.contains_key(f));
        self.head == head
            && (self.with_paths || !with_paths)
            && (whole || self.bases.iter().any(|b| b.as_deref() == from))
    }

    /// The commits of `from..HEAD`, in the read's order: those `from` does
    /// not reach. Commits outside the read are reached by every start, so
    /// a walk from `from` inside the read is enough.
    fn range<'h>(&'h self, from: Option<&str>) -> impl Iterator<Item = &'h GitCommit> + 'h {
        let mut reached = vec![false; self.commits.len()];
        if let Some(start) = from.and_then(|f| self.index.get(f)) {
            let mut stack = vec![*start];
            while let Some(n) = stack.pop() {
                if !reached[n] {
                    reached[n] = true;
                    stack.extend(self.parents[n].iter().copied().filter(|p| !reached[*p]));
                }
            }
        }
        self.commits.iter().zip(reached).filter(|(_, r)| !r).map(|(c, _)| c)
    }
}

/// The release a command is about, in the contract's terms plus what the
/// host needs to act on it.
#[derive(Debug, Clone)]
pub struct ReleaseData {
    pub version: String,
    pub tag: String,
    pub commit: String,
    pub date: String,
    /// Where the release starts: the previous release (or a `--from` ref).
    pub previous: Option<contract::Tag>,
    pub commits: Vec<GitCommit>,
}

impl ReleaseData {
    pub fn is_prerelease(&self) -> bool {
        Version::parse(&self.version).is_ok_and(|v| !v.pre.is_empty())
    }

    /// Whether the CHANGELOG gets a section for this release: pre-releases
    /// only with `[changelog] include-prereleases` (otherwise the stable
    /// release's section covers them, as `changelog --full` writes it).
    pub fn in_changelog(&self, config: &config::Config) -> bool {
        !self.is_prerelease() || config.changelog.include_prereleases
    }

    /// The release in the contract's terms, consuming it (no copies of the
    /// commit messages: a full CHANGELOG passes every commit of the history).
    pub fn into_contract(self) -> Release {
        Release {
            version: self.version,
            tag: self.tag,
            commit_id: self.commit,
            date: self.date,
            previous: self.previous,
            commits: self.commits.into_iter().map(contract::Commit::from).collect(),
        }
    }

    pub fn to_contract(&self) -> Release {
        Release {
            version: self.version.clone(),
            tag: self.tag.clone(),
            commit_id: self.commit.clone(),
            date: self.date.clone(),
            previous: self.previous.clone(),
            commits: self.commits.iter().map(contract::Commit::from).collect(),
        }
    }
}

/// The version decision and what it was made from.
pub struct VersionPlan {
    pub head: String,
    pub tags: Vec<VersionTag>,
    pub last_release: Option<VersionTag>,
    pub commits: Vec<GitCommit>,
    /// Whether `commits` carry their changed paths.
    pub with_paths: bool,
    pub preset: Preset,
    pub decision: VersionDecision,
    /// The merged release pull request this plan releases (`relkit
    /// prepare`): `head` is then its commit and `decision` its version.
    pub prepared: Option<Prepared>,
}

/// A release commit `relkit prepare` made, merged since the last release.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The version its subject names.
    pub version: Version,
    /// The commit: the prepared commit itself (a fast-forward, or the second
    /// parent of a merge commit: only what the pull request held) or the
    /// squash commit.
    pub commit: String,
    pub subject: String,
}

impl VersionPlan {
    pub fn next(&self) -> Option<Version> {
        self.decision.next.as_deref().and_then(|v| Version::parse(v).ok())
    }
}

impl App {
    pub fn open(dir: &Path, config_path: Option<&Path>, env: Env) -> Result<Self> {
        let repo = Repo::open(dir)?;
        let config = config::load(config_path, repo.root())?;
        let now = env.get("SOURCE_DATE_EPOCH").and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
        Ok(Self {
            repo,
            config,
            env,
            now,
            package: Package::default(),
            selected: None,
            shared: Arc::new(Shared::default()),
            tags: OnceLock::new(),
            foreign: OnceLock::new(),
            verbose: false,
        })
    }

    /// Whether relkit.toml lists `[[packages]]`.
    pub fn has_packages(&self) -> bool {
        !self.config.config.packages.is_empty()
    }

    /// The package scopes a command runs in: the implicit package (a
    /// repository without `[[packages]]`), the one `--package` names, or
    /// every package in the order relkit.toml lists them. Their last
    /// releases are found first, so that one history read serves them all.
    pub fn scopes(&self) -> Result<Vec<App>> {
        let packages = &self.config.config.packages;
        let chosen: Vec<usize> = match &self.selected {
            None => (0..packages.len()).collect(),
            Some(name) => {
                if packages.is_empty() {
                    return Err(Error::Refused(format!(
                        "--package {name}: {} lists no [[packages]]; add them (see `relkit init --packages`), or \
                         leave --package out",
                        self.config.file_name()
                    )));
                }
                // The full name, else a short name (`web` for `@acme/web`) that one package has.
                let short: Vec<usize> =
                    (0..packages.len()).filter(|&i| packages[i].short_name() == name.as_str()).collect();
                let by_short = if short.len() == 1 { short.first().copied() } else { None };
                let found = packages.iter().position(|p| p.name == *name).or(by_short).ok_or_else(|| {
                    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
                    Error::Refused(format!(
                        "--package {name}: no such package in {}; the packages are {}",
                        self.config.file_name(),
                        names.join(", ")
                    ))
                })?;
                vec![found]
            }
        };
        if packages.is_empty() {
            let scope = self.scope(Package::default(), self.config.clone());
            return Ok(vec![scope]);
        }
        let mut names: Vec<String> =
            packages.iter().flat_map(|p| [p.name.clone(), p.short_name().to_string()]).collect();
        names.dedup();
        let _ = self.shared.package_names.set(names);
        let mut scopes = Vec::with_capacity(chosen.len());
        for n in chosen {
            let p = &packages[n];
            let config = self
                .config
                .package_config(n)
                .map_err(|m| Error::Refused(format!("{}: {m}", self.config.file_name())))?;
            let loaded = Loaded { config, ..self.config.clone() };
            // A short name another package also answers to names neither.
            let short = p.short_name();
            let ambiguous =
                packages.iter().enumerate().any(|(i, o)| i != n && (o.name == short || o.short_name() == short));
            let package = Package {
                name: Some(p.name.clone()),
                short_name: if ambiguous { String::new() } else { short.to_string() },
                path: p.git_path(),
                scopes: p.scopes(),
                version_files_before: packages[..n].iter().map(|p| p.version_files.len()).sum(),
            };
            scopes.push(self.scope(package, loaded));
        }
        let head = self.repo.head()?;
        let mut bases = Vec::with_capacity(scopes.len());
        for scope in &scopes {
            bases.push(scope.last_release(&head)?.map(|t| t.commit));
        }
        self.register_bases(bases);
        Ok(scopes)
    }

    fn scope(&self, package: Package, config: Loaded) -> App {
        App {
            repo: self.repo.clone(),
            config,
            env: self.env.clone(),
            now: self.now,
            package,
            selected: self.selected.clone(),
            shared: Arc::clone(&self.shared),
            tags: OnceLock::new(),
            foreign: OnceLock::new(),
            verbose: self.verbose,
        }
    }

    /// The whole history from HEAD, for `changelog --full`: with the changed
    /// paths in a package scope (its commits are found by them).
    pub fn full_history(&self) -> git::Result<Vec<GitCommit>> {
        let head = self.repo.head()?;
        self.repo.log(&[head], self.package.name.is_some())
    }

    /// Registers the starts the history read will cover (before it is read).
    fn register_bases(&self, bases: Vec<Option<String>>) {
        if let Ok(mut b) = self.shared.bases.lock() {
            b.get_or_insert_with(Vec::new).extend(bases);
        }
    }

    /// Where this scope's `index`-th version-file entry's `key` is in
    /// relkit.toml: `[[version-files]]`, or the package's `[[packages.version-files]]`.
    pub fn version_file_key(&self, index: usize, key: &str) -> String {
        match &self.package.name {
            None => self.config.version_file_key(index, key),
            Some(_) => self.config.package_version_file_key(self.package.version_files_before + index, key),
        }
    }

    /// `[[packages]] name`, or the empty string for the implicit package.
    pub fn package_name(&self) -> &str {
        self.package.name.as_deref().unwrap_or("")
    }

    /// The highest stable release tag of this scope reachable from `head`.
    pub fn last_release(&self, head: &str) -> Result<Option<VersionTag>> {
        let tags = self.version_tags()?;
        let stable = tags.iter().filter(|t| t.version.pre.is_empty());
        if self.package.name.is_some() && head == self.repo.head()? {
            // One `for-each-ref --merged` answers for every package.
            let merged = self.merged_at_head()?;
            return Ok(stable
                .filter(|t| merged.contains(&t.name))
                .max_by(|a, b| a.version.cmp(&b.version).then_with(|| b.name.cmp(&a.name)))
                .cloned());
        }
        Ok(self.repo.highest_reachable(stable, head)?.cloned())
    }

    /// What each tag leads to (`commit`, or what else: a tree, a blob, an
    /// object this clone lacks), for every tag at once.
    fn tag_kinds(&self) -> Result<&HashMap<String, String>> {
        if let Some(k) = self.shared.tag_kinds.get() {
            return Ok(k);
        }
        let refs = self.shared.tag_refs.get().cloned().unwrap_or_default();
        let all: Vec<VersionTag> = refs
            .into_iter()
            .map(|(name, commit)| VersionTag { name, version: Version::new(0, 0, 0), commit, time: 0 })
            .collect();
        let (commits, others) = self.repo.commit_tags(all)?;
        let mut kinds: HashMap<String, String> = others.into_iter().collect();
        kinds.extend(commits.into_iter().map(|t| (t.name, "commit".to_string())));
        Ok(self.shared.tag_kinds.get_or_init(|| kinds))
    }

    /// Every path of HEAD's tree, `/`-separated, read once per run.
    pub fn head_tree_paths(&self) -> Result<&[String]> {
        if let Some(paths) = self.shared.head_tree.get() {
            return Ok(paths);
        }
        let paths = self.repo.tree_paths(&self.repo.head()?)?;
        Ok(self.shared.head_tree.get_or_init(|| paths))
    }

    /// The index `build` makes of which tracked manifests depend on which
    /// package name, made once per run and shared by every package.
    pub fn dependents_index(
        &self,
        build: impl FnOnce() -> Result<HashMap<String, Vec<String>>>,
    ) -> Result<&HashMap<String, Vec<String>>> {
        if let Some(index) = self.shared.dependents.get() {
            return Ok(index);
        }
        let index = build()?;
        Ok(self.shared.dependents.get_or_init(|| index))
    }

    fn merged_at_head(&self) -> Result<&HashSet<String>> {
        if let Some(m) = self.shared.merged_at_head.get() {
            return Ok(m);
        }
        let merged = self.repo.merged_tags(&self.repo.head()?)?;
        Ok(self.shared.merged_at_head.get_or_init(|| merged))
    }

    /// The prefix of new release tags: `[release] tag-prefix`, else the style
    /// of the newest release tag (`v1.2.3` or `1.2.3`), else `v`.
    pub fn tag_prefix(&self) -> &str {
        if let Some(p) = &self.config.config.release.tag_prefix {
            return p;
        }
        match self.tags() {
            Ok((tags, _)) => match tags.iter().max_by(|a, b| a.version.cmp(&b.version)) {
                Some(newest) if !newest.name.starts_with('v') => "",
                _ => "v",
            },
            Err(_) => "v",
        }
    }

    /// The prefixes release tags are recognised by: `[release] tag-prefix`,
    /// else both `v` and none (cocogitto's default style and others').
    pub fn tag_prefixes(&self) -> Vec<&str> {
        match &self.config.config.release.tag_prefix {
            Some(p) => vec![p.as_str()],
            None => vec!["v", ""],
        }
    }

    pub fn runtime(&self) -> Result<&Runtime> {
        let p = &self.config.config.plugins;
        let runtime = self.shared.runtime.get_or_init(|| {
            let cache = crate::runtime::trusted_cache_dir(|k| self.env.get(k), Some(self.repo.root()));
            Runtime::new(Limits { fuel: p.fuel, memory_mib: p.memory_mib }).map(|r| r.with_cache(cache))
        });
        runtime.as_ref().map_err(|e| Error::Refused(e.clone()))
    }

    /// The plugin serving `capability`: a `[[plugins.load]]` file that exports
    /// it (the last one listed wins), else the built-in plugin. Loaded once.
    pub fn plugin(&self, capability: Capability) -> Result<Arc<Plugin>> {
        let runtime = self.runtime()?;
        let loaded = self.shared.loaded.get_or_init(|| {
            let mut map = BTreeMap::new();
            for entry in &self.config.config.plugins.load {
                let plugin = Arc::new(runtime.load_file(&self.config.resolve(&entry.path), Some(&entry.sha256))?);
                for c in &plugin.capabilities {
                    map.insert(c.slot(), Arc::clone(&plugin));
                }
            }
            Ok(map)
        });
        let capability = capability.slot();
        let slot = Capability::SLOTS.iter().position(|c| *c == capability).unwrap_or(0);
        let plugin = self.shared.plugins[slot].get_or_init(|| match loaded {
            Ok(map) => match map.get(&capability) {
                Some(p) => Ok(Arc::clone(p)),
                None => runtime.builtin(capability.builtin()).map(Arc::new),
            },
            Err(e) => Err(e.clone()),
        });
        plugin.clone().map_err(Error::from)
    }

    /// Runs `body` while another thread loads the plugins of `capabilities`
    /// (the git reads `body` starts with leave the CPU free). A loading error
    /// is kept for the call that needs the plugin.
    pub fn with_preload<T>(&self, capabilities: &[Capability], body: impl FnOnce() -> T) -> T {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for c in capabilities {
                    let _ = self.plugin(*c);
                }
            });
            body()
        })
    }

    /// Extra settings a `[[plugins.load]]` entry gives its plugin.
    pub(crate) fn extra_settings(&self, plugin: &Plugin) -> Vec<(String, String)> {
        let Source::File(path) = &plugin.source else { return Vec::new() };
        self.config
            .config
            .plugins
            .load
            .iter()
            .filter(|l| self.config.resolve(&l.path) == *path)
            .flat_map(|l| l.settings.iter())
            .filter_map(|(k, v)| serde_json::to_string(v).ok().map(|json| (k.clone(), json)))
            .collect()
    }

    /// The preset commits are read with: the command line, else `[version]`.
    pub fn preset(&self, overrides: &VersionOverrides) -> Preset {
        overrides.preset.or(self.config.config.version.preset).unwrap_or(Preset::Conventional)
    }

    /// Settings of the version plugin: `[version]` plus the command line.
    fn version_settings(&self, overrides: &VersionOverrides) -> Vec<(String, String)> {
        let mut table = self.config.config.version.clone();
        table.preset = Some(self.preset(overrides));
        if let Some(p) = &overrides.prerelease {
            table.prerelease = Some(p.clone());
        }
        let mut settings = config::settings_of(&table);
        if let Some(v) = &overrides.release_as {
            settings.push(("release-as".to_string(), serde_json::Value::String(v.clone()).to_string()));
        }
        settings
    }

    /// Settings of the notes and changelog plugins: `[notes]` (+ `[changelog]`)
    /// and the preset, so notes read commits as the version rules do.
    pub fn notes_settings(&self, preset: Preset, with_changelog: bool) -> Vec<(String, String)> {
        let mut settings = config::settings_of(&self.config.config.notes);
        settings.push(("preset".to_string(), format!("\"{}\"", preset.name())));
        if with_changelog {
            settings.extend(config::settings_of(&self.config.config.changelog));
        }
        settings
    }

    /// Where the repository is hosted (read on first use: `version` never needs it).
    pub fn repository(&self) -> Result<&RepositoryInfo> {
        if let Some(r) = self.shared.repository.get() {
            return Ok(r);
        }
        let remote = self.repo.remote_url(self.config.config.repository.remote.as_deref())?;
        Ok(self.set_remote(remote))
    }

    /// Sets the remote URL read elsewhere (e.g. on another thread).
    pub fn set_remote(&self, remote: Option<String>) -> &RepositoryInfo {
        let settings = &self.config.config.repository;
        let ci = CiServer::from_env(|k| self.env.get(k));
        let info = forge::detect(remote.as_deref(), settings.forge, settings.web_url.as_deref(), &ci);
        self.shared.repository.get_or_init(|| info)
    }

    pub fn contract_repository(&self) -> Result<Repository> {
        Ok(Repository::from(self.repository()?))
    }

    /// Reads a template file named in the configuration.
    pub fn template(&self, path: Option<&PathBuf>) -> Result<Option<Template>> {
        let Some(path) = path else { return Ok(None) };
        let full = crate::fsutil::resolve_inside(self.repo.root(), &self.config.base_dir, path)
            .map_err(|m| Error::Refused(format!("template {m}")))?;
        let text = std::fs::read_to_string(&full).map_err(|e| {
            Error::Refused(format!("template {}: cannot read it: {e} (check the path in relkit.toml)", path.display()))
        })?;
        Ok(Some(Template { source: path.display().to_string(), text }))
    }

    fn tags(&self) -> Result<&(Vec<VersionTag>, HashSet<String>)> {
        if let Some(tags) = self.tags.get() {
            return Ok(tags);
        }
        let refs = match self.shared.tag_refs.get() {
            Some(refs) => refs,
            None => {
                let refs = self.repo.tag_refs()?;
                self.shared.tag_refs.get_or_init(|| refs)
            }
        };
        let (tags, names, foreign) = git::classify_tags(refs, &self.tag_prefixes());
        let (tags, skipped) = if self.package.name.is_some() {
            // One `cat-file` for every package's tags.
            let kinds = self.tag_kinds()?;
            let (commits, others): (Vec<VersionTag>, Vec<VersionTag>) =
                tags.into_iter().partition(|t| kinds.get(&t.name).is_none_or(|k| k == "commit"));
            (commits, others.into_iter().map(|t| (t.name.clone(), kinds[&t.name].clone())).collect())
        } else {
            self.repo.commit_tags(tags)?
        };
        self.detail(format!(
            "relkit: release tags found: {} (prefix {})",
            tags.len(),
            self.tag_prefixes().iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(" or ")
        ));
        let _ = self.foreign.set(foreign);
        for (name, kind) in skipped {
            let what = if kind.contains(' ') { kind } else { format!("a {kind}") };
            self.warn(format!(
                "tag {name} points at {what}, not a commit; relkit skips it (`git tag -d {name}` removes it here)"
            ));
        }
        Ok(self.tags.get_or_init(|| (tags, names)))
    }

    /// A line for `-v`: what relkit read and did (shown when the command ends).
    pub fn detail(&self, message: String) {
        if self.verbose
            && let Ok(mut d) = self.shared.details.lock()
        {
            d.push(message);
        }
    }

    /// The `-v` lines collected so far.
    pub fn take_details(&self) -> Vec<String> {
        self.shared.details.lock().map(|mut d| std::mem::take(&mut *d)).unwrap_or_default()
    }

    /// Runs a plugin call and, with `-v`, notes how long it took.
    pub(crate) fn timed<T>(&self, plugin: &Plugin, call: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = std::time::Instant::now();
        let result = call();
        self.detail(format!("relkit: plugin {} ran in {} ms", plugin.name, start.elapsed().as_millis()));
        result
    }

    /// A warning to show the user at the end of the command.
    pub fn warn(&self, message: String) {
        if let Ok(mut w) = self.shared.warnings.lock()
            && !w.contains(&message)
        {
            w.push(message);
        }
    }

    /// The warnings collected so far (each once).
    pub fn take_warnings(&self) -> Vec<String> {
        self.shared.warnings.lock().map(|mut w| std::mem::take(&mut *w)).unwrap_or_default()
    }

    /// The release tags (`<prefix><semver>`), read once per run.
    pub fn version_tags(&self) -> Result<Vec<VersionTag>> {
        Ok(self.tags()?.0.clone())
    }

    /// Whether any tag (release or not) has this name.
    pub fn tag_exists(&self, name: &str) -> Result<bool> {
        Ok(self.tags()?.1.contains(name))
    }

    /// Decides the next version from the commits since the last release.
    ///
    /// With a merged release pull request in the range (a commit whose
    /// subject is `[release] commit-message` naming a version above the last
    /// release that is not tagged yet and not reverted; see
    /// [`Self::prepared_in`]), the plan is that release's: at its commit,
    /// with the version it names, so that every command (version, notes,
    /// tag, release, check) answers alike. Errors: `--release-as` or
    /// `--prerelease` beside it (they would tag a commit whose CHANGELOG and
    /// version files say otherwise), and commits merged with it that call for
    /// a higher version than it names (a breaking change is not released as
    /// a minor): revert it and prepare again.
    pub fn plan_version(&self, overrides: &VersionOverrides, with_paths: bool) -> Result<VersionPlan> {
        let plan = self.plan_version_at(overrides, with_paths, None)?;
        let Some(found) = self.prepared_in(&plan) else { return Ok(plan) };
        let named = |m: String| match &self.package.name {
            Some(name) => Error::Refused(format!("package {name}: {m}")),
            None => Error::Refused(m),
        };
        let what = format!(
            "the merged release pull request {} ({}) prepared {}{}",
            git::short_id(&found.commit),
            found.subject,
            self.tag_prefix(),
            found.version
        );
        // A flag that says what the pull request says (`--prerelease rc` for
        // a prepared 1.1.0-rc.1, as the action passes its input to both
        // prepare and release) is no contradiction.
        let same_release_as = overrides.release_as.as_deref().is_none_or(|v| v == found.version.to_string());
        let same_channel = overrides.prerelease.as_deref().is_none_or(|c| channel(&found.version) == Some(c));
        if !same_release_as || !same_channel {
            let flag = if !same_release_as { "--release-as" } else { "--prerelease" };
            return Err(named(format!(
                "{what}; {flag} would tag a commit whose CHANGELOG and version files say {}. Release it without \
                 {flag}, or revert it first",
                found.version
            )));
        }
        let at = (found.commit != plan.head).then_some(found.commit.as_str());
        // What the commits up to it call for by themselves: more than it names
        // means commits merged with it (a squash onto a main that moved on).
        let natural = match at {
            Some(at) => self.plan_version_at(overrides, with_paths, Some(at))?,
            None => plan,
        };
        // A prepared pre-release (1.1.0-rc.1) releases toward its stable
        // version: the commits call for more only past 1.1.0.
        let core = |v: &Version| Version::new(v.major, v.minor, v.patch);
        let beyond = |n: &Version| {
            if found.version.pre.is_empty() {
                n.cmp_precedence(&found.version).is_gt()
            } else {
                core(n) > core(&found.version)
            }
        };
        if let Some(wanted) = natural.next().filter(|n| beyond(n)) {
            let decider = natural
                .decision
                .contributions
                .iter()
                .filter(|c| c.bump == natural.decision.bump)
                .find_map(|c| natural.commits.iter().find(|g| g.id == c.commit_id))
                .map_or(String::new(), |c| format!(" ({} {})", git::short_id(&c.id), c.subject()));
            return Err(named(format!(
                "{what}, but commits merged with it call for {wanted}{decider}; relkit does not release them as \
                 {}. Revert {} and run relkit prepare again",
                found.version,
                git::short_id(&found.commit)
            )));
        }
        let with =
            VersionOverrides { release_as: Some(found.version.to_string()), prerelease: None, ..overrides.clone() };
        let mut plan = self.plan_version_at(&with, with_paths, at)?;
        // The plugin says "forced by --release-as": say where it came from.
        plan.decision.rule =
            format!("the merged release pull request {} names {}", git::short_id(&found.commit), found.version);
        plan.prepared = Some(found);
        Ok(plan)
    }

    /// The merged release pull request in `plan`'s range: the newest commit
    /// whose subject is `[release] commit-message` with a version (also with
    /// the ` (#12)` / ` (!12)` of a squash merge; with `[[packages]]`, this
    /// package's tag in the list) above the last release, without build
    /// metadata, not tagged already (relkit's own release commit of a
    /// pre-release says the same) and not reverted in the range (as the
    /// version plugin found: "reverted by …").
    pub fn prepared_in(&self, plan: &VersionPlan) -> Option<Prepared> {
        let template = &self.config.config.release.commit_message;
        let prefix = self.tag_prefix();
        plan.commits.iter().find_map(|c| {
            let version = version_in_subject(template, prefix, c.subject())?;
            let above = plan.last_release.as_ref().is_none_or(|last| version.cmp_precedence(&last.version).is_gt());
            let tagged = plan.tags.iter().any(|t| t.version == version);
            let reverted =
                plan.decision.contributions.iter().any(|k| k.commit_id == c.id && k.reason.starts_with("reverted by"));
            (version.build.is_empty() && above && !tagged && !reverted).then(|| Prepared {
                version,
                commit: c.id.clone(),
                subject: c.subject().to_string(),
            })
        })
    }

    /// [`Self::plan_version`] as if HEAD were `at` (a commit HEAD reaches),
    /// without looking for a merged release pull request.
    pub fn plan_version_at(
        &self,
        overrides: &VersionOverrides,
        with_paths: bool,
        at: Option<&str>,
    ) -> Result<VersionPlan> {
        let plan = self.plan_version_unnamed(overrides, with_paths, at);
        match (&self.package.name, plan) {
            // Which package could not be decided: the error says it first.
            (Some(name), Err(Error::Refused(m))) => Err(Error::Refused(format!("package {name}: {m}"))),
            (_, plan) => plan,
        }
    }

    fn plan_version_unnamed(
        &self,
        overrides: &VersionOverrides,
        with_paths: bool,
        at: Option<&str>,
    ) -> Result<VersionPlan> {
        let head = match at {
            Some(commit) => commit.to_string(),
            None => self.repo.head()?,
        };
        let tags = self.version_tags()?;
        let last_release = self.last_release(&head)?;
        if self.package.name.is_none() {
            // A package's prefix is configured; other packages' tags are not news.
            self.check_foreign_prefixes(last_release.as_ref(), &head)?;
        }
        self.detail(match &last_release {
            Some(t) => format!("relkit: last release {} at {}", t.name, git::short_id(&t.commit)),
            None => "relkit: no release tag reachable from HEAD".to_string(),
        });
        let what = match &last_release {
            Some(t) => format!("the last release tag {}", t.name),
            None => "any release tag".to_string(),
        };
        let commits =
            self.commits_between(last_release.as_ref().map(|t| t.commit.as_str()), &head, with_paths, &what)?;
        let preset = self.preset(overrides);
        let plugin = self.plugin(Capability::VersionBump)?;
        let mut settings = self.version_settings(overrides);
        settings.extend(self.extra_settings(&plugin));
        let input = VersionInput {
            commits: commits.iter().map(contract::Commit::from).collect(),
            last_release: last_release.as_ref().map(contract::Tag::from),
            tags: tags.iter().map(contract::Tag::from).collect(),
            settings,
        };
        if let (Some(wanted), Some(last)) = (overrides.release_as.as_deref(), &last_release)
            && Version::parse(wanted).is_ok_and(|w| w <= last.version)
        {
            return Err(Error::Refused(format!(
                "--release-as {wanted} is not above the last release {}; give a higher version",
                last.name
            )));
        }
        let (commits_read, since) =
            (input.commits.len(), last_release.as_ref().map_or("the first commit", |t| t.name.as_str()));
        self.detail(format!("relkit: commits since {since}: {commits_read} (HEAD {})", git::short_id(&head)));
        if preset == Preset::Conventional && overrides.release_as.is_none() {
            self.warn_bad_release_as(&commits);
        }
        let decision = self.timed(&plugin, || self.runtime()?.next_version(&plugin, &input).map_err(Error::from))?;
        let plan = VersionPlan { head, tags, last_release, commits, with_paths, preset, decision, prepared: None };
        self.check_order(&plan)?;
        Ok(plan)
    }

    /// The version decision for `message` as the one commit since `plan`'s
    /// last release: what a squash merge with that message would release.
    pub fn decide_for(
        &self,
        plan: &VersionPlan,
        overrides: &VersionOverrides,
        message: &str,
    ) -> Result<VersionDecision> {
        let plugin = self.plugin(Capability::VersionBump)?;
        let mut settings = self.version_settings(overrides);
        settings.extend(self.extra_settings(&plugin));
        let commit = contract::Commit {
            id: "0".repeat(40),
            message: message.to_string(),
            author: contract::Person { name: String::new(), email: String::new() },
            time: self.now,
            parents: vec![plan.head.clone()],
            changed_paths: Vec::new(),
        };
        let input = VersionInput {
            commits: vec![commit],
            last_release: plan.last_release.as_ref().map(contract::Tag::from),
            tags: plan.tags.iter().map(contract::Tag::from).collect(),
            settings,
        };
        self.timed(&plugin, || self.runtime()?.next_version(&plugin, &input).map_err(Error::from))
    }

    /// Warns about each `Release-As:` footer newer than the one that counts
    /// that holds no single version (empty, followed by another line, not
    /// X.Y.Z): the version plugin ignores it, and the user should know which
    /// commit said what.
    fn warn_bad_release_as(&self, commits: &[GitCommit]) {
        for commit in commits {
            let lines: Vec<&str> = commit.message.lines().collect();
            // `get`: a message is any text, and byte 11 may fall inside a character.
            let key = |l: &str| l.get(..11).is_some_and(|k| k.eq_ignore_ascii_case("release-as:"));
            let Some(at) = lines.iter().position(|l| key(l)) else { continue };
            // A footer's value runs on over lines that start no other footer.
            let mut value = lines[at].get(11..).unwrap_or("").trim().to_string();
            for next in &lines[at + 1..] {
                let starts_footer = next.split_once(": ").is_some_and(|(k, _)| !k.is_empty() && !k.contains(' '))
                    || next.trim().is_empty();
                if starts_footer {
                    break;
                }
                value.push('\n');
                value.push_str(next.trim());
            }
            if Version::parse(value.trim_start_matches('v')).is_ok() {
                // The newest valid footer decides; older ones do not matter.
                return;
            }
            self.warn(format!(
                "commit {} ({}): its Release-As footer {value:?} is ignored: it is not one semantic version (X.Y.Z)",
                git::short_id(&commit.id),
                commit.subject()
            ));
        }
    }

    /// Says so when version-like tags under another prefix (`pkg-v3.4.0`)
    /// are newer in history than the release relkit found (or when relkit
    /// found none): the project probably tags with that prefix, and relkit
    /// would otherwise start over from an old or a first version in silence.
    /// One check per other prefix (its highest version).
    fn check_foreign_prefixes(&self, last: Option<&VersionTag>, head: &str) -> Result<()> {
        let Some(foreign) = self.foreign.get() else { return Ok(()) };
        let mut best: BTreeMap<String, &VersionTag> = BTreeMap::new();
        for tag in foreign {
            let prefix = tag.name.trim_end_matches(&tag.version.to_string()).to_string();
            let entry = best.entry(prefix).or_insert(tag);
            if tag.version > entry.version {
                *entry = tag;
            }
        }
        if best.is_empty() {
            return Ok(());
        }
        let merged = self.repo.merged_tags(head)?;
        // A warning names a few; a project with dozens of other prefixes
        // (a monorepo) needs only to hear it once or twice.
        let reachable: Vec<(String, &VersionTag)> =
            best.into_iter().filter(|(_, tag)| merged.contains(&tag.name)).take(3).collect();
        for (prefix, tag) in reachable {
            let newer = match last {
                Some(l) => l.commit != tag.commit && self.repo.is_ancestor(&l.commit, &tag.commit)?,
                None => true,
            };
            if newer {
                let found = last.map_or_else(
                    || "relkit found no release tag".to_string(),
                    |l| format!("the last release tag relkit found is {}", l.name),
                );
                self.warn(format!(
                    "tags like {} are newer than the releases relkit reads ({found}, with the prefix {}); if \
                     those are this project's releases, set `[release] tag-prefix = \"{prefix}\"` in relkit.toml",
                    tag.name,
                    self.config
                        .config
                        .release
                        .tag_prefix
                        .as_deref()
                        .map_or("\"v\" or none".to_string(), |p| format!("{p:?}"))
                ));
            }
        }
        Ok(())
    }

    /// A new version must sort above every release tag reachable from HEAD,
    /// pre-releases included (SemVer 11 orders pre-release identifiers
    /// alphabetically, so `2.0.0-beta.1` sorts below a published
    /// `2.0.0-rc.1`); otherwise relkit refuses, saying why. The check also
    /// covers versions given with `--release-as` or a `Release-As` footer,
    /// which leave no trace in history.
    fn check_order(&self, plan: &VersionPlan) -> Result<()> {
        let Some(next) = plan.next() else { return Ok(()) };
        let mut above: Vec<&VersionTag> = plan.tags.iter().filter(|t| t.version > next).collect();
        if above.is_empty() {
            return Ok(());
        }
        above.sort_by(|a, b| b.version.cmp(&a.version));
        // One git call for all of them (replaying an old release of a
        // project with thousands of newer tags must not ask per tag).
        let merged = if above.len() > 2 { Some(self.repo.merged_tags(&plan.head)?) } else { None };
        for tag in above {
            let reachable = match &merged {
                Some(names) => names.contains(&tag.name),
                None => tag.commit == plan.head || self.repo.is_ancestor(&tag.commit, &plan.head)?,
            };
            if reachable {
                let same_core =
                    (tag.version.major, tag.version.minor, tag.version.patch) == (next.major, next.minor, next.patch);
                let fix = match channel(&tag.version) {
                    Some(label) if same_core && !next.pre.is_empty() => format!(
                        "continue that pre-release line with `--prerelease {label}` (SemVer 11 orders labels \
                         alphabetically), or make the stable release"
                    ),
                    _ => format!("release a version above it with `--release-as` (above {})", tag.version),
                };
                return Err(Error::Refused(format!(
                    "the next version {next} would sort below {}, a release tag reachable from HEAD; {fix}",
                    tag.name
                )));
            }
        }
        Ok(())
    }

    /// Commits reachable from `to` and not from `from` (the commit of the
    /// release `what` names), newest first. Refuses when a shallow clone cut
    /// them short.
    pub fn commits_between(
        &self,
        from: Option<&str>,
        to: &str,
        with_paths: bool,
        what: &str,
    ) -> Result<Vec<GitCommit>> {
        // A package's commits are found by their paths.
        let with_paths = with_paths || self.package.name.is_some();
        let head = self.repo.head()?;
        let history = if to == head { Some(self.history(&head, from, with_paths)?) } else { None };
        let commits: Vec<GitCommit> = match &history {
            Some(h) => {
                let held: Vec<&GitCommit> = h.range(from).filter(|c| self.package.holds(c)).collect();
                self.warn_unknown_release_as(held.iter().copied());
                held.into_iter().map(|c| self.package.view(c)).collect()
            }
            None => {
                let range = match from {
                    Some(f) => vec![to.to_string(), format!("^{f}")],
                    None => vec![to.to_string()],
                };
                let mut commits = self.repo.log(&range, with_paths)?;
                self.repo.check_complete(&commits, what)?;
                if self.package.name.is_some() {
                    commits.retain(|c| self.package.holds(c));
                    self.warn_unknown_release_as(commits.iter());
                    commits = commits.iter().map(|c| self.package.view(c)).collect();
                }
                return Ok(commits);
            }
        };
        if let Some(h) = &history {
            // The shallow check looks at the whole range, kept or not.
            if self.repo.is_shallow() {
                let all: Vec<GitCommit> = h.range(from).cloned().collect();
                self.repo.check_complete(&all, what)?;
            }
        }
        Ok(commits)
    }

    /// Warns about each `Release-As: <name>@<version>` footer of `commits`
    /// that names no package of relkit.toml (a typo would otherwise force
    /// nothing, in silence).
    fn warn_unknown_release_as<'c>(&self, commits: impl Iterator<Item = &'c GitCommit>) {
        if self.package.name.is_none() {
            return;
        }
        let Some(names) = self.shared.package_names.get() else { return };
        for commit in commits {
            for (name, version) in release_as_for(&commit.message) {
                if !names.iter().any(|n| n == name) {
                    self.warn(format!(
                        "commit {} ({}): `Release-As: {name}@{version}` names no package of relkit.toml ({}); it is \
                         ignored",
                        git::short_id(&commit.id),
                        commit.subject(),
                        names.join(", ")
                    ));
                }
            }
        }
    }

    /// The history from `head` back to every registered start (the last
    /// releases of the run's packages), read once for all of them: one
    /// `git log HEAD --not <merge bases>` when every package has a release,
    /// else the whole history. Read again only for a start it does not cover.
    fn history(&self, head: &str, from: Option<&str>, with_paths: bool) -> Result<Arc<History>> {
        let mut slot = self.shared.history.lock().map_err(|_| Error::Refused("a relkit thread panicked".into()))?;
        if let Some(h) = slot.as_ref()
            && h.covers(head, from, with_paths)
        {
            return Ok(Arc::clone(h));
        }
        let mut bases = self.shared.bases.lock().ok().and_then(|b| b.clone()).unwrap_or_default();
        if !bases.iter().any(|b| b.as_deref() == from) {
            bases.push(from.map(str::to_string));
        }
        let mut range = vec![head.to_string()];
        if bases.iter().all(Option::is_some) {
            let starts: Vec<String> =
                bases.iter().flatten().cloned().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            if starts.len() == 1 {
                range.push(format!("^{}", starts[0]));
            } else {
                // What every start reaches is what their merge bases reach.
                for base in self.repo.merge_bases(&starts)? {
                    range.push(format!("^{base}"));
                }
            }
        }
        let commits = self.repo.log(&range, with_paths)?;
        // Every commit of the read: a footer on a commit of no package counts too.
        self.warn_unknown_release_as(commits.iter());
        if bases.len() > 1 {
            self.detail(format!("relkit: read {} commits once for {} packages", commits.len(), bases.len()));
        }
        let history = Arc::new(History::new(head.to_string(), bases, with_paths, commits));
        *slot = Some(Arc::clone(&history));
        Ok(history)
    }

    /// The release before `version` that a release at `commit` follows: the
    /// highest stable release reachable from it, or for a pre-release the
    /// highest release of its channel (same label) when that is higher.
    pub fn previous_release(&self, tags: &[VersionTag], version: &Version, commit: &str) -> Result<Option<VersionTag>> {
        let label = channel(version);
        let candidates = tags.iter().filter(|t| {
            t.version < *version && (t.version.pre.is_empty() || (label.is_some() && channel(&t.version) == label))
        });
        Ok(self.repo.highest_reachable(candidates, commit)?.cloned())
    }

    /// The release about to be made, per the plan; `None` when none is due.
    pub fn pending_release(&self, plan: &VersionPlan) -> Result<Option<ReleaseData>> {
        let Some(version) = plan.next() else { return Ok(None) };
        // A stable release follows the last stable one, which the plan found.
        let previous = if version.pre.is_empty() {
            plan.last_release.clone()
        } else {
            self.previous_release(&plan.tags, &version, &plan.head)?
        };
        let same_start = previous.as_ref().map(|t| &t.commit) == plan.last_release.as_ref().map(|t| &t.commit);
        let commits = if same_start && plan.with_paths {
            plan.commits.clone()
        } else {
            self.commits_between(
                previous.as_ref().map(|t| t.commit.as_str()),
                &plan.head,
                true,
                &tag_or_start(&previous),
            )?
        };
        Ok(Some(ReleaseData {
            tag: format!("{}{version}", self.tag_prefix()),
            version: version.to_string(),
            commit: plan.head.clone(),
            date: git::utc_date(self.now),
            previous: previous.map(|t| self.repo.with_time(&t)).transpose()?.as_ref().map(contract::Tag::from),
            commits,
        }))
    }

    /// An existing release tag as a release.
    pub fn tagged_release(&self, tags: &[VersionTag], tag: &VersionTag) -> Result<ReleaseData> {
        let tag = self.repo.with_time(tag)?;
        let previous = self.previous_release(tags, &tag.version, &tag.commit)?;
        let previous = previous.map(|t| self.repo.with_time(&t)).transpose()?;
        let commits = self.commits_between(
            previous.as_ref().map(|t| t.commit.as_str()),
            &tag.commit,
            true,
            &tag_or_start(&previous),
        )?;
        Ok(ReleaseData {
            version: tag.version.to_string(),
            tag: tag.name.clone(),
            commit: tag.commit.clone(),
            date: git::utc_date(tag.time),
            previous: previous.as_ref().map(contract::Tag::from),
            commits,
        })
    }

    pub fn render_notes(&self, release: &ReleaseData, preset: Preset) -> Result<contract::RenderedNotes> {
        let plugin = self.plugin(Capability::ReleaseNotes)?;
        let mut settings = self.notes_settings(preset, false);
        settings.extend(self.extra_settings(&plugin));
        let input = contract::NotesInput {
            release: release.to_contract(),
            repository: self.contract_repository()?,
            settings,
            template: self.template(self.config.config.notes.template.as_ref())?,
        };
        self.timed(&plugin, || self.runtime()?.render_notes(&plugin, &input).map_err(Error::from))
    }

    /// The rollback runbook of `release`. A plugin that exports `runbook`
    /// also gets the tree's paths and the heads of the files the release
    /// added or modified (read at `release.commit`); an older one gets
    /// `render-rollback`.
    pub fn render_rollback(&self, release: &ReleaseData, preset: Preset) -> Result<String> {
        let plugin = self.plugin(Capability::Rollback)?;
        let mut settings = config::settings_of(&self.config.config.rollback);
        settings.push(("preset".to_string(), format!("\"{}\"", preset.name())));
        if self.package.name.is_some() {
            // A package's revert undoes its own files only (other packages'
            // changes share its commits); its CHANGELOG keeps the section.
            let json = |v: &str| serde_json::Value::String(v.to_string()).to_string();
            settings.push(("package-path".to_string(), json(&self.package.path)));
            let changelog = config::normal_path(&self.config.config.changelog.path);
            settings.push(("package-changelog".to_string(), json(&changelog)));
        } else {
            // The whole tree's revert keeps the CHANGELOG (the record of what
            // was released) and relkit's configuration (often added in the
            // release it rolls back, on adoption).
            let mut keep = vec![config::normal_path(&self.config.config.changelog.path)];
            let root = std::fs::canonicalize(self.repo.root()).unwrap_or_else(|_| self.repo.root().to_path_buf());
            let file = self.config.path.clone().unwrap_or_else(|| root.join(config::FILE_NAME));
            if let Ok(relative) = std::fs::canonicalize(&file).unwrap_or(file).strip_prefix(&root) {
                keep.push(config::normal_path(relative));
            }
            keep.dedup();
            // What a revert of single commits must put back afterwards: the
            // configuration, when the branch has it (the CHANGELOG changes
            // only in release commits, which that revert skips).
            let restore: Vec<String> = keep[1..].iter().filter(|p| root.join(p).is_file()).cloned().collect();
            settings.push(("revert-keep".to_string(), serde_json::Value::from(keep).to_string()));
            settings.push(("revert-restore".to_string(), serde_json::Value::from(restore).to_string()));
        }
        // The tagged commit is relkit's release commit: its revert stops
        // before it (the versions stay as released).
        let subject = self.repo.subject(&release.commit)?;
        if version_in_subject(&self.config.config.release.commit_message, self.tag_prefix(), &subject).is_some() {
            settings.push(("release-commit".to_string(), "true".to_string()));
        }
        if self.config.config.release.pull_request {
            settings.push(("pull-request".to_string(), "true".to_string()));
        }
        let template = &self.config.config.release.commit_message;
        let prefix = template.split('{').next().unwrap_or("");
        if !prefix.trim().is_empty() {
            settings.push(("release-subject".to_string(), serde_json::Value::from(prefix).to_string()));
        }
        let released: Vec<String> =
            self.config.config.version_files.iter().map(|f| config::normal_path(&f.path)).collect();
        if !released.is_empty() {
            settings.push(("released-manifests".to_string(), serde_json::Value::from(released).to_string()));
        }
        settings.extend(self.extra_settings(&plugin));
        let template = self.template(self.config.config.rollback.template.as_ref())?;
        // A package's runbook sees the package's files only: its kind, its
        // manifests and what its commits changed (not a neighbour's Dockerfile).
        let own;
        let release = if self.package.name.is_some() {
            let mut r = release.clone();
            for c in &mut r.commits {
                c.paths.retain(|(_, p)| self.package.contains(p));
            }
            own = r;
            &own
        } else {
            release
        };
        if plugin.has(Capability::Runbook) {
            let mut tree_paths = self.repo.tree_paths(&release.commit)?;
            tree_paths.retain(|p| self.package.contains(p));
            let wanted = crate::runbook::with_manifests(crate::runbook::head_paths(&release.commits), &tree_paths);
            let file_heads = self.repo.file_heads(&release.commit, &wanted)?;
            let input = contract::RunbookInput {
                release: release.to_contract(),
                repository: self.contract_repository()?,
                settings,
                template,
                tree_paths,
                file_heads: file_heads.into_iter().map(|(path, head)| contract::FileHead { path, head }).collect(),
            };
            return self.timed(&plugin, || self.runtime()?.render_runbook(&plugin, &input).map_err(Error::from));
        }
        let input = contract::RollbackInput {
            release: release.to_contract(),
            repository: self.contract_repository()?,
            settings,
            template,
        };
        self.timed(&plugin, || self.runtime()?.render_rollback(&plugin, &input).map_err(Error::from))
    }

    /// Runs the changelog plugin over `releases` (oldest first).
    pub fn render_changelog(
        &self,
        releases: Vec<Release>,
        mode: contract::ChangelogMode,
        existing: Option<String>,
        preset: Preset,
    ) -> Result<String> {
        let plugin = self.plugin(Capability::Changelog)?;
        let mut settings = self.notes_settings(preset, true);
        settings.extend(self.extra_settings(&plugin));
        let input = contract::ChangelogInput {
            mode,
            existing,
            releases,
            repository: self.contract_repository()?,
            settings,
            template: self.template(self.config.config.changelog.template.as_ref())?,
        };
        self.timed(&plugin, || self.runtime()?.update_changelog(&plugin, &input).map_err(Error::from))
    }

    /// Where the CHANGELOG really is (`[changelog] path`, symlinks followed);
    /// an error when that is outside the repository.
    pub fn changelog_path(&self) -> Result<PathBuf> {
        let p = &self.config.config.changelog.path;
        crate::fsutil::resolve_inside(self.repo.root(), self.repo.root(), p).map_err(|m| {
            let file = self.config.path.as_ref().map_or("relkit.toml".to_string(), |f| f.display().to_string());
            Error::Refused(format!("{file}: [changelog] path: {m}"))
        })
    }
}

/// How a range's start is named in the shallow-clone error.
pub fn tag_or_start(tag: &Option<VersionTag>) -> String {
    tag.as_ref().map_or_else(|| "the first commit".to_string(), |t| format!("the release tag {}", t.name))
}

/// The pre-release label of a version: `rc` for `1.3.0-rc.2`.
pub fn channel(v: &Version) -> Option<&str> {
    if v.pre.is_empty() {
        return None;
    }
    let pre = v.pre.as_str();
    Some(pre.split('.').next().unwrap_or(pre))
}

/// The version `subject` names when it is `template` (`chore(release):
/// {version}` or with `{tag}`), allowing a trailing `(#N)`/`(!N)`.
pub fn version_in_subject(template: &str, tag_prefix: &str, subject: &str) -> Option<Version> {
    let subject = strip_merge_request_suffix(subject.trim_end());
    for (placeholder, prefix) in [("{version}", ""), ("{tag}", tag_prefix)] {
        let Some((before, after)) = template.split_once(placeholder) else { continue };
        let middle = subject.strip_prefix(before)?.strip_suffix(after)?;
        if let Some(version) = middle.strip_prefix(prefix).and_then(|v| Version::parse(v).ok()) {
            return Some(version);
        }
        // With [[packages]], the list of the tags made (`api-v1.1.0,
        // web-v2.0.0`): this package's is the one with its prefix.
        return middle
            .split(", ")
            .filter(|_| !tag_prefix.is_empty())
            .find_map(|item| item.strip_prefix(tag_prefix).and_then(|v| Version::parse(v).ok()));
    }
    None
}

/// `chore(release): 1.3.0 (#12)` → `chore(release): 1.3.0`.
fn strip_merge_request_suffix(subject: &str) -> &str {
    let Some(open) = subject.rfind(" (") else { return subject };
    let inner = &subject[open + 2..];
    let Some(number) = inner.strip_suffix(')').and_then(|n| n.strip_prefix('#').or_else(|| n.strip_prefix('!'))) else {
        return subject;
    };
    if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) { &subject[..open] } else { subject }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_subjects_are_recognised() {
        let t = "chore(release): {version}";
        let v = |s: &str| version_in_subject(t, "v", s).map(|v| v.to_string());
        assert_eq!(v("chore(release): 1.3.0").as_deref(), Some("1.3.0"));
        assert_eq!(v("chore(release): 1.3.0 (#12)").as_deref(), Some("1.3.0"));
        assert_eq!(v("chore(release): 2.0.0-rc.1 (!7)").as_deref(), Some("2.0.0-rc.1"));
        assert_eq!(v("chore(release): 1.3.0 (#)"), None);
        assert_eq!(v("chore(release): next"), None);
        assert_eq!(v("feat: 1.3.0"), None);
        assert_eq!(
            version_in_subject("release {tag}", "v", "release v1.3.0").map(|v| v.to_string()).as_deref(),
            Some("1.3.0")
        );
        // A monorepo's release commit lists every package's tag.
        let listed = "chore(release): api-v1.1.0, web-v2.0.0 (#4)";
        assert_eq!(version_in_subject(t, "web-v", listed).map(|v| v.to_string()).as_deref(), Some("2.0.0"));
        assert_eq!(version_in_subject(t, "api-v", listed).map(|v| v.to_string()).as_deref(), Some("1.1.0"));
        assert_eq!(version_in_subject(t, "cli-v", listed), None);
    }
}

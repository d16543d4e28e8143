//! `relkit prepare [--branch NAME] [--push]`: the release pull request.
//!
//! Makes the release commit — the CHANGELOG and version files, the subject
//! `[release] commit-message` (`chore(release): 1.3.0`), the notes in the
//! body — on top of HEAD, on the branch `relkit/release` (or NAME), without
//! tagging and without moving the current branch; `--push` force-updates
//! that branch on the remote. Run again after new commits, it replaces the
//! branch. When the commit reaches the default branch (fast-forward, merge
//! commit or squash), `relkit release` recognises it by its subject
//! ([`App::prepared_in`](crate::app::App::prepared_in)), releases the
//! version it names, and writes no CHANGELOG section or version file a second
//! time. The tag goes on the commit that holds what the pull request held:
//! the prepared commit itself (after a fast-forward, or as a merge commit's
//! second parent) or the squash commit. Commits merged beside it (on the
//! default branch before a merge commit, or pushed after it) are not in its
//! CHANGELOG section, so they wait for the next release.

use semver::Version;

use super::{Io, changelog};
use crate::app::{App, VersionOverrides, VersionPlan};
use crate::ci::{self, Outputs};
use crate::error::{Error, Result};
use crate::git::{RefUpdate, short_id};
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
    super::release::check_output_paths(app, io.style.ci)?;
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
        if let Some(found) = &plan.prepared {
            io.print(&format!(
                "relkit: HEAD already holds the prepared release {}{} ({}); run `relkit release` to tag it\n",
                scope.tag_prefix(),
                found.version,
                short_id(&found.commit)
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
    let made_now = release::prepare::release_commit(app, &first.commit, &files, &message)?;
    // Run again with nothing new, the branch keeps its commit: a new one (new
    // dates) would re-run the pull request's checks and dismiss approvals.
    let remote_branch = format!("refs/remotes/{}/{name}", config.release.remote);
    let existing = match app.repo.object_id(branch)? {
        Some(id) => Some(id),
        None => app.repo.object_id(&remote_branch)?,
    };
    let content = |id: &str| app.repo.capture(["show", "-s", "--format=%T %P%n%B", id, "--"]);
    let kept = match &existing {
        Some(id) if content(id)? == content(&made_now)? => Some(id.clone()),
        _ => None,
    };
    let commit = kept.clone().unwrap_or(made_now);

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
    if kept.is_some() {
        io.note(&format!("relkit: {name} already holds this release; its commit is kept"))?;
    }
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

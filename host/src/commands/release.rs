//! `relkit release [--dry-run] [--push]`: the CI entry point.
//!
//! Every plugin runs first; only when all succeeded does relkit write the
//! CHANGELOG (and commit it when `[release] commit-changelog = true`), create
//! the annotated tag, push when asked, and write the CI outputs. A failure at
//! any step undoes the steps before it, so no tag and no changed file remain.

use std::path::PathBuf;

use super::{Io, changelog, rejoin};
use crate::app::{App, ReleaseData, VersionOverrides, VersionPlan};
use crate::ci::{self, CiKind, Outputs};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::git::short_id;
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct ReleaseArgs {
    pub dry_run: bool,
    pub push: bool,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &ReleaseArgs, io: &mut Io<'_>) -> Result<()> {
    let kind = io.style.ci;
    let changelog_path = app.changelog_path();
    let changelog_enabled = app.config.config.release.changelog;
    // Two git reads that do not depend on the version run beside it, and
    // the plugins load meanwhile.
    let (plan, dirty, remote) = app.with_preload(&Capability::ALL, || {
        std::thread::scope(|scope| {
            let repo = &app.repo;
            let dirty = scope.spawn(|| if changelog_enabled { repo.is_dirty(&changelog_path) } else { Ok(false) });
            let preferred = app.config.config.repository.remote.as_deref();
            let remote = scope.spawn(move || repo.remote_url(preferred));
            let plan = app.plan_version(&args.overrides, true);
            (plan, dirty.join(), remote.join())
        })
    });
    let plan = plan?;
    let dirty = joined(dirty)?;
    app.set_remote(joined(remote)?);
    let Some(release) = app.pending_release(&plan)? else {
        io.print(&format!("relkit: no release due ({})\n", plan.decision.rule))?;
        let outputs = Outputs { dry_run: args.dry_run, ..Outputs::default() };
        return report_outputs(app, io, kind, &outputs);
    };
    check_can_release(app, &plan, &release)?;
    let write_changelog = changelog_enabled && release.in_changelog(&app.config.config);
    let commit_changelog = write_changelog && app.config.config.release.commit_changelog;
    let branch = if commit_changelog && args.push { Some(current_branch(app)?) } else { None };
    if dirty && write_changelog {
        let shown = changelog::display_path(app, &changelog_path);
        let message = format!(
            "{shown} has uncommitted changes; commit or discard them first, so the release does not mix them in"
        );
        if args.dry_run {
            io.warn(&message)?;
        } else {
            return Err(Error::Refused(message));
        }
    }

    // Every plugin runs before any side effect; the three run side by side.
    let existing = if write_changelog { changelog::read_existing(&changelog_path)? } else { None };
    let (notes, new_changelog, rollback) = std::thread::scope(|scope| {
        let notes = scope.spawn(|| app.render_notes(&release, plan.preset));
        let rollback = scope.spawn(|| app.render_rollback(&release, plan.preset));
        let changelog = if write_changelog {
            changelog::updated_text(app, &release, plan.preset, existing.clone()).map(Some)
        } else {
            Ok(None)
        };
        (rejoin(notes.join()), changelog, rejoin(rollback.join()))
    });
    // Reported in a fixed order whatever finished first.
    let (notes, new_changelog, rollback) = (notes?, new_changelog?, rollback?);

    let previous =
        release.previous.as_ref().map_or("no previous release".to_string(), |p| format!("previous {}", p.name));
    let verb = if args.dry_run { "dry run, would release" } else { "releasing" };
    io.print(&format!("relkit: {verb} {} ({}; {previous})\n", release.tag, plan.decision.bump.name()))?;
    print_section(app, io, kind, "relkit_notes", "Release notes", &notes.markdown)?;
    print_section(app, io, kind, "relkit_rollback", "Rollback instructions", &rollback)?;

    let changelog_changes = new_changelog.as_ref().is_some_and(|t| existing.as_deref() != Some(t.as_str()));
    let outputs = Outputs {
        version: Some(release.version.clone()),
        tag: Some(release.tag.clone()),
        released: true,
        dry_run: args.dry_run,
        notes: notes.markdown.clone(),
        rollback: rollback.clone(),
    };
    if args.dry_run {
        let shown = changelog::display_path(app, &changelog_path);
        if changelog_changes {
            io.print(&format!("would write {shown}\n"))?;
            if commit_changelog {
                io.print(&format!("would commit {shown}\n"))?;
            }
        }
        io.print(&format!("would create tag {} at {}\n", release.tag, short_id(&release.commit)))?;
        if args.push {
            io.print(&format!("would push {} to {}\n", release.tag, app.config.config.release.remote))?;
        }
        return report_outputs(app, io, kind, &outputs);
    }

    let mut tx = Transaction { app, undo: Vec::new(), outputs: None };
    let result = (|| -> Result<Vec<String>> {
        let mut done = Vec::new();
        let mut target = release.commit.clone();
        let shown = changelog::display_path(app, &changelog_path);
        if let (Some(text), true) = (&new_changelog, changelog_changes) {
            tx.undo.push(Undo::RestoreFile { path: changelog_path.clone(), old: existing.clone() });
            fsutil::write_atomic(&changelog_path, text.as_bytes()).map_err(|e| Error::file(&changelog_path, e))?;
            done.push(format!("wrote {shown}"));
            if commit_changelog {
                let relative = changelog_path.strip_prefix(app.repo.root()).unwrap_or(&changelog_path).to_path_buf();
                let message = app
                    .config
                    .config
                    .release
                    .commit_message
                    .replace("{version}", &release.version)
                    .replace("{tag}", &release.tag);
                tx.undo.push(Undo::ResetTo { commit: release.commit.clone(), path: relative.clone() });
                target = app.repo.commit_path(&relative, &message)?;
                done.push(format!("committed {shown} as {}", short_id(&target)));
            }
        }
        let sign = app.config.config.release.sign;
        app.repo.create_tag(&release.tag, &target, &notes.markdown, sign)?;
        tx.undo.push(Undo::DeleteTag(release.tag.clone()));
        done.push(format!(
            "created {} tag {} at {}",
            if sign { "signed" } else { "annotated" },
            release.tag,
            short_id(&target)
        ));
        // The outputs are written before the push, the one step that cannot
        // be undone: after it, nothing is left that could fail.
        tx.outputs = Some(write_outputs(app, kind, &outputs)?);
        if args.push {
            let remote = &app.config.config.release.remote;
            let mut refs = vec![format!("refs/tags/{}", release.tag)];
            if let Some(branch) = &branch {
                refs.insert(0, format!("{target}:refs/heads/{branch}"));
            }
            app.repo.push(remote, &refs).map_err(|e| push_error(&e, remote))?;
            done.push(format!("pushed {} to {remote}", refs.join(" and ")));
        }
        Ok(done)
    })();
    match result {
        Ok(done) => {
            let written = tx.outputs.take();
            tx.undo.clear();
            for line in done {
                io.print(&format!("{line}\n"))?;
            }
            for path in written.iter().flat_map(|w| w.paths()) {
                io.detail(&format!("relkit: wrote {}", path.display()))?;
            }
            Ok(())
        }
        Err(e) => {
            let failures = tx.rollback();
            let outcome = if failures.is_empty() {
                "nothing was kept: the steps before it were undone".to_string()
            } else {
                format!("undoing the steps before it failed too ({}); check the repository", failures.join("; "))
            };
            Err(Error::Refused(format!("{e}; {outcome}")))
        }
    }
}

/// A failed push, with what usually causes it.
pub fn push_error(e: &crate::git::GitError, remote: &str) -> Error {
    let text = e.to_string().to_ascii_lowercase();
    let hint = if ["non-fast-forward", "fetch first", "stale info"].iter().any(|s| text.contains(s)) {
        "the remote branch moved on since this commit; run the release again on the new commit".to_string()
    } else if ["denied", "403", "401", "authentication", "permission", "could not read username"]
        .iter()
        .any(|s| text.contains(s))
    {
        "the job's token needs write access to the repository (GitHub: `permissions: contents: write`; \
         GitLab: a project access token with write_repository, or the job token's push permission)"
            .to_string()
    } else {
        format!("check that {remote} is reachable and that the token may push to it")
    };
    Error::Refused(format!("{e}. relkit could not push to {remote}: {hint}"))
}

/// The result of a scoped thread that read git.
fn joined<T>(result: std::thread::Result<crate::git::Result<T>>) -> Result<T> {
    rejoin(result).map_err(Error::from)
}

fn print_section(app: &App, io: &mut Io<'_>, kind: CiKind, id: &str, title: &str, body: &str) -> Result<()> {
    io.print(&ci::section_start(kind, id, title, app.now))?;
    io.print(body.trim_end())?;
    io.print("\n")?;
    io.print(&ci::section_end(kind, id, app.now))
}

fn write_outputs(app: &App, kind: CiKind, outputs: &Outputs) -> Result<ci::Written> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    ci::write_outputs(kind, &app.env, &app.config.config.ci, &cwd, outputs)
}

/// Writes the outputs of a run that changes nothing else.
fn report_outputs(app: &App, io: &mut Io<'_>, kind: CiKind, outputs: &Outputs) -> Result<()> {
    let written = write_outputs(app, kind, outputs)?;
    for path in written.paths() {
        io.detail(&format!("relkit: wrote {}", path.display()))?;
    }
    Ok(())
}

/// Refusals that do not need a plugin: the tag exists, or HEAD is already
/// released on this channel.
pub fn check_can_release(app: &App, plan: &VersionPlan, release: &ReleaseData) -> Result<()> {
    if app.tag_exists(&release.tag)? {
        return Err(Error::Refused(format!(
            "tag {} already exists; relkit does not move tags. Fetch the tags (`git fetch --tags`) if that release \
             is on this branch, or release another version with --release-as",
            release.tag
        )));
    }
    let next = plan.next();
    let same_channel = |t: &crate::git::VersionTag| match &next {
        Some(n) if !n.pre.is_empty() => crate::app::channel(&t.version) == crate::app::channel(n),
        _ => t.version.pre.is_empty(),
    };
    if let Some(t) = plan.tags.iter().find(|t| t.commit == plan.head && same_channel(t)) {
        return Err(Error::Refused(format!(
            "HEAD ({}) is already released as {}; commit the changes to release first",
            short_id(&plan.head),
            t.name
        )));
    }
    Ok(())
}

fn current_branch(app: &App) -> Result<String> {
    if let Ok(out) = app.repo.capture(["symbolic-ref", "-q", "--short", "HEAD"]) {
        let name = String::from_utf8_lossy(&out).trim().to_string();
        if !name.is_empty() {
            return Ok(name);
        }
    }
    let from_ci = if app.env.get("GITHUB_REF_TYPE").as_deref() == Some("branch") {
        app.env.get("GITHUB_REF_NAME")
    } else {
        app.env.get("CI_COMMIT_BRANCH")
    };
    from_ci.ok_or_else(|| {
        Error::Refused(
            "HEAD is detached, so relkit cannot push the CHANGELOG commit to a branch; check out the branch first"
                .to_string(),
        )
    })
}

enum Undo {
    RestoreFile { path: PathBuf, old: Option<String> },
    ResetTo { commit: String, path: PathBuf },
    DeleteTag(String),
}

/// Side effects done so far, undone in reverse on failure.
struct Transaction<'a> {
    app: &'a App,
    undo: Vec<Undo>,
    /// The CI outputs, written just before the push.
    outputs: Option<ci::Written>,
}

impl Transaction<'_> {
    /// Undoes every step, each tried even when an earlier one failed; returns
    /// what could not be undone.
    fn rollback(&mut self) -> Vec<String> {
        if let Some(written) = self.outputs.take() {
            written.undo();
        }
        let mut failures = Vec::new();
        while let Some(step) = self.undo.pop() {
            let result = match &step {
                Undo::RestoreFile { path, old: Some(text) } => fsutil::write_atomic(path, text.as_bytes())
                    .map_err(|e| format!("restoring {}: {e}", path.display())),
                Undo::RestoreFile { path, old: None } => {
                    std::fs::remove_file(path).map_err(|e| format!("removing {}: {e}", path.display()))
                }
                Undo::ResetTo { commit, path } => self
                    .app
                    .repo
                    .reset_soft(commit)
                    .and_then(|()| self.app.repo.unstage(path))
                    .map_err(|e| format!("resetting the branch to {}: {e}", short_id(commit))),
                Undo::DeleteTag(tag) => self.app.repo.delete_tag(tag).map_err(|e| format!("deleting tag {tag}: {e}")),
            };
            if let Err(failure) = result {
                failures.push(failure);
            }
        }
        failures
    }
}

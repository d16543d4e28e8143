//! `relkit release [--dry-run] [--push]`: the CI entry point.
//!
//! Every plugin runs first; then the release is made as one transaction
//! (`crate::release`): prepared aside, one commit point, finished after it.
//! The CI outputs are written after the commit point only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use semver::Version;

use super::{Io, changelog, rejoin};
use crate::app::{App, ReleaseData, VersionOverrides, VersionPlan};
use crate::ci::{self, CiKind, Outputs};
use crate::error::{Error, Result};
use crate::git::short_id;
use crate::release::lock::ReleaseLock;
use crate::release::{self, FileChange, Made, Push, Request};
use crate::runtime::Capability;
use crate::version_files;

#[derive(Debug, Clone, Default)]
pub struct ReleaseArgs {
    pub dry_run: bool,
    pub push: bool,
    /// Release inside a `[[release.freeze]]` window (recorded in the tag message).
    pub ignore_freeze: bool,
    pub overrides: VersionOverrides,
}

/// One package's release, decided and rendered (every plugin has run).
struct Planned<'a> {
    scope: &'a App,
    plan: VersionPlan,
    release: ReleaseData,
    notes: String,
    /// The dry run's runbook (a real release renders it after prepare).
    rollback: String,
    changelog_path: Option<PathBuf>,
    /// What the CHANGELOG held, and its new text when it changes.
    existing: Option<String>,
    changed: Option<String>,
    version_files: Vec<version_files::Updated>,
}

pub fn run(app: &App, args: &ReleaseArgs, io: &mut Io<'_>) -> Result<()> {
    let kind = io.style.ci;
    check_output_paths(app, kind)?;
    let several = super::several(app);
    let changelog_enabled = app.config.config.release.changelog;
    // A dry run changes nothing, so it needs no lock and finishes nothing.
    let _lock = if args.dry_run {
        None
    } else {
        let lock = begin(app, io, None)?;
        if let Some(made) = release::recover::resume(app)? {
            let tags: Vec<&str> = made.journal.tags().into_iter().map(|(t, _)| t).collect();
            io.print(&format!("relkit: completed {} from an interrupted run\n", tags.join(", ")))?;
            if !(args.push && made.journal.remote.is_none()) {
                return report_made(app, io, kind, &made);
            }
            // It was made without --push: finished here, it goes on to be
            // pushed below, as a release tag the remote lacks.
            for warning in &made.warnings {
                io.warn(warning)?;
            }
            made.done(app);
        }
        Some(lock)
    };
    // The packages are read after a killed run was finished: its tags count.
    let scopes = app.scopes()?;
    let changelog_paths: Vec<Option<PathBuf>> = scopes
        .iter()
        .map(|s| if changelog_enabled { s.changelog_path().map(Some) } else { Ok(None) })
        .collect::<Result<_>>()?;
    if !args.dry_run {
        for path in changelog_paths.iter().flatten() {
            release::remove_leftovers(app, Some(path));
        }
    }
    let remote = app.config.config.release.remote.clone();
    // Two git reads that do not depend on the version run beside it, and
    // the plugins load meanwhile.
    let has_version_files = scopes.iter().any(|s| !s.config.config.version_files.is_empty());
    let mut capabilities = vec![Capability::VersionBump, Capability::ReleaseNotes, Capability::Rollback];
    capabilities.extend(changelog_enabled.then_some(Capability::Changelog));
    capabilities.extend(has_version_files.then_some(Capability::VersionFiles));
    let (plans, dirty, remote_url, remote_tags) = app.with_preload(&capabilities, || {
        std::thread::scope(|scope| {
            let repo = &app.repo;
            let paths = &changelog_paths;
            let dirty = scope.spawn(move || {
                paths
                    .iter()
                    .map(|p| match p {
                        Some(path) => repo.is_dirty(path),
                        None => Ok(false),
                    })
                    .collect::<crate::git::Result<Vec<bool>>>()
            });
            let preferred = app.config.config.repository.remote.as_deref();
            let remote_url = scope.spawn(move || repo.remote_url(preferred));
            // With --push, the remote's release tags (a network round trip).
            let remote_tags = (args.push && !args.dry_run)
                .then(|| scope.spawn(|| release::recover::remote_release_tags(app, &remote)));
            let plans: Result<Vec<VersionPlan>> =
                scopes.iter().map(|s| s.plan_version(&args.overrides, true)).collect();
            (plans, dirty.join(), remote_url.join(), remote_tags.map(|t| rejoin(t.join())))
        })
    });
    let plans = plans?;
    // A release commit `relkit prepare` made, merged since the last release
    // (`VersionPlan::prepared`): released at its own commit with the version
    // it names, writing nothing it already holds. One commit carries every
    // tag of a run, so the packages it did not prepare (or that another
    // merged pull request prepared) wait for the next run.
    let prepared: Vec<bool> = plans.iter().map(|p| p.prepared.is_some()).collect();
    let landed = plans.iter().find_map(|p| p.prepared.as_ref().map(|f| f.commit.clone()));
    for (scope, plan) in scopes.iter().zip(&plans) {
        if let Some(found) = &plan.prepared {
            io.note(&format!(
                "relkit: {} prepared {}{}; releasing it without writing the CHANGELOG or version files again",
                short_id(&found.commit),
                scope.tag_prefix(),
                found.version
            ))?;
        }
    }
    let mut waits = vec![false; scopes.len()];
    if let Some(at) = &landed {
        let head = app.repo.head()?;
        if *at != head {
            io.note(&format!(
                "relkit: the release pull request's commit is {}; the commits it does not hold (up to HEAD {}) wait \
                 for the next release",
                short_id(at),
                short_id(&head)
            ))?;
        }
        for (n, (scope, plan)) in scopes.iter().zip(plans.iter()).enumerate() {
            if plan.next().is_some() && plan.prepared.as_ref().map(|f| &f.commit) != Some(at) {
                let then = if app.config.config.release.pull_request {
                    "it waits for a release pull request of its own"
                } else {
                    "the next run releases it"
                };
                io.note(&format!(
                    "relkit: package {}: not in the release pull request {}; {then}",
                    scope.package_name(),
                    short_id(at)
                ))?;
                waits[n] = true;
            }
        }
    }
    let dirty = joined(dirty)?;
    app.set_remote(joined(remote_url)?);
    let head = plans.first().map(|p| p.head.clone()).unwrap_or_default();
    let mut unpublished = Vec::new();
    if let Some(refs) = remote_tags {
        let refs = refs?;
        for (scope, plan) in scopes.iter().zip(&plans) {
            unpublished.extend(release::recover::unpublished(scope, &plan.tags, &plan.head, &refs)?);
        }
    }
    let no_release = |io: &mut Io<'_>, why: &str| -> Result<()> {
        if !unpublished.is_empty() {
            return publish(app, io, kind, &head, &unpublished, &remote);
        }
        io.print(why)?;
        let outputs = Outputs { dry_run: args.dry_run, ..Outputs::default() };
        report_outputs(app, io, kind, &outputs)
    };
    if !prepared.contains(&true) && app.config.config.release.pull_request && plans.iter().any(|p| p.next().is_some()) {
        return no_release(
            io,
            "relkit: no release due: with [release] pull-request, a release waits for its pull request (`relkit \
             prepare`) to be merged\n",
        );
    }
    let mut pending = Vec::new();
    for (n, (scope, plan)) in scopes.iter().zip(&plans).enumerate() {
        if waits[n] {
            continue;
        }
        if let Some(release) = scope.pending_release(plan)? {
            pending.push((n, release));
        }
    }
    if pending.is_empty() {
        let why = if several {
            "relkit: no release due (no package has commits that call for one)\n".to_string()
        } else {
            format!("relkit: no release due ({})\n", plans[0].decision.rule)
        };
        return no_release(io, &why);
    }
    for (n, release) in &pending {
        check_can_release(&scopes[*n], &plans[*n], release)?;
    }
    let freeze_note = check_freeze(app, io, "relkit release", args.ignore_freeze, args.dry_run)?;
    // The CHANGELOG and version files go into a release commit with --push,
    // and always when version files are configured: a tag whose commit still
    // says the old version would be a release that contradicts itself.
    let commit_files = app.config.config.release.commit.unwrap_or(args.push || has_version_files);

    let mut planned: Vec<Planned<'_>> = Vec::with_capacity(pending.len());
    let plans_by_index: Vec<Option<VersionPlan>> = {
        let mut v: Vec<Option<VersionPlan>> = plans.into_iter().map(Some).collect();
        pending.iter().map(|(n, _)| v[*n].take()).collect()
    };
    // Files two packages share (a workspace's Cargo.lock) carry both edits:
    // each package's version files are planned over the texts before it.
    let mut overlay: HashMap<PathBuf, String> = HashMap::new();
    for ((n, release), plan) in pending.into_iter().zip(plans_by_index) {
        let Some(plan) = plan else { continue };
        let p =
            render(&scopes[n], args, io, plan, release, changelog_paths[n].clone(), dirty[n], prepared[n], &overlay)?;
        for file in &p.version_files {
            overlay.insert(file.path.clone(), file.new.clone());
        }
        planned.push(p);
    }

    for p in &planned {
        let previous =
            p.release.previous.as_ref().map_or("no previous release".to_string(), |t| format!("previous {}", t.name));
        let verb = if args.dry_run { "dry run, would release" } else { "releasing" };
        io.print(&format!("relkit: {verb} {} ({}; {previous})\n", p.release.tag, p.plan.decision.bump.name()))?;
        let title = if several { format!("Release notes: {}", p.scope.package_name()) } else { "Release notes".into() };
        print_section(app, io, kind, &section_id("relkit_notes", p.scope), &title, &p.notes)?;
        if args.dry_run {
            let title = if several {
                format!("Rollback instructions: {}", p.scope.package_name())
            } else {
                "Rollback instructions".into()
            };
            print_section(app, io, kind, &section_id("relkit_rollback", p.scope), &title, &p.rollback)?;
        }
    }

    let first = &planned[0];
    let outputs = if several {
        let one = planned.len() == 1;
        Outputs {
            version: one.then(|| first.release.version.clone()),
            tag: one.then(|| first.release.tag.clone()),
            released: true,
            dry_run: args.dry_run,
            notes: joined_texts(planned.iter().map(|p| (p, p.notes.as_str()))),
            rollback: joined_texts(planned.iter().map(|p| (p, p.rollback.as_str()))),
            previous_tag: if one { first.release.previous.as_ref().map(|p| p.name.clone()) } else { None },
            bump: one.then(|| first.plan.decision.bump.name().to_string()),
            sha: Some(first.release.commit.clone()),
            packages: planned
                .iter()
                .map(|p| ci::PackageRelease::of(p.scope.package_name(), &p.release, &p.notes))
                .collect(),
        }
    } else {
        Outputs {
            version: Some(first.release.version.clone()),
            tag: Some(first.release.tag.clone()),
            released: true,
            dry_run: args.dry_run,
            notes: first.notes.clone(),
            rollback: first.rollback.clone(),
            previous_tag: first.release.previous.as_ref().map(|p| p.name.clone()),
            bump: Some(first.plan.decision.bump.name().to_string()),
            // The release commit's id is known once it is made (prepare).
            sha: Some(first.release.commit.clone()),
            packages: Vec::new(),
        }
    };
    let sign = app.config.config.release.sign;
    let mut files = Vec::new();
    for p in &planned {
        if let (Some(text), Some(path)) = (&p.changed, &p.changelog_path) {
            files.push(FileChange {
                path: path.clone(),
                old: p.existing.clone().map(String::into_bytes),
                new: text.clone().into_bytes(),
            });
        }
        for change in p.version_files.iter().map(version_files::Updated::file_change) {
            change.merge_into(&mut files);
        }
    }
    let tags: Vec<&str> = planned.iter().map(|p| p.release.tag.as_str()).collect();
    let branch = if commit_files && !files.is_empty() && args.push { Some(push_branch(app)?) } else { None };
    if args.dry_run {
        let mut shown: Vec<String> = Vec::new();
        for p in &planned {
            if p.changed.is_some()
                && let Some(path) = &p.changelog_path
            {
                let name = changelog::display_path(app, path);
                io.print(&format!("would write {name}\n"))?;
                shown.push(name);
            }
            for file in &p.version_files {
                let changes: Vec<String> =
                    file.changes.iter().map(|(at, old, new)| format!("{at}: {old} -> {new}")).collect();
                io.print(&format!("would write {} ({})\n", file.display, changes.join(", ")))?;
                io.print(&file.diff())?;
                if !shown.contains(&file.display) {
                    shown.push(file.display.clone());
                }
            }
        }
        if commit_files && !shown.is_empty() {
            io.print(&format!("would commit {}\n", shown.join(", ")))?;
        }
        let what = if tags.len() == 1 { "tag" } else { "tags" };
        if commit_files && !files.is_empty() {
            io.print(&format!(
                "would create {what} {} at the release commit (on top of {})\n",
                tags.join(", "),
                short_id(&first.release.commit)
            ))?;
        } else {
            io.print(&format!("would create {what} {} at {}\n", tags.join(", "), short_id(&first.release.commit)))?;
        }
        if args.push {
            io.print(&format!("would push {} to {remote}\n", tags.join(", ")))?;
        }
        return report_outputs(app, io, kind, &outputs);
    }

    let commit_message = (commit_files && !files.is_empty()).then(|| {
        let template = &app.config.config.release.commit_message;
        if app.has_packages() {
            // `chore(release): api-v1.1.0, web-v2.0.0`: every tag the commit
            // makes (also for one package: a bare version names no package).
            template.replace("{version}", &tags.join(", ")).replace("{tag}", &tags.join(", "))
        } else {
            template.replace("{version}", &first.release.version).replace("{tag}", &first.release.tag)
        }
    });
    let with_freeze = |notes: &str| match &freeze_note {
        Some(note) => format!("{}\n\n{note}\n", notes.trim_end()),
        None => notes.to_string(),
    };
    let request = Request {
        version: first.release.version.clone(),
        tag: first.release.tag.clone(),
        head: first.release.commit.clone(),
        message: with_freeze(&first.notes),
        sign,
        files,
        commit_message,
        push: if args.push {
            let lease =
                branch.as_deref().map(|b| release::lease(app, &remote, b, &first.release.commit)).transpose()?;
            Some(Push {
                remote: remote.clone(),
                branch,
                lease,
                unpublished_tags: unpublished.iter().map(|t| t.name.clone()).collect(),
            })
        } else {
            None
        },
        outputs,
        also: planned[1..]
            .iter()
            .map(|p| release::AlsoTag {
                version: p.release.version.clone(),
                tag: p.release.tag.clone(),
                message: with_freeze(&p.notes),
            })
            .collect(),
    };
    let render = |target: &str| -> Result<String> {
        let mut texts = Vec::with_capacity(planned.len());
        for p in &planned {
            let tagged = ReleaseData { commit: target.to_string(), ..p.release.clone() };
            texts.push(p.scope.render_rollback(&tagged, p.plan.preset)?);
        }
        Ok(if several {
            joined_texts(planned.iter().zip(&texts).map(|(p, t)| (p, t.as_str())))
        } else {
            texts.pop().unwrap_or_default()
        })
    };
    let made = release::execute_with(app, &request, Some(&render))?;
    print_section(app, io, kind, "relkit_rollback", "Rollback instructions", &made.journal.outputs.rollback)?;
    report_made(app, io, kind, &made)
}

/// Runs every plugin for one package's release: notes, the CHANGELOG's new
/// text, the version files and (for a dry run) the runbook; refuses a dirty
/// CHANGELOG or version file (a dry run warns).
#[allow(clippy::too_many_arguments)]
fn render<'a>(
    scope: &'a App,
    args: &ReleaseArgs,
    io: &mut Io<'_>,
    plan: VersionPlan,
    release: ReleaseData,
    changelog_path: Option<PathBuf>,
    dirty: bool,
    prepared: bool,
    overlay: &HashMap<PathBuf, String>,
) -> Result<Planned<'a>> {
    let write_changelog = changelog_path.is_some() && release.in_changelog(&scope.config.config) && !prepared;
    if dirty && write_changelog {
        let shown = changelog::display_path(scope, changelog_path.as_deref().unwrap_or(Path::new("CHANGELOG.md")));
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
    let existing = match (&changelog_path, write_changelog) {
        (Some(path), true) => changelog::read_existing(path)?,
        _ => None,
    };
    let next = Version::parse(&release.version).map_err(|e| {
        Error::Refused(format!("the next version {:?} is not a semantic version: {e}", release.version))
    })?;
    let last_stable = plan.decision.current.as_deref().and_then(|v| Version::parse(v).ok());
    let (notes, new_changelog, rollback, version_files) = std::thread::scope(|threads| {
        let notes = threads.spawn(|| scope.render_notes(&release, plan.preset));
        // A real release renders the runbook once the tagged commit (the
        // release commit, when there is one) is known: see execute_with.
        let rollback = threads
            .spawn(|| if args.dry_run { scope.render_rollback(&release, plan.preset) } else { Ok(String::new()) });
        let version_files = threads.spawn(|| {
            if prepared {
                // Written by the pull request: check that the merge kept them.
                version_files::check_at(scope, &plan.head, &next, last_stable.as_ref()).map(|()| Vec::new())
            } else {
                version_files::plan_over(scope, &next, last_stable.as_ref(), overlay)
            }
        });
        let changelog = if write_changelog {
            changelog::updated_text(scope, &release, plan.preset, existing.clone()).map(Some)
        } else {
            Ok(None)
        };
        (rejoin(notes.join()), changelog, rejoin(rollback.join()), rejoin(version_files.join()))
    });
    // Reported in a fixed order whatever finished first.
    let (version_files, notes, new_changelog, rollback) = (version_files?, notes?, new_changelog?, rollback?);
    for file in &version_files {
        if scope.repo.is_dirty(&file.path)? {
            let message = format!(
                "{} has uncommitted changes, or is not tracked by git (untracked or ignored); commit it (or discard \
                 the changes) first, so that the release commit holds only the version",
                file.display
            );
            if args.dry_run {
                io.warn(&message)?;
            } else {
                return Err(Error::Refused(message));
            }
        }
    }
    let changed = new_changelog.filter(|t| existing.as_deref() != Some(t.as_str()));
    Ok(Planned {
        scope,
        plan,
        release,
        notes: notes.markdown,
        rollback,
        changelog_path,
        existing,
        changed,
        version_files,
    })
}

/// A section id unique per package (GitLab folds sections by id).
fn section_id(base: &str, scope: &App) -> String {
    match &scope.package.name {
        None => base.to_string(),
        Some(name) => {
            let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            format!("{base}_{safe}")
        }
    }
}

/// The texts of several packages, each under `# <package> <version>`.
fn joined_texts<'p>(parts: impl Iterator<Item = (&'p Planned<'p>, &'p str)>) -> String {
    let mut out = String::new();
    for (p, text) in parts {
        if text.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&super::package_heading(p.scope.package_name(), &p.release.version));
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// Takes the release lock, says when a killed run held it, and removes what
/// killed runs left.
pub fn begin(app: &App, io: &mut Io<'_>, changelog: Option<&Path>) -> Result<ReleaseLock> {
    release::signals::catch();
    let (lock, stale) = ReleaseLock::acquire(&release::relkit_dir(app))?;
    if let Some(pid) = stale {
        io.warn(&format!(
            "an earlier relkit run (PID {pid}) was killed in this repository; relkit took over its lock and \
             finishes what it had committed to"
        ))?;
    }
    release::remove_leftovers(app, changelog);
    Ok(lock)
}

/// Pushes release tags made here earlier that the remote never got (with the
/// branch, fast-forward only, when HEAD is on one), and reports the newest as
/// this run's release.
fn publish(
    app: &App,
    io: &mut Io<'_>,
    kind: CiKind,
    head: &str,
    tags: &[crate::git::VersionTag],
    remote: &str,
) -> Result<()> {
    let mut refspecs: Vec<String> = tags.iter().map(|t| format!("refs/tags/{0}:refs/tags/{0}", t.name)).collect();
    if let Ok(branch) = push_branch(app) {
        refspecs.push(format!("{head}:{branch}"));
    }
    app.repo.push_atomic(remote, &refspecs, &[]).map_err(|e| {
        let newest = tags.last().map(|t| t.name.clone()).unwrap_or_default();
        let why = release::commit::push_message(&e, remote, head);
        Error::Refused(format!("pushing {newest}, made here earlier but never pushed, failed: {why}"))
    })?;
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    io.print(&format!("relkit: pushed {} to {remote} (made here earlier, never pushed)\n", names.join(", ")))?;
    let Some(newest) = tags.last() else { return Ok(()) };
    let notes = app.repo.capture(["tag", "-l", "--format=%(contents)", "--end-of-options", &newest.name])?;
    let outputs = Outputs {
        version: Some(newest.version.to_string()),
        tag: Some(newest.name.clone()),
        released: true,
        dry_run: false,
        notes: String::from_utf8_lossy(&notes).trim_end().to_string() + "\n",
        sha: Some(newest.commit.clone()),
        ..Outputs::default()
    };
    report_outputs(app, io, kind, &outputs)
}

/// Prints what a made release did, its warnings, and writes the CI outputs.
pub fn report_made(app: &App, io: &mut Io<'_>, kind: CiKind, made: &Made) -> Result<()> {
    let j = &made.journal;
    for file in &j.files {
        if file.committed {
            io.print(&format!("committed {} as {}\n", file.path, short_id(&j.target)))?;
        } else {
            io.print(&format!("wrote {}\n", file.path))?;
        }
    }
    for (tag, _) in j.tags() {
        io.print(&format!(
            "created {} tag {tag} at {}\n",
            if j.signed { "signed" } else { "annotated" },
            short_id(&j.target)
        ))?;
    }
    if let Some(remote) = &j.remote {
        let mut what: Vec<String> = j.tags().into_iter().map(|(t, _)| t.to_string()).collect();
        what.extend(
            j.remote_branch
                .iter()
                .filter(|_| j.release_commit)
                .map(|b| b.strip_prefix("refs/heads/").unwrap_or(b).to_string()),
        );
        what.extend(j.unpublished_tags.iter().cloned());
        let list = match what.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => what.join(""),
        };
        io.print(&format!("pushed {list} to {remote}\n"))?;
    }
    for warning in &made.warnings {
        io.warn(warning)?;
    }
    if release::signals::interrupted() {
        io.note("relkit: stopped by a signal after the commit point; the release was finished first")?;
    }
    let written = write_outputs(app, kind, &j.outputs)
        .map_err(|e| Error::Refused(format!("{} was released, but writing the CI outputs failed: {e}", j.tag)))?;
    made.done(app);
    for path in written.paths() {
        io.detail(&format!("relkit: wrote {}", path.display()))?;
    }
    Ok(())
}

/// The result of a scoped thread that read git.
fn joined<T>(result: std::thread::Result<crate::git::Result<T>>) -> Result<T> {
    rejoin(result).map_err(Error::from)
}

fn print_section(app: &App, io: &mut Io<'_>, kind: CiKind, id: &str, title: &str, body: &str) -> Result<()> {
    io.raw(&ci::section_start(kind, id, title, app.now))?;
    io.print(body.trim_end())?;
    io.print("\n")?;
    io.raw(&ci::section_end(kind, id, app.now))
}

/// [`ci::check_paths`] for this run: before anything is made.
pub fn check_output_paths(app: &App, kind: CiKind) -> Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let place = ci::Place { env: &app.env, cwd: &cwd, root: app.repo.root(), tmp: &release::tmp_dir(app) };
    ci::check_paths(kind, &app.config.config.ci, &place)
}

fn write_outputs(app: &App, kind: CiKind, outputs: &Outputs) -> Result<ci::Written> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let place = ci::Place { env: &app.env, cwd: &cwd, root: app.repo.root(), tmp: &release::tmp_dir(app) };
    ci::write_outputs(kind, &app.config.config.ci, &place, outputs)
}

/// Writes the outputs of a run that changes nothing else.
fn report_outputs(app: &App, io: &mut Io<'_>, kind: CiKind, outputs: &Outputs) -> Result<()> {
    let written = write_outputs(app, kind, outputs)?;
    for path in written.paths() {
        io.detail(&format!("relkit: wrote {}", path.display()))?;
    }
    Ok(())
}

/// Refuses a release inside a `[[release.freeze]]` window (a dry run only
/// warns); with `ignore`, returns the line the tag message records instead.
pub fn check_freeze(app: &App, io: &mut Io<'_>, what: &str, ignore: bool, dry_run: bool) -> Result<Option<String>> {
    let windows = &app.config.config.release.freeze;
    if ignore {
        return Ok(crate::freeze::override_note(windows, app.now));
    }
    match crate::freeze::refusal(windows, app.now, what) {
        Some(why) if dry_run => {
            io.warn(&why)?;
            Ok(None)
        }
        Some(why) => Err(Error::Refused(why)),
        None => Ok(None),
    }
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

/// The branch a release commit is pushed to: HEAD's branch, or in CI with a
/// detached HEAD (GitLab always, GitHub for some events) the pipeline's branch.
fn push_branch(app: &App) -> Result<String> {
    if let Some(branch) = app.repo.head_branch()? {
        return Ok(branch);
    }
    let from_ci = if app.env.get("GITHUB_REF_TYPE").as_deref() == Some("branch") {
        app.env.get("GITHUB_REF_NAME")
    } else {
        app.env.get("CI_COMMIT_BRANCH")
    };
    let branch = from_ci.ok_or_else(|| {
        Error::Refused(
            "HEAD is detached, so relkit cannot push the CHANGELOG commit to a branch; check out the branch first"
                .to_string(),
        )
    })?;
    let name = format!("refs/heads/{branch}");
    if let Some(why) = crate::refname::ref_problem(&name) {
        return Err(Error::Refused(format!("the CI's branch name {branch:?} {why}")));
    }
    Ok(name)
}

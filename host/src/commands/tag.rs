//! `relkit tag [--push] [--sign] [--dry-run]`: creates the release tag.
//!
//! An annotated tag (prefix from `[release] tag-prefix`) whose message holds
//! the release notes. It refuses when no release is due, when the tag exists,
//! or when HEAD is already released on this channel. The tag is made like a
//! release without files (`crate::release`): the tag object aside, then one
//! commit point — the atomic push with `--push`, else one ref transaction.

use super::Io;
use super::release::{begin, check_can_release, check_freeze};
use crate::app::{App, VersionOverrides};
use crate::ci::Outputs;
use crate::error::{Error, Result};
use crate::git::short_id;
use crate::release::{self, Push, Request};
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct TagArgs {
    pub push: bool,
    pub sign: bool,
    pub dry_run: bool,
    /// Tag inside a `[[release.freeze]]` window (recorded in the tag message).
    pub ignore_freeze: bool,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &TagArgs, io: &mut Io<'_>) -> Result<()> {
    super::release::check_output_paths(app, io.style.ci)?;
    let _lock = if args.dry_run {
        None
    } else {
        let lock = begin(app, io, None)?;
        if let Some(made) = release::recover::resume(app)? {
            io.print(&format!("relkit: completed {} from an interrupted run\n", made.journal.tag))?;
            for warning in &made.warnings {
                io.warn(warning)?;
            }
            made.done(app);
            return Ok(());
        }
        Some(lock)
    };
    app.with_preload(&[Capability::VersionBump, Capability::ReleaseNotes], || {
        let scopes = app.scopes()?;
        let mut due = Vec::new();
        for scope in &scopes {
            let plan = scope.plan_version(&args.overrides, true)?;
            if plan.next().is_some() || !super::several(app) {
                due.push((scope, plan));
            }
        }
        if due.len() > 1 {
            let names: Vec<&str> = due.iter().map(|(s, _)| s.package_name()).collect();
            return Err(Error::Refused(format!(
                "packages {} are due; tag one with --package NAME, or release them together with `relkit release`",
                names.join(", ")
            )));
        }
        let Some((app, plan)) = due.pop() else {
            return Err(Error::Refused("no package has a release due; there is nothing to tag".to_string()));
        };
        let Some(pending) = app.pending_release(&plan)? else {
            return Err(Error::Refused(format!("{}; there is nothing to tag", plan.decision.rule)));
        };
        // As `relkit release`: with [release] pull-request, only a merged
        // release pull request is released.
        if app.config.config.release.pull_request && plan.prepared.is_none() {
            return Err(Error::Refused(
                "with [release] pull-request, a release waits for its pull request (`relkit prepare`) to be merged; \
                 there is nothing to tag"
                    .to_string(),
            ));
        }
        check_can_release(app, &plan, &pending)?;
        let freeze_note = check_freeze(app, io, "relkit tag", args.ignore_freeze, args.dry_run)?;
        refuse_stale_version_files(app, &plan, &pending.version, &pending.tag)?;
        let notes = app.render_notes(&pending, plan.preset)?;
        let mut message =
            if notes.markdown.trim().is_empty() { format!("Release {}\n", pending.tag) } else { notes.markdown };
        if let Some(note) = freeze_note {
            message = format!("{}\n\n{note}\n", message.trim_end());
        }
        let sign = args.sign || app.config.config.release.sign;
        let kind = if sign { "signed" } else { "annotated" };
        let remote = app.config.config.release.remote.clone();
        let at = short_id(&pending.commit);
        if args.dry_run {
            io.print(&format!("would create {kind} tag {} at {at}\n", pending.tag))?;
            if args.push {
                io.print(&format!("would push {} to {remote}\n", pending.tag))?;
            }
            io.print(&format!("--- tag message ---\n{}", message))?;
            return Ok(());
        }
        let request = Request {
            version: pending.version.clone(),
            tag: pending.tag.clone(),
            head: pending.commit.clone(),
            message,
            sign,
            files: Vec::new(),
            commit_message: None,
            push: args.push.then(|| Push {
                remote: remote.clone(),
                branch: None,
                lease: None,
                unpublished_tags: Vec::new(),
            }),
            outputs: Outputs::default(),
            also: Vec::new(),
        };
        let made = release::execute(app, &request)?;
        io.print(&format!("created {kind} tag {} at {at}\n", pending.tag))?;
        if args.push {
            io.print(&format!("pushed {} to {remote}\n", pending.tag))?;
        }
        for warning in &made.warnings {
            io.warn(warning)?;
        }
        made.done(app);
        Ok(())
    })
}

/// `relkit tag` makes no commit: with `[[version-files]]` configured, it
/// refuses to tag a commit whose version files do not already say the new
/// version (the tag and the package would disagree); `relkit release`
/// commits them.
fn refuse_stale_version_files(app: &App, plan: &crate::app::VersionPlan, version: &str, tag: &str) -> Result<()> {
    if app.config.config.version_files.is_empty() {
        return Ok(());
    }
    let next = semver::Version::parse(version)
        .map_err(|e| Error::Refused(format!("the next version {version:?} is not a semantic version: {e}")))?;
    let last_stable = plan.decision.current.as_deref().and_then(|v| semver::Version::parse(v).ok());
    let stale = crate::version_files::plan(app, &next, last_stable.as_ref())?;
    let Some(file) = stale.first() else { return Ok(()) };
    let (at, old, _) = file.changes.first().cloned().unwrap_or_default();
    Err(Error::Refused(format!(
        "{} still says {old} ({at}), so tag {tag} would contradict it; run `relkit release`, which commits the version \
         files with the tag, or update them to {version} and commit first",
        file.display
    )))
}

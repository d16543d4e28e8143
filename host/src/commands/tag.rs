//! `relkit tag [--push] [--sign] [--dry-run]`: creates the release tag.
//!
//! An annotated tag (prefix from `[release] tag-prefix`) whose message holds
//! the release notes. It refuses when no release is due, when the tag exists,
//! or when HEAD is already released on this channel.

use super::Io;
use super::release::check_can_release;
use crate::app::{App, VersionOverrides};
use crate::error::{Error, Result};
use crate::git::short_id;
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct TagArgs {
    pub push: bool,
    pub sign: bool,
    pub dry_run: bool,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &TagArgs, io: &mut Io<'_>) -> Result<()> {
    app.with_preload(&[Capability::VersionBump, Capability::ReleaseNotes], || {
        let plan = app.plan_version(&args.overrides, true)?;
        let Some(release) = app.pending_release(&plan)? else {
            return Err(Error::Refused(format!("{}; there is nothing to tag", plan.decision.rule)));
        };
        check_can_release(app, &plan, &release)?;
        let notes = app.render_notes(&release, plan.preset)?;
        let message =
            if notes.markdown.trim().is_empty() { format!("Release {}\n", release.tag) } else { notes.markdown };
        let sign = args.sign || app.config.config.release.sign;
        let kind = if sign { "signed" } else { "annotated" };
        let remote = app.config.config.release.remote.clone();
        let at = short_id(&release.commit);
        if args.dry_run {
            io.print(&format!("would create {kind} tag {} at {at}\n", release.tag))?;
            if args.push {
                io.print(&format!("would push {} to {remote}\n", release.tag))?;
            }
            io.print(&format!("--- tag message ---\n{}", message))?;
            return Ok(());
        }
        app.repo.create_tag(&release.tag, &release.commit, &message, sign)?;
        let created = format!("created {kind} tag {} at {at}\n", release.tag);
        if args.push {
            if let Err(e) = app.repo.push(&remote, &[format!("refs/tags/{}", release.tag)]) {
                // Leave nothing behind: a tag that exists only locally would make
                // the next run refuse to release.
                let outcome = match app.repo.delete_tag(&release.tag) {
                    Ok(()) => "the local tag was deleted again".to_string(),
                    Err(d) => {
                        format!("deleting the local tag failed too ({d}); delete it with `git tag -d {}`", release.tag)
                    }
                };
                return Err(Error::Refused(format!("{}; {outcome}", super::release::push_error(&e, &remote))));
            }
            return io.print(&format!("{created}pushed {} to {remote}\n", release.tag));
        }
        io.print(&created)
    })
}

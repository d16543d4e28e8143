//! `relkit rollback [--release TAG]`: instructions for undoing a release.
//!
//! Default: the release about to be made; when none is due, the release HEAD
//! is tagged with, else the last release reachable from HEAD.

use super::Io;
use crate::app::{App, ReleaseData, VersionOverrides};
use crate::error::{Error, Result};
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct RollbackArgs {
    pub release: Option<String>,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &RollbackArgs, io: &mut Io<'_>) -> Result<()> {
    app.with_preload(&[Capability::VersionBump, Capability::Rollback], || {
        let (release, preset) = resolve(app, args)?;
        let text = app.render_rollback(&release, preset)?;
        io.print(&text)
    })
}

fn resolve(app: &App, args: &RollbackArgs) -> Result<(ReleaseData, crate::config::Preset)> {
    let preset = app.preset(&args.overrides);
    let tags = app.version_tags()?;
    if let Some(name) = &args.release {
        let tag = tags.iter().find(|t| t.name == *name).ok_or_else(|| {
            Error::Refused(format!(
                "`{name}` is not a release tag of this repository (release tags are `{}<version>`, e.g. {}1.2.0)",
                app.tag_prefix(),
                app.tag_prefix()
            ))
        })?;
        return Ok((app.tagged_release(&tags, tag)?, preset));
    }
    let plan = app.plan_version(&args.overrides, true)?;
    if let Some(pending) = app.pending_release(&plan)? {
        return Ok((pending, preset));
    }
    let at_head = tags.iter().filter(|t| t.commit == plan.head).max_by(|a, b| a.version.cmp(&b.version));
    match at_head.or(plan.last_release.as_ref()) {
        Some(tag) => Ok((app.tagged_release(&tags, tag)?, preset)),
        None => Err(Error::Refused(
            "nothing has been released yet and no release is due, so there is nothing to roll back".to_string(),
        )),
    }
}

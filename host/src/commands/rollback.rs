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
        let scopes = app.scopes()?;
        if super::several(app) {
            return run_packages(&scopes, args, io);
        }
        let app = &scopes[0];
        let (release, preset) = resolve(app, args)?;
        let text = app.render_rollback(&release, preset)?;
        io.print(&text)
    })
}

/// The runbook of each due package, each under a `# <package>` heading.
fn run_packages(scopes: &[App], args: &RollbackArgs, io: &mut Io<'_>) -> Result<()> {
    if let Some(name) = &args.release {
        // A release tag names its package by its prefix.
        for scope in scopes {
            if scope.version_tags()?.iter().any(|t| t.name == *name) {
                let (release, preset) = resolve(scope, args)?;
                return io.print(&scope.render_rollback(&release, preset)?);
            }
        }
        return Err(Error::Refused(format!(
            "`{name}` is not a release tag of any package (their tags are `<name>-v<version>` or the package's \
             tag-prefix)"
        )));
    }
    let mut printed = 0;
    for scope in scopes {
        let plan = scope.plan_version(&args.overrides, true)?;
        let Some(release) = scope.pending_release(&plan)? else { continue };
        let text = scope.render_rollback(&release, plan.preset)?;
        let sep = if printed == 0 { "" } else { "\n" };
        io.print(&format!("{sep}{}", super::package_heading(scope.package_name(), &release.version)))?;
        io.print(&text)?;
        printed += 1;
    }
    if printed == 0 {
        io.note("relkit: no package has a release due; name a release with --release TAG")?;
    }
    Ok(())
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

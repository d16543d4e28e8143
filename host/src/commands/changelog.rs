//! `relkit changelog [--full] [--output PATH] [--dry-run]`
//!
//! Default: insert the section of the release about to be made at the top of
//! CHANGELOG.md, keeping every other byte. `--full`: regenerate the file from
//! history, one section per release tag reachable from HEAD (plus the release
//! about to be made), reading the history once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Io;
use crate::app::{App, ReleaseData, VersionOverrides};
use crate::contract::{self, ChangelogMode};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::git::{self, GitCommit, VersionTag};

#[derive(Debug, Clone, Default)]
pub struct ChangelogArgs {
    pub full: bool,
    pub output: Option<PathBuf>,
    pub dry_run: bool,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &ChangelogArgs, io: &mut Io<'_>) -> Result<()> {
    let path = args.output.clone().unwrap_or_else(|| app.changelog_path());
    let shown = display_path(app, &path);
    let existing = read_existing(&path)?;
    let plan = app.plan_version(&args.overrides, !args.full)?;
    let text = if args.full {
        let releases = full_history(app, &plan)?;
        app.render_changelog(&releases, ChangelogMode::Full, existing.clone(), plan.preset)?
    } else {
        let Some(release) = app.pending_release(&plan)? else {
            io.note(&format!("relkit: {}; {shown} is unchanged", plan.decision.rule))?;
            return Ok(());
        };
        app.render_changelog(std::slice::from_ref(&release), ChangelogMode::Update, existing.clone(), plan.preset)?
    };
    if args.dry_run {
        return io.print(&text);
    }
    if existing.as_deref() == Some(text.as_str()) {
        io.note(&format!("relkit: {shown} is up to date"))?;
        return Ok(());
    }
    fsutil::write_atomic(&path, text.as_bytes()).map_err(|e| Error::file(&path, e))?;
    io.note(&format!("relkit: wrote {shown}"))
}

pub fn read_existing(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            Error::file(path, "is not UTF-8 text; relkit leaves it alone (convert it or choose --output)")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::file(path, e)),
    }
}

pub fn display_path(app: &App, path: &Path) -> String {
    path.strip_prefix(app.repo.root()).unwrap_or(path).display().to_string()
}

/// Every release reachable from HEAD, oldest first, with its own commits:
/// each commit belongs to the first release (by version) that contains it.
/// One pass over the history: a release's walk stops at commits an earlier
/// release already holds, whose ancestors it holds too.
fn full_history(app: &App, plan: &crate::app::VersionPlan) -> Result<Vec<ReleaseData>> {
    let history = app.repo.log(std::slice::from_ref(&plan.head), false)?;
    app.repo.check_complete(&history, "the first commit")?;
    let index: HashMap<&str, usize> = history.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let include_pre = app.config.config.changelog.include_prereleases;
    let mut tags: Vec<&VersionTag> = plan
        .tags
        .iter()
        .filter(|t| include_pre || t.version.pre.is_empty())
        .filter(|t| index.contains_key(t.commit.as_str()))
        .collect();
    tags.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));

    let mut owner: Vec<Option<usize>> = vec![None; history.len()];
    let mut releases = Vec::new();
    let mut previous: Option<&VersionTag> = None;
    let mut stack = Vec::new();
    for (release_no, tag) in tags.iter().enumerate() {
        let mut members = Vec::new();
        stack.push(index[tag.commit.as_str()]);
        while let Some(i) = stack.pop() {
            if owner[i].is_some() {
                continue;
            }
            owner[i] = Some(release_no);
            members.push(i);
            stack.extend(history[i].parents.iter().filter_map(|p| index.get(p.as_str()).copied()));
        }
        members.sort_unstable();
        releases.push(ReleaseData {
            version: tag.version.to_string(),
            tag: tag.name.clone(),
            commit: tag.commit.clone(),
            date: git::utc_date(tag.time),
            previous: previous.map(contract::Tag::from),
            commits: take(&history, &members),
        });
        previous = Some(tag);
    }
    if let Some(version) = plan.next() {
        let rest: Vec<usize> = (0..history.len()).filter(|i| owner[*i].is_none()).collect();
        releases.push(ReleaseData {
            tag: format!("{}{version}", app.tag_prefix()),
            version: version.to_string(),
            commit: plan.head.clone(),
            date: git::utc_date(app.now),
            previous: previous.map(contract::Tag::from),
            commits: take(&history, &rest),
        });
    }
    Ok(releases)
}

fn take(history: &[GitCommit], members: &[usize]) -> Vec<GitCommit> {
    members.iter().map(|&i| history[i].clone()).collect()
}

/// Used by `relkit release` to fold the new section into the file.
pub fn updated_text(
    app: &App,
    release: &ReleaseData,
    preset: crate::config::Preset,
    existing: Option<String>,
) -> Result<String> {
    app.render_changelog(std::slice::from_ref(release), ChangelogMode::Update, existing, preset)
}

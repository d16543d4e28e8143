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
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct ChangelogArgs {
    pub full: bool,
    pub output: Option<PathBuf>,
    pub dry_run: bool,
    /// `--full` writes even when it drops version sections the file has.
    pub force: bool,
    pub overrides: VersionOverrides,
}

pub fn run(app: &App, args: &ChangelogArgs, io: &mut Io<'_>) -> Result<()> {
    app.with_preload(&[Capability::VersionBump, Capability::Changelog], || {
        let scopes = app.scopes()?;
        if super::several(app) && args.output.is_some() {
            return Err(Error::Refused(
                "--output names one file; add --package NAME (each package has its own CHANGELOG)".to_string(),
            ));
        }
        for (n, scope) in scopes.iter().enumerate() {
            // Several files on stdout: each under its name (a blank line between).
            let header = super::several(app).then_some(if n == 0 { "" } else { "\n" });
            run_one(scope, args, header, io)?;
        }
        Ok(())
    })
}

/// One package's CHANGELOG (the implicit package's: `[changelog] path`).
fn run_one(app: &App, args: &ChangelogArgs, header: Option<&str>, io: &mut Io<'_>) -> Result<()> {
    {
        let path = match &args.output {
            Some(p) => p.clone(),
            None => app.changelog_path()?,
        };
        let shown = display_path(app, &path);
        let existing = read_existing(&path)?;
        let text = if args.full {
            // The whole history is read beside the version decision.
            let (plan, history) = std::thread::scope(|scope| {
                let history = scope.spawn(|| app.full_history());
                let plan = app.plan_version(&args.overrides, false);
                (plan, super::rejoin(history.join()))
            });
            let plan = plan?;
            let releases = full_history(app, &plan, history?)?;
            let releases = releases.into_iter().map(ReleaseData::into_contract).collect();
            let text = app.render_changelog(releases, ChangelogMode::Full, existing.clone(), plan.preset)?;
            if !args.force
                && let Some(old) = &existing
            {
                let dropped: Vec<String> =
                    section_versions(old).difference(&section_versions(&text)).map(ToString::to_string).collect();
                if !dropped.is_empty() {
                    return Err(Error::Refused(format!(
                        "{shown}: regenerating it would drop the sections of {} ({} no release tag relkit reads \
                         produces them; check `[release] tag-prefix`); pass --force to regenerate anyway",
                        dropped.join(", "),
                        if dropped.len() == 1 {
                            "the version is in the file, but"
                        } else {
                            "the versions are in the file, but"
                        }
                    )));
                }
            }
            text
        } else {
            let plan = app.plan_version(&args.overrides, true)?;
            let Some(release) = app.pending_release(&plan)? else {
                io.note(&format!("relkit: {}; {shown} is unchanged", plan.decision.rule))?;
                return Ok(());
            };
            if !release.in_changelog(&app.config.config) {
                io.note(&format!(
                    "relkit: {} is a pre-release; {shown} gets the stable release's section \
                     ([changelog] include-prereleases = true writes pre-releases too)",
                    release.tag
                ))?;
                return Ok(());
            }
            app.render_changelog(vec![release.to_contract()], ChangelogMode::Update, existing.clone(), plan.preset)?
        };
        if args.dry_run {
            if let Some(before) = header {
                // Several files: each under its name, as `head` prints them.
                io.print(&format!("{before}==> {shown} <==\n"))?;
            }
            return io.print(&text);
        }
        if existing.as_deref() == Some(text.as_str()) {
            io.note(&format!("relkit: {shown} is up to date"))?;
            return Ok(());
        }
        fsutil::write_atomic_in(&path, text.as_bytes(), &crate::release::tmp_dir(app))
            .map_err(|e| Error::file(&path, e))?;
        io.note(&format!("relkit: wrote {shown}"))
    }
}

/// The versions a CHANGELOG's headings name (`## [1.2.0] - date`,
/// `## v1.2.0`, `# Version 1.2.0`, `## pkg@1.2.0`): the first word of a
/// heading that is, or ends in, a semantic version.
fn section_versions(text: &str) -> std::collections::BTreeSet<semver::Version> {
    let mut versions = std::collections::BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        if fenced || !trimmed.starts_with('#') {
            continue;
        }
        let found = trimmed.trim_start_matches('#').split_whitespace().take(4).find_map(|word| {
            let word = word.trim_matches(|c: char| "[]()*`:".contains(c));
            semver::Version::parse(word.strip_prefix('v').unwrap_or(word)).ok().or_else(|| git::foreign_version(word))
        });
        versions.extend(found);
    }
    versions
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
fn full_history(app: &App, plan: &crate::app::VersionPlan, history: Vec<GitCommit>) -> Result<Vec<ReleaseData>> {
    app.repo.check_complete(&history, "the first commit")?;
    let include_pre = app.config.config.changelog.include_prereleases;
    // Which release (index into `tags`) each commit of `history` belongs to.
    let (tags, owner) = {
        let index: HashMap<&str, usize> = history.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let mut tags: Vec<VersionTag> = plan
            .tags
            .iter()
            .filter(|t| include_pre || t.version.pre.is_empty())
            .filter_map(|t| {
                index.get(t.commit.as_str()).map(|&i| VersionTag { time: history[i].commit_time, ..t.clone() })
            })
            .collect();
        tags.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
        let mut owner: Vec<Option<usize>> = vec![None; history.len()];
        let mut stack = Vec::new();
        for (release_no, tag) in tags.iter().enumerate() {
            stack.push(index[tag.commit.as_str()]);
            while let Some(i) = stack.pop() {
                if owner[i].is_none() {
                    owner[i] = Some(release_no);
                    stack.extend(history[i].parents.iter().filter_map(|p| index.get(p.as_str()).copied()));
                }
            }
        }
        (tags, owner)
    };

    let pending = plan.next();
    let mut commits: Vec<Vec<GitCommit>> = vec![Vec::new(); tags.len() + 1];
    // Moved, not copied, newest first as in `history`; commits of no release
    // belong to the one about to be made (if any).
    for (commit, release_no) in history.into_iter().zip(owner) {
        // A package's sections hold its own commits only.
        if !app.package.holds(&commit) {
            continue;
        }
        let commit = if app.package.name.is_some() { app.package.view(&commit) } else { commit };
        match release_no {
            Some(n) => commits[n].push(commit),
            None if pending.is_some() => commits[tags.len()].push(commit),
            None => {}
        }
    }
    let mut commits = commits.into_iter();
    let mut releases = Vec::with_capacity(tags.len() + 1);
    let mut previous: Option<&VersionTag> = None;
    for tag in &tags {
        releases.push(ReleaseData {
            version: tag.version.to_string(),
            tag: tag.name.clone(),
            commit: tag.commit.clone(),
            date: git::utc_date(tag.time),
            previous: previous.map(contract::Tag::from),
            commits: commits.next().unwrap_or_default(),
        });
        previous = Some(tag);
    }
    if let Some(version) = pending {
        releases.push(ReleaseData {
            tag: format!("{}{version}", app.tag_prefix()),
            version: version.to_string(),
            commit: plan.head.clone(),
            date: git::utc_date(app.now),
            previous: previous.map(contract::Tag::from),
            commits: commits.next().unwrap_or_default(),
        });
    }
    Ok(releases)
}

/// Used by `relkit release` to fold the new section into the file.
pub fn updated_text(
    app: &App,
    release: &ReleaseData,
    preset: crate::config::Preset,
    existing: Option<String>,
) -> Result<String> {
    app.render_changelog(vec![release.to_contract()], ChangelogMode::Update, existing, preset)
}

//! `relkit notes [--from REF] [--to REF] [--json]`: markdown release notes.
//!
//! Without refs: the release about to be made (last release tag to HEAD);
//! when none is due and HEAD is a release tag, that release; otherwise the
//! unreleased commits since the last release. `--to` may name a release tag
//! (its notes) or any ref; `--from` replaces the start of the range.

use super::Io;
use crate::app::{App, ReleaseData, VersionOverrides};
use crate::contract;
use crate::error::{Error, Result};
use crate::git::{self, VersionTag};
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct NotesArgs {
    pub from: Option<String>,
    pub to: Option<String>,
    pub json: bool,
    pub overrides: VersionOverrides,
}

/// The label of notes for commits that no release holds yet.
pub const UNRELEASED: &str = "Unreleased";

pub fn run(app: &App, args: &NotesArgs, io: &mut Io<'_>) -> Result<()> {
    app.with_preload(&[Capability::VersionBump, Capability::ReleaseNotes], || {
        let scopes = app.scopes()?;
        if super::several(app) {
            return run_packages(&scopes, args, io);
        }
        let app = &scopes[0];
        let (release, preset) = resolve(app, args)?;
        let rendered = app.render_notes(&release, preset)?;
        if args.json {
            let value: serde_json::Value = serde_json::from_str(&rendered.data)
                .map_err(|e| Error::Refused(format!("plugin notes: returned data that is not JSON: {e}")))?;
            let text = serde_json::to_string_pretty(&value).unwrap_or_default();
            return io.print_data(&format!("{text}\n"));
        }
        io.print(&rendered.markdown)
    })
}

/// Every due package's notes, each under a `# <package>` heading (`--json`:
/// a list of `{package, notes}` with the data the template receives).
fn run_packages(scopes: &[App], args: &NotesArgs, io: &mut Io<'_>) -> Result<()> {
    if args.from.is_some() || args.to.is_some() {
        let flag = if args.from.is_some() { "--from" } else { "--to" };
        return Err(Error::Refused(format!(
            "{flag} names a range of one package; add --package NAME (relkit.toml lists [[packages]])"
        )));
    }
    let mut list = Vec::new();
    let mut printed = 0;
    for scope in scopes {
        let plan = scope.plan_version(&args.overrides, true)?;
        let Some(release) = scope.pending_release(&plan)? else { continue };
        let rendered = scope.render_notes(&release, plan.preset)?;
        if args.json {
            let value: serde_json::Value = serde_json::from_str(&rendered.data)
                .map_err(|e| Error::Refused(format!("plugin notes: returned data that is not JSON: {e}")))?;
            list.push(serde_json::json!({ "package": scope.package_name(), "tag": release.tag, "notes": value }));
            continue;
        }
        let sep = if printed == 0 { "" } else { "\n" };
        io.print(&format!("{sep}{}", super::package_heading(scope.package_name(), &release.version)))?;
        io.print(&rendered.markdown)?;
        printed += 1;
    }
    if args.json {
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        return io.print_data(&format!("{text}\n"));
    }
    if printed == 0 {
        io.note("relkit: no package has a release due")?;
    }
    Ok(())
}

/// Which release the notes are about, and the preset to read commits with.
fn resolve(app: &App, args: &NotesArgs) -> Result<(ReleaseData, crate::config::Preset)> {
    let tags = app.version_tags()?;
    let preset = app.preset(&args.overrides);
    let mut release = match args.to.as_deref() {
        None => {
            let plan = app.plan_version(&args.overrides, true)?;
            match app.pending_release(&plan)? {
                Some(r) => r,
                None => match highest_tag_at(&tags, &plan.head) {
                    Some(tag) => app.tagged_release(&tags, tag)?,
                    _ => unreleased(app, &tags, "HEAD", &plan.head)?,
                },
            }
        }
        Some(to) => {
            let commit = app.repo.resolve(to)?;
            let named = tags.iter().find(|t| t.name == to);
            match named.or_else(|| highest_tag_at(&tags, &commit)) {
                Some(tag) => app.tagged_release(&tags, tag)?,
                None => unreleased(app, &tags, &link_name(to, &commit), &commit)?,
            }
        }
    };
    if let Some(from) = &args.from {
        let from_commit = app.repo.resolve(from)?;
        // A range the wrong way round is an empty range: say so rather than
        // print "no notable changes".
        if from_commit != release.commit
            && !app.repo.is_ancestor(&from_commit, &release.commit)?
            && app.repo.is_ancestor(&release.commit, &from_commit)?
        {
            let to = args.to.as_deref().unwrap_or("HEAD");
            return Err(Error::Refused(format!(
                "--from {from} is newer than --to {to} ({to} is an ancestor of it), so the range holds no commit; \
                 swap the two"
            )));
        }
        let tag = tags.iter().find(|t| t.name == *from);
        release.previous = Some(match tag {
            Some(t) => contract::Tag::from(t),
            None => contract::Tag {
                name: link_name(from, &from_commit),
                version: String::new(),
                commit_id: from_commit.clone(),
                time: 0,
                date: String::new(),
            },
        });
        release.commits = app.commits_between(Some(&from_commit), &release.commit, true, &format!("`{from}`"))?;
    }
    Ok((release, preset))
}

/// How a ref appears in links: as written when it is a name (a branch, a
/// tag, HEAD), else the commit id (`HEAD~3` means nothing on the forge).
fn link_name(reference: &str, commit: &str) -> String {
    let expression = reference.contains(['~', '^', ':', '@', '{']) || reference.contains("..");
    if expression { commit.to_string() } else { reference.to_string() }
}

fn highest_tag_at<'t>(tags: &'t [VersionTag], commit: &str) -> Option<&'t VersionTag> {
    tags.iter().filter(|t| t.commit == commit).max_by(|a, b| a.version.cmp(&b.version))
}

/// Commits after the last release reachable from `commit`, not released yet.
fn unreleased(app: &App, tags: &[VersionTag], reference: &str, commit: &str) -> Result<ReleaseData> {
    let last = app.repo.highest_reachable(tags.iter().filter(|t| t.version.pre.is_empty()), commit)?;
    let commits =
        app.commits_between(last.map(|t| t.commit.as_str()), commit, true, &crate::app::tag_or_start(&last.cloned()))?;
    Ok(ReleaseData {
        version: UNRELEASED.to_string(),
        tag: reference.to_string(),
        commit: commit.to_string(),
        date: git::utc_date(app.now),
        previous: last.map(contract::Tag::from),
        commits,
    })
}

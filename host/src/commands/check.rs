//! `relkit check [--from REF] [--to REF] [--message TEXT]`: the commits of a
//! branch (or a PR title) against the commit rules (`crate::lint`), then the
//! release they would make. Exit 1 when anything fails. Under GitHub Actions
//! each failing commit is an annotation and the table goes to the step
//! summary; on GitLab the table is a collapsible section of the job log.

use super::Io;
use crate::app::{App, VersionOverrides, VersionPlan};
use crate::ci::{self, CiKind};
use crate::error::{Error, Result};
use crate::git::{GitCommit, short_id};
use crate::lint::{self, Rules, Verdict};
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct CheckArgs {
    pub from: Option<String>,
    pub to: Option<String>,
    /// A PR or MR title to check instead of commits (for squash merges).
    pub message: Option<String>,
    pub overrides: VersionOverrides,
}

/// Seconds in a week: how far ahead a coming freeze window is announced.
const WEEK: i64 = 7 * 86_400;

pub fn run(app: &App, args: &CheckArgs, io: &mut Io<'_>) -> Result<()> {
    app.with_preload(&[Capability::VersionBump, Capability::ReleaseNotes], || check(app, args, io))
}

fn check(app: &App, args: &CheckArgs, io: &mut Io<'_>) -> Result<()> {
    let preset = app.preset(&args.overrides);
    let rule_types: Vec<String> = app.config.config.version.rules.iter().map(|r| r.kind.clone()).collect();
    let rules = Rules::new(&app.config.config.check, preset, &rule_types);
    let kind = io.style.ci;
    // The packages are read once, for the range and for the prediction.
    let scopes = app.scopes()?;

    // What is checked: the title, or the commits of the range.
    let (what, rows) = match &args.message {
        Some(text) => (
            "the title".to_string(),
            vec![Row { id: None, subject: first_line(text), verdict: lint::check(text, 0, &rules) }],
        ),
        None => {
            let (from, to) = range(app, &scopes, args)?;
            let spec = match &from {
                Some(from) => format!("{from}..{to}"),
                None => to.clone(),
            };
            let commits = app.repo.log(std::slice::from_ref(&spec), false)?;
            // A commit id (a merge base, GitLab's diff base) is shown short.
            let shown = |r: &str| {
                if r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit()) {
                    short_id(r).to_string()
                } else {
                    r.into()
                }
            };
            let what = format!(
                "{} commit{} from {} to {to}",
                commits.len(),
                if commits.len() == 1 { "" } else { "s" },
                from.as_deref().map_or("the first commit".to_string(), shown)
            );
            (what, commits.iter().map(|c| Row::of(c, &rules)).collect())
        }
    };
    let failed = rows.iter().filter(|r| matches!(r.verdict, Verdict::Failed(_))).count();
    let table = table(&rows);
    let summary = if failed == 0 {
        format!("relkit check: {what}: all pass\n")
    } else {
        format!("relkit check: {what}: {failed} of {} fail{}\n", rows.len(), if failed == 1 { "s" } else { "" })
    };

    // The release the branch would make (or the title, as the squash commit).
    let prediction = predict(app, &scopes, args)?;
    let freeze = freeze_notice(app);

    io.print(&summary)?;
    io.raw(&ci::section_start(kind, "relkit_check", "Commit check", app.now))?;
    io.print(&table)?;
    io.raw(&ci::section_end(kind, "relkit_check", app.now))?;
    io.print(&format!("\n{prediction}"))?;
    if let Some(notice) = &freeze {
        io.print(&format!("\n{notice}\n"))?;
    }
    if kind == CiKind::GitHub {
        for row in rows.iter().filter(|r| matches!(r.verdict, Verdict::Failed(_))) {
            let Verdict::Failed(problems) = &row.verdict else { continue };
            let title = match &row.id {
                Some(id) => format!("relkit check: commit {}", short_id(id)),
                None => "relkit check: title".to_string(),
            };
            let text = format!("{}: {}", row.subject, problems.join("; "));
            io.raw(&format!("::error title={title}::{}\n", ci::escape_github(&ci::sanitize(&text, CiKind::Local))))?;
        }
        let mut report = format!("## relkit check\n\n{summary}\n{table}\n{prediction}");
        if let Some(notice) = &freeze {
            report.push_str(&format!("\n{notice}\n"));
        }
        if let Some(path) = ci::append_step_summary(&app.env, &report)? {
            io.detail(&format!("relkit: wrote {}", path.display()))?;
        }
    }
    if failed > 0 {
        let message = if args.message.is_some() {
            "the title breaks the commit rules (see above); edit the PR title".to_string()
        } else {
            format!(
                "{failed} of {} commits break the commit rules (see above); reword {} with `git rebase -i`",
                rows.len(),
                if failed == 1 { "it" } else { "them" }
            )
        };
        return Err(Error::Refused(message));
    }
    Ok(())
}

/// One checked message.
struct Row {
    id: Option<String>,
    subject: String,
    verdict: Verdict,
}

impl Row {
    fn of(commit: &GitCommit, rules: &Rules) -> Row {
        Row {
            id: Some(commit.id.clone()),
            subject: commit.subject().to_string(),
            verdict: lint::check(&commit.message, commit.parents.len(), rules),
        }
    }
}

fn first_line(text: &str) -> String {
    text.trim_start().lines().next().unwrap_or("").trim_end().to_string()
}

/// The range: `--from`/`--to`; else, in a pull request, from the base branch
/// (GitHub's `GITHUB_BASE_REF` as `origin/<base>`, GitLab's
/// `CI_MERGE_REQUEST_DIFF_BASE_SHA`); else from the last release tag.
fn range(app: &App, scopes: &[App], args: &CheckArgs) -> Result<(Option<String>, String)> {
    let to = args.to.clone().unwrap_or_else(|| "HEAD".to_string());
    if let Some(from) = &args.from {
        return Ok((Some(from.clone()), to));
    }
    if let Some(base) = app.env.get("GITHUB_BASE_REF").filter(|b| !b.is_empty()) {
        let name = format!("refs/remotes/origin/{base}");
        if crate::refname::ref_problem(&name).is_none() && app.repo.object_id(&name)?.is_some() {
            return Ok((Some(format!("origin/{base}")), to));
        }
        // The pull request's commits cannot be told apart: say so, since the
        // range below may hold commits the pull request does not.
        app.warn(format!(
            "the pull request's base branch origin/{base} is not in this clone, so the commits are checked from the \
             last release instead; fetch it (actions/checkout with `fetch-depth: 0`, or `git fetch origin {base}`)"
        ));
    }
    if let Some(sha) = app
        .env
        .get("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .filter(|s| s.chars().all(|c| c.is_ascii_hexdigit()) && !s.is_empty())
    {
        return Ok((Some(sha), to));
    }
    let head = app.repo.resolve(&to)?;
    if app.has_packages() {
        // Every package's unreleased commits: from what all their last
        // releases reach (none released yet: the whole history).
        let mut starts = Vec::new();
        for scope in scopes {
            match scope.last_release(&head)? {
                Some(t) => starts.push(t.commit),
                None => return Ok((None, to)),
            }
        }
        return Ok((app.repo.merge_bases(&starts)?.into_iter().next(), to));
    }
    let plan_tags = app.version_tags()?;
    let last = app.repo.highest_reachable(plan_tags.iter().filter(|t| t.version.pre.is_empty()), &head)?;
    Ok((last.map(|t| t.name.clone()), to))
}

/// `| | commit | subject | problems |` with every commit; markdown-safe.
fn table(rows: &[Row]) -> String {
    let mut out = String::from("| | Commit | Subject | Result |\n|---|---|---|---|\n");
    for row in rows {
        let (mark, result) = match &row.verdict {
            Verdict::Passed => ("✓", "passes".to_string()),
            Verdict::Skipped(why) => ("–", format!("skipped: {why}")),
            // relkit's own text: only a pipe would break the table.
            Verdict::Failed(problems) => ("✗", problems.join("<br>").replace('|', "&#124;")),
        };
        let id = row.id.as_deref().map_or("title".to_string(), |id| format!("`{}`", short_id(id)));
        out.push_str(&format!("| {mark} | {id} | {} | {result} |\n", cell(&row.subject)));
    }
    out
}

/// Text for a markdown table cell: no HTML, no pipes, no markdown syntax.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// What the branch would release: for each package of `[[packages]]`
/// (those that release something), or the one package.
fn predict(app: &App, scopes: &[App], args: &CheckArgs) -> Result<String> {
    if !super::several(app) {
        let plan = scopes[0].plan_version(&args.overrides, true)?;
        return predict_one(&scopes[0], args, plan);
    }
    let mut out = String::new();
    for scope in scopes {
        let plan = scope.plan_version(&args.overrides, true)?;
        // A title decides for the packages the branch changes, or whose
        // scope it names.
        let named = args
            .message
            .as_ref()
            .is_some_and(|m| scope.package.holds(&GitCommit { message: m.clone(), ..Default::default() }));
        if plan.next().is_none() && !named {
            continue;
        }
        let text = predict_one(scope, args, plan)?;
        if text.contains("releases nothing") {
            continue;
        }
        out.push_str(&format!("Package {}: {text}\n", scope.package_name()));
    }
    if out.is_empty() {
        out.push_str("This branch releases no package.\n");
    }
    Ok(out)
}

/// What the branch would release, and which commit decides it; with
/// `--message`, what that title releases as the squash commit.
fn predict_one(app: &App, args: &CheckArgs, plan: VersionPlan) -> Result<String> {
    if let Some(title) = &args.message {
        let decision = app.decide_for(&plan, &args.overrides, title)?;
        return Ok(match decision.next {
            Some(next) => format!(
                "Squash-merged with this title, the branch would release {}{next} ({}).\n",
                app.tag_prefix(),
                decision.bump.name()
            ),
            None => format!("Squash-merged with this title, the branch releases nothing ({}).\n", decision.rule),
        });
    }
    let Some(release) = app.pending_release(&plan)? else {
        return Ok(format!("This branch releases nothing ({}).\n", plan.decision.rule));
    };
    let decider = plan
        .decision
        .contributions
        .iter()
        .filter(|c| c.bump == plan.decision.bump)
        .find_map(|c| plan.commits.iter().find(|g| g.id == c.commit_id));
    let by = decider.map_or(String::new(), |c| format!(", decided by {} {}", short_id(&c.id), c.subject()));
    let notes = app.render_notes(&release, plan.preset)?;
    Ok(format!(
        "This branch would release {} ({}{by}):\n\n{}\n",
        release.tag,
        plan.decision.bump.name(),
        notes.markdown.trim_end()
    ))
}

/// A freeze window now, or one starting within a week.
fn freeze_notice(app: &App) -> Option<String> {
    let windows = &app.config.config.release.freeze;
    if let Some((chain, end)) = crate::freeze::frozen_until(windows, app.now) {
        let names: Vec<String> = chain.iter().map(|w| crate::freeze::describe(w)).collect();
        return Some(format!(
            "Releases are frozen now: {}, until {}.",
            names.join(", then "),
            crate::freeze::moment(end)
        ));
    }
    let coming = crate::freeze::upcoming(windows, app.now, WEEK);
    let lines: Vec<String> = coming
        .iter()
        .map(|(w, start)| {
            format!("A freeze window starts {}: {}.", crate::freeze::moment(*start), crate::freeze::describe(w))
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

//! `relkit version [--json] [--explain] [--preset NAME] [--prerelease LABEL] [--release-as X.Y.Z]`

use serde::Serialize;

use super::Io;
use crate::app::{App, VersionOverrides, VersionPlan};
use crate::error::Result;
use crate::git::short_id as short;
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct VersionArgs {
    pub json: bool,
    pub explain: bool,
    pub overrides: VersionOverrides,
}

#[derive(Serialize)]
struct CommitJson<'a> {
    id: &'a str,
    short_id: &'a str,
    subject: &'a str,
    bump: &'static str,
    reason: &'a str,
}

#[derive(Serialize)]
struct VersionJson<'a> {
    current: Option<&'a str>,
    current_tag: Option<&'a str>,
    next: Option<&'a str>,
    tag: Option<String>,
    bump: &'static str,
    released: bool,
    preset: &'static str,
    rule: &'a str,
    commits: Vec<CommitJson<'a>>,
}

#[derive(Serialize)]
struct PackageJson<'a> {
    package: &'a str,
    path: &'a str,
    #[serde(flatten)]
    version: VersionJson<'a>,
}

pub fn run(app: &App, args: &VersionArgs, io: &mut Io<'_>) -> Result<()> {
    app.with_preload(&[Capability::VersionBump], || {
        let scopes = app.scopes()?;
        if super::several(app) {
            return run_packages(&scopes, args, io);
        }
        let app = &scopes[0];
        let plan = app.plan_version(&args.overrides, false)?;
        if args.json {
            let text = serde_json::to_string_pretty(&to_json(app, &plan)).unwrap_or_default();
            return io.print_data(&format!("{text}\n"));
        }
        if args.explain {
            return io.print(&explain(app, &plan));
        }
        if let Some(next) = &plan.decision.next {
            io.print_data(&format!("{next}\n"))?;
        } else {
            io.note(&format!("relkit: {}", plan.decision.rule))?;
        }
        Ok(())
    })
}

/// Every package of `[[packages]]`: one `name version` line per due
/// package, `--json` a list of the due packages, `--explain` each table.
fn run_packages(scopes: &[App], args: &VersionArgs, io: &mut Io<'_>) -> Result<()> {
    let mut plans = Vec::with_capacity(scopes.len());
    for scope in scopes {
        plans.push(scope.plan_version(&args.overrides, false)?);
    }
    let due: Vec<(&App, &VersionPlan)> = scopes.iter().zip(&plans).filter(|(_, p)| p.decision.next.is_some()).collect();
    if args.json {
        let list: Vec<PackageJson<'_>> = due
            .iter()
            .map(|(scope, plan)| PackageJson {
                package: scope.package_name(),
                path: &scope.package.path,
                version: to_json(scope, plan),
            })
            .collect();
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        return io.print_data(&format!("{text}\n"));
    }
    if args.explain {
        for (n, (scope, plan)) in scopes.iter().zip(&plans).enumerate() {
            let sep = if n == 0 { "" } else { "\n" };
            io.print(&format!("{sep}== {} ({}) ==\n", scope.package_name(), scope.package.path))?;
            io.print(&explain(scope, plan))?;
        }
        return Ok(());
    }
    if due.is_empty() {
        return io.note("relkit: no package has a release due");
    }
    let lines: String = due
        .iter()
        .map(|(scope, plan)| format!("{} {}\n", scope.package_name(), plan.decision.next.as_deref().unwrap_or("")))
        .collect();
    io.print_data(&lines)
}

fn to_json<'a>(app: &App, plan: &'a VersionPlan) -> VersionJson<'a> {
    let d = &plan.decision;
    VersionJson {
        current: d.current.as_deref(),
        current_tag: plan.last_release.as_ref().map(|t| t.name.as_str()),
        next: d.next.as_deref(),
        tag: d.next.as_ref().map(|v| format!("{}{v}", app.tag_prefix())),
        bump: d.bump.name(),
        released: d.next.is_some(),
        preset: plan.preset.name(),
        rule: &d.rule,
        commits: plan
            .commits
            .iter()
            .zip(&d.contributions)
            .map(|(c, contribution)| CommitJson {
                id: &c.id,
                short_id: short(&c.id),
                subject: c.subject(),
                bump: contribution.bump.name(),
                reason: &contribution.reason,
            })
            .collect(),
    }
}

/// The human table of `--explain`.
pub fn explain(app: &App, plan: &VersionPlan) -> String {
    let d = &plan.decision;
    let mut s = String::new();
    match (&plan.last_release, &d.current) {
        (Some(tag), Some(current)) => s.push_str(&format!("Current version: {current} (tag {})\n", tag.name)),
        _ => s.push_str("Current version: none (no release tag yet)\n"),
    }
    s.push_str(&format!("Preset: {}\n", plan.preset.name()));
    let since = plan.last_release.as_ref().map_or("the start of history".to_string(), |t| t.name.clone());
    let count = plan.commits.len();
    s.push_str(&format!("Commits since {since}: {count}\n"));
    if count > 0 {
        let reason_width = d.contributions.iter().map(|c| c.reason.chars().count()).max().unwrap_or(0).max(6);
        s.push_str(&format!("\n  {:<7}  {:<5}  {:<reason_width$}  SUBJECT\n", "COMMIT", "BUMP", "REASON"));
        for (c, contribution) in plan.commits.iter().zip(&d.contributions) {
            let bump = match contribution.bump.name() {
                "none" => "-",
                other => other,
            };
            s.push_str(&format!(
                "  {:<7}  {:<5}  {:<reason_width$}  {}\n",
                short(&c.id),
                bump,
                contribution.reason,
                c.subject()
            ));
        }
    }
    s.push('\n');
    match &d.next {
        Some(next) => s.push_str(&format!("Next version: {next} (tag {}{next})\n", app.tag_prefix())),
        None => s.push_str("Next version: none, no release is due\n"),
    }
    s.push_str(&format!("Rule: {}\n", d.rule));
    s
}

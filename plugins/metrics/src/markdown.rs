//! The markdown report: a title with the window; a table of the four keys in
//! human units with their levels and the report year; the failed releases
//! with their hotfixes (or incidents) and restore times; and two Mermaid
//! `xychart-beta` charts, which GitHub and GitLab render:
//!
//! - releases per bucket of time, from the bucket of the window's first
//!   release to that of its last (the empty buckets before and after are
//!   not drawn, those between are), so that the chart's size follows the
//!   releases, not the window: by week (from the window's first day,
//!   labelled with each week's first day; the axis names the years when
//!   the window is longer than 26 weeks) when that is at most 26 weeks,
//!   else by calendar month when at most 36 months, else by the first of
//!   calendar quarter, year, decade, century, millennium, 10000 years, …
//!   that draws at most 60 buckets ([`MAX_BUCKETS`]); the chart's title
//!   says the unit;
//! - the median lead time in hours of each release of the window that
//!   shipped commits, the last 30 of them when there are more.
//!
//! A window without releases gives a title and one sentence, no table and no
//! chart.
//!
//! Tags are user text. In markdown they are escaped ([`escape`]); in a chart
//! they become quoted labels from which every character that could end the
//! string or be read by Mermaid or HTML is replaced ([`chart_label`]).

use std::fmt::Write;

use crate::keys::{FailureSource, Metrics};
use crate::levels::{Level, Thresholds};
use crate::time::{Date, HOUR, MONTHS, WEEK, human, rfc3339};

/// Charts by week up to this many weeks, then by month.
pub const MAX_WEEKS: usize = 26;
/// Charts by month up to this many months, then by a wider unit.
pub const MAX_MONTHS: usize = 36;
/// No release chart has more buckets than this: quarters, years, decades,
/// centuries, … are widened until it fits. (Mermaid refuses a diagram of
/// more than 50,000 characters.)
pub const MAX_BUCKETS: usize = 60;
/// The lead-time chart shows at most this many releases (the latest).
pub const MAX_RELEASES_CHARTED: usize = 30;
/// Chart labels are cut to this many characters.
const MAX_LABEL: usize = 24;

/// Writes the report of `metrics`, whose levels come from `thresholds`.
pub fn write(metrics: &Metrics, thresholds: &Thresholds) -> String {
    let mut out = String::new();
    let since = Date::of(metrics.window.since_secs).iso();
    let until = Date::of(metrics.window.until_secs).iso();
    let _ = writeln!(out, "# Release metrics, {since} to {until}\n");
    let source = format!("the {} {} report (DORA)", thresholds.year, thresholds.report);
    if metrics.releases == 0 {
        let _ = writeln!(
            out,
            "No release in this window, so there is nothing to measure or chart. Deployment frequency: 0 per week, \
             level {} by {source}.",
            level_name(metrics.levels.deployment_frequency)
        );
        return out;
    }

    let _ = writeln!(out, "| Key | Value | Level ({}) |", thresholds.year);
    let _ = writeln!(out, "|---|---|---|");
    let releases = plural(metrics.releases, "release", "releases");
    let _ = writeln!(
        out,
        "| Deployment frequency | {} per week ({releases} in {:.1} weeks) | {} |",
        frequency(metrics.deployment_frequency_per_week),
        metrics.window.weeks(),
        level_name(metrics.levels.deployment_frequency)
    );
    let lead = match (metrics.lead_time_seconds.median, metrics.lead_time_seconds.p90) {
        (Some(m), Some(p)) => format!("median {}, 90th percentile {}", human(m), human(p)),
        _ => "no commit shipped".to_string(),
    };
    let _ = writeln!(out, "| Lead time for changes | {lead} | {} |", level_name(metrics.levels.lead_time));
    let failed = metrics.release_list.iter().filter(|r| r.failed).count();
    let rate = metrics.change_failure_rate.map_or("none".to_string(), percent);
    let _ = writeln!(
        out,
        "| Change failure rate | {rate} ({failed} of {releases}) | {} |",
        level_name(metrics.levels.change_failure_rate)
    );
    let restore = match (metrics.time_to_restore_seconds.median, metrics.time_to_restore_seconds.p90) {
        (Some(m), Some(p)) => format!("median {}, 90th percentile {}", human(m), human(p)),
        _ => "no failed release".to_string(),
    };
    let _ = writeln!(out, "| Time to restore | {restore} | {} |\n", level_name(metrics.levels.time_to_restore));
    let rule = match metrics.failures {
        FailureSource::Hotfix { window } => format!(
            "A release failed when the next release of its package is a patch of only fixes and reverts made within \
             {} (`[metrics] failure-window`).",
            window_text(window)
        ),
        FailureSource::Incidents => "A release failed when an incident names it.".to_string(),
    };
    let _ = writeln!(out, "Levels from {source}. Percentiles by nearest rank. {rule}\n");

    write_failures(&mut out, metrics);
    write_frequency_chart(&mut out, metrics);
    write_lead_time_chart(&mut out, metrics);
    out
}

fn write_failures(out: &mut String, metrics: &Metrics) {
    let _ = writeln!(out, "## Failed releases\n");
    if metrics.failed_releases.is_empty() {
        let _ = writeln!(out, "No release of the window failed.\n");
        return;
    }
    match metrics.failures {
        FailureSource::Hotfix { .. } => {
            let _ = writeln!(out, "| Release | Hotfix | Time to restore |\n|---|---|---|");
            for f in &metrics.failed_releases {
                let hotfix = f.hotfix_tag.as_deref().map_or(String::new(), escape);
                let _ = writeln!(out, "| {} | {hotfix} | {} |", escape(&f.tag), human(f.seconds));
            }
        }
        FailureSource::Incidents => {
            let _ = writeln!(out, "| Release | Incident started | Time to restore |\n|---|---|---|");
            for f in &metrics.failed_releases {
                let started = f.incident_started.map_or(String::new(), rfc3339);
                let _ = writeln!(out, "| {} | {started} | {} |", escape(&f.tag), human(f.seconds));
            }
        }
    }
    out.push('\n');
}

/// Counts of releases per bucket of the window, with labels and a title.
struct Buckets {
    title: String,
    axis: String,
    labels: Vec<String>,
    counts: Vec<u64>,
}

/// A bucket of the release chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// Seven days from the window's first second.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// This many calendar years (1, 10, 100, …), from a multiple of it.
    Years(i64),
}

impl Unit {
    /// The next wider unit.
    fn wider(self) -> Unit {
        match self {
            Unit::Week => Unit::Month,
            Unit::Month => Unit::Quarter,
            Unit::Quarter => Unit::Years(1),
            Unit::Years(n) => Unit::Years(n.saturating_mul(10)),
        }
    }

    /// The most buckets this unit draws.
    fn most(self) -> usize {
        match self {
            Unit::Week => MAX_WEEKS,
            Unit::Month => MAX_MONTHS,
            Unit::Quarter | Unit::Years(_) => MAX_BUCKETS,
        }
    }

    /// The number of the bucket that holds `secs`, counted from an origin
    /// of the unit's own (the window's first second for weeks). i128: no
    /// instant of i64 overflows it.
    fn index(self, since: i64, secs: i64) -> i128 {
        let date = Date::of(secs);
        let (year, month) = (i128::from(date.year), i128::from(date.month) - 1);
        match self {
            Unit::Week => (i128::from(secs) - i128::from(since)).div_euclid(i128::from(WEEK)),
            Unit::Month => year * 12 + month,
            Unit::Quarter => year * 4 + month / 3,
            Unit::Years(n) => year.div_euclid(i128::from(n)),
        }
    }

    /// The label of bucket `k`: `Mar 07` (a week's first day), `Mar 2026`,
    /// `Q1 2026`, `2026`, `2020s`, `2000–2099`.
    fn label(self, since: i64, k: i128) -> String {
        match self {
            Unit::Week => week_start(since, k).short(),
            Unit::Month => format!("{} {}", MONTHS[k.rem_euclid(12) as usize], k.div_euclid(12)),
            Unit::Quarter => format!("Q{} {}", k.rem_euclid(4) + 1, k.div_euclid(4)),
            Unit::Years(1) => k.to_string(),
            Unit::Years(10) => format!("{}s", k * 10),
            Unit::Years(n) => {
                let first = k * i128::from(n);
                format!("{first}–{}", first + i128::from(n) - 1)
            }
        }
    }

    /// `week`, `month`, `quarter`, `year`, `decade`, `century`,
    /// `millennium`, `10000 years`.
    fn name(self) -> String {
        match self {
            Unit::Week => "week".to_string(),
            Unit::Month => "month".to_string(),
            Unit::Quarter => "quarter".to_string(),
            Unit::Years(1) => "year".to_string(),
            Unit::Years(10) => "decade".to_string(),
            Unit::Years(100) => "century".to_string(),
            Unit::Years(1000) => "millennium".to_string(),
            Unit::Years(n) => format!("{n} years"),
        }
    }
}

/// The first day of week `k` of the window (`k` is that of a release of the
/// window, so the instant is one too).
fn week_start(since: i64, k: i128) -> Date {
    let secs = i128::from(since) + k * i128::from(WEEK);
    Date::of(i64::try_from(secs).unwrap_or(since))
}

/// The buckets from the one of the window's first release to the one of
/// its last, in the narrowest unit that draws few enough; `None` without
/// releases.
fn buckets(metrics: &Metrics) -> Option<Buckets> {
    let since = metrics.window.since_secs;
    let (first, last) = (metrics.release_list.first()?.time_secs, metrics.release_list.last()?.time_secs);
    let mut unit = Unit::Week;
    let (from, count) = loop {
        let (from, to) = (unit.index(since, first), unit.index(since, last));
        match usize::try_from(to - from + 1) {
            Ok(count) if count <= unit.most() => break (from, count),
            _ => unit = unit.wider(),
        }
    };
    let mut counts = vec![0; count];
    for r in &metrics.release_list {
        if let Some(c) = usize::try_from(unit.index(since, r.time_secs) - from).ok().and_then(|i| counts.get_mut(i)) {
            *c += 1;
        }
    }
    let labels = (0..count).map(|i| unit.label(since, from + i as i128)).collect();
    let axis = match unit {
        // A short window's dates are in the report's title; else the chart
        // says the years of its weeks.
        Unit::Week if metrics.window.weeks() <= MAX_WEEKS as f64 => "Week from".to_string(),
        Unit::Week => {
            let (a, b) = (week_start(since, from).year, week_start(since, from + count as i128 - 1).year);
            if a == b { format!("Week from, {a}") } else { format!("Week from, {a}–{b}") }
        }
        _ => {
            let mut name = unit.name();
            if let Some(c) = name.get_mut(..1) {
                c.make_ascii_uppercase();
            }
            name
        }
    };
    Some(Buckets { title: format!("Releases per {}", unit.name()), axis, labels, counts })
}

fn write_frequency_chart(out: &mut String, metrics: &Metrics) {
    let Some(b) = buckets(metrics) else { return };
    let max = b.counts.iter().copied().max().unwrap_or(0).max(1);
    let _ = writeln!(out, "## {}\n", b.title);
    let _ = writeln!(out, "```mermaid\nxychart-beta\n    title \"{}\"", b.title);
    let _ = writeln!(out, "    x-axis \"{}\" [{}]", b.axis, quoted(b.labels.iter().map(String::as_str)));
    let _ = writeln!(out, "    y-axis \"Releases\" 0 --> {max}");
    let counts: Vec<String> = b.counts.iter().map(u64::to_string).collect();
    let _ = writeln!(out, "    bar [{}]\n```\n", counts.join(", "));
}

fn write_lead_time_chart(out: &mut String, metrics: &Metrics) {
    let with_commits: Vec<_> =
        metrics.release_list.iter().filter_map(|r| Some((r, r.median_lead_time_seconds?))).collect();
    let _ = writeln!(out, "## Lead time per release\n");
    if with_commits.is_empty() {
        let _ = writeln!(out, "No release of the window shipped a commit.");
        return;
    }
    let shown = &with_commits[with_commits.len().saturating_sub(MAX_RELEASES_CHARTED)..];
    let title = if shown.len() < with_commits.len() {
        format!("Median lead time of the last {} releases (hours)", shown.len())
    } else {
        "Median lead time per release (hours)".to_string()
    };
    let hours: Vec<f64> = shown.iter().map(|(_, s)| *s as f64 / HOUR as f64).collect();
    let max = hours.iter().copied().fold(1.0_f64, f64::max).ceil();
    let labels: Vec<String> = shown.iter().map(|(r, _)| chart_label(&r.tag)).collect();
    let _ = writeln!(out, "```mermaid\nxychart-beta\n    title \"{title}\"");
    let _ = writeln!(out, "    x-axis \"Release\" [{}]", quoted(labels.iter().map(String::as_str)));
    let _ = writeln!(out, "    y-axis \"Hours\" 0 --> {max}");
    let values: Vec<String> = hours.iter().map(|h| format!("{h:.1}")).collect();
    let _ = writeln!(out, "    bar [{}]\n```", values.join(", "));
}

fn quoted<'a>(labels: impl Iterator<Item = &'a str>) -> String {
    labels.map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
}

fn level_name(level: Option<Level>) -> &'static str {
    level.map_or("—", Level::name)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `78.5`, `2.3`, `1.25`, `0.39`, `0`, `< 0.01`: two decimals under 10,
/// one from 10, without trailing zeros.
fn frequency(per_week: f64) -> String {
    if per_week > 0.0 && per_week < 0.005 {
        return "< 0.01".to_string();
    }
    let text = if per_week >= 10.0 { format!("{per_week:.1}") } else { format!("{per_week:.2}") };
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The failure window as configured: `48 h`, `90 min`, `36 h 30 min`.
fn window_text(secs: i64) -> String {
    let (h, m) = (secs / HOUR, secs % HOUR / 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// `20 %`, `33.3 %`.
fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if (p - p.round()).abs() < 1e-9 { format!("{p:.0} %") } else { format!("{p:.1} %") }
}

/// `text` safe in markdown prose and table cells: markdown punctuation is
/// backslash-escaped, `<`, `>` and `&` become character references, line
/// breaks and other control characters become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '{' | '}' | '#' | '|' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` as the inside of a quoted Mermaid label: `"`, backquotes, `#`
/// (Mermaid's entity codes), `%` (comments), `;` (statement ends), `<`,
/// `>`, `&`, `\`, brackets, braces, `|` and control characters become `_`;
/// longer than 24 characters, it is cut and ends with `…`.
pub fn chart_label(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| match c {
            '"' | '`' | '#' | '%' | ';' | '<' | '>' | '&' | '\\' | '[' | ']' | '{' | '}' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if out.chars().count() > MAX_LABEL {
        out = out.chars().take(MAX_LABEL - 1).collect();
        out.push('…');
    }
    out
}

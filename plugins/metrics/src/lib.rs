//! relkit's built-in `metrics` plugin: the four DORA keys of the release
//! history, as a markdown report with Mermaid charts and as JSON.
//!
//! [`compute`] is plain Rust over [`MetricsInput`] (the keys in [`keys`],
//! their levels in [`levels`], the report in [`markdown`]); [`Plugin`], at the
//! end of this file, maps the contract's `release-metrics` records onto it.
//!
//! # Definitions
//!
//! Times are seconds since the Unix epoch; the host gives a release's time
//! (the tagger time of an annotated tag, else the committer time of its
//! commit) and each commit's committer time.
//!
//! - **Window**: `[since, until]`, both ends inclusive. **The releases of
//!   the window** are those whose time is inside it.
//! - **Deployment frequency**: releases of the window / the window's length
//!   in weeks, where the length is `(until − since + 1) / 604,800`.
//! - **Lead time for changes**: for every commit first shipped by a release
//!   of the window, that release's time − the commit's time; a negative
//!   difference (a commit dated after its release, from a skewed clock or a
//!   rebase) counts as 0. Reported as the median and the 90th percentile.
//! - **Percentiles** use the nearest-rank method: the p-th percentile of n
//!   sorted values is the value at rank ⌈p/100 × n⌉ (ranks from 1); the
//!   median is the nearest-rank 50th percentile, so of an even count it is
//!   the lower middle value. Every reported value is an observed one.
//! - **Failed release, hotfix rule** (when no incidents are given): release R
//!   failed when the next release of the same package — the lowest higher
//!   version among the given releases, in semantic-version order — is a
//!   patch of R (same major and minor, higher patch), made within
//!   `[metrics] failure-window` of R's time (0 ≤ its time − R's time ≤ the
//!   window; default 48 hours), and all its commits are fixes or reverts: a
//!   hotfix. Judging "all its commits", merge commits (subject `Merge …`)
//!   and relkit's release commits (`chore(release): …`) are ignored, and at
//!   least one fix or revert must remain. A fix is Conventional Commit type
//!   `fix` (any scope, `!` allowed); a revert is type `revert` or git's
//!   `Revert "…"` subject (see [`keys::commit_kind`]). The hotfix itself may
//!   be after the window's end.
//! - **Failed release, incidents** (when incidents are given, even an empty
//!   list): a release failed when an incident names its tag; the hotfix rule
//!   is off. Incidents naming a release outside the window, or a tag that is
//!   not among the releases, are not counted (the host checks the names).
//! - **Change failure rate**: failed releases of the window / releases of
//!   the window, 0–1; `null` when the window has no release.
//! - **Time to restore**: with the hotfix rule, per failed release of the
//!   window, the hotfix's time − R's time; with incidents, `resolved −
//!   started` of each incident of a release of the window (0 when resolved
//!   is before started). Median and 90th percentile; `null` when no release
//!   of the window failed.
//! - **Levels**: each key's performance level from the 2021 Accelerate State
//!   of DevOps report, read as [`levels`] explains; lead time and time to
//!   restore are judged by their medians. A key with no value has no level.
//!
//! # Report
//!
//! JSON keys: `window` {`since`, `until`} (RFC 3339, UTC), `releases`,
//! `deployment_frequency_per_week`, `lead_time_seconds` {`median`, `p90`},
//! `change_failure_rate`, `time_to_restore_seconds` {`median`, `p90`},
//! `failed_releases` [{`tag`, `hotfix_tag`, `seconds`}], `levels`
//! {`deployment_frequency`, `lead_time`, `change_failure_rate`,
//! `time_to_restore`}, `release_list` [{`tag`, `time`, `commits`,
//! `median_lead_time_seconds`, `failed`}]. See [`keys::Metrics`].
//!
//! The markdown is described in [`markdown`].

pub mod config;
pub mod keys;
pub mod levels;
pub mod markdown;
pub mod time;

use relkit_plugin_sdk::Settings;

/// A commit as the metrics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedCommit {
    /// Full object id.
    pub id: String,
    /// Committer time, epoch seconds.
    pub time: i64,
    /// The subject line.
    pub subject: String,
}

/// A stable release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasePoint {
    /// The package; empty in a repository with one implicit package.
    pub package: String,
    /// `v1.3.0`.
    pub tag: String,
    /// `1.3.0`: a semantic version, without the tag's prefix.
    pub version: String,
    /// Tagger time of an annotated tag, else the commit's committer time;
    /// epoch seconds.
    pub time: i64,
    /// The commits this release shipped first, in any order.
    pub commits: Vec<ShippedCommit>,
}

/// An incident caused by a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The tag of the release.
    pub release: String,
    /// When it started, epoch seconds.
    pub started: i64,
    /// When it was resolved, epoch seconds.
    pub resolved: i64,
}

/// What the plugin receives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetricsInput {
    /// Every stable release, in any order; also those outside the window
    /// (a hotfix may come after the window's end).
    pub releases: Vec<ReleasePoint>,
    /// The window's first second, epoch seconds (inclusive).
    pub since: i64,
    /// The window's last second, epoch seconds (inclusive).
    pub until: i64,
    /// `Some`: failures come from these incidents; `None`: the hotfix rule.
    pub incidents: Option<Vec<Incident>>,
    /// The `[metrics]` table, values as JSON ([`config`]).
    pub settings: Vec<(String, String)>,
}

/// The report: markdown for people, JSON for programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The report for people ([`markdown`]).
    pub markdown: String,
    /// A pretty-printed JSON object (keys in the crate documentation).
    pub json: String,
}

/// Computes the four keys of `input` and writes the report.
///
/// Errors (text for `plugin metrics: returned an error: …`):
/// - a bad `[metrics] failure-window` ([`config::Config::from_settings`]);
/// - `the window is empty: since (<time>) is after until (<time>)`;
/// - without incidents, `release <tag>: version "<v>" is not a semantic version: <why>`.
pub fn compute(input: &MetricsInput) -> Result<Report, String> {
    let config = config::Config::from_settings(&Settings::new(&input.settings))?;
    let thresholds = levels::DORA_2021;
    let metrics = keys::measure(input, &config, &thresholds)?;
    let json = serde_json::to_string_pretty(&metrics).map_err(|e| format!("cannot write the JSON report: {e}"))?;
    Ok(Report { markdown: markdown::write(&metrics, &thresholds), json })
}

use relkit_plugin_sdk::release_metrics::{self as wit, ReleaseMetrics};

/// The plugin: [`compute`] behind the `release-metrics` interface.
pub struct Plugin;

impl ReleaseMetrics for Plugin {
    fn compute_metrics(input: wit::MetricsInput) -> Result<wit::MetricsReport, String> {
        let input = MetricsInput {
            releases: input
                .releases
                .into_iter()
                .map(|r| ReleasePoint {
                    package: r.package_name,
                    tag: r.tag,
                    version: r.version,
                    time: r.time,
                    commits: r
                        .commits
                        .into_iter()
                        .map(|c| ShippedCommit { id: c.id, time: c.time, subject: c.subject })
                        .collect(),
                })
                .collect(),
            since: input.since,
            until: input.until,
            incidents: input.incidents.map(|list| {
                list.into_iter()
                    .map(|i| Incident { release: i.release, started: i.started, resolved: i.resolved })
                    .collect()
            }),
            settings: input.settings,
        };
        let report = compute(&input)?;
        Ok(wit::MetricsReport { markdown: report.markdown, json: report.json })
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: release_metrics);

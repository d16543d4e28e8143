//! The four keys computed from the releases (definitions in the crate
//! documentation).

use std::collections::{HashMap, HashSet};

use relkit_plugin_sdk::commit::{Preset, parse};
use semver::Version;
use serde::Serialize;

use crate::config::Config;
use crate::levels::{Level, Thresholds, level};
use crate::time::{WEEK, rfc3339};
use crate::{Incident, MetricsInput, ReleasePoint, ShippedCommit};

/// The computed keys; its JSON form is what `relkit metrics --json` prints.
/// Fields marked `skip` serve the markdown only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// The window the keys are computed over.
    pub window: Window,
    /// The number of releases of the window.
    pub releases: usize,
    /// Releases of the window / window length in weeks.
    pub deployment_frequency_per_week: f64,
    /// Over every commit first shipped by a release of the window; `null`s
    /// when those releases shipped no commit.
    pub lead_time_seconds: Spread,
    /// Failed releases of the window / releases of the window, 0–1; `null`
    /// when the window has no release.
    pub change_failure_rate: Option<f64>,
    /// `null`s when no release of the window failed.
    pub time_to_restore_seconds: Spread,
    /// Hotfix rule: one entry per failed release of the window. Incidents:
    /// one entry per incident of a release of the window. By release time,
    /// then incident start.
    pub failed_releases: Vec<FailedRelease>,
    /// The performance level of each key.
    pub levels: Levels,
    /// The releases of the window, by time.
    pub release_list: Vec<WindowRelease>,
    /// Where the failures come from.
    #[serde(skip)]
    pub failures: FailureSource,
}

/// The window, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    /// The first second, RFC 3339, UTC.
    pub since: String,
    /// The last second, RFC 3339, UTC.
    pub until: String,
    /// `since` in epoch seconds.
    #[serde(skip)]
    pub since_secs: i64,
    /// `until` in epoch seconds.
    #[serde(skip)]
    pub until_secs: i64,
}

impl Window {
    /// `(until − since + 1) / 604,800`.
    pub fn weeks(&self) -> f64 {
        (self.until_secs as f64 - self.since_secs as f64 + 1.0) / WEEK as f64
    }
}

/// A median and a 90th percentile, nearest rank, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// The nearest-rank 50th percentile; `None` without values.
    pub median: Option<i64>,
    /// The nearest-rank 90th percentile; `None` without values.
    pub p90: Option<i64>,
}

impl Spread {
    /// The spread of `values`, which it sorts.
    pub fn of(values: &mut [i64]) -> Spread {
        values.sort_unstable();
        Spread { median: nearest_rank(values, 50), p90: nearest_rank(values, 90) }
    }
}

/// A failed release of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRelease {
    /// The failed release's tag.
    pub tag: String,
    /// The release that fixed it (hotfix rule); `null` with incidents.
    pub hotfix_tag: Option<String>,
    /// Time to restore: the hotfix's time − the release's time, or the
    /// incident's resolved − started (0 when resolved is before started).
    pub seconds: i64,
    /// The incident's start (incidents only), epoch seconds.
    #[serde(skip)]
    pub incident_started: Option<i64>,
}

/// The level of each key; `null` when the key has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Levels {
    /// Always given (0 releases per week is low).
    pub deployment_frequency: Option<Level>,
    /// From the median lead time.
    pub lead_time: Option<Level>,
    /// From the rate; `None` without releases.
    pub change_failure_rate: Option<Level>,
    /// From the median time to restore.
    pub time_to_restore: Option<Level>,
}

/// One release of the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowRelease {
    /// The release's tag.
    pub tag: String,
    /// RFC 3339, UTC.
    pub time: String,
    /// The commits it shipped first.
    pub commits: usize,
    /// Median (nearest rank) lead time of those commits; `null` without commits.
    pub median_lead_time_seconds: Option<i64>,
    /// Whether it is one of the failed releases.
    pub failed: bool,
    /// Epoch seconds.
    #[serde(skip)]
    pub time_secs: i64,
}

/// Where the failed releases come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureSource {
    /// The hotfix rule, with the failure window in seconds.
    Hotfix {
        /// `[metrics] failure-window`, seconds.
        window: i64,
    },
    /// The incidents given.
    #[default]
    Incidents,
}

/// The p-th percentile of `sorted` (ascending) by the nearest-rank method:
/// the value at rank ⌈p/100 × n⌉ (ranks from 1). `None` when empty. The
/// median is `nearest_rank(sorted, 50)`: of an even count, the lower middle
/// value.
pub fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p * n).div_ceil(100).clamp(1, n);
    Some(sorted[rank - 1])
}

/// How a commit of a candidate hotfix counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitKind {
    /// A merge (`Merge …`) or a relkit release commit (`chore(release): …`):
    /// not judged.
    Ignored,
    /// Type `fix` (any scope, `!` allowed), type `revert`, or git's
    /// `Revert "…"`.
    FixOrRevert,
    /// Anything else: the release is not a hotfix.
    Other,
}

/// Reads a commit subject (its first line) for the hotfix rule. Types are
/// read as the SDK reads Conventional Commits (`preset = "conventional"`,
/// case-insensitive). A revert that re-applies a change (`Reapply "…"`,
/// `Revert "Revert "…""`) counts as the change it re-applies.
pub fn commit_kind(subject: &str) -> CommitKind {
    let subject = subject.lines().next().unwrap_or("").trim();
    if subject.starts_with("Merge ") {
        return CommitKind::Ignored;
    }
    let parsed = parse(subject, Preset::Conventional);
    match parsed.kind() {
        Some("chore") if parsed.scope() == Some("release") => CommitKind::Ignored,
        Some("fix" | "revert") => CommitKind::FixOrRevert,
        _ if parsed.is_revert() => CommitKind::FixOrRevert,
        _ => CommitKind::Other,
    }
}

/// Whether `commits` make a hotfix: every commit not ignored is a fix or a
/// revert, and at least one is.
pub fn only_fixes(commits: &[ShippedCommit]) -> bool {
    let mut fixes = 0usize;
    for c in commits {
        match commit_kind(&c.subject) {
            CommitKind::Ignored => {}
            CommitKind::FixOrRevert => fixes += 1,
            CommitKind::Other => return false,
        }
    }
    fixes > 0
}

/// The version of each release. Errors on one that is not semantic.
fn versions(releases: &[ReleasePoint]) -> Result<Vec<Version>, String> {
    releases
        .iter()
        .map(|r| {
            Version::parse(&r.version)
                .map_err(|e| format!("release {}: version {:?} is not a semantic version: {e}", r.tag, r.version))
        })
        .collect()
}

/// For each release (by index), the next release of the same package in
/// version order: the lowest version above it among `releases`.
fn next_of_same_package(releases: &[ReleasePoint], versions: &[Version]) -> Vec<Option<usize>> {
    let mut packages: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in releases.iter().enumerate() {
        packages.entry(r.package.as_str()).or_default().push(i);
    }
    let mut next = vec![None; releases.len()];
    for mut indices in packages.into_values() {
        indices.sort_by(|&a, &b| versions[a].cmp(&versions[b]).then(a.cmp(&b)));
        for (pos, &i) in indices.iter().enumerate() {
            next[i] = indices[pos + 1..].iter().copied().find(|&j| versions[j] > versions[i]);
        }
    }
    next
}

/// Whether release `n` (version `nv`) is a hotfix of release `r` (version
/// `rv`): a patch of it (same major and minor, higher patch), made within
/// `window` seconds after it (both ends inclusive), whose commits are only
/// fixes and reverts ([`only_fixes`]).
fn is_hotfix(r: &ReleasePoint, rv: &Version, n: &ReleasePoint, nv: &Version, window: i64) -> bool {
    let gap = n.time.saturating_sub(r.time);
    rv.major == nv.major
        && rv.minor == nv.minor
        && nv.patch > rv.patch
        && (0..=window).contains(&gap)
        && only_fixes(&n.commits)
}

/// Computes the keys. Errors: `since` after `until`, or a release version
/// that is not semantic.
pub fn measure(input: &MetricsInput, config: &Config, thresholds: &Thresholds) -> Result<Metrics, String> {
    if input.since > input.until {
        return Err(format!(
            "the window is empty: since ({}) is after until ({})",
            rfc3339(input.since),
            rfc3339(input.until)
        ));
    }
    let releases = &input.releases;
    let window = Window {
        since: rfc3339(input.since),
        until: rfc3339(input.until),
        since_secs: input.since,
        until_secs: input.until,
    };
    let mut in_window: Vec<usize> =
        (0..releases.len()).filter(|&i| (input.since..=input.until).contains(&releases[i].time)).collect();
    in_window.sort_by_key(|&i| (releases[i].time, i));

    // Failures, as (release index, entry).
    let mut failed: Vec<(usize, FailedRelease)> = Vec::new();
    let failures = match &input.incidents {
        Some(incidents) => {
            let by_tag: HashMap<&str, usize> = in_window.iter().map(|&i| (releases[i].tag.as_str(), i)).collect();
            failed.extend(incidents.iter().filter_map(|inc: &Incident| {
                let &i = by_tag.get(inc.release.as_str())?;
                Some((
                    i,
                    FailedRelease {
                        tag: inc.release.clone(),
                        hotfix_tag: None,
                        seconds: inc.resolved.saturating_sub(inc.started).max(0),
                        incident_started: Some(inc.started),
                    },
                ))
            }));
            FailureSource::Incidents
        }
        None => {
            let versions = versions(releases)?;
            let next = next_of_same_package(releases, &versions);
            for &i in &in_window {
                let Some(n) = next[i] else { continue };
                if is_hotfix(&releases[i], &versions[i], &releases[n], &versions[n], config.failure_window) {
                    failed.push((
                        i,
                        FailedRelease {
                            tag: releases[i].tag.clone(),
                            hotfix_tag: Some(releases[n].tag.clone()),
                            seconds: releases[n].time.saturating_sub(releases[i].time),
                            incident_started: None,
                        },
                    ));
                }
            }
            FailureSource::Hotfix { window: config.failure_window }
        }
    };
    failed.sort_by_key(|(i, f)| (releases[*i].time, *i, f.incident_started));
    let failed_set: HashSet<usize> = failed.iter().map(|(i, _)| *i).collect();

    let mut all_lead_times = Vec::new();
    let mut release_list = Vec::with_capacity(in_window.len());
    for &i in &in_window {
        let r = &releases[i];
        let mut lead: Vec<i64> = r.commits.iter().map(|c| r.time.saturating_sub(c.time).max(0)).collect();
        all_lead_times.extend_from_slice(&lead);
        release_list.push(WindowRelease {
            tag: r.tag.clone(),
            time: rfc3339(r.time),
            commits: r.commits.len(),
            median_lead_time_seconds: Spread::of(&mut lead).median,
            failed: failed_set.contains(&i),
            time_secs: r.time,
        });
    }

    let count = in_window.len();
    let deployment_frequency_per_week = count as f64 / window.weeks();
    let lead_time_seconds = Spread::of(&mut all_lead_times);
    let change_failure_rate = (count > 0).then(|| failed_set.len() as f64 / count as f64);
    let mut restore: Vec<i64> = failed.iter().map(|(_, f)| f.seconds).collect();
    let time_to_restore_seconds = Spread::of(&mut restore);
    let levels = Levels {
        deployment_frequency: Some(level(thresholds.deployment_frequency, deployment_frequency_per_week)),
        lead_time: lead_time_seconds.median.map(|m| level(thresholds.lead_time, m as f64)),
        change_failure_rate: change_failure_rate.map(|r| level(thresholds.change_failure_rate, r)),
        time_to_restore: time_to_restore_seconds.median.map(|m| level(thresholds.time_to_restore, m as f64)),
    };
    Ok(Metrics {
        window,
        releases: count,
        deployment_frequency_per_week,
        lead_time_seconds,
        change_failure_rate,
        time_to_restore_seconds,
        failed_releases: failed.into_iter().map(|(_, f)| f).collect(),
        levels,
        release_list,
        failures,
    })
}

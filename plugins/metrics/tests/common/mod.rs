//! Histories with known dates for the tests.
#![allow(dead_code)]

use relkit_plugin_metrics::keys::{Metrics, measure};
use relkit_plugin_metrics::levels::DORA_2021;
use relkit_plugin_metrics::{Incident, MetricsInput, ReleasePoint, ShippedCommit, config::Config};

pub const MIN: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;
pub const WEEK: i64 = 7 * DAY;
/// 2026-01-01T00:00:00Z (a Thursday).
pub const T0: i64 = 1_767_225_600;
/// A four-week window from T0: deployment frequency is releases / 4.
pub const SINCE: i64 = T0;
pub const UNTIL: i64 = T0 + 4 * WEEK - 1;

/// A commit made `before` seconds before `at`.
pub fn commit(subject: &str, at: i64, before: i64) -> ShippedCommit {
    ShippedCommit { id: format!("{:040x}", at - before), time: at - before, subject: subject.to_string() }
}

/// A release of the implicit package; the version is the tag without `v`.
pub fn release(tag: &str, time: i64, commits: Vec<ShippedCommit>) -> ReleasePoint {
    package_release("", tag, time, commits)
}

/// A release of `package`; the version is the tag after its last `v`.
pub fn package_release(package: &str, tag: &str, time: i64, commits: Vec<ShippedCommit>) -> ReleasePoint {
    let version = tag.rsplit_once('v').map_or(tag, |(_, v)| v).to_string();
    ReleasePoint { package: package.to_string(), tag: tag.to_string(), version, time, commits }
}

/// A release at `time` shipping one `feat` commit an hour old.
pub fn feature(tag: &str, time: i64) -> ReleasePoint {
    release(tag, time, vec![commit("feat: more", time, HOUR)])
}

/// A release at `time` shipping one `fix` commit an hour old.
pub fn fix(tag: &str, time: i64) -> ReleasePoint {
    release(tag, time, vec![commit("fix: less broken", time, HOUR)])
}

pub fn input(releases: Vec<ReleasePoint>) -> MetricsInput {
    MetricsInput { releases, since: SINCE, until: UNTIL, incidents: None, settings: Vec::new() }
}

pub fn incident(release: &str, started: i64, resolved: i64) -> Incident {
    Incident { release: release.to_string(), started, resolved }
}

pub fn run(input: &MetricsInput) -> Metrics {
    measure(input, &Config::default(), &DORA_2021).expect("the metrics")
}

pub fn failed_tags(m: &Metrics) -> Vec<(&str, Option<&str>, i64)> {
    m.failed_releases.iter().map(|f| (f.tag.as_str(), f.hotfix_tag.as_deref(), f.seconds)).collect()
}

/// The acceptance history of issue 16: five releases in a four-week window,
/// v1.1.0 hotfixed by v1.1.1 twelve hours later, and one release before the
/// window. Lead times (s) of the window's eleven commits, sorted: 0 (the
/// release commit of v1.1.1) 3,600 7,200 7,200 10,800 14,400 36,000 72,000
/// 86,400 108,000 432,000: the median is rank ⌈5.5⌉ = 6, 14,400 s; the 90th
/// percentile rank ⌈9.9⌉ = 10, 108,000 s.
pub fn acceptance() -> MetricsInput {
    let r1 = T0 + DAY;
    let r2 = T0 + 8 * DAY;
    let r3 = r2 + 12 * HOUR;
    let r4 = T0 + 15 * DAY;
    let r5 = T0 + 22 * DAY;
    input(vec![
        release("v0.9.0", T0 - 10 * DAY, vec![commit("feat: the start", T0 - 10 * DAY, 30 * DAY)]),
        release("v1.0.0", r1, vec![commit("feat: login", r1, 2 * HOUR), commit("feat(api): tokens", r1, 10 * HOUR)]),
        release(
            "v1.1.0",
            r2,
            vec![
                commit("feat: export", r2, DAY),
                commit("fix: typo", r2, 3 * HOUR),
                commit("feat: import", r2, 30 * HOUR),
            ],
        ),
        release(
            "v1.1.1",
            r3,
            vec![commit("chore(release): 1.1.1", r3, 0), commit("fix(export): keep the header", r3, 2 * HOUR)],
        ),
        release("v1.2.0", r4, vec![commit("feat: search", r4, 4 * HOUR), commit("chore: bump deps", r4, 5 * DAY)]),
        release("v1.3.0", r5, vec![commit("feat!: drop v0 API", r5, HOUR), commit("docs: guide", r5, 20 * HOUR)]),
    ])
}

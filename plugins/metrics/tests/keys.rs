//! The four keys on histories with known dates, every expectation computed
//! by hand.

mod common;

use common::*;
use relkit_plugin_metrics::config::Config;
use relkit_plugin_metrics::keys::{CommitKind, Spread, commit_kind, measure, nearest_rank};
use relkit_plugin_metrics::levels::{DORA_2021, Level};

#[test]
fn acceptance_five_releases_one_hotfixed_twelve_hours_later() {
    let m = run(&acceptance());
    assert_eq!(m.releases, 5);
    assert_eq!(m.deployment_frequency_per_week, 1.25, "5 releases in 4 weeks");
    assert_eq!(m.lead_time_seconds, Spread { median: Some(14_400), p90: Some(108_000) });
    assert_eq!(m.change_failure_rate, Some(0.2));
    assert_eq!(m.time_to_restore_seconds, Spread { median: Some(43_200), p90: Some(43_200) });
    assert_eq!(failed_tags(&m), [("v1.1.0", Some("v1.1.1"), 43_200)]);
    assert_eq!(m.levels.deployment_frequency, Some(Level::High));
    assert_eq!(m.levels.lead_time, Some(Level::High));
    assert_eq!(m.levels.change_failure_rate, Some(Level::High));
    assert_eq!(m.levels.time_to_restore, Some(Level::High));
    let tags: Vec<_> = m.release_list.iter().map(|r| (r.tag.as_str(), r.commits, r.failed)).collect();
    assert_eq!(
        tags,
        [("v1.0.0", 2, false), ("v1.1.0", 3, true), ("v1.1.1", 2, false), ("v1.2.0", 2, false), ("v1.3.0", 2, false)]
    );
    // v1.1.0: 10,800 86,400 108,000 → median rank 2; v1.1.1: 0 7,200 → rank 1.
    let medians: Vec<_> = m.release_list.iter().map(|r| r.median_lead_time_seconds).collect();
    assert_eq!(medians, [Some(7_200), Some(86_400), Some(0), Some(14_400), Some(3_600)]);
}

#[test]
fn hotfix_inside_and_outside_the_failure_window() {
    let t = T0 + DAY;
    for (gap, failed) in [(HOUR, true), (48 * HOUR, true), (48 * HOUR + 1, false), (3 * DAY, false)] {
        let m = run(&input(vec![feature("v1.0.0", t), fix("v1.0.1", t + gap)]));
        let expected: Vec<(&str, Option<&str>, i64)> =
            if failed { vec![("v1.0.0", Some("v1.0.1"), gap)] } else { vec![] };
        assert_eq!(failed_tags(&m), expected, "hotfix {gap} s later");
        assert_eq!(m.change_failure_rate, Some(if failed { 0.5 } else { 0.0 }));
    }
    // A wider window from the settings catches the three-day hotfix.
    let config = Config { failure_window: 3 * DAY };
    let m = measure(&input(vec![feature("v1.0.0", t), fix("v1.0.1", t + 3 * DAY)]), &config, &DORA_2021).unwrap();
    assert_eq!(failed_tags(&m), [("v1.0.0", Some("v1.0.1"), 3 * DAY)]);
    assert_eq!(m.time_to_restore_seconds.median, Some(3 * DAY));
    assert_eq!(m.levels.time_to_restore, Some(Level::Medium));
}

#[test]
fn a_patch_that_is_not_a_hotfix() {
    let t = T0 + DAY;
    // A feature in the patch.
    let with_feat = release("v1.0.1", t + HOUR, vec![commit("fix: a", t + HOUR, 60), commit("feat: b", t + HOUR, 120)]);
    assert!(run(&input(vec![feature("v1.0.0", t), with_feat])).failed_releases.is_empty());
    // Only merge and release commits: no fix remains.
    let empty = release(
        "v1.0.1",
        t + HOUR,
        vec![commit("Merge branch 'x'", t + HOUR, 60), commit("chore(release): 1.0.1", t + HOUR, 0)],
    );
    assert!(run(&input(vec![feature("v1.0.0", t), empty])).failed_releases.is_empty());
    // No commit at all.
    assert!(run(&input(vec![feature("v1.0.0", t), release("v1.0.1", t + HOUR, vec![])])).failed_releases.is_empty());
    // A minor release of fixes only is not a patch.
    assert!(run(&input(vec![feature("v1.0.0", t), fix("v1.1.0", t + HOUR)])).failed_releases.is_empty());
    // Fixes, reverts, merges and the release commit together make a hotfix.
    let mixed = release(
        "v1.0.1",
        t + HOUR,
        vec![
            commit("chore(release): 1.0.1", t + HOUR, 0),
            commit("Merge pull request #7 from x/y", t + HOUR, 60),
            commit("Revert \"feat: b\"", t + HOUR, 120),
            commit("revert: feat: c", t + HOUR, 180),
            commit("fix(ui)!: d", t + HOUR, 240),
        ],
    );
    assert_eq!(failed_tags(&run(&input(vec![feature("v1.0.0", t), mixed]))), [("v1.0.0", Some("v1.0.1"), HOUR)]);
}

#[test]
fn commit_kinds() {
    for s in
        ["fix: a", "fix(api): a", "fix!: a", "Fix: a", "revert: feat: a", "Revert \"feat: a\"", "Revert \"x\" (#12)"]
    {
        assert_eq!(commit_kind(s), CommitKind::FixOrRevert, "{s}");
    }
    for s in ["Merge branch 'main' into x", "Merge pull request #1 from a/b", "chore(release): 1.2.3"] {
        assert_eq!(commit_kind(s), CommitKind::Ignored, "{s}");
    }
    for s in ["feat: a", "chore: deps", "chore(deps): x", "fixed the thing", "Merged x", "Reapply \"feat: a\"", ""] {
        assert_eq!(commit_kind(s), CommitKind::Other, "{s}");
    }
}

#[test]
fn a_hotfix_after_the_window_still_fails_a_window_release() {
    let last = UNTIL - HOUR;
    let m = run(&input(vec![feature("v1.0.0", last), fix("v1.0.1", last + 12 * HOUR)]));
    assert_eq!(m.releases, 1, "the hotfix is outside the window");
    assert_eq!(m.change_failure_rate, Some(1.0));
    assert_eq!(failed_tags(&m), [("v1.0.0", Some("v1.0.1"), 12 * HOUR)]);
}

#[test]
fn a_hotfix_inside_the_window_of_a_release_before_it_does_not_count() {
    let m = run(&input(vec![feature("v1.0.0", SINCE - HOUR), fix("v1.0.1", SINCE + HOUR)]));
    assert_eq!(m.releases, 1);
    assert!(m.failed_releases.is_empty());
    assert_eq!(m.change_failure_rate, Some(0.0));
    assert_eq!(m.levels.change_failure_rate, Some(Level::Elite));
    assert_eq!(m.time_to_restore_seconds, Spread { median: None, p90: None });
    assert_eq!(m.levels.time_to_restore, None);
}

#[test]
fn releases_exactly_at_the_window_edges() {
    let m = run(&input(vec![
        feature("v1.0.0", SINCE - 1),
        feature("v1.1.0", SINCE),
        feature("v1.2.0", UNTIL),
        feature("v1.3.0", UNTIL + 1),
    ]));
    let tags: Vec<_> = m.release_list.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(tags, ["v1.1.0", "v1.2.0"]);
    assert_eq!(m.deployment_frequency_per_week, 0.5);
    assert_eq!(m.window.since, "2026-01-01T00:00:00Z");
    assert_eq!(m.window.until, "2026-01-28T23:59:59Z");
}

#[test]
fn no_release_in_the_window() {
    let m = run(&input(vec![feature("v1.0.0", SINCE - DAY)]));
    assert_eq!(m.releases, 0);
    assert_eq!(m.deployment_frequency_per_week, 0.0);
    assert_eq!(m.lead_time_seconds, Spread { median: None, p90: None });
    assert_eq!(m.change_failure_rate, None);
    assert_eq!(m.time_to_restore_seconds, Spread { median: None, p90: None });
    assert_eq!(m.levels.deployment_frequency, Some(Level::Low));
    assert_eq!((m.levels.lead_time, m.levels.change_failure_rate, m.levels.time_to_restore), (None, None, None));
    let json: serde_json::Value = serde_json::to_value(&m).unwrap();
    assert_eq!(json["change_failure_rate"], serde_json::Value::Null);
    assert_eq!(json["lead_time_seconds"], serde_json::json!({"median": null, "p90": null}));
    assert_eq!(json["releases"], 0);
    assert_eq!(json["deployment_frequency_per_week"], 0.0);
    // And no release at all.
    assert_eq!(run(&input(vec![])).releases, 0);
}

#[test]
fn one_release() {
    let t = T0 + 3 * DAY;
    let m = run(&input(vec![release("v2.0.0", t, vec![commit("feat: x", t, 30 * MIN)])]));
    assert_eq!(m.releases, 1);
    assert_eq!(m.deployment_frequency_per_week, 0.25);
    assert_eq!(m.lead_time_seconds, Spread { median: Some(1800), p90: Some(1800) });
    assert_eq!(m.levels.lead_time, Some(Level::Elite));
    assert_eq!(m.change_failure_rate, Some(0.0));
    // Without commits there is no lead time.
    let m = run(&input(vec![release("v2.0.0", t, vec![])]));
    assert_eq!(m.lead_time_seconds, Spread { median: None, p90: None });
    assert_eq!(m.release_list[0].median_lead_time_seconds, None);
}

#[test]
fn a_commit_dated_after_its_release_counts_as_zero() {
    let t = T0 + DAY;
    let m = run(&input(vec![release("v1.0.0", t, vec![commit("feat: a", t, -HOUR), commit("feat: b", t, HOUR)])]));
    assert_eq!(m.lead_time_seconds, Spread { median: Some(0), p90: Some(HOUR) });
}

#[test]
fn incidents_override_the_hotfix_rule() {
    let t = T0 + DAY;
    let history = vec![feature("v1.0.0", t), fix("v1.0.1", t + HOUR), feature("v1.1.0", t + 2 * DAY)];
    let mut with = input(history.clone());
    with.incidents = Some(vec![
        incident("v1.1.0", t + 2 * DAY + HOUR, t + 2 * DAY + 3 * HOUR),
        incident("v1.1.0", t + 3 * DAY, t + 3 * DAY + 30 * MIN),
        incident("v0.1.0", t, t + DAY), // not a release of the window
    ]);
    let m = run(&with);
    assert_eq!(failed_tags(&m), [("v1.1.0", None, 2 * HOUR), ("v1.1.0", None, 30 * MIN)]);
    assert_eq!(m.change_failure_rate, Some(1.0 / 3.0), "one failed release of three");
    // 1,800 and 7,200: median rank 1, p90 rank 2.
    assert_eq!(m.time_to_restore_seconds, Spread { median: Some(1800), p90: Some(7200) });
    assert_eq!(m.levels.time_to_restore, Some(Level::Elite));
    assert_eq!(m.levels.change_failure_rate, Some(Level::Low));

    // An empty incident list: nothing failed, the hotfix is ignored.
    let mut none = input(history);
    none.incidents = Some(vec![]);
    let m = run(&none);
    assert!(m.failed_releases.is_empty());
    assert_eq!(m.change_failure_rate, Some(0.0));
}

#[test]
fn an_incident_resolved_before_it_started_restores_in_zero() {
    let t = T0 + DAY;
    let mut i = input(vec![feature("v1.0.0", t)]);
    i.incidents = Some(vec![incident("v1.0.0", t + HOUR, t)]);
    assert_eq!(failed_tags(&run(&i)), [("v1.0.0", None, 0)]);
}

#[test]
fn the_next_release_of_the_same_package_decides() {
    let t = T0 + DAY;
    // web's fix release an hour after api's release is not api's hotfix;
    // api's next release is a minor.
    let m = run(&input(vec![
        package_release("api", "api-v1.0.0", t, vec![commit("feat: a", t, HOUR)]),
        package_release("web", "web-v1.0.0", t - DAY, vec![commit("feat: w", t - DAY, HOUR)]),
        package_release("web", "web-v1.0.1", t + HOUR, vec![commit("fix: w", t + HOUR, 60)]),
        package_release("api", "api-v1.1.0", t + 2 * HOUR, vec![commit("fix: a", t + 2 * HOUR, 60)]),
    ]));
    assert_eq!(failed_tags(&m), [("web-v1.0.0", Some("web-v1.0.1"), DAY + HOUR)]);
    assert_eq!(m.releases, 4);
    assert_eq!(m.change_failure_rate, Some(0.25));
}

#[test]
fn the_next_release_is_by_version_not_by_time() {
    let t = T0 + DAY;
    // 1.1.0 came out first, then the 1.0.1 backport fixed 1.0.0.
    let m = run(&input(vec![feature("v1.0.0", t), feature("v1.1.0", t + HOUR), fix("v1.0.1", t + 2 * HOUR)]));
    assert_eq!(failed_tags(&m), [("v1.0.0", Some("v1.0.1"), 2 * HOUR)]);
}

#[test]
fn a_patch_made_before_its_release_is_not_its_hotfix() {
    let t = T0 + DAY;
    let m = run(&input(vec![feature("v1.0.0", t), fix("v1.0.1", t - HOUR)]));
    assert!(m.failed_releases.is_empty());
}

#[test]
fn percentiles_by_nearest_rank() {
    assert_eq!(nearest_rank(&[], 50), None);
    assert_eq!(nearest_rank(&[7], 50), Some(7));
    assert_eq!(nearest_rank(&[7], 90), Some(7));
    assert_eq!(nearest_rank(&[1, 2], 50), Some(1), "the lower middle of an even count");
    assert_eq!(nearest_rank(&[1, 2], 90), Some(2));
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(nearest_rank(&ten, 50), Some(5));
    assert_eq!(nearest_rank(&ten, 90), Some(9), "rank 9 exactly");
    let eleven: Vec<i64> = (1..=11).collect();
    assert_eq!(nearest_rank(&eleven, 50), Some(6));
    assert_eq!(nearest_rank(&eleven, 90), Some(10), "rank ⌈9.9⌉");
    assert_eq!(nearest_rank(&ten, 100), Some(10));
    assert_eq!(nearest_rank(&ten, 0), Some(1), "rank 0 is taken as rank 1");
    let mut unsorted = vec![30, 10, 20];
    assert_eq!(Spread::of(&mut unsorted), Spread { median: Some(20), p90: Some(30) });
}

#[test]
fn errors() {
    let mut bad = input(vec![release("v1.0.0", T0, vec![]), release("vnext", T0 + DAY, vec![])]);
    let err = measure(&bad, &Config::default(), &DORA_2021).unwrap_err();
    assert_eq!(
        err,
        "release vnext: version \"next\" is not a semantic version: unexpected character 'n' while parsing major version number"
    );
    bad.since = UNTIL + 1;
    let err = measure(&bad, &Config::default(), &DORA_2021).unwrap_err();
    assert_eq!(err, "the window is empty: since (2026-01-29T00:00:00Z) is after until (2026-01-28T23:59:59Z)");
}

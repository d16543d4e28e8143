//! The report: JSON shape, markdown with its Mermaid charts, escaping, size.

mod common;

use common::*;
use relkit_plugin_metrics::{MetricsInput, compute};

fn json(input: &MetricsInput) -> serde_json::Value {
    serde_json::from_str(&compute(input).expect("a report").json).expect("JSON")
}

/// The lines of every ```mermaid block.
fn mermaid_blocks(markdown: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line == "```mermaid" {
            blocks.push(lines.by_ref().take_while(|l| *l != "```").collect());
        }
    }
    blocks
}

/// Checks what GitHub's and GitLab's Mermaid need of an `xychart-beta`: the
/// header, quoted strings without a quote inside, as many labels as values,
/// numeric values.
fn check_chart(block: &[&str]) {
    assert_eq!(block[0], "xychart-beta");
    let x_axis = block.iter().find(|l| l.trim_start().starts_with("x-axis")).expect("x-axis");
    let bar = block.iter().find(|l| l.trim_start().starts_with("bar [")).expect("bar");
    for line in block {
        assert_eq!(line.matches('"').count() % 2, 0, "unbalanced quotes: {line}");
        assert!(!line.contains('`') && !line.contains('#') && !line.contains(';') && !line.contains('%'), "{line}");
    }
    let labels = x_axis[x_axis.find('[').expect("labels")..].matches('"').count() / 2;
    let inner = bar.trim_start().trim_start_matches("bar [").trim_end_matches(']');
    let values: Vec<f64> = inner.split(", ").map(|v| v.parse().expect("a number")).collect();
    assert_eq!(labels, values.len(), "{x_axis} / {bar}");
}

#[test]
fn json_has_exactly_the_documented_keys_as_plain_numbers() {
    let j = json(&acceptance());
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = [
        "window",
        "releases",
        "deployment_frequency_per_week",
        "lead_time_seconds",
        "change_failure_rate",
        "time_to_restore_seconds",
        "failed_releases",
        "levels",
        "release_list",
    ];
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys_sorted, expected);
    assert!(j["releases"].is_u64());
    assert!(j["deployment_frequency_per_week"].is_f64());
    assert!(j["lead_time_seconds"]["median"].is_i64());
    assert!(j["change_failure_rate"].is_f64());
    assert!(j["time_to_restore_seconds"]["p90"].is_i64());
    assert!(j["failed_releases"][0]["seconds"].is_i64());
}

#[test]
fn acceptance_report() {
    let report = compute(&acceptance()).unwrap();
    for block in mermaid_blocks(&report.markdown) {
        check_chart(&block);
    }
    assert_eq!(mermaid_blocks(&report.markdown).len(), 2);
    insta::assert_snapshot!("acceptance_markdown", report.markdown);
    insta::assert_snapshot!("acceptance_json", report.json);
}

#[test]
fn incidents_report() {
    let mut i = acceptance();
    let r4 = T0 + 15 * DAY;
    i.incidents = Some(vec![incident("v1.2.0", r4 + 2 * HOUR, r4 + 5 * HOUR + 20 * MIN)]);
    let report = compute(&i).unwrap();
    insta::assert_snapshot!("incidents_markdown", report.markdown);
    let j: serde_json::Value = serde_json::from_str(&report.json).unwrap();
    assert_eq!(j["failed_releases"], serde_json::json!([{"tag": "v1.2.0", "hotfix_tag": null, "seconds": 12_000}]));
}

#[test]
fn no_release_report() {
    let report = compute(&input(vec![feature("v1.0.0", SINCE - DAY)])).unwrap();
    assert!(mermaid_blocks(&report.markdown).is_empty());
    insta::assert_snapshot!("no_release_markdown", report.markdown);
    insta::assert_snapshot!("no_release_json", report.json);
}

#[test]
fn a_year_is_charted_by_month() {
    // 2026-01-01 to 2026-12-31, releases in January, March (two) and December.
    let until = T0 + 365 * DAY - 1;
    let mut i = input(vec![
        feature("v1.0.0", T0 + 10 * DAY),
        feature("v1.1.0", T0 + 65 * DAY),
        fix("v1.1.1", T0 + 66 * DAY),
        feature("v1.2.0", until - DAY),
    ]);
    i.until = until;
    let report = compute(&i).unwrap();
    let blocks = mermaid_blocks(&report.markdown);
    check_chart(&blocks[0]);
    insta::assert_snapshot!("year_frequency_chart", blocks[0].join("\n"));
}

/// The release chart of `i`, checked: at most 60 buckets, the report
/// well under Mermaid's 50,000 characters.
fn release_chart(i: &MetricsInput) -> Vec<String> {
    let markdown = compute(i).expect("a report").markdown;
    assert!(markdown.len() < 10_000, "{} characters", markdown.len());
    let block = mermaid_blocks(&markdown).into_iter().next().expect("a release chart");
    check_chart(&block);
    let bar = block.iter().find(|l| l.trim_start().starts_with("bar [")).expect("bar");
    assert!(bar.matches(',').count() < 60, "{bar}");
    block.iter().map(|l| l.to_string()).collect()
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const YEAR_1: i64 = -62_135_596_800;
const YEAR_9999_END: i64 = 253_402_300_799;

#[test]
fn empty_buckets_before_the_first_and_after_the_last_release_are_not_drawn() {
    // A decade (2021-01-02 to 2031-01-01) with releases on 2026-01-02 and
    // 2026-01-20: three weeks drawn, the empty one between kept.
    let mut i = input(vec![feature("v1.0.0", T0 + DAY), feature("v1.1.0", T0 + 19 * DAY)]);
    i.since = T0 - 5 * 365 * DAY;
    i.until = T0 + 5 * 365 * DAY;
    let chart = release_chart(&i);
    assert_eq!(chart[1], "    title \"Releases per week\"");
    assert_eq!(chart[2], "    x-axis \"Week from, 2025–2026\" [\"Dec 27\", \"Jan 03\", \"Jan 10\", \"Jan 17\"]");
    assert_eq!(chart[4], "    bar [1, 0, 0, 1]");
}

#[test]
fn the_unit_widens_until_the_chart_has_at_most_sixty_buckets() {
    let spread = |years: i64, n: i64| -> MetricsInput {
        let step = years * 365 * DAY / (n - 1);
        let mut i = input((0..n).map(|k| feature(&format!("v1.{k}.0"), T0 + k * step)).collect());
        i.until = T0 + years * 366 * DAY;
        i
    };
    let cases = [
        (1, "month", "Month", 12),
        (3, "month", "Month", 36),
        (9, "quarter", "Quarter", 36),
        (15, "quarter", "Quarter", 60),
        (16, "year", "Year", 16),
        (60, "year", "Year", 60),
        (61, "decade", "Decade", 7),
        (200, "decade", "Decade", 21),
        (900, "century", "Century", 10),
        (6_000, "millennium", "Millennium", 7),
    ];
    for (years, unit, axis, buckets) in cases {
        let chart = release_chart(&spread(years, 20));
        assert_eq!(chart[1], format!("    title \"Releases per {unit}\""), "{years} years");
        assert!(chart[2].starts_with(&format!("    x-axis \"{axis}\" [")), "{years} years: {}", chart[2]);
        assert_eq!(chart[4].matches(',').count() + 1, buckets, "{years} years: {}", chart[4]);
        assert!(!chart[4].starts_with("    bar [0") && !chart[4].ends_with(" 0]"), "{}", chart[4]);
    }
}

#[test]
fn a_window_to_the_year_9999_charts_its_releases_only() {
    // `--since 2026-01-01 --until 9999-12-30`: the acceptance releases, in
    // January 2026, by week.
    let mut i = acceptance();
    i.until = YEAR_9999_END - DAY;
    let chart = release_chart(&i);
    assert_eq!(chart[1], "    title \"Releases per week\"");
    assert_eq!(chart[2], "    x-axis \"Week from, 2026\" [\"Jan 01\", \"Jan 08\", \"Jan 15\", \"Jan 22\"]");
    assert_eq!(chart[4], "    bar [1, 2, 1, 1]");
}

#[test]
fn a_window_from_the_year_1_to_9999() {
    let mut i = input(vec![
        release("v0.1.0", YEAR_1, vec![]),
        feature("v1.0.0", T0 + DAY),
        release("v9.0.0", YEAR_9999_END, vec![]),
    ]);
    (i.since, i.until) = (YEAR_1, YEAR_9999_END);
    let markdown = compute(&i).unwrap().markdown;
    assert!(markdown.starts_with("# Release metrics, 0001-01-01 to 9999-12-31\n"));
    let chart = release_chart(&i);
    insta::assert_snapshot!("year_1_to_9999_chart", chart.join("\n"));

    // Releases from 1970 to 2026: by year; one on the window's first day: by week.
    i.releases = (0..57).map(|k| feature(&format!("v1.{k}.0"), k * 365 * DAY + 200 * DAY)).collect();
    let chart = release_chart(&i);
    assert_eq!(chart[1], "    title \"Releases per year\"");
    assert!(chart[2].starts_with("    x-axis \"Year\" [\"1970\", \"1971\", "), "{}", chart[2]);
    i.releases = vec![release("v0.1.0", YEAR_1, vec![])];
    let chart = release_chart(&i);
    assert_eq!(chart[2], "    x-axis \"Week from, 1\" [\"Jan 01\"]");
}

#[test]
fn the_widest_windows_do_not_overflow() {
    for (since, until) in [(i64::MIN, i64::MAX), (YEAR_1, i64::MAX), (i64::MIN, YEAR_9999_END), (i64::MAX, i64::MAX)] {
        let mut i = input(vec![release("v1.0.0", since, vec![]), release("v2.0.0", until, vec![])]);
        (i.since, i.until) = (since, until);
        release_chart(&i);
        assert!(compute(&i).unwrap().json.contains("\"releases\": 2"));
    }
}

#[test]
fn tags_are_escaped_in_markdown_and_charts() {
    let evil = "v1.0.0-x\"];<b>|`#;%\n";
    let t = T0 + DAY;
    let mut r = release(evil, t, vec![commit("feat: a", t, HOUR)]);
    r.version = "1.0.0".to_string();
    let mut h = fix("v1.0.1", t + HOUR);
    h.tag = "v1.0.1*_[x](y)".to_string();
    let report = compute(&input(vec![r, h])).unwrap();
    for block in mermaid_blocks(&report.markdown) {
        check_chart(&block);
    }
    let table_row = report.markdown.lines().find(|l| l.starts_with("| v1.0.0")).unwrap();
    assert_eq!(table_row, r#"| v1.0.0-x"\];&lt;b&gt;\|\`\#;%  | v1.0.1\*\_\[x\]\(y\) | 1 h |"#);
    let labels = report.markdown.lines().find(|l| l.contains("x-axis \"Release\"")).unwrap();
    assert_eq!(labels, r#"    x-axis "Release" ["v1.0.0-x____b_______", "v1.0.1*__x_(y)"]"#);
}

#[test]
fn many_releases_chart_the_last_thirty() {
    let releases: Vec<_> = (0..40).map(|k| feature(&format!("v1.{k}.0"), T0 + k * 12 * HOUR)).collect();
    let report = compute(&input(releases)).unwrap();
    let blocks = mermaid_blocks(&report.markdown);
    assert_eq!(blocks[1][1], "    title \"Median lead time of the last 30 releases (hours)\"");
    assert!(blocks[1][2].starts_with("    x-axis \"Release\" [\"v1.10.0\", "), "{}", blocks[1][2]);
    check_chart(&blocks[1]);
}

#[test]
fn hundred_thousand_commits_in_a_thousand_releases() {
    // 1,000 releases, one every 8 hours, each shipping 100 commits made 0 to
    // 99 minutes before it; every tenth release (k = 1, 11, 21, …) is a
    // patch of fixes of the one before: a hotfix. A window over all of them.
    // It prints its time (`--nocapture`), asserts none; the assertions check
    // it computed the whole history.
    let releases: Vec<_> = (0..1000)
        .map(|k| {
            let t = T0 + k * 8 * HOUR;
            let hotfix = k % 10 == 1;
            let subject = |c: i64| if hotfix || c % 10 == 0 { "fix: x" } else { "feat: y" };
            let commits = (0..100).map(|c| commit(subject(c), t, c * MIN)).collect();
            let tag = if hotfix { format!("v1.{}.1", k - 1) } else { format!("v1.{k}.0") };
            release(&tag, t, commits)
        })
        .collect();
    let mut i = input(releases);
    i.until = T0 + 1000 * 8 * HOUR;
    let started = std::time::Instant::now();
    let report = compute(&i).expect("a report");
    eprintln!("1,000 releases, 100,000 commits: {:?}", started.elapsed());
    let j: serde_json::Value = serde_json::from_str(&report.json).expect("JSON");
    assert_eq!(j["releases"], 1000);
    assert_eq!(j["release_list"].as_array().map(Vec::len), Some(1000));
    assert_eq!(j["change_failure_rate"], 0.1);
    assert_eq!(j["time_to_restore_seconds"]["median"], 8 * HOUR);
    // Lead times 0..99 minutes in each release: median rank 50,000 is 49 min.
    assert_eq!(j["lead_time_seconds"]["median"], 49 * MIN);
}

//! `relkit metrics`: the four DORA keys from histories with known dates,
//! every number computed by hand in the comments.

use serde_json::Value;

use crate::support::TestRepo;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// 2026-11-01T00:00:00Z.
const NOV_1: i64 = 1_793_491_200;

fn commit_at(repo: &TestRepo, time: i64, message: &str) {
    // `commit` ticks the clock one hour before committing.
    repo.set_clock(time - HOUR);
    repo.commit(message);
}

fn tag_at(repo: &TestRepo, time: i64, name: &str) {
    repo.set_clock(time);
    repo.tag(name);
}

/// November 2026 (4 weeks: the 1st to the 28th): five releases, the second
/// hotfixed twelve hours later.
fn november() -> TestRepo {
    let repo = TestRepo::github();
    commit_at(&repo, NOV_1 - 31 * DAY, "chore: init");
    tag_at(&repo, NOV_1 - 31 * DAY, "v1.0.0");
    // v1.1.0: two commits, 26 h and 24 h before the tag.
    commit_at(&repo, NOV_1 + DAY + 10 * HOUR, "feat: launch window");
    commit_at(&repo, NOV_1 + DAY + 12 * HOUR, "fix: launch window off by one");
    tag_at(&repo, NOV_1 + 2 * DAY + 12 * HOUR, "v1.1.0");
    // v1.2.0: one commit, 24 h.
    commit_at(&repo, NOV_1 + 8 * DAY + 12 * HOUR, "feat: countdown");
    tag_at(&repo, NOV_1 + 9 * DAY + 12 * HOUR, "v1.2.0");
    // v1.2.1, 12 h after v1.2.0, only a fix: the hotfix. Its commit: 4 h.
    commit_at(&repo, NOV_1 + 9 * DAY + 20 * HOUR, "fix(countdown): negative seconds");
    tag_at(&repo, NOV_1 + 10 * DAY, "v1.2.1");
    // v1.3.0: 24 h.
    commit_at(&repo, NOV_1 + 15 * DAY + 12 * HOUR, "feat: abort button");
    tag_at(&repo, NOV_1 + 16 * DAY + 12 * HOUR, "v1.3.0");
    // v1.4.0: 36 h.
    commit_at(&repo, NOV_1 + 22 * DAY, "feat: telemetry");
    tag_at(&repo, NOV_1 + 23 * DAY + 12 * HOUR, "v1.4.0");
    repo
}

fn json(repo: &TestRepo, args: &[&str]) -> Value {
    let mut all = vec!["metrics", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(repo.relkit(&all).ok()).unwrap()
}

#[test]
fn five_releases_one_hotfixed_after_twelve_hours() {
    let repo = november();
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-28"]);
    assert_eq!(m["releases"], 5);
    // 5 releases / 4 weeks.
    assert_eq!(m["deployment_frequency_per_week"].as_f64(), Some(1.25));
    // Lead times, sorted: 4 h, 24 h, 24 h, 24 h, 26 h, 36 h. Nearest rank:
    // median = rank ceil(0.5 × 6) = 3 → 24 h; p90 = rank ceil(0.9 × 6) = 6 → 36 h.
    assert_eq!(m["lead_time_seconds"]["median"], 24 * HOUR);
    assert_eq!(m["lead_time_seconds"]["p90"], 36 * HOUR);
    assert_eq!(m["change_failure_rate"].as_f64(), Some(0.2));
    assert_eq!(m["time_to_restore_seconds"]["median"], 12 * HOUR);
    assert_eq!(m["time_to_restore_seconds"]["p90"], 12 * HOUR);
    assert_eq!(m["failed_releases"][0]["tag"], "v1.2.0");
    assert_eq!(m["failed_releases"][0]["hotfix_tag"], "v1.2.1");
    assert_eq!(m["failed_releases"][0]["seconds"], 12 * HOUR);
    assert_eq!(m["window"]["since"], "2026-11-01T00:00:00Z");
    assert_eq!(m["window"]["until"], "2026-11-28T23:59:59Z");
    for key in ["deployment_frequency", "lead_time", "change_failure_rate", "time_to_restore"] {
        assert!(m["levels"][key].is_string(), "{key}: {m}");
    }
}

#[test]
fn the_markdown_report_has_its_keys_and_charts() {
    let repo = november();
    let out = repo.relkit(&["metrics", "--since", "2026-11-01", "--until", "2026-11-28"]).ok().to_string();
    assert_eq!(out.matches("```mermaid\nxychart-beta").count(), 2, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn the_window_decides_which_releases_count() {
    let repo = november();
    // v1.2.0 is on the 10th at 12:00, v1.2.1 on the 11th at 00:00:00, the
    // first second of the next day's window.
    let m = json(&repo, &["--since", "2026-11-10", "--until", "2026-11-10"]);
    assert_eq!(m["releases"], 1);
    // Its hotfix is after the window's end, and still marks it failed.
    assert_eq!(m["change_failure_rate"].as_f64(), Some(1.0));
    let m = json(&repo, &["--since", "2026-11-11", "--until", "2026-11-11"]);
    assert_eq!(m["releases"], 1);
    assert_eq!(m["change_failure_rate"].as_f64(), Some(0.0));
    // A window with no release: exit 0, a report that says so.
    let m = json(&repo, &["--since", "2026-12-01", "--until", "2026-12-07"]);
    assert_eq!(m["releases"], 0);
    let out = repo.relkit(&["metrics", "--since", "2026-12-01", "--until", "2026-12-07"]).ok().to_string();
    assert!(out.to_lowercase().contains("no release"), "{out}");
}

#[test]
fn a_patch_is_no_hotfix_when_late_or_with_a_feature() {
    let repo = TestRepo::github();
    commit_at(&repo, NOV_1, "chore: init");
    tag_at(&repo, NOV_1 + HOUR, "v1.0.0");
    // Three days later: outside the default 48-hour failure window.
    commit_at(&repo, NOV_1 + 3 * DAY, "fix: late");
    tag_at(&repo, NOV_1 + 3 * DAY + HOUR, "v1.0.1");
    // Two hours later, but with a feature in it (a minor, in fact: forced patch).
    commit_at(&repo, NOV_1 + 3 * DAY + 2 * HOUR, "fix: quick");
    commit_at(&repo, NOV_1 + 3 * DAY + 2 * HOUR + 600, "feat: sneaky");
    tag_at(&repo, NOV_1 + 3 * DAY + 3 * HOUR, "v1.0.2");
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-07"]);
    assert_eq!(m["releases"], 3);
    assert_eq!(m["change_failure_rate"].as_f64(), Some(0.0), "{m}");
    // A wider failure window makes v1.0.0's patch a hotfix.
    repo.write("relkit.toml", "[metrics]\nfailure-window = \"4d\"\n");
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-07"]);
    assert_eq!(m["failed_releases"][0]["tag"], "v1.0.0", "{m}");
}

#[test]
fn incidents_replace_the_hotfix_rule() {
    let repo = november();
    let csv = repo.path().join("incidents.csv");
    std::fs::write(
        &csv,
        "release,started,resolved\nv1.3.0,2026-11-17T13:00:00Z,2026-11-17T15:00:00Z\n\
         v1.4.0,2026-11-25T00:00:00+01:00,2026-11-25T06:00:00+01:00\n",
    )
    .unwrap();
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-28", "--incidents", csv.to_str().unwrap()]);
    // v1.2.0's hotfix no longer counts; two incidents name two releases.
    assert_eq!(m["change_failure_rate"].as_f64(), Some(0.4), "{m}");
    // Restore times 2 h and 6 h: median rank 1 → 2 h, p90 rank 2 → 6 h.
    assert_eq!(m["time_to_restore_seconds"]["median"], 2 * HOUR);
    assert_eq!(m["time_to_restore_seconds"]["p90"], 6 * HOUR);
    // The same as JSON.
    let file = repo.path().join("incidents.json");
    std::fs::write(
        &file,
        r#"[{"release": "v1.3.0", "started": "2026-11-17T13:00:00Z", "resolved": "2026-11-17T15:00:00Z"}]"#,
    )
    .unwrap();
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-28", "--incidents", file.to_str().unwrap()]);
    assert_eq!(m["change_failure_rate"].as_f64(), Some(0.2), "{m}");
    assert_eq!(m["failed_releases"][0]["tag"], "v1.3.0");
}

#[test]
fn bad_input_is_named_with_the_fix() {
    let repo = november();
    let err = repo.relkit(&["metrics", "--since", "2026-13-01"]).fails().to_string();
    assert!(err.contains("--since \"2026-13-01\" is not a date") && err.contains("YYYY-MM-DD"), "{err}");
    let err = repo.relkit(&["metrics", "--since", "2026-11-10", "--until", "2026-11-01"]).fails().to_string();
    assert!(err.contains("is after the window's end"), "{err}");
    let csv = repo.path().join("incidents.csv");
    let cases = [
        ("release,started,resolved\nv9.9.9,2026-11-17T13:00:00Z,2026-11-17T15:00:00Z\n", "line 2: release \"v9.9.9\""),
        ("release,started,resolved\nv1.3.0,yesterday,2026-11-17T15:00:00Z\n", "line 2: started \"yesterday\""),
        ("release,start,resolved\n", "line 1: no `started` column"),
        ("release,started,resolved\nv1.3.0,2026-11-17T15:00:00Z,2026-11-17T13:00:00Z\n", "resolved is before started"),
    ];
    for (text, expected) in cases {
        std::fs::write(&csv, text).unwrap();
        let err = repo.relkit(&["metrics", "--incidents", csv.to_str().unwrap()]).fails().to_string();
        assert!(err.contains(expected), "{text}: {err}");
        assert!(err.contains("incidents.csv"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let err = repo.relkit(&["metrics", "--incidents", "nope.csv"]).fails().to_string();
    assert!(err.contains("--incidents nope.csv: cannot read it"), "{err}");
}

#[test]
fn a_lightweight_tag_counts_at_its_commit_time_and_prereleases_do_not_count() {
    let repo = TestRepo::github();
    commit_at(&repo, NOV_1 + HOUR, "feat: first");
    repo.set_clock(NOV_1 + 5 * DAY);
    repo.lightweight_tag("v1.0.0");
    commit_at(&repo, NOV_1 + 2 * DAY, "feat: second");
    tag_at(&repo, NOV_1 + 2 * DAY + HOUR, "v1.1.0-rc.1");
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-07"]);
    assert_eq!(m["releases"], 1);
    // The lightweight tag's time is its commit's: lead time 0.
    assert_eq!(m["lead_time_seconds"]["median"], 0);
}

#[test]
fn under_github_actions_the_report_goes_to_the_step_summary() {
    let repo = november();
    let text = crate::support::step_summary(&repo, &["metrics", "--since", "2026-11-01", "--until", "2026-11-28"]);
    assert!(text.contains("xychart-beta"), "{text}");
}

#[test]
fn an_incidents_file_from_a_spreadsheet_is_read() {
    // A byte order mark and extra columns or keys, as exports have.
    let repo = november();
    let csv = repo.path().join("incidents.csv");
    std::fs::write(
        &csv,
        "\u{feff}release,started,resolved,ticket\nv1.3.0,2026-11-17T13:00:00Z,2026-11-17T15:00:00Z,INC-7\n",
    )
    .unwrap();
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-28", "--incidents", csv.to_str().unwrap()]);
    assert_eq!(m["change_failure_rate"].as_f64(), Some(0.2), "{m}");
    let file = repo.path().join("incidents.json");
    let text = "\u{feff}[{\"release\": \"v1.3.0\", \"started\": \"2026-11-17T13:00:00Z\", \"resolved\": \"2026-11-17T15:00:00Z\", \"ticket\": \"INC-7\"}]";
    std::fs::write(&file, text).unwrap();
    let m = json(&repo, &["--since", "2026-11-01", "--until", "2026-11-28", "--incidents", file.to_str().unwrap()]);
    assert_eq!(m["time_to_restore_seconds"]["median"], 2 * HOUR, "{m}");
}

/// Two packages in November: api released twice (the second a hotfix 6 h
/// after the first), web once; a commit belongs to the package whose files
/// it changes.
#[test]
fn packages_are_measured_each_on_its_own_releases_and_commits() {
    let repo = TestRepo::github();
    let config = "[[packages]]\nname = \"api\"\npath = \"api\"\n\n[[packages]]\nname = \"web\"\npath = \"web\"\n";
    repo.set_clock(NOV_1 - 2 * DAY);
    repo.commit_files("chore: init", &[("relkit.toml", config), ("api/a", "1\n"), ("web/w", "1\n")]);
    tag_at(&repo, NOV_1 - 2 * DAY, "api-v1.0.0");
    tag_at(&repo, NOV_1 - 2 * DAY, "web-v1.0.0");
    // api-v1.1.0: one api commit, 10 h before (`commit_files` ticks the
    // clock one hour first); a web commit 5 h before is not api's.
    repo.set_clock(NOV_1 + DAY - HOUR);
    repo.commit_files("feat: api thing", &[("api/a", "2\n")]);
    repo.set_clock(NOV_1 + DAY + 4 * HOUR);
    repo.commit_files("feat: web thing", &[("web/w", "2\n")]);
    tag_at(&repo, NOV_1 + DAY + 10 * HOUR, "api-v1.1.0");
    // api-v1.1.1, 6 h later, a fix only: api's hotfix. web-v1.1.0 with it.
    repo.set_clock(NOV_1 + DAY + 13 * HOUR);
    repo.commit_files("fix: api crash", &[("api/a", "3\n")]);
    tag_at(&repo, NOV_1 + DAY + 16 * HOUR, "api-v1.1.1");
    tag_at(&repo, NOV_1 + DAY + 16 * HOUR, "web-v1.1.0");
    let window = ["--since", "2026-11-01", "--until", "2026-11-28"];
    let api = json(&repo, &[&["--package", "api"], &window[..]].concat());
    assert_eq!(api["releases"], 2);
    assert_eq!(api["change_failure_rate"].as_f64(), Some(0.5));
    assert_eq!(api["failed_releases"][0]["hotfix_tag"], "api-v1.1.1");
    // api's lead times: 10 h (api thing → 1.1.0) and 2 h (api crash → 1.1.1).
    assert_eq!(api["lead_time_seconds"]["p90"], 10 * HOUR);
    assert_eq!(api["lead_time_seconds"]["median"], 2 * HOUR);
    let web = json(&repo, &[&["-p", "web"], &window[..]].concat());
    assert_eq!(web["releases"], 1);
    assert_eq!(web["change_failure_rate"].as_f64(), Some(0.0));
    // web's one commit shipped 11 h before web-v1.1.0 (the api commits, 2 h
    // and 10 h before it, are not web's).
    assert_eq!(web["lead_time_seconds"]["median"], 11 * HOUR);
    assert_eq!(web["lead_time_seconds"]["p90"], 11 * HOUR);
    // Both packages together: three releases, one failed.
    let all = json(&repo, &window);
    assert_eq!(all["releases"], 3);
}

//! `[[release.freeze]]`: `release` and `tag` refuse inside a window, at its
//! edges in UTC, unless `--ignore-freeze`, which the tag message records.
//! The fixtures' "now" is 2026-11-29T00:00:00Z, a Sunday.

use crate::support::{TestRepo, mask};

fn due(config: &str) -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.2.3");
    repo.commit_files("feat: countdown", &[("relkit.toml", config)]);
    repo
}

const BLACK_FRIDAY: &str =
    "[[release.freeze]]\nfrom = \"2026-11-26\"\nto = \"2026-11-30\"\nreason = \"Black Friday\"\n";

#[test]
fn a_release_inside_a_window_is_refused_with_its_reason_and_end() {
    let repo = due(BLACK_FRIDAY);
    let before = repo.state();
    for args in [&["release"][..], &["tag"]] {
        let err = repo.relkit(args).fails().to_string();
        assert_eq!(repo.state(), before, "{args:?} changed the repository");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("inside the freeze window \"Black Friday\" (2026-11-26 to 2026-11-30, UTC)"), "{err}");
        assert!(err.contains("which ends 2026-12-01 00:00 UTC"), "{err}");
        assert!(err.contains("--ignore-freeze"), "{err}");
    }
    insta::assert_snapshot!(repo.relkit(&["release"]).fails(), @"error: relkit release refused: inside the freeze window \"Black Friday\" (2026-11-26 to 2026-11-30, UTC), which ends 2026-12-01 00:00 UTC; release after it, or run again with --ignore-freeze to release anyway (the tag message records it)");
    // `version` and a dry run still work: they change nothing.
    assert_eq!(repo.relkit(&["version"]).ok(), "1.3.0\n");
    let dry = repo.relkit(&["release", "--dry-run"]);
    dry.ok();
    assert!(dry.stderr.contains("warning: relkit release refused: inside the freeze window"), "{}", dry.stderr);
}

#[test]
fn ignore_freeze_releases_and_the_tag_message_says_so() {
    let repo = due(BLACK_FRIDAY);
    repo.relkit(&["release", "--ignore-freeze"]).ok();
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]);
    assert!(
        message.ends_with(
            "Released during the freeze window \"Black Friday\" (2026-11-26 to 2026-11-30, UTC) with --ignore-freeze."
        ),
        "{message}"
    );
    let repo = due(BLACK_FRIDAY);
    repo.relkit(&["tag", "--ignore-freeze"]).ok();
    assert!(repo.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]).contains("with --ignore-freeze."));
}

#[test]
fn the_edges_are_whole_utc_days() {
    // Ends the day before: now (00:00 on the 29th) is outside.
    let repo = due("[[release.freeze]]\nfrom = \"2026-11-20\"\nto = \"2026-11-28\"\n");
    repo.relkit(&["release"]).ok();
    // Starts today: inside from its first second.
    let repo = due("[[release.freeze]]\nfrom = \"2026-11-29\"\nto = \"2026-11-29\"\n");
    let err = repo.relkit(&["release"]).fails().to_string();
    assert!(err.contains("freeze window (2026-11-29 to 2026-11-29, UTC), which ends 2026-11-30 00:00 UTC"), "{err}");
    // A second before the window (SOURCE_DATE_EPOCH is "now").
    let repo = due("[[release.freeze]]\nfrom = \"2026-11-29\"\nto = \"2026-12-01\"\n");
    let out = repo.relkit_command(&["release"]).env("SOURCE_DATE_EPOCH", "1795910399").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_weekly_window_ends_on_its_first_free_day() {
    let repo = due("[[release.freeze]]\ndays = [\"fri\", \"sat\", \"sun\"]\nreason = \"weekend\"\n");
    let err = repo.relkit(&["release"]).fails().to_string();
    assert!(err.contains("\"weekend\" (every fri, sat, sun, UTC), which ends 2026-11-30 00:00 UTC"), "{err}");
    let repo = due("[[release.freeze]]\ndays = [\"mon\"]\n");
    repo.relkit(&["release"]).ok();
}

#[test]
fn bad_windows_are_refused_at_load_with_their_line() {
    let repo = due("# no freeze\n");
    let cases = [
        (
            "[[release.freeze]]\nfrom = \"2026-12-20\"\nto = \"2026-12-01\"\n",
            "line 3: key `to` in [[release.freeze]] #1: \"2026-12-01\" is before from",
        ),
        (
            "[[release.freeze]]\nfrom = \"20-12-2026\"\nto = \"2027-01-04\"\n",
            "line 2: key `from` in [[release.freeze]] #1: \"20-12-2026\" is not a date",
        ),
        (
            "[[release.freeze]]\ndays = [\"caturday\"]\n",
            "line 2: key `days` in [[release.freeze]] #1: \"caturday\" is not a weekday",
        ),
        ("[[release.freeze]]\nfrom = \"2026-12-20\"\n", "key `from` in [[release.freeze]] #1: needs a `to` date too"),
        ("[[release.freeze]]\nreason = \"x\"\nuntil = \"2026-12-20\"\n", "unknown key `until`"),
    ];
    for (config, expected) in cases {
        repo.write("relkit.toml", config);
        let err = mask(repo.relkit(&["version"]).fails(), &repo);
        assert!(err.contains(expected), "{config}: {err}");
    }
}

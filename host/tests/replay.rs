//! Replays real releases of public projects (`../shared/replay/releases.jsonl`,
//! beside the repository) and checks that `relkit version --preset P` picks
//! the version the real tool released.
//!
//! Each pair is rebuilt in a scratch repository: a root commit tagged with the
//! previous version, then the range's commits oldest first with the same
//! messages (`This reverts commit <sha>` rewritten to the new hashes). All
//! pairs share one repository, one orphan branch and one tag prefix each, so
//! that they cannot see each other's tags.
//!
//! Pairs with an empty range or a version jump (`bump_is_exact_increment:
//! false`) are skipped, as the data's README says. A disagreement must be one
//! of the known ones listed in [`EXPECTED_MISSES`], each explained there;
//! anything else fails the test. The report goes to
//! `target/replay-report.md`; the README quotes its figures.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::support::TestRepo;

/// Disagreements the data itself explains (see shared/replay/README.md).
/// (repository, next tag, why)
const EXPECTED_MISSES: &[(&str, &str, &str)] = &[
    ("octokit/rest.js", "v14.0.0", "forced major for the package rename; only refactor/chore/docs/test in the range"),
    ("commitizen-tools/commitizen", "v1.11.0", "a minor with a single `ci:` commit, tagged off the main line"),
    ("commitizen-tools/commitizen", "v1.10.3", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v1.18.3", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v1.23.4", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v2.21.1", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v2.29.3", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v2.29.4", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v2.32.4", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v3.5.4", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v3.8.2", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v3.21.3", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v3.25.1", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v3.30.1", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v4.7.2", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v4.8.2", "commitizen releases a patch for `refactor`"),
    ("commitizen-tools/commitizen", "v1.22.3", "commitizen's old pattern matched the body line `fixes #202`"),
    (
        "commitizen-tools/commitizen",
        "v2.17.13",
        "commitizen's old pattern matched the body line `fix link to Customization`",
    ),
    (
        "commitizen-tools/commitizen",
        "v2.17.5",
        "commitizen's old pattern matched the colon-less subject `fix docs typo`",
    ),
];

struct Pair {
    repo: String,
    prev: String,
    next: String,
    tool: String,
    preset: String,
    /// (sha, message), oldest first.
    commits: Vec<(String, String)>,
}

fn data_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/replay/releases.jsonl")
}

fn load() -> Option<(Vec<Pair>, usize)> {
    let text = std::fs::read_to_string(data_file()).ok()?;
    let mut pairs = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("releases.jsonl line");
        if v["n_commits"].as_u64() == Some(0) || v["bump_is_exact_increment"].as_bool() == Some(false) {
            skipped += 1;
            continue;
        }
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let mut commits: Vec<(String, String)> = v["commits"]
            .as_array()
            .expect("commits")
            .iter()
            .map(|c| {
                (
                    c["sha"].as_str().unwrap_or_default().to_string(),
                    c["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        commits.reverse();
        pairs.push(Pair {
            repo: s("repo"),
            prev: s("prev_tag"),
            next: s("next_tag"),
            tool: s("tool"),
            preset: s("preset"),
            commits,
        });
    }
    Some((pairs, skipped))
}

/// Writes every pair with `git fast-import`: branch `p<N>`, root commit
/// tagged `p<N>-<prev tag>`. Hashes named in revert messages are rewritten to
/// the rebuilt commits, which needs the new ids as the stream goes: those
/// are asked of fast-import with `get-mark`.
fn build(repo: &TestRepo, pairs: &[Pair]) {
    let mut child = Command::new("git")
        .current_dir(repo.path())
        .args(["fast-import", "--quiet", "--cat-blob-fd=1", "--done"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut mark = 0u64;
    let mut time = 1_600_000_000u64;
    let mut commit = |stdin: &mut std::process::ChildStdin, branch: &str, parent: Option<u64>, message: &str| -> u64 {
        mark += 1;
        time += 60;
        let mut s = format!("commit refs/heads/{branch}\nmark :{mark}\n");
        writeln!(s, "author Replay <replay@example.com> {time} +0000").unwrap();
        writeln!(s, "committer Replay <replay@example.com> {time} +0000").unwrap();
        write!(s, "data {}\n{message}\n", message.len()).unwrap();
        if let Some(p) = parent {
            writeln!(s, "from :{p}").unwrap();
        }
        stdin.write_all(s.as_bytes()).unwrap();
        mark
    };
    for (n, pair) in pairs.iter().enumerate() {
        let branch = format!("p{n}");
        let root = commit(&mut stdin, &branch, None, "chore: previous release");
        stdin.write_all(format!("reset refs/tags/p{n}-{}\nfrom :{root}\n\n", pair.prev).as_bytes()).unwrap();
        let mut parent = root;
        let mut new_ids: HashMap<&str, String> = HashMap::new();
        let reverts_inside = pair.commits.iter().any(|(_, m)| m.to_ascii_lowercase().contains("this reverts commit"));
        for (sha, message) in &pair.commits {
            let mut message = message.clone();
            for (old, new) in &new_ids {
                message = message.replace(old, new);
            }
            parent = commit(&mut stdin, &branch, Some(parent), &message);
            if reverts_inside {
                stdin.write_all(format!("get-mark :{parent}\n").as_bytes()).unwrap();
                stdin.flush().unwrap();
                let mut id = String::new();
                std::io::BufRead::read_line(&mut stdout, &mut id).unwrap();
                new_ids.insert(sha.as_str(), id.trim().to_string());
            }
        }
    }
    stdin.write_all(b"done\n").unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success(), "git fast-import failed");
}

#[test]
fn replay_real_releases() {
    let Some((pairs, skipped)) = load() else {
        println!("replay: SKIPPED, {} is absent (it sits beside the repository, in ../shared)", data_file().display());
        return;
    };
    let repo = TestRepo::new();
    build(&repo, &pairs);

    // tool -> (agree, scored, expected misses)
    let mut by_tool: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut unexplained = Vec::new();
    for (n, pair) in pairs.iter().enumerate() {
        repo.git(&["symbolic-ref", "HEAD", &format!("refs/heads/p{n}")]);
        let config = repo.home().join("replay.toml");
        std::fs::write(&config, format!("[release]\ntag-prefix = \"p{n}-v\"\n")).unwrap();
        let out = repo.relkit(&["--config", config.to_str().unwrap(), "version", "--preset", &pair.preset]);
        let got = out.ok().trim().to_string();
        let want = pair.next.trim_start_matches('v');
        let entry = by_tool.entry(pair.tool.clone()).or_default();
        entry.1 += 1;
        if got == want {
            entry.0 += 1;
            continue;
        }
        let known = EXPECTED_MISSES.iter().find(|(r, t, _)| *r == pair.repo && *t == pair.next);
        let line = format!(
            "{} {} -> {} ({}): relkit says {}{}",
            pair.repo,
            pair.prev,
            pair.next,
            pair.preset,
            if got.is_empty() { "no release" } else { &got },
            known.map(|(_, _, why)| format!("; expected: {why}")).unwrap_or_default()
        );
        if known.is_some() {
            entry.2 += 1;
            misses.push(line);
        } else {
            unexplained.push(line);
        }
    }

    let mut report = String::from("# Replay of real releases\n\n");
    writeln!(report, "{} pairs replayed, {skipped} skipped (empty range or version jump).\n", pairs.len()).unwrap();
    report.push_str("| tool | agree | scored | rate | known misses (ground-truth noise) |\n|---|---|---|---|---|\n");
    for (tool, (agree, scored, known)) in &by_tool {
        let rate = 100.0 * *agree as f64 / *scored as f64;
        let without_noise = 100.0 * *agree as f64 / (*scored - *known) as f64;
        writeln!(
            report,
            "| {tool} | {agree} | {scored} | {rate:.1} % ({without_noise:.1} % without known noise) | {known} |"
        )
        .unwrap();
    }
    report.push_str("\n## Known disagreements\n\n");
    for m in &misses {
        writeln!(report, "- {m}").unwrap();
    }
    if !unexplained.is_empty() {
        report.push_str("\n## UNEXPLAINED disagreements\n\n");
        for m in &unexplained {
            writeln!(report, "- {m}").unwrap();
        }
    }
    let target = PathBuf::from(env!("RELKIT_PLUGIN_TARGET_DIR")).parent().unwrap().join("replay-report.md");
    std::fs::write(&target, &report).unwrap();
    println!("{report}");
    assert!(
        unexplained.is_empty(),
        "relkit disagrees with real releases it should reproduce:\n{}",
        unexplained.join("\n")
    );
}

//! `[[packages]]`: a monorepo's packages, each versioned, tagged and
//! released from the commits that touch it (or name its scope), all due
//! packages in one release transaction; errors in the entries with their
//! key, file and line.

use std::collections::HashMap;

use crate::support::{TestRepo, git_in, mask, with_remote};
use crate::transaction::{fault_wrapper, faulted_run, faulted_run_with};

const CONFIG: &str = "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n\n[[packages]]\nname = \"web\"\n\
path = \"packages/web\"\nscopes = [\"ui\"]\n\n[[packages]]\nname = \"cli\"\npath = \"packages/cli\"\n";

/// api at 1.0.0 and web at 2.0.0 (cli never released), then: cli's first
/// feature, a feature in api, a fix in web, a README change (no package), a `ui`-scoped feature
/// that changes no file (web by its scope), a breaking change to api and web.
fn monorepo(config: &str) -> TestRepo {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("relkit.toml", config),
            ("packages/api/src/lib.rs", "// api\n"),
            ("packages/web/index.js", "// web\n"),
            ("packages/cli/main.go", "// cli\n"),
            ("packages/api/CHANGELOG.md", "# Changelog\n"),
        ],
    );
    repo.tag("api-v1.0.0");
    repo.tag("web-v2.0.0");
    repo.commit_files("feat(cli): first command", &[("packages/cli/main.go", "// cli 1\n")]);
    repo.commit_files("feat(api): pagination", &[("packages/api/src/lib.rs", "// api 2\n")]);
    repo.commit_files("fix: web crash on empty list", &[("packages/web/index.js", "// web 2\n")]);
    repo.commit_files("docs: root readme", &[("README.md", "# mono\n")]);
    repo.commit("feat(ui): dark mode toggle");
    repo
}

#[test]
fn version_prints_each_due_package_from_its_own_commits() {
    let repo = monorepo(CONFIG);
    // cli has no release yet: its first one is due, from its own commits.
    insta::assert_snapshot!(repo.relkit(&["version"]).ok(), @r"
    api 1.1.0
    web 2.1.0
    cli 0.1.0
    ");
    repo.commit_files(
        "feat!: new wire format",
        &[("packages/api/src/lib.rs", "// 3\n"), ("packages/web/index.js", "// 3\n")],
    );
    let json: serde_json::Value = serde_json::from_str(repo.relkit(&["version", "--json"]).ok()).unwrap();
    let got: Vec<(String, String, usize)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["package"].as_str().unwrap().into(),
                p["tag"].as_str().unwrap().into(),
                p["commits"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("api".into(), "api-v2.0.0".into(), 2),
            ("web".into(), "web-v3.0.0".into(), 3),
            ("cli".into(), "cli-v0.1.0".into(), 2)
        ]
    );
    insta::assert_snapshot!(mask(repo.relkit(&["version", "--package", "web", "--explain"]).ok(), &repo));
    // One package: the single-package output, a bare version.
    assert_eq!(repo.relkit(&["version", "-p", "api"]).ok(), "2.0.0\n");
}

#[test]
fn a_package_with_no_change_is_left_alone() {
    let repo = monorepo(CONFIG);
    repo.tag("cli-v0.1.0");
    repo.commit_files(
        "chore(release): api-v1.1.0, web-v2.1.0",
        &[("packages/api/CHANGELOG.md", "# Changelog\n\n## 1.1.0\n")],
    );
    repo.tag("api-v1.1.0");
    repo.tag("web-v2.1.0");
    let run = repo.relkit(&["version"]);
    assert_eq!(run.ok(), "");
    assert_eq!(run.stderr, "relkit: no package has a release due\n");
    let run = repo.relkit(&["release"]);
    assert_eq!(run.ok(), "relkit: no release due (no package has commits that call for one)\n");
    repo.commit_files("fix(cli): flag parsing", &[("packages/cli/main.go", "// 2\n")]);
    assert_eq!(repo.relkit(&["version"]).ok(), "cli 0.1.1\n");
}

#[test]
fn release_as_names_one_package_and_a_prerelease_runs_beside_a_stable_package() {
    let config = format!("{CONFIG}\n[packages.version]\nprerelease = \"rc\"\n");
    let repo = monorepo(&config);
    // `Release-As: api@3.0.0` is api's alone; web is not forced by it.
    repo.commit_files(
        "chore: next major\n\nRelease-As: api@3.0.0\nRelease-As: web@9.0.0",
        &[("packages/api/src/lib.rs", "// x\n")],
    );
    // cli is in pre-release (its [packages.version]), api and web are stable.
    insta::assert_snapshot!(repo.relkit(&["version"]).ok(), @r"
    api 3.0.0
    web 9.0.0
    cli 0.1.0-rc.1
    ");
    repo.relkit(&["release"]).ok();
    let tags = repo.git(&["tag", "--list", "--sort=refname"]);
    assert_eq!(tags, "api-v1.0.0\napi-v3.0.0\ncli-v0.1.0-rc.1\nweb-v2.0.0\nweb-v9.0.0");
    // The pre-release of cli continues its channel; the stable packages are done.
    repo.commit_files("fix(cli): typo", &[("packages/cli/main.go", "// 2\n")]);
    assert_eq!(repo.relkit(&["version"]).ok(), "cli 0.1.0-rc.2\n");
}

#[test]
fn notes_and_changelog_hold_each_package_s_own_commits_and_links() {
    let repo = monorepo(CONFIG);
    let notes = repo.relkit(&["notes", "--package", "api"]).ok().to_string();
    assert!(notes.contains("compare/api-v1.0.0...api-v1.1.0"), "{notes}");
    insta::assert_snapshot!(notes);
    insta::assert_snapshot!(repo.relkit(&["notes"]).ok());
    repo.relkit(&["changelog"]).ok();
    let api = repo.read("packages/api/CHANGELOG.md");
    assert!(api.contains("pagination") && !api.contains("dark mode") && !api.contains("root readme"), "{api}");
    let web = repo.read("packages/web/CHANGELOG.md");
    assert!(web.contains("dark mode") && web.contains("empty list") && !web.contains("pagination"), "{web}");
    let cli = repo.read("packages/cli/CHANGELOG.md");
    assert!(cli.contains("## [0.1.0]"), "{cli}");
}

/// `name=value` lines of a dotenv file.
fn dotenv(text: &str) -> HashMap<String, String> {
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn release_tags_exactly_the_changed_packages_in_one_commit_and_one_push() {
    let repo = monorepo(CONFIG);
    repo.tag("cli-v0.1.0");
    let remote = with_remote(&repo);
    let out = repo.relkit_command(&["release", "--push"]).env("GITLAB_CI", "true").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // api and web changed; cli did not.
    let local = repo.git(&["tag", "--list", "--sort=refname"]);
    assert_eq!(local, "api-v1.0.0\napi-v1.1.0\ncli-v0.1.0\nweb-v2.0.0\nweb-v2.1.0");
    for tag in ["api-v1.1.0", "web-v2.1.0"] {
        assert_eq!(git_in(remote.path(), &["rev-parse", tag]), repo.git(&["rev-parse", tag]), "{tag}");
        assert_eq!(
            repo.git(&["rev-parse", &format!("{tag}^{{commit}}")]),
            repo.head(),
            "{tag} is not at the release commit"
        );
    }
    assert_eq!(git_in(remote.path(), &["rev-parse", "main"]), repo.head());
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "chore(release): api-v1.1.0, web-v2.1.0");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "packages/api/CHANGELOG.md\npackages/web/CHANGELOG.md"
    );
    let api = repo.read("packages/api/CHANGELOG.md");
    assert!(api.contains("pagination") && !api.contains("dark mode"), "{api}");
    // The tag message is the package's own notes.
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "web-v2.1.0"]);
    assert!(message.contains("dark mode") && !message.contains("pagination"), "{message}");
    // GitLab: RELKIT_PACKAGES and one notes file per package.
    let env = dotenv(&repo.read("relkit.env"));
    assert_eq!(env["RELKIT_RELEASED"], "true");
    let packages: serde_json::Value = serde_json::from_str(&env["RELKIT_PACKAGES"]).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&packages).unwrap());
    let web_notes = repo.read("relkit-notes-web.md");
    assert!(web_notes.contains("dark mode") && !web_notes.contains("pagination"), "{web_notes}");
    assert!(repo.read("relkit-notes.md").starts_with("# api 1.1.0\n"));
    // The same list for the template's shell loop that publishes one GitLab release per package.
    assert_eq!(env["RELKIT_PACKAGE_TAGS"], "api-v1.1.0 web-v2.1.0");
    assert_eq!(env["RELKIT_PACKAGE_NOTES_FILES"], "relkit-notes-api.md relkit-notes-web.md");
    // Run again: nothing is due.
    let again = repo.relkit(&["release", "--push"]);
    assert!(again.ok().contains("no release due"), "{}", again.stdout);
}

#[test]
fn github_outputs_list_the_packages_for_a_build_matrix() {
    let repo = monorepo(CONFIG);
    repo.tag("cli-v0.1.0");
    let output = repo.path().join("gh-output");
    let out = repo
        .relkit_command(&["release", "--dry-run"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&output).unwrap();
    let line = text.lines().find_map(|l| l.strip_prefix("packages=")).unwrap();
    let packages: Vec<serde_json::Value> = serde_json::from_str(line).unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["api", "web"]);
    assert_eq!(packages[0]["previous-tag"], "api-v1.0.0");
    assert_eq!(packages[1]["notes-file"], "relkit-notes-web.md");
    assert!(text.contains("released=true\n") && text.contains("version=\n"), "{text}");
    // Without [[packages]] there is no `packages` output.
    let single = TestRepo::github();
    single.commit("feat: one");
    let output = single.path().join("gh-output");
    single
        .relkit_command(&["release", "--dry-run"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert!(!std::fs::read_to_string(&output).unwrap().contains("packages"));
}

#[test]
fn killed_at_every_git_step_three_packages_end_in_one_release() {
    let wrapper_dir = tempfile::tempdir().unwrap();
    let wrapper = fault_wrapper(wrapper_dir.path());
    let fixture = || {
        let repo = monorepo(CONFIG);
        repo.commit_files("fix(cli): flag parsing", &[("packages/cli/main.go", "// 2\n")]);
        let remote = with_remote(&repo);
        (repo, remote)
    };
    for (when, signal) in [("before", "KILL"), ("after", "KILL")] {
        for at in 1.. {
            let (repo, remote) = fixture();
            let fired = faulted_run(&repo, &wrapper, at, when, signal);
            let context = format!("{signal} {when} git call {at}");
            let rerun = repo.relkit(&["release", "--push"]);
            assert_eq!(rerun.code, 0, "{context}: {}\n{}", rerun.stdout, rerun.stderr);
            for tag in ["api-v1.1.0", "web-v2.1.0", "cli-v0.1.0"] {
                let here = repo.git(&["rev-parse", tag]);
                assert_eq!(git_in(remote.path(), &["rev-parse", tag]), here, "{context}: {tag} differs on the remote");
                assert_eq!(repo.git(&["rev-parse", &format!("{tag}^{{commit}}")]), repo.head(), "{context}: {tag}");
            }
            assert_eq!(git_in(remote.path(), &["rev-parse", "main"]), repo.head(), "{context}");
            for (path, version) in [("api", "1.1.0"), ("web", "2.1.0"), ("cli", "0.1.0")] {
                let text = repo.read(&format!("packages/{path}/CHANGELOG.md"));
                assert_eq!(text.matches(&format!("## [{version}]")).count(), 1, "{context}: {path}:\n{text}");
            }
            assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=all"]), "", "{context}");
            assert!(!repo.path().join(".git/relkit-release.json").exists(), "{context}: journal left");
            if !fired {
                break;
            }
        }
    }
}

#[test]
fn bad_package_entries_name_the_key_file_and_line() {
    let cases = [
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n\n[[packages]]\nname = \"inner\"\npath = \"packages/api/inner\"\n",
            "overlap",
        ),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\ntag-prefix = \"v\"\n\n[[packages]]\nname = \"web\"\npath = \"packages/web\"\ntag-prefix = \"v\"\n",
            "prefix",
        ),
        ("[[packages]]\nname = \"api\"\npath = \"packages/nope\"\n", "missing"),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n\n[[packages]]\nname = \"api\"\npath = \"packages/web\"\n",
            "duplicate",
        ),
        (
            "[[version-files]]\npath = \"Cargo.toml\"\n\n[[packages]]\nname = \"api\"\npath = \"packages/api\"\n",
            "top-level version files",
        ),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n[packages.version]\nprerelease = \"1\"\n",
            "bad label",
        ),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n[[packages.version-files]]\npath = \"VERSION\"\n\n\
             [[packages]]\nname = \"web\"\npath = \"packages/web\"\n[[packages.version-files]]\npath = \"VERSION\"\n",
            "shared version file",
        ),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\nchangelog = \"CHANGELOG.md\"\n\n\
             [[packages]]\nname = \"web\"\npath = \"packages/web\"\nchangelog = \"CHANGELOG.md\"\n",
            "one changelog",
        ),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n[[packages.version-files]]\npath = \"VERSION\"\n\n\
             [[packages]]\nname = \"web\"\npath = \"packages/web\"\nchangelog = \"VERSION\"\n",
            "changelog is a version file",
        ),
        (
            "[[packages]]\nname = \"x\"\npath = \"packages/api\"\ntag-prefix = \"x\"\n\n\
             [[packages]]\nname = \"x1\"\npath = \"packages/web\"\ntag-prefix = \"x1\"\n",
            "prefixes that read each other's tags",
        ),
        ("[[packages]]\nname = \"api\"\npath = \"packages/web/../api\"\n", "path with .."),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n\n[[packages]]\nname = \"API\"\npath = \"packages/web\"\n",
            "names differing in case",
        ),
        ("[[packages]]\nname = \"@../web\"\npath = \"packages/web\"\n", "name with .."),
        (
            "[[packages]]\nname = \"api\"\npath = \"packages/api\"\n\n[packages.version]\nbogus = 1\n",
            "unknown per-package key",
        ),
    ];
    let mut out = String::new();
    for (config, what) in cases {
        let repo = TestRepo::new();
        repo.commit_files(
            "chore: init",
            &[("packages/api/inner/x", "x\n"), ("packages/web/y", "y\n"), ("relkit.toml", config)],
        );
        let before = repo.state();
        let err = repo.relkit(&["release"]).fails().to_string();
        assert_eq!(repo.state(), before, "{what}: something changed");
        out.push_str(&format!("{what}: {}", mask(&err, &repo)));
    }
    insta::assert_snapshot!(out);
    let repo = monorepo(CONFIG);
    let mut errors = mask(repo.relkit(&["version", "--package", "nope"]).fails(), &repo);
    let single = TestRepo::new();
    single.commit("feat: x");
    errors.push_str(single.relkit(&["version", "-p", "api"]).fails());
    insta::assert_snapshot!(errors);
}

#[test]
fn init_lists_a_cargo_workspace_as_packages() {
    let repo = TestRepo::new();
    repo.commit_files(
        "chore: init",
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("crates/api/Cargo.toml", "[package]\nname = \"api\"\nversion = \"1.0.0\"\n"),
            ("crates/web/Cargo.toml", "[package]\nname = \"web\"\nversion.workspace = true\n"),
        ],
    );
    let config = repo.relkit(&["init", "--packages"]).ok().to_string();
    insta::assert_snapshot!(config);
    // Members relkit would refuse, or that would collide, are left out with a comment.
    let npm = TestRepo::new();
    npm.commit_files(
        "chore: init",
        &[
            ("package.json", "{\"workspaces\": [\"packages/*\"]}\n"),
            ("packages/a/package.json", "{\"name\": \"@x/good\", \"version\": \"1.0.0\"}\n"),
            ("packages/b/package.json", "{\"name\": \"x-good\", \"version\": \"1.0.0\"}\n"),
            ("packages/c/package.json", "{\"name\": \"-rf\", \"version\": \"1.0.0\"}\n"),
        ],
    );
    let printed = npm.relkit(&["init", "--packages"]).ok().to_string();
    insta::assert_snapshot!(printed);
    npm.write("relkit.toml", &printed);
    npm.relkit(&["version"]).ok();
    // What it prints is a configuration relkit reads.
    repo.write("relkit.toml", &config);
    repo.commit_files("feat(api): x", &[("crates/api/src.rs", "//\n")]);
    assert_eq!(repo.relkit(&["version"]).ok(), "api 0.1.0\n");
}

#[test]
fn a_release_pull_request_holds_every_due_package_and_release_tags_each() {
    let repo = monorepo(CONFIG);
    repo.tag("cli-v0.1.0");
    let out = repo.relkit(&["prepare"]).ok().to_string();
    assert!(out.starts_with("relkit: prepared api-v1.1.0, web-v2.1.0 on relkit/release"), "{out}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s", "relkit/release"]), "chore(release): api-v1.1.0, web-v2.1.0");
    // Merged as GitHub squashes it, then released: each package's version,
    // no second CHANGELOG section.
    repo.git(&["merge", "-q", "--squash", "relkit/release"]);
    repo.git(&["commit", "-q", "-m", "chore(release): api-v1.1.0, web-v2.1.0 (#12)"]);
    let landed = repo.head();
    // Pushed before the release job ran: a cli fix the pull request lacks.
    repo.commit_files("fix(cli): crash on start", &[("packages/cli/main.go", "// cli 2\n")]);
    let run = repo.relkit(&["release"]);
    assert!(run.stderr.contains("prepared api-v1.1.0") && run.stderr.contains("prepared web-v2.1.0"), "{}", run.stderr);
    for tag in ["api-v1.1.0", "web-v2.1.0"] {
        assert_eq!(repo.git(&["rev-parse", &format!("{tag}^{{commit}}")]), landed, "{tag}");
    }
    assert!(
        run.stderr.contains(&format!(
            "relkit: package cli: not in the release pull request {}; the next run releases it",
            &landed[..7]
        )),
        "{}",
        run.stderr
    );
    assert_eq!(repo.git(&["tag", "-l", "cli-*"]), "cli-v0.1.0");
    assert_eq!(repo.read("packages/api/CHANGELOG.md").matches("## [1.1.0]").count(), 1);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // The next run releases cli alone, with its fix.
    let out = repo.relkit(&["release"]).ok().to_string();
    assert!(out.contains("releasing cli-v0.1.1 (patch; previous cli-v0.1.0)"), "{out}");
    assert_eq!(repo.git(&["tag", "-l", "api-*"]), "api-v1.0.0\napi-v1.1.0");
}

#[test]
fn a_package_s_rollback_reverts_its_own_files_only() {
    let repo = monorepo(CONFIG);
    repo.tag("cli-v0.1.0");
    // One commit changes both packages: reverting api must keep web's half.
    repo.commit_files(
        "fix: shared bug",
        &[("packages/api/src/lib.rs", "// api fixed\n"), ("packages/web/index.js", "// web fixed\n")],
    );
    let _remote = with_remote(&repo);
    repo.relkit(&["release", "--push"]).ok();
    repo.commit_files("feat(web): later work", &[("packages/web/index.js", "// web later\n")]);
    let runbook = repo.relkit(&["rollback", "--release", "api-v1.1.0"]).ok().to_string();
    let step = &runbook[runbook.find("undo its changes under `packages/api`").expect(&runbook)..];
    let block = &step[step.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    insta::assert_snapshot!(block);
    for line in block.lines().filter(|l| !l.contains("origin")) {
        let out = repo.command("sh").args(["-c", line]).output().unwrap();
        assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(repo.read("packages/api/src/lib.rs"), "// api\n");
    assert_eq!(repo.read("packages/web/index.js"), "// web later\n");
    assert!(repo.read("packages/api/CHANGELOG.md").contains("## [1.1.0]"));
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "revert: roll back api-v1.1.0");
}

const WORKSPACE_LOCK: &str = "version = 4\n\n[[package]]\nname = \"acme-cli\"\nversion = \"1.4.2\"\n\n\
[[package]]\nname = \"acme-core\"\nversion = \"0.3.0\"\n";

#[test]
fn two_packages_sharing_a_cargo_lock_get_both_edits() {
    let repo = TestRepo::github();
    let config = "[[packages]]\nname = \"acme-cli\"\npath = \"crates/cli\"\n[[packages.version-files]]\n\
path = \"crates/cli/Cargo.toml\"\n\n[[packages]]\nname = \"acme-core\"\npath = \"crates/core\"\n\
[[packages.version-files]]\npath = \"crates/core/Cargo.toml\"\n";
    repo.commit_files(
        "chore: init",
        &[
            ("relkit.toml", config),
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("Cargo.lock", WORKSPACE_LOCK),
            ("crates/cli/Cargo.toml", "[package]\nname = \"acme-cli\"\nversion = \"1.4.2\"\n"),
            ("crates/core/Cargo.toml", "[package]\nname = \"acme-core\"\nversion = \"0.3.0\"\n"),
        ],
    );
    repo.tag("acme-cli-v1.4.2");
    repo.tag("acme-core-v0.3.0");
    repo.commit_files("feat(cli): flags", &[("crates/cli/src.rs", "//\n")]);
    repo.commit_files("fix(core): parse", &[("crates/core/src.rs", "//\n")]);
    let dry = repo.relkit(&["release", "--dry-run"]).ok().to_string();
    assert_eq!(dry.matches("would commit").count(), 1, "{dry}");
    assert!(dry.contains("would commit packages") || dry.contains("Cargo.lock"), "{dry}");
    assert_eq!(dry.lines().find(|l| l.starts_with("would commit")).unwrap().matches("Cargo.lock").count(), 1, "{dry}");
    repo.relkit(&["release"]).ok();
    let lock = repo.git(&["show", "HEAD:Cargo.lock"]) + "\n";
    assert_eq!(lock, WORKSPACE_LOCK.replace("1.4.2", "1.5.0").replace("0.3.0", "0.3.1"));
    assert_eq!(repo.read("Cargo.lock"), lock);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// A Cargo workspace whose cli depends on core by path and version, as
/// `cargo publish` needs: core's release changes cli's requirement where it
/// no longer admits the new version, in the same release commit, and cargo
/// itself then finds the workspace and its Cargo.lock in step (`cargo
/// metadata --locked --offline`).
const CARGO_CLI: &str = "[package]\nname = \"acme-cli\"\nversion = \"1.4.2\"\nedition = \"2021\"\n\n[dependencies]\n\
acme-core = { path = \"../core\", version = \"0.3.0\" } # published together\n";

/// A Cargo workspace of two packages, acme-core 0.3.0 and acme-cli 1.4.2,
/// cli depending on core by path and version, with the Cargo.lock cargo
/// itself wrote; both tagged.
fn cargo_workspace() -> TestRepo {
    let repo = TestRepo::github();
    let config = "[[packages]]\nname = \"acme-core\"\npath = \"crates/core\"\n[[packages.version-files]]\n\
path = \"crates/core/Cargo.toml\"\n\n[[packages]]\nname = \"acme-cli\"\npath = \"crates/cli\"\n\
[[packages.version-files]]\npath = \"crates/cli/Cargo.toml\"\n";
    repo.commit_files(
        "chore: init",
        &[
            ("relkit.toml", config),
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n"),
            ("crates/core/Cargo.toml", "[package]\nname = \"acme-core\"\nversion = \"0.3.0\"\nedition = \"2021\"\n"),
            ("crates/core/src/lib.rs", "pub fn core() {}\n"),
            ("crates/cli/Cargo.toml", CARGO_CLI),
            ("crates/cli/src/lib.rs", "pub use acme_core::core;\n"),
        ],
    );
    cargo(&repo, &["generate-lockfile", "--offline"]);
    repo.commit_files("chore: lock", &[("Cargo.lock", &repo.read("Cargo.lock"))]);
    repo.tag("acme-core-v0.3.0");
    repo.tag("acme-cli-v1.4.2");
    repo
}

/// Runs the cargo that runs the tests, in `repo`; it must succeed.
fn cargo(repo: &TestRepo, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo).args(args).current_dir(repo.path()).output().unwrap();
    assert!(out.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A Cargo workspace whose cli depends on core by path and version, as
/// `cargo publish` needs: core's release changes cli's requirement where it
/// no longer admits the new version, in the same release commit, and cargo
/// itself then finds the workspace and its Cargo.lock in step (`cargo
/// metadata --locked --offline`). The runbook withdraws core only.
#[test]
fn a_released_crate_s_dependents_follow_it_and_the_workspace_still_resolves() {
    let repo = cargo_workspace();
    let cli = CARGO_CLI;
    repo.commit_files("feat(core)!: a new wire format", &[("crates/core/src/lib.rs", "pub fn core() { }\n")]);
    let dry = repo.relkit(&["release", "--dry-run"]).ok().to_string();
    let new = dry
        .lines()
        .find_map(|l| l.strip_prefix("relkit: dry run, would release acme-core-v")?.split(' ').next())
        .unwrap_or_else(|| panic!("{dry}"))
        .to_string();
    assert_ne!(new, "0.3.0");
    assert!(
        dry.contains(&format!("would write crates/cli/Cargo.toml (dependencies.acme-core.version: 0.3.0 -> {new})")),
        "{dry}"
    );
    repo.relkit(&["release"]).ok();
    // One release commit: core's version, cli's requirement, the lock.
    assert_eq!(
        repo.git(&["show", "--format=", "--name-only", "HEAD"]),
        "Cargo.lock\ncrates/cli/Cargo.toml\ncrates/core/CHANGELOG.md\ncrates/core/Cargo.toml"
    );
    assert_eq!(repo.read("crates/cli/Cargo.toml"), cli.replace("version = \"0.3.0\"", &format!("version = \"{new}\"")));
    assert_eq!(repo.git(&["tag", "-l", "acme-cli-*"]), "acme-cli-v1.4.2", "cli itself is not released");
    cargo(&repo, &["metadata", "--locked", "--offline", "--format-version", "1"]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // cli's manifest changed for a requirement only: cli was not released,
    // and its runbook does not yank it.
    let runbook = repo.relkit(&["rollback", "-p", "acme-core"]).ok().to_string();
    assert!(runbook.contains(&format!("cargo yank --version {new} acme-core")), "{runbook}");
    assert!(!runbook.contains(&format!("--version {new} acme-cli")), "{runbook}");
}

/// A release pull request squash-merged without a dependent's requirement
/// (a conflict resolved with the old text): the tag would name a workspace
/// cargo refuses, so it is not made.
#[test]
fn a_merge_that_lost_a_dependent_s_requirement_is_refused() {
    let repo = cargo_workspace();
    repo.commit_files("feat(core)!: a new wire format", &[("crates/core/src/lib.rs", "pub fn core() { }\n")]);
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--squash", "relkit/release"]);
    repo.git(&["checkout", "HEAD", "--", "crates/cli/Cargo.toml"]);
    let subject = repo.git(&["log", "-1", "--format=%s", "relkit/release"]);
    repo.git(&["commit", "-q", "-m", &format!("{subject} (#9)")]);
    let err = repo.relkit(&["release"]).fails().to_string();
    assert!(
        err.contains(
            "crates/cli/Cargo.toml says 0.3.0 (dependencies.acme-core.version) at the release pull request's commit"
        ),
        "{err}"
    );
    assert_eq!(repo.git(&["tag", "-l", "acme-core-v0.[4-9]*", "acme-core-v1*"]), "");
}

/// npm 7+ workspaces: one root package-lock.json records each member under
/// `packages["<dir>"]`. A dependency at the same version and the root
/// package stay as they are.
const NPM_LOCK: &str = "{\n  \"name\": \"acme\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \
\"name\": \"acme\",\n      \"workspaces\": [\"packages/*\"]\n    },\n    \"node_modules/left-pad\": {\n      \
\"version\": \"1.4.2\"\n    },\n    \"packages/api\": {\n      \"name\": \"@acme/api\",\n      \"version\": \"1.4.2\"\n    \
},\n    \"packages/web\": {\n      \"name\": \"@acme/web\",\n      \"version\": \"0.3.0\"\n    }\n  }\n}\n";

#[test]
fn npm_workspace_members_get_their_entries_in_the_root_lock() {
    let repo = TestRepo::github();
    let config = "[[packages]]\nname = \"@acme/api\"\npath = \"packages/api\"\n[[packages.version-files]]\n\
path = \"packages/api/package.json\"\n\n[[packages]]\nname = \"@acme/web\"\npath = \"packages/web\"\n\
[[packages.version-files]]\npath = \"packages/web/package.json\"\n";
    repo.commit_files(
        "chore: init",
        &[
            ("relkit.toml", config),
            ("package.json", "{\n  \"name\": \"acme\",\n  \"workspaces\": [\"packages/*\"]\n}\n"),
            ("package-lock.json", NPM_LOCK),
            ("packages/api/package.json", "{\n  \"name\": \"@acme/api\",\n  \"version\": \"1.4.2\"\n}\n"),
            ("packages/web/package.json", "{\n  \"name\": \"@acme/web\",\n  \"version\": \"0.3.0\"\n}\n"),
        ],
    );
    repo.tag("api-v1.4.2");
    repo.tag("web-v0.3.0");
    repo.commit_files("feat(api): flags", &[("packages/api/index.js", "//\n")]);
    repo.commit_files("fix(web): parse", &[("packages/web/index.js", "//\n")]);
    let dry = repo.relkit(&["release", "--dry-run"]).ok().to_string();
    assert!(
        dry.contains("would write package-lock.json (packages[\"packages/api\"].version: 1.4.2 -> 1.5.0)"),
        "{dry}"
    );
    repo.relkit(&["release"]).ok();
    let want = NPM_LOCK
        .replace("\"@acme/api\",\n      \"version\": \"1.4.2\"", "\"@acme/api\",\n      \"version\": \"1.5.0\"")
        .replace("\"version\": \"0.3.0\"", "\"version\": \"0.3.1\"");
    assert_eq!(repo.git(&["show", "HEAD:package-lock.json"]) + "\n", want);
    assert_eq!(repo.git(&["show", "api-v1.5.0:package-lock.json"]) + "\n", want);
    assert!(want.contains("\"node_modules/left-pad\": {\n      \"version\": \"1.4.2\""));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// In an npm workspace, a member's requirement on a released member (and
/// its copy in the root lock) follows the release where it no longer admits
/// it; a package.json outside the workspace (an example pinned to a
/// registry release) stays.
#[test]
fn npm_workspace_requirements_on_a_released_member_follow_it() {
    let repo = TestRepo::github();
    let config = r#"[[packages]]
name = "@acme/api"
path = "packages/api"
[[packages.version-files]]
path = "packages/api/package.json"
"#;
    let web = r#"{
  "name": "@acme/web",
  "version": "0.3.0",
  "dependencies": {
    "@acme/api": "1.4.2"
  }
}
"#;
    let lock = r#"{
  "name": "acme",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "acme", "workspaces": ["packages/*"] },
    "node_modules/@acme/api": { "resolved": "packages/api", "link": true },
    "packages/api": { "name": "@acme/api", "version": "1.4.2" },
    "packages/web": { "name": "@acme/web", "version": "0.3.0", "dependencies": { "@acme/api": "1.4.2" } }
  }
}
"#;
    let example = "{\n  \"name\": \"demo\",\n  \"dependencies\": { \"@acme/api\": \"1.4.2\" }\n}\n";
    repo.commit_files(
        "chore: init",
        &[
            ("relkit.toml", config),
            ("package.json", "{\n  \"name\": \"acme\",\n  \"workspaces\": [\"packages/*\"]\n}\n"),
            ("package-lock.json", lock),
            ("packages/api/package.json", "{\n  \"name\": \"@acme/api\",\n  \"version\": \"1.4.2\"\n}\n"),
            ("packages/web/package.json", web),
            ("examples/demo/package.json", example),
        ],
    );
    repo.tag("api-v1.4.2");
    repo.commit_files("feat(api): flags", &[("packages/api/index.js", "//\n")]);
    repo.relkit(&["release"]).ok();
    assert_eq!(
        repo.git(&["show", "--format=", "--name-only", "HEAD"]),
        "package-lock.json\npackages/api/CHANGELOG.md\npackages/api/package.json\npackages/web/package.json"
    );
    assert_eq!(repo.read("packages/web/package.json"), web.replace("\"1.4.2\"", "\"1.5.0\""));
    assert_eq!(repo.read("package-lock.json"), lock.replace("\"1.4.2\"", "\"1.5.0\""));
    assert_eq!(repo.read("examples/demo/package.json"), example);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_manifest_above_the_first_release_is_refused_not_lowered() {
    let repo = TestRepo::github();
    let config =
        "[[packages]]\nname = \"web\"\npath = \"web\"\n[[packages.version-files]]\npath = \"web/package.json\"\n";
    repo.commit_files(
        "chore: init",
        &[("relkit.toml", config), ("web/package.json", "{\n  \"version\": \"3.1.0\"\n}\n")],
    );
    repo.commit_files("feat: x", &[("web/a.js", "//\n")]);
    let before = repo.state();
    let err = repo.relkit(&["release"]).fails().to_string();
    assert_eq!(repo.state(), before);
    insta::assert_snapshot!(err, @r#"error: web/package.json says 3.1.0 (version), above the release 0.1.0; relkit does not lower a version. If this is the first release with relkit, tag the release the file holds first (`git tag web-v3.1.0 <its commit>`), so that relkit goes on from it; if 3.1.0 was never released, set `[packages.version] initial = "3.1.0"`"#);
}

#[test]
fn a_package_s_short_name_is_its_scope_its_release_as_name_and_its_flag() {
    let repo = TestRepo::github();
    let config =
        "[[packages]]\nname = \"@acme/web\"\npath = \"web\"\n\n[[packages]]\nname = \"@acme/api\"\npath = \"api\"\n";
    repo.commit_files("chore: init", &[("relkit.toml", config), ("web/a", "1\n"), ("api/b", "1\n")]);
    repo.tag("web-v1.0.0");
    repo.tag("api-v1.0.0");
    // Changes no file of api, but names it; the footer names web by its short name.
    repo.commit_files("feat(api): docs site link\n\nRelease-As: web@2.0.0", &[("README.md", "x\n")]);
    assert_eq!(repo.relkit(&["version"]).ok(), "@acme/web 2.0.0\n@acme/api 1.1.0\n");
    assert_eq!(repo.relkit(&["version", "-p", "web"]).ok(), "2.0.0\n");
    // A footer that names no package is ignored, and said so.
    repo.commit_files("fix: typo\n\nRelease-As: wbe@3.0.0", &[("web/a", "2\n")]);
    let run = repo.relkit(&["version"]);
    assert!(run.stderr.contains("`Release-As: wbe@3.0.0` names no package of relkit.toml"), "{}", run.stderr);
    // Also on a commit that belongs to no package (the usual way to force a version).
    repo.commit_files("chore: release\n\nRelease-As: webb@2.0.0", &[("README.md", "y\n")]);
    let run = repo.relkit(&["version"]);
    assert!(run.stderr.contains("`Release-As: webb@2.0.0` names no package"), "{}", run.stderr);
    let err = repo.relkit(&["version", "--release-as", "3.0.0"]).fails().to_string();
    assert!(err.contains("--release-as gives one package's version; add --package NAME"), "{err}");
    // The step summary names the tags of a release of several packages.
    let text = crate::support::step_summary(&repo, &["release", "--dry-run"]);
    assert!(text.starts_with("## relkit: web-v2.0.0, api-v1.1.0 (dry run, nothing was released)\n"), "{text}");
}

#[test]
fn custom_rules_and_reverts_work_per_package() {
    // web releases docs as patches (its own [[packages.version.rules]]); api does not.
    let config = "[[packages]]\nname = \"api\"\npath = \"api\"\n\n[[packages]]\nname = \"web\"\npath = \"web\"\n\
[[packages.version.rules]]\ntype = \"docs\"\nbump = \"patch\"\n";
    let repo = TestRepo::github();
    repo.commit_files("chore: init", &[("relkit.toml", config), ("api/a", "1\n"), ("web/w", "1\n")]);
    repo.tag("api-v1.0.0");
    repo.tag("web-v1.0.0");
    repo.commit_files("docs: api usage", &[("api/README", "x\n")]);
    repo.commit_files("docs: web usage", &[("web/README", "x\n")]);
    assert_eq!(repo.relkit(&["version"]).ok(), "web 1.0.1\n");
    // A feature of api, reverted: api has nothing to release.
    let feat = repo.commit_files("feat(api): risky", &[("api/a", "2\n")]);
    assert_eq!(repo.relkit(&["version", "-p", "api"]).ok(), "1.1.0\n");
    repo.git(&["revert", "--no-edit", &feat]);
    assert_eq!(repo.relkit(&["version"]).ok(), "web 1.0.1\n");
}

#[test]
fn killed_without_push_then_pushed_releases_each_package_once() {
    // A local release killed at every git step, then `release --push`: the
    // next run finishes what was committed to and pushes it, and makes no
    // second release of any package.
    let wrapper_dir = tempfile::tempdir().unwrap();
    let wrapper = fault_wrapper(wrapper_dir.path());
    for at in 1.. {
        let repo = monorepo(CONFIG);
        let remote = with_remote(&repo);
        let fired = faulted_run_with(&repo, &wrapper, at, "after", "KILL", &["release"]);
        let rerun = repo.relkit(&["release", "--push"]);
        let context = format!("KILL after git call {at}");
        assert_eq!(rerun.code, 0, "{context}: {}\n{}", rerun.stdout, rerun.stderr);
        for tag in ["api-v1.1.0", "web-v2.1.0", "cli-v0.1.0"] {
            assert_eq!(git_in(remote.path(), &["rev-parse", tag]), repo.git(&["rev-parse", tag]), "{context}: {tag}");
        }
        let tags = repo.git(&["tag", "--list", "api-*"]);
        assert_eq!(tags, "api-v1.0.0\napi-v1.1.0", "{context}");
        assert!(!repo.path().join(".git/relkit-release.json").exists(), "{context}: journal left");
        if !fired {
            break;
        }
    }
}

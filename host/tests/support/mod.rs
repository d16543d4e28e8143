//! Test fixtures: real git repositories built with the real `git`, with fixed
//! dates and identities so that commit ids (and so snapshots) are stable, and
//! a way to run the real `relkit` binary against them.

#![allow(dead_code)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// 2026-11-29T00:00:00Z: "now" for every relkit run in the tests.
pub const NOW: i64 = 1_795_910_400;
/// The first commit of a fixture is one day before NOW; each next one an hour later.
const FIRST_COMMIT: i64 = NOW - 86_400 * 30;

pub fn relkit_bin() -> &'static str {
    env!("CARGO_BIN_EXE_relkit")
}

/// Environment variables a relkit run never inherits from the test process
/// (the tests themselves may run in CI).
const CI_VARS: &[&str] = &[
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_SERVER_URL",
    "GITHUB_REF_NAME",
    "GITHUB_REF_TYPE",
    "GITLAB_CI",
    "CI_SERVER_URL",
    "CI_COMMIT_BRANCH",
    "NO_COLOR",
    "RELKIT_CACHE_DIR",
    "SOURCE_DATE_EPOCH",
];

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    home: tempfile::TempDir,
    clock: Cell<i64>,
}

impl TestRepo {
    /// A shallow clone of `origin` with `depth` commits.
    pub fn shallow_clone(origin: &TestRepo, depth: u32) -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            clock: Cell::new(FIRST_COMMIT),
        };
        let url = format!("file://{}", origin.path().display());
        repo.git(&["clone", "-q", "--depth", &depth.to_string(), &url, "."]);
        repo
    }

    /// A full clone of the (bare) repository at `remote`, its `origin`.
    pub fn clone_of(remote: &Path) -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            clock: Cell::new(FIRST_COMMIT),
        };
        repo.git(&["clone", "-q", "-b", "main", remote.to_str().unwrap(), "."]);
        repo
    }

    /// An empty repository on branch `main`.
    pub fn new() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            clock: Cell::new(FIRST_COMMIT),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A repository with a GitHub `origin` remote (never contacted).
    pub fn github() -> Self {
        let r = Self::new();
        r.git(&["remote", "add", "origin", "git@github.com:acme/rocket.git"]);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `program` in this repository with the fixture's git identity and dates.
    pub fn command(&self, program: &str) -> Command {
        self.base_command(program)
    }

    fn base_command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.current_dir(self.path());
        for var in CI_VARS {
            c.env_remove(var);
        }
        let date = format!("@{} +0000", self.clock.get());
        c.env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home().join(".gitconfig"))
            .env("GIT_AUTHOR_NAME", "Ada Lovelace")
            .env("GIT_AUTHOR_EMAIL", "1234+ada@users.noreply.github.com")
            .env("GIT_COMMITTER_NAME", "Ada Lovelace")
            .env("GIT_COMMITTER_EMAIL", "1234+ada@users.noreply.github.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("RELKIT_CACHE_DIR", self.home().join("cache"));
        c
    }

    /// Runs git; panics (in the test) on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.base_command("git").args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Sets the fixture's clock: the next commit is made one hour after
    /// `unix`, and a tag made before it gets `unix` as its tagger date.
    pub fn set_clock(&self, unix: i64) {
        self.clock.set(unix);
    }

    /// The fixture's clock (Unix seconds): what git and relkit are told now is.
    pub fn clock(&self) -> i64 {
        self.clock.get()
    }

    fn tick(&self) {
        self.clock.set(self.clock.get() + 3600);
    }

    /// An empty commit with `message`; returns its id.
    pub fn commit(&self, message: &str) -> String {
        self.tick();
        self.git(&["commit", "-q", "--allow-empty", "--no-verify", "-m", message]);
        self.head()
    }

    /// An empty commit by another author.
    pub fn commit_by(&self, message: &str, name: &str, email: &str) -> String {
        self.tick();
        self.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "--author",
            &format!("{name} <{email}>"),
            "-m",
            message,
        ]);
        self.head()
    }

    /// A commit that writes `files` (path, content); an empty content deletes the file.
    pub fn commit_files(&self, message: &str, files: &[(&str, &str)]) -> String {
        for (path, content) in files {
            let full = self.path().join(path);
            if content.is_empty() {
                self.git(&["rm", "-q", "--", path]);
            } else {
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(&full, content).unwrap();
                self.git(&["add", "--", path]);
            }
        }
        self.commit(message)
    }

    /// A commit whose message is raw bytes, written as a git object directly:
    /// `git commit` would re-encode a message that is not UTF-8.
    pub fn commit_bytes(&self, message: &[u8]) -> String {
        self.tick();
        let tree = self.git(&["write-tree"]);
        let parent = self.head();
        let stamp = format!("Ada Lovelace <1234+ada@users.noreply.github.com> {} +0000", self.clock.get());
        let mut object = format!("tree {tree}\nparent {parent}\nauthor {stamp}\ncommitter {stamp}\n\n").into_bytes();
        object.extend_from_slice(message);
        let file = self.home().join("commit-object");
        std::fs::write(&file, object).unwrap();
        let id = self.git(&["hash-object", "-t", "commit", "-w", file.to_str().unwrap()]);
        self.git(&["update-ref", "HEAD", &id]);
        id
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn tag(&self, name: &str) {
        self.git(&["tag", "-a", "-m", name, name]);
    }

    pub fn lightweight_tag(&self, name: &str) {
        self.git(&["tag", name]);
    }

    pub fn write(&self, path: &str, content: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    /// The relkit binary, in this repository, with a fixed "now".
    pub fn relkit_command(&self, args: &[&str]) -> Command {
        let mut c = self.base_command(relkit_bin());
        c.args(args).env("SOURCE_DATE_EPOCH", NOW.to_string());
        c
    }

    pub fn relkit(&self, args: &[&str]) -> Run {
        Run::from(self.relkit_command(args).output().unwrap())
    }

    /// All refs and the work tree status: to compare before and after a run.
    pub fn state(&self) -> String {
        let refs = self.git(&["for-each-ref", "--format=%(refname) %(objectname)"]);
        let status = self.git(&["status", "--porcelain", "--untracked-files=all"]);
        format!("{refs}\n--\n{status}")
    }
}

/// A bare repository made `origin` of `repo`, with `main` and the tags
/// pushed: the remote of push tests.
pub fn with_remote(repo: &TestRepo) -> tempfile::TempDir {
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "set-url", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    remote
}

/// Runs relkit under GitHub Actions with a step summary file (outside the
/// work tree); returns what relkit wrote there. The run must succeed.
pub fn step_summary(repo: &TestRepo, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out =
        repo.relkit_command(args).env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", &summary).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&summary).unwrap()
}

/// Runs git in `dir` (a bare remote, say); its trimmed stdout.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Takes git's identity away from `command`, as on a CI runner: no
/// `GIT_AUTHOR_*`/`GIT_COMMITTER_*`, and `user.useConfigOnly` so that git
/// does not guess one from the host name either.
pub fn without_git_identity(command: &mut Command) -> &mut Command {
    for var in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"] {
        command.env_remove(var);
    }
    command.env("GIT_CONFIG_COUNT", "1").env("GIT_CONFIG_KEY_0", "user.useConfigOnly").env("GIT_CONFIG_VALUE_0", "true")
}

/// The outcome of a relkit run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "relkit failed:\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        &self.stdout
    }

    #[track_caller]
    pub fn fails(&self) -> &str {
        assert_eq!(self.code, 1, "relkit should fail with status 1:\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        &self.stderr
    }
}

/// The test plugins (`plugins/testing/*`), built once per test run for
/// wasm32-wasip2 into the same target directory as the built-in plugins.
pub fn test_plugin(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let target = PathBuf::from(env!("RELKIT_PLUGIN_TARGET_DIR"));
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let out = Command::new(cargo)
            .current_dir(workspace)
            .args(["build", "--quiet", "--profile", "plugin", "--target", "wasm32-wasip2", "--target-dir"])
            .arg(&target)
            .args(["-p", "relkit-test-misbehave", "-p", "relkit-test-future-contract"])
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .output()
            .unwrap();
        assert!(out.status.success(), "building the test plugins failed: {}", String::from_utf8_lossy(&out.stderr));
        target.join("wasm32-wasip2").join("plugin")
    });
    dir.join(format!("{}.wasm", name.replace('-', "_")))
}

/// sha256 of a file, hex.
pub fn sha256_of(path: &Path) -> String {
    use sha2::Digest as _;
    relkit::runtime::hex(&sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

/// Replaces 40-hex commit ids with `<id>`-style stable markers is not needed:
/// fixtures have fixed dates, so ids are stable. This masks only what varies
/// between runs: temporary paths.
pub fn mask(text: &str, repo: &TestRepo) -> String {
    let mut t = text.replace(&repo.path().display().to_string(), "[REPO]");
    t = t.replace(&repo.home().display().to_string(), "[HOME]");
    mask_stop_tokens(&t)
}

/// The random tokens of `::stop-commands::<token>` … `::<token>::` as `TOKEN`.
pub fn mask_stop_tokens(text: &str) -> String {
    let is_token = |t: &str| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit());
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        if body.strip_prefix("::stop-commands::").is_some_and(is_token) {
            out.push_str("::stop-commands::TOKEN");
        } else if body.strip_prefix("::").and_then(|b| b.strip_suffix("::")).is_some_and(is_token) {
            out.push_str("::TOKEN::");
        } else {
            out.push_str(body);
        }
        out.push_str(end);
    }
    out
}

//! Reading (and, for tags, writing) the repository through the `git` command.
//!
//! relkit runs git itself rather than a library: the cost of a run is then
//! close to the cost of `git log`, and the behaviour is git's own (mailmap,
//! encodings, signing configuration, credentials for push).
//!
//! History is read once per command and only as far back as needed: the range
//! from the last release tag to HEAD, or the whole history for `--full`.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use semver::Version;

mod write;

pub use write::{Identity, PushFailure, PushRejection, RefUpdate};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0} (install git and make sure it is on PATH)")]
    Missing(String),
    #[error("{0} is not inside a git repository (run relkit in your repository, or point at it with -C DIR)")]
    NotARepository(PathBuf),
    #[error("the repository has no commits yet; commit something first")]
    NoCommits,
    #[error("`{0}` is not a commit in this repository")]
    BadRef(String),
    #[error("git {command} failed: {stderr}")]
    Failed { command: String, stderr: String },
    /// A ref did not hold what an `update-ref` transaction expected: someone
    /// else changed it meanwhile (git's message).
    #[error("{0}")]
    RefConflict(String),
    #[error(
        "this is a shallow clone and its history stops at commit {boundary} before reaching {what}, so relkit cannot \
         see every commit of the release. Fetch the whole history: in GitHub Actions set `fetch-depth: 0` on \
         actions/checkout; in GitLab CI set the variable `GIT_DEPTH: 0`; locally run `git fetch --unshallow --tags`"
    )]
    Shallow { boundary: String, what: String },
}

pub type Result<T, E = GitError> = std::result::Result<T, E>;

/// How a path changed in a commit (against its first parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitCommit {
    pub id: String,
    pub parents: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    /// Author time, Unix seconds.
    pub time: i64,
    /// Committer time, Unix seconds.
    pub commit_time: i64,
    /// The raw message; invalid UTF-8 replaced by U+FFFD.
    pub message: String,
    pub paths: Vec<(Change, String)>,
}

impl GitCommit {
    pub fn subject(&self) -> &str {
        self.message.trim().lines().next().unwrap_or("")
    }
}

/// The version of a tag named `<prefix><semver>` for any non-empty prefix
/// (`pkg-v3.4.0`, `pkg@3.4.0`, `release/1.2.0`), or `None`: the version is the
/// first place where the rest of the name is a semantic version.
pub fn foreign_version(name: &str) -> Option<Version> {
    let bytes = name.as_bytes();
    (1..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && !bytes[i - 1].is_ascii_digit() && bytes[i - 1] != b'.')
        .find_map(|i| Version::parse(&name[i..]).ok())
}

/// The tags of `refs` ([`Repo::tag_refs`]) named `<prefix><semver>` for one
/// of `prefixes` (unsorted, `time` 0: see [`Repo::with_time`]), the names of
/// all tags, and the version-like tags under other prefixes.
pub fn classify_tags(
    refs: &[(String, String)],
    prefixes: &[&str],
) -> (Vec<VersionTag>, HashSet<String>, Vec<VersionTag>) {
    let mut tags = Vec::new();
    let mut foreign = Vec::new();
    let names: HashSet<String> = refs.iter().map(|(name, _)| name.clone()).collect();
    for (name, commit) in refs {
        let ours = prefixes.iter().find_map(|p| name.strip_prefix(p).and_then(|v| Version::parse(v).ok()));
        match ours {
            Some(version) => tags.push(VersionTag { name: name.clone(), version, commit: commit.clone(), time: 0 }),
            // `pkg-v3.4.0`, `pkg@3.4.0`: version-like under another prefix.
            None => {
                if let Some(version) = foreign_version(name) {
                    foreign.push(VersionTag { name: name.clone(), version, commit: commit.clone(), time: 0 });
                }
            }
        }
    }
    (tags, names, foreign)
}

/// A release tag that leads to no commit: `(tag name, what it points at)`.
pub type SkippedTag = (String, String);

/// A tag whose name is `<prefix><semver>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTag {
    pub name: String,
    pub version: Version,
    /// The tagged commit (annotated tags dereferenced).
    pub commit: String,
    /// Committer time of that commit, Unix seconds; 0 until read
    /// ([`Repo::with_time`]).
    pub time: i64,
}

/// A repository relkit works on.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
    /// The repository's common git directory (shared by linked worktrees):
    /// refs, objects, relkit's lock and temporary files.
    common_dir: PathBuf,
    /// This work tree's own git directory: its HEAD, index and relkit's
    /// release journal.
    git_dir: PathBuf,
    shallow: bool,
    /// The commit HEAD pointed at when the repository was opened.
    head: Option<String>,
    /// `git status` of the whole work tree, read once (see `is_dirty`) and
    /// shared by the clones every package scope holds.
    status: std::sync::Arc<OnceLock<Vec<String>>>,
    /// Commit subjects read so far (`subject`), shared the same way.
    subjects: std::sync::Arc<std::sync::Mutex<HashMap<String, String>>>,
}

/// The `git` executable, found on PATH once per process: every command runs
/// git several times, and a long PATH costs a failed exec per entry.
fn git_program() -> &'static OsStr {
    static GIT: OnceLock<PathBuf> = OnceLock::new();
    GIT.get_or_init(|| {
        let name = if cfg!(windows) { "git.exe" } else { "git" };
        std::env::var_os("PATH")
            // Absolute entries only: git runs in the repository, and a relative
            // entry would find a `git` committed there.
            .and_then(|paths| {
                std::env::split_paths(&paths)
                    .filter(|dir| dir.is_absolute())
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
            .unwrap_or_else(|| PathBuf::from("git"))
    })
    .as_os_str()
}

pub(crate) fn git_command(dir: &Path) -> Command {
    let mut c = Command::new(git_program());
    c.current_dir(dir)
        // Never wait for a password prompt in CI, and keep messages parseable.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null());
    c
}

pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// git's stderr as one line (relkit's errors are one line each).
pub(crate) fn one_line(stderr: &[u8]) -> String {
    lossy(stderr).lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

impl Repo {
    /// Finds the repository containing `dir` (like `git -C dir`).
    pub fn open(dir: &Path) -> Result<Repo> {
        // One git process answers the layout and HEAD; it fails on an unborn
        // HEAD, and a second one then tells "no commits" from "no repository".
        let run = |with_head: bool| {
            let mut c = git_command(dir);
            // The common directory holds `shallow` (in a linked worktree the
            // git directory is the worktree's own).
            c.args([
                "rev-parse",
                "--path-format=absolute",
                "--show-toplevel",
                "--git-common-dir",
                "--git-dir",
                "--is-shallow-repository",
            ]);
            if with_head {
                c.args(["--verify", "--end-of-options", "HEAD^{commit}"]);
            }
            c.output().map_err(|e| GitError::Missing(e.to_string()))
        };
        let mut output = run(true)?;
        let mut head_known = true;
        if !output.status.success() {
            output = run(false)?;
            head_known = false;
        }
        if !output.status.success() {
            if !dir.is_dir() {
                return Err(GitError::NotARepository(dir.to_path_buf()));
            }
            let stderr = lossy(&output.stderr);
            if stderr.contains("not a git repository") {
                return Err(GitError::NotARepository(dir.to_path_buf()));
            }
            return Err(GitError::Failed { command: "rev-parse".into(), stderr: stderr.trim().to_string() });
        }
        let text = lossy(&output.stdout);
        let mut lines = text.lines();
        let root = lines.next().filter(|l| !l.is_empty()).ok_or_else(|| GitError::NotARepository(dir.to_path_buf()))?;
        let common_dir = lines.next().unwrap_or_default();
        let git_dir = lines.next().unwrap_or_default();
        let shallow = lines.next() == Some("true");
        let head = if head_known { lines.next().map(str::to_string) } else { None };
        Ok(Repo {
            root: PathBuf::from(root),
            common_dir: PathBuf::from(common_dir),
            git_dir: PathBuf::from(git_dir),
            shallow,
            head,
            status: std::sync::Arc::default(),
            subjects: std::sync::Arc::default(),
        })
    }

    /// The subject (first line) of commit `id`, read once per commit.
    pub fn subject(&self, id: &str) -> Result<String> {
        if let Some(s) = self.subjects.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(s);
        }
        let out = self.capture(["show", "-s", "--format=%s", id, "--"])?;
        let subject = lossy(&out).trim().to_string();
        if let Ok(mut m) = self.subjects.lock() {
            m.insert(id.to_string(), subject.clone());
        }
        Ok(subject)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The common git directory (`.git` of the main work tree).
    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    /// This work tree's git directory (differs from [`Repo::common_dir`] in a
    /// linked worktree).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn is_shallow(&self) -> bool {
        self.shallow
    }

    fn run<I, S>(&self, args: I) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        git_command(&self.root).args(&args).output().map_err(|e| GitError::Missing(e.to_string()))
    }

    /// Runs git and returns stdout; a non-zero exit is an error.
    pub fn capture<I, S>(&self, args: I) -> Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        let output = self.run(&args)?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            let command = args.first().map(|a| a.as_ref().to_string_lossy().into_owned()).unwrap_or_default();
            Err(GitError::Failed { command, stderr: one_line(&output.stderr) })
        }
    }

    /// The commit HEAD pointed at when opened; an error for an unborn branch.
    pub fn head(&self) -> Result<String> {
        self.head.clone().ok_or(GitError::NoCommits)
    }

    /// The commit a ref names.
    pub fn resolve(&self, reference: &str) -> Result<String> {
        let output =
            self.run(["rev-parse", "-q", "--verify", "--end-of-options", &format!("{reference}^{{commit}}")])?;
        if !output.status.success() {
            return Err(GitError::BadRef(reference.to_string()));
        }
        Ok(lossy(&output.stdout).trim().to_string())
    }

    /// Every tag as `(name, id)`: the commit (or object) an annotated tag
    /// peels to, else the ref's own value. `show-ref -d` reads the refs and
    /// their peeled values without opening each tagged commit, which matters
    /// with thousands of tags; read once per run and shared by every package.
    pub fn tag_refs(&self) -> Result<Vec<(String, String)>> {
        let output = self.run(["show-ref", "--tags", "-d"])?;
        // Exit status 1 with no output and no message: there are no tags.
        let no_tags = output.status.code() == Some(1) && output.stdout.is_empty() && output.stderr.is_empty();
        if !output.status.success() && !no_tags {
            return Err(GitError::Failed { command: "show-ref".into(), stderr: one_line(&output.stderr) });
        }
        let text = lossy(&output.stdout);
        let mut by_name: Vec<(String, String)> = Vec::new();
        let mut peeled: HashMap<String, String> = HashMap::new();
        for line in text.lines() {
            let Some((id, reference)) = line.split_once(' ') else { continue };
            let Some(name) = reference.strip_prefix("refs/tags/") else { continue };
            match name.strip_suffix("^{}") {
                Some(annotated) => {
                    peeled.insert(annotated.to_string(), id.to_string());
                }
                None => by_name.push((name.to_string(), id.to_string())),
            }
        }
        Ok(by_name
            .into_iter()
            .map(|(name, id)| {
                let commit = peeled.remove(&name).unwrap_or(id);
                (name, commit)
            })
            .collect())
    }

    /// Splits release tags into those that lead to a commit and the others
    /// (a tag of a tree or a blob, or of a tag of one): `(tag name, object
    /// type)` for those. One `cat-file --batch-check` for all of them.
    pub fn commit_tags(&self, tags: Vec<VersionTag>) -> Result<(Vec<VersionTag>, Vec<SkippedTag>)> {
        if tags.is_empty() {
            return Ok((tags, Vec::new()));
        }
        let mut input = String::new();
        for tag in &tags {
            input.push_str(&tag.commit);
            input.push('\n');
        }
        let mut c = git_command(&self.root);
        c.args(["cat-file", "--batch-check=%(objecttype)"]);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| GitError::Missing(e.to_string()))?;
        let stdin = child.stdin.take();
        // Written from another thread: with thousands of tags, git's answers
        // fill the pipe before the questions are all written.
        let output = std::thread::scope(|scope| {
            scope.spawn(move || {
                if let Some(mut stdin) = stdin {
                    use std::io::Write as _;
                    let _ = stdin.write_all(input.as_bytes());
                }
            });
            child.wait_with_output()
        })
        .map_err(|e| GitError::Missing(e.to_string()))?;
        if !output.status.success() {
            return Err(GitError::Failed { command: "cat-file".into(), stderr: one_line(&output.stderr) });
        }
        let text = lossy(&output.stdout);
        let kinds: Vec<&str> = text.lines().collect();
        let mut commits = Vec::new();
        let mut others = Vec::new();
        for (n, tag) in tags.into_iter().enumerate() {
            match kinds.get(n).copied() {
                Some("commit") => commits.push(tag),
                // "<id> missing" for an object this clone lacks.
                Some(kind) if !kind.ends_with("missing") => others.push((tag.name, kind.to_string())),
                _ => others.push((tag.name, "an object this clone does not have".to_string())),
            }
        }
        Ok((commits, others))
    }

    /// `tag` with the committer time of its commit filled in.
    pub fn with_time(&self, tag: &VersionTag) -> Result<VersionTag> {
        if tag.time != 0 {
            return Ok(tag.clone());
        }
        let out = self.capture(["show", "-s", "--format=%ct", &tag.commit, "--"])?;
        let time = lossy(&out).trim().parse().unwrap_or(0);
        Ok(VersionTag { time, ..tag.clone() })
    }

    /// Whether `ancestor` is reachable from `descendant`. A commit missing from
    /// a shallow clone is not reachable.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let output = self.run(["merge-base", "--is-ancestor", ancestor, descendant])?;
        match output.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ if self.shallow => Ok(false),
            _ => Err(GitError::Failed { command: "merge-base".into(), stderr: one_line(&output.stderr) }),
        }
    }

    /// The names of the tags reachable from `commit`, in one `for-each-ref
    /// --merged`.
    pub fn merged_tags(&self, commit: &str) -> Result<HashSet<String>> {
        let out =
            self.capture(["for-each-ref", "--format=%(refname:strip=2)", &format!("--merged={commit}"), "refs/tags"])?;
        Ok(lossy(&out).lines().map(str::to_string).collect())
    }

    /// The best common ancestors of `commits` (`git merge-base --octopus
    /// --all`): what all of them reach is what these reach. Empty for
    /// unrelated histories.
    pub fn merge_bases(&self, commits: &[String]) -> Result<Vec<String>> {
        let mut args = vec!["merge-base".to_string(), "--octopus".to_string(), "--all".to_string()];
        args.push("--end-of-options".to_string());
        args.extend(commits.iter().cloned());
        let output = self.run(&args)?;
        match output.status.code() {
            Some(0) => Ok(lossy(&output.stdout).split_whitespace().map(str::to_string).collect()),
            Some(1) if output.stderr.is_empty() => Ok(Vec::new()),
            _ => Err(GitError::Failed { command: "merge-base".into(), stderr: one_line(&output.stderr) }),
        }
    }

    /// The highest-versioned tag among `candidates` that is reachable from `commit`.
    pub fn highest_reachable<'t>(
        &self,
        candidates: impl IntoIterator<Item = &'t VersionTag>,
        commit: &str,
    ) -> Result<Option<&'t VersionTag>> {
        let mut sorted: Vec<&VersionTag> = candidates.into_iter().collect();
        sorted.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        for tag in sorted {
            let reachable = tag.commit == commit
                || self.is_ancestor(&tag.commit, commit).map_err(|e| match e {
                    GitError::Failed { command, stderr } => {
                        GitError::Failed { command: format!("{command} (for tag {})", tag.name), stderr }
                    }
                    other => other,
                })?;
            if reachable {
                return Ok(Some(tag));
            }
        }
        Ok(None)
    }

    /// Commits of `range` (git revision arguments, e.g. `["v1.2.0..HEAD"]`),
    /// newest first with every child before its parents; with `paths`, each
    /// commit's changed paths against its first parent.
    pub fn log(&self, range: &[String], paths: bool) -> Result<Vec<GitCommit>> {
        let mut args: Vec<String> = vec![
            "log".into(),
            "-z".into(),
            "--date-order".into(),
            "--no-show-signature".into(),
            "--format=%x1e%H%x00%P%x00%aN%x00%aE%x00%at%x00%ct%x00%B".into(),
        ];
        if paths {
            args.extend(["--name-status".into(), "--no-renames".into(), "--diff-merges=first-parent".into()]);
        }
        args.push("--end-of-options".into());
        args.extend(range.iter().cloned());
        args.push("--".into());
        let out = self.capture(&args)?;
        Ok(parse_log(&out))
    }

    /// Fails when a shallow clone cut the history of `commits` short.
    pub fn check_complete(&self, commits: &[GitCommit], what: &str) -> Result<()> {
        if !self.shallow {
            return Ok(());
        }
        let path = self.common_dir.join("shallow");
        let shallow_file = std::fs::read_to_string(&path).map_err(|e| GitError::Failed {
            command: "rev-parse".into(),
            stderr: format!("this is a shallow clone, but {} cannot be read: {e}", path.display()),
        })?;
        let boundary: HashSet<&str> = shallow_file.lines().map(str::trim).collect();
        match commits.iter().find(|c| boundary.contains(c.id.as_str())) {
            Some(c) => {
                Err(GitError::Shallow { boundary: c.id[..c.id.len().min(12)].to_string(), what: what.to_string() })
            }
            None => Ok(()),
        }
    }

    /// The URL of `preferred` (default `origin`), else of the first remote.
    pub fn remote_url(&self, preferred: Option<&str>) -> Result<Option<String>> {
        let output = self.run(["config", "--get-regexp", r"^remote\..*\.url$"])?;
        let text = lossy(&output.stdout);
        let remotes: Vec<(&str, &str)> = text
            .lines()
            .filter_map(|l| {
                let (key, url) = l.split_once(' ')?;
                Some((key.strip_prefix("remote.")?.strip_suffix(".url")?, url))
            })
            .collect();
        let wanted = preferred.unwrap_or("origin");
        Ok(remotes.iter().find(|(name, _)| *name == wanted).or(remotes.first()).map(|(_, url)| url.to_string()))
    }
}

/// Parses `git log -z --format=%x1e%H%x00%P%x00%aN%x00%aE%x00%at%x00%ct%x00%B`
/// with optional `--name-status` records after each message.
fn parse_log(out: &[u8]) -> Vec<GitCommit> {
    let mut commits = Vec::new();
    let mut pos = 0;
    let next_field = |pos: &mut usize| -> &[u8] {
        let start = *pos;
        let end = out[start..].iter().position(|&b| b == 0).map_or(out.len(), |i| start + i);
        *pos = (end + 1).min(out.len());
        &out[start..end]
    };
    while pos < out.len() {
        if out[pos] != 0x1e {
            pos += 1;
            continue;
        }
        pos += 1;
        let id = lossy(next_field(&mut pos));
        let parents = lossy(next_field(&mut pos));
        let author_name = lossy(next_field(&mut pos));
        let author_email = lossy(next_field(&mut pos));
        let number = |pos: &mut usize| -> i64 {
            std::str::from_utf8(next_field(pos)).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0)
        };
        let time = number(&mut pos);
        let commit_time = number(&mut pos);
        let message = lossy(next_field(&mut pos));
        let mut paths = Vec::new();
        // `--name-status -z`: "\n" then status NUL path NUL pairs.
        while pos < out.len() && out[pos] != 0x1e {
            if out[pos] == b'\n' {
                pos += 1;
                continue;
            }
            let status = next_field(&mut pos).first().copied();
            let path = lossy(next_field(&mut pos));
            let change = match status {
                Some(b'A') => Change::Added,
                Some(b'D') => Change::Deleted,
                _ => Change::Modified,
            };
            if !path.is_empty() {
                paths.push((change, path));
            }
        }
        commits.push(GitCommit {
            id,
            parents: parents.split_whitespace().map(str::to_string).collect(),
            author_name,
            author_email,
            time,
            commit_time,
            message,
            paths,
        });
    }
    commits
}

/// The 7-character form of a commit id.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn utc_date(unix: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = unix.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_795_910_400), "2026-11-29");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
    }

    #[test]
    fn parses_log_records_with_and_without_paths() {
        let raw = b"\x1eaaa\x00ppp qqq\x00Ada\x00ada@x\x00100\x00101\x00feat: x\n\nbody\n\x00\nA\x00src/a.rs\x00D\x00old\x00\x1ebbb\x00\x00Bob\x00b@x\x00200\x00201\x00fix: \xff\n\x00";
        let commits = parse_log(raw);
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].parents, vec!["ppp", "qqq"]);
        assert_eq!(
            commits[0].paths,
            vec![(Change::Added, "src/a.rs".to_string()), (Change::Deleted, "old".to_string())]
        );
        assert_eq!(commits[1].message, "fix: \u{fffd}\n");
        assert_eq!((commits[0].time, commits[0].commit_time), (100, 101));
        assert!(commits[1].paths.is_empty());
    }
}

//! Writing to the repository without changing anything anyone sees until one
//! commit point (DESIGN.md, "Data flow of `relkit release`", steps 4–5):
//! blobs, trees, commits and tag objects are written as unreferenced objects;
//! refs change only in [`Repo::update_refs`] (one `update-ref --stdin`
//! transaction) or on the remote in [`Repo::push_atomic`] (one atomic push).
//!
//! Every value that comes from configuration or the command line reaches git
//! after `--end-of-options`, or on standard input, never where git could read
//! it as an option.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::{GitError, Repo, Result, git_command, lossy, one_line};

/// A person as git records them in commits and tags: `Name <email>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl Identity {
    /// Parses `Name <email>` (the form of `[release] identity`).
    pub fn parse(text: &str) -> Option<Identity> {
        let (name, rest) = text.trim().split_once('<')?;
        let email = rest.strip_suffix('>')?.trim();
        let name = name.trim();
        let bad = |s: &str| s.is_empty() || s.contains(['<', '>', '\n', '\0']);
        if bad(name) || bad(email) {
            return None;
        }
        Some(Identity { name: name.to_string(), email: email.to_string() })
    }

    /// The environment that makes git use this identity for one call.
    fn env(&self) -> [(&'static str, &str); 4] {
        [
            ("GIT_AUTHOR_NAME", &self.name),
            ("GIT_AUTHOR_EMAIL", &self.email),
            ("GIT_COMMITTER_NAME", &self.name),
            ("GIT_COMMITTER_EMAIL", &self.email),
        ]
    }
}

/// A file's `(mode, blob id)` in a tree.
pub type TreeEntry = (String, String);

/// One ref change of an [`Repo::update_refs`] transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// A full ref name (`refs/heads/main`, `refs/tags/v1.2.0`) or `HEAD`.
    pub name: String,
    pub new: String,
    /// What the ref must hold for the change to happen; `None`: it must not exist.
    pub old: Option<String>,
}

/// Why the remote refused one ref of an atomic push (from `git push --porcelain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushRejection {
    /// `[rejected] (already exists)` on a tag.
    TagExists(String),
    /// `fetch first`, `non-fast-forward` or `stale info` on a branch: it is not
    /// where relkit read it.
    BranchMoved(String),
    /// `[remote rejected] (…)`: a hook or a protection rule said no.
    Refused { reference: String, reason: String },
}

/// A push that did not happen, by kind (each gets its own message and fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushFailure {
    /// The remote answered and refused; `remote_text` holds its `remote:` lines.
    Rejected { rejections: Vec<PushRejection>, remote_text: String },
    /// The credentials may not push (HTTP 401/403, "Permission denied").
    Permission(String),
    /// The remote could not be reached or is not a repository.
    Unreachable(String),
    /// git was stopped by a signal: whether the remote took the push is unknown.
    Interrupted,
}

impl Repo {
    /// A git command; `shielded` ones run in their own process group, so that
    /// a Ctrl-C or a CI cancel sent to relkit's group does not kill git in the
    /// middle of the commit point or of finishing after it (relkit itself
    /// waits for them, see `release::signals`).
    pub(crate) fn command(&self, shielded: bool) -> Command {
        let mut c = git_command(&self.root);
        #[cfg(unix)]
        if shielded {
            use std::os::unix::process::CommandExt as _;
            c.process_group(0);
        }
        if shielded && let Some(lock) = crate::release::lock::inherit() {
            // Keeps the release lock held while this git runs (see
            // `lock::inherit`); commands that read stdin replace it.
            c.stdin(lock);
        }
        #[cfg(not(unix))]
        let _ = shielded;
        c
    }

    /// Runs `command` with `input` on its standard input.
    fn run_with_input(mut command: Command, input: &[u8]) -> Result<Output> {
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| GitError::Missing(e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A write error (git exited early) shows up as git's failure below.
            let _ = stdin.write_all(input);
        }
        child.wait_with_output().map_err(|e| GitError::Missing(e.to_string()))
    }

    fn checked(command: &str, output: Output) -> Result<Vec<u8>> {
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(GitError::Failed { command: command.to_string(), stderr: with_fix(&one_line(&output.stderr)) })
        }
    }

    /// Whether `path` (relative to the root) has changes not committed, or is
    /// untracked, or ignored (a release commit must not add a file the
    /// repository does not track).
    ///
    /// One `git status` of the whole work tree answers every path of a run
    /// (a 200-package release asks about 800 files; nothing in the work tree
    /// changes before the commit point). A path outside the work tree is
    /// asked for alone.
    pub fn is_dirty(&self, path: &Path) -> Result<bool> {
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let absolute = if path.is_absolute() { path.to_path_buf() } else { self.root.join(path) };
        let absolute = match std::fs::canonicalize(&absolute) {
            Ok(p) => p,
            Err(_) => match (absolute.parent().and_then(|d| std::fs::canonicalize(d).ok()), absolute.file_name()) {
                (Some(dir), Some(name)) => dir.join(name),
                _ => absolute,
            },
        };
        let Some(relative) = absolute.strip_prefix(&root).ok().and_then(|r| r.to_str()).map(|r| r.replace('\\', "/"))
        else {
            return self.is_dirty_alone(path);
        };
        let entries = match self.status.get() {
            Some(entries) => entries,
            None => {
                let entries = self.status_entries()?;
                self.status.get_or_init(|| entries)
            }
        };
        Ok(entries.iter().any(|e| {
            *e == relative
                || (e.ends_with('/') && relative.starts_with(e.as_str()))
                || e.strip_prefix(relative.as_str()).is_some_and(|rest| rest.starts_with('/'))
        }))
    }

    /// Every path `git status --porcelain --ignored` reports, `/`-separated
    /// from the root; untracked or ignored directories end with `/`.
    fn status_entries(&self) -> Result<Vec<String>> {
        let out = self.capture(["status", "--porcelain=v1", "-z", "--ignored"])?;
        let mut entries = Vec::new();
        let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
        while let Some(field) = fields.next() {
            let text = String::from_utf8_lossy(field);
            let (code, path) = (text.get(..2).unwrap_or(""), text.get(3..).unwrap_or(""));
            entries.push(path.to_string());
            // A rename or copy names its source in the next field.
            if (code.contains('R') || code.contains('C'))
                && let Some(source) = fields.next()
            {
                entries.push(String::from_utf8_lossy(source).into_owned());
            }
        }
        Ok(entries)
    }

    fn is_dirty_alone(&self, path: &Path) -> Result<bool> {
        let mut c = self.command(false);
        c.env("GIT_LITERAL_PATHSPECS", "1").args([
            OsStr::new("status"),
            OsStr::new("--porcelain"),
            OsStr::new("--ignored"),
            OsStr::new("--"),
        ]);
        c.arg(path);
        let out = Self::checked("status", c.output().map_err(|e| GitError::Missing(e.to_string()))?)?;
        Ok(!out.is_empty())
    }

    /// The object a ref (or `HEAD`) names, not peeled; `None` when it does not exist.
    pub fn object_id(&self, name: &str) -> Result<Option<String>> {
        let output = self.run(["rev-parse", "-q", "--verify", "--end-of-options", name])?;
        Ok(output.status.success().then(|| lossy(&output.stdout).trim().to_string()))
    }

    /// The branch HEAD is on (`refs/heads/main`); `None` when HEAD is detached.
    /// Read from the HEAD file (a process less per release); reftable
    /// repositories, whose HEAD file is a placeholder, ask git.
    pub fn head_branch(&self) -> Result<Option<String>> {
        if let Ok(text) = std::fs::read_to_string(self.git_dir.join("HEAD")) {
            match text.trim().strip_prefix("ref: ") {
                Some(name) if !name.ends_with(".invalid") => return Ok(Some(name.to_string())),
                None if text.trim().len() >= 40 => return Ok(None),
                _ => {}
            }
        }
        self.head_branch_from_git()
    }

    fn head_branch_from_git(&self) -> Result<Option<String>> {
        let output = self.run(["symbolic-ref", "-q", "HEAD"])?;
        Ok(output.status.success().then(|| lossy(&output.stdout).trim().to_string()).filter(|s| !s.is_empty()))
    }

    /// Writes `bytes` as a blob. With `clean_as`, git's clean filters for that
    /// path apply (line endings, filters), as `git add` would; without, the
    /// bytes are stored as they are.
    pub fn write_blob(&self, bytes: &[u8], clean_as: Option<&str>) -> Result<String> {
        let mut c = self.command(false);
        c.args(["hash-object", "-w", "--stdin"]);
        match clean_as {
            Some(path) => c.arg(format!("--path={path}")),
            None => c.arg("--no-filters"),
        };
        let out = Self::checked("hash-object", Self::run_with_input(c, bytes)?)?;
        Ok(lossy(&out).trim().to_string())
    }

    /// The values of full ref names (not `HEAD`) in one `for-each-ref`;
    /// missing refs are absent from the map.
    pub fn ref_values(&self, names: &[&str]) -> Result<std::collections::HashMap<String, String>> {
        let mut args = vec!["for-each-ref", "--format=%(refname) %(objectname)"];
        args.extend_from_slice(names);
        let out = self.capture(args)?;
        Ok(lossy(&out)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter(|(name, _)| names.contains(name))
            .map(|(name, id)| (name.to_string(), id.to_string()))
            .collect())
    }

    /// A blob's content.
    /// The bytes of `path` (`/`-separated, from the root) at `commit`;
    /// `None` when the commit has no such file.
    pub fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let output = self.run(["cat-file", "blob", &format!("{commit}:{path}")])?;
        Ok(output.status.success().then_some(output.stdout))
    }

    pub fn read_blob(&self, id: &str) -> Result<Vec<u8>> {
        self.capture(["cat-file", "blob", id])
    }

    /// The mode and blob of `path` in this work tree's index; `None` when absent.
    pub fn index_entry(&self, path: &str) -> Result<Option<TreeEntry>> {
        let mut c = self.command(false);
        // A path, not a pattern: `CHANGELOG[1].md` must not match another file.
        c.env("GIT_LITERAL_PATHSPECS", "1").args(["ls-files", "-s", "-z", "--", path]);
        let out = Self::checked("ls-files", c.output().map_err(|e| GitError::Missing(e.to_string()))?)?;
        Ok(parse_entry(&out))
    }

    /// Points the index entry of `path` at `blob`, as `git add` of that
    /// content would (one `update-index`, which takes the index lock).
    pub fn set_index_entry(&self, mode: &str, blob: &str, path: &str) -> Result<()> {
        let mut c = self.command(true);
        c.args(["update-index", "--add", "--cacheinfo", &format!("{mode},{blob},{path}")]);
        Self::checked("update-index", c.output().map_err(|e| GitError::Missing(e.to_string()))?).map(|_| ())
    }

    /// The tree of commit `base` with `files` (path, blob) put in, and each
    /// file's `(mode, blob)` in `base` (`None`: new). Built with `ls-tree` and
    /// `mktree` for the directories on the files' paths only: the real index
    /// and the work tree are untouched, and the cost follows the size of those
    /// directories, not of the repository. A file keeps its mode; a new one is
    /// `100644`.
    pub fn tree_with(&self, base: &str, files: &[(String, String)]) -> Result<(String, Vec<Option<TreeEntry>>)> {
        use std::collections::BTreeMap;
        // Every directory on the way to a file, deepest first.
        let mut dirs: Vec<String> = vec![String::new()];
        for (path, _) in files {
            let mut dir = String::new();
            for part in path.split('/').collect::<Vec<_>>().iter().rev().skip(1).rev() {
                dir = if dir.is_empty() { (*part).to_string() } else { format!("{dir}/{part}") };
                if !dirs.contains(&dir) {
                    dirs.push(dir.clone());
                }
            }
        }
        dirs.sort_by_key(|d| std::cmp::Reverse(if d.is_empty() { 0 } else { d.matches('/').count() + 1 }));
        let mut old = vec![None; files.len()];
        let mut built: BTreeMap<String, String> = BTreeMap::new();
        for dir in &dirs {
            // name -> (mode, type, id)
            let mut entries: BTreeMap<String, (String, String, String)> = BTreeMap::new();
            let spec = if dir.is_empty() { format!("{base}^{{tree}}") } else { format!("{base}:{dir}") };
            let listing = self.run(["ls-tree", "-z", "--end-of-options", &spec])?;
            if listing.status.success() {
                for record in listing.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
                    let text = lossy(record);
                    let Some((meta, name)) = text.split_once('\t') else { continue };
                    let mut f = meta.split(' ');
                    let (Some(mode), Some(kind), Some(id)) = (f.next(), f.next(), f.next()) else { continue };
                    entries.insert(name.to_string(), (mode.to_string(), kind.to_string(), id.to_string()));
                }
            }
            let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
            for (n, (path, blob)) in files.iter().enumerate() {
                let Some(name) = path.strip_prefix(&prefix).filter(|rest| !rest.contains('/')) else { continue };
                let mode = match entries.get(name) {
                    Some((mode, kind, id)) if kind == "blob" && mode.starts_with("100") => {
                        old[n] = Some((mode.clone(), id.clone()));
                        mode.clone()
                    }
                    Some((mode, _, _)) => {
                        return Err(GitError::Failed {
                            command: "mktree".into(),
                            stderr: format!("{path} is not a regular file in {base} (mode {mode})"),
                        });
                    }
                    None => "100644".to_string(),
                };
                entries.insert(name.to_string(), (mode, "blob".into(), blob.clone()));
            }
            for (sub, id) in &built {
                if let Some(name) = sub.strip_prefix(&prefix).filter(|rest| !rest.is_empty() && !rest.contains('/')) {
                    entries.insert(name.to_string(), ("040000".into(), "tree".into(), id.clone()));
                }
            }
            let mut input = Vec::new();
            for (name, (mode, kind, id)) in &entries {
                input.extend_from_slice(format!("{mode} {kind} {id}\t{name}\0").as_bytes());
            }
            let mut c = self.command(false);
            c.args(["mktree", "-z"]);
            let tree = lossy(&Self::checked("mktree", Self::run_with_input(c, &input)?)?).trim().to_string();
            built.insert(dir.clone(), tree);
        }
        let root = built.remove("").unwrap_or_default();
        Ok((root, old))
    }

    /// A commit object of `tree` with parent `parent` and `message`; no ref moves.
    /// git's `commit.gpgSign` applies as for any commit.
    pub fn commit_tree(&self, tree: &str, parent: &str, message: &str, identity: Option<&Identity>) -> Result<String> {
        let mut c = self.command(false);
        c.args(["commit-tree", "-p", parent, "-F", "-", "--end-of-options", tree]);
        if let Some(id) = identity {
            c.envs(id.env());
        }
        let out = Self::checked("commit-tree", Self::run_with_input(c, message.as_bytes())?)?;
        Ok(lossy(&out).trim().to_string())
    }

    /// An annotated (or, with `sign`, signed) tag object `name` for `target`;
    /// no ref of this repository is created.
    ///
    /// git has no plumbing that signs a tag object, so `git tag` runs against
    /// `side_dir`: a throw-away git directory whose objects are this
    /// repository's and whose config includes this repository's (signing key,
    /// `gpg.format`). The tag object lands in this repository's object store;
    /// the ref lands in `side_dir`, which is removed afterwards.
    pub fn make_tag(
        &self,
        side_dir: &Path,
        name: &str,
        target: &str,
        message: &str,
        sign: bool,
        identity: Option<&Identity>,
    ) -> Result<String> {
        let failed = |e: std::io::Error| GitError::Failed {
            command: "tag".into(),
            stderr: format!("cannot prepare {}: {e}", side_dir.display()),
        };
        let _ = std::fs::remove_dir_all(side_dir);
        std::fs::create_dir_all(side_dir.join("refs/tags")).map_err(failed)?;
        std::fs::write(side_dir.join("HEAD"), "ref: refs/heads/relkit\n").map_err(failed)?;
        let include = self.common_dir.join("config");
        let include = include.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
        // git takes the object format from the directory's own config, never
        // from an include: a SHA-256 repository's must be written here.
        let format = if target.len() == 64 {
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = sha256\n"
        } else {
            ""
        };
        std::fs::write(side_dir.join("config"), format!("{format}[include]\n\tpath = \"{include}\"\n"))
            .map_err(failed)?;

        let mut c = self.command(false);
        c.env("GIT_DIR", side_dir)
            .env("GIT_OBJECT_DIRECTORY", self.common_dir.join("objects"))
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_COMMON_DIR");
        if let Some(id) = identity {
            c.envs(id.env());
        }
        // verbatim: the message is markdown, whose `#` headings git would
        // otherwise strip as comments.
        c.args([
            "tag",
            if sign { "-s" } else { "-a" },
            "--cleanup=verbatim",
            "-F",
            "-",
            "--end-of-options",
            name,
            target,
        ]);
        let result = Self::checked("tag", Self::run_with_input(c, message.as_bytes())?).and_then(|_| {
            let file = side_dir.join("refs/tags").join(name);
            std::fs::read_to_string(&file).map(|s| s.trim().to_string()).map_err(|e| GitError::Failed {
                command: "tag".into(),
                stderr: format!("git tag wrote no ref {}: {e}", file.display()),
            })
        });
        let _ = std::fs::remove_dir_all(side_dir);
        result
    }

    /// Changes refs in one `git update-ref --stdin` transaction: all of them,
    /// each only if it holds its expected old value, or none.
    pub fn update_refs(&self, updates: &[RefUpdate]) -> Result<()> {
        if updates.is_empty() {
            return Ok(());
        }
        let mut script = String::from("start\n");
        for u in updates {
            if u.name == "HEAD" {
                // A detached HEAD moves itself, not a branch it points to.
                script.push_str("option no-deref\n");
            }
            match &u.old {
                Some(old) => script.push_str(&format!("update {} {} {old}\n", u.name, u.new)),
                None => script.push_str(&format!("create {} {}\n", u.name, u.new)),
            }
        }
        script.push_str("prepare\ncommit\n");
        let mut c = self.command(true);
        c.args(["update-ref", "--stdin"]);
        let output = Self::run_with_input(c, script.as_bytes())?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = one_line(&output.stderr);
        if stderr.contains("but expected") || stderr.contains("already exists") || stderr.contains("unable to resolve")
        {
            return Err(GitError::RefConflict(stderr));
        }
        Err(GitError::Failed { command: "update-ref".into(), stderr: with_fix(&stderr) })
    }

    /// Pushes `refspecs` to `remote` in one atomic push: the remote takes all
    /// of them or none. Each `(ref, expected)` lease makes the push fail unless
    /// the remote's `ref` is `expected` (`--force-with-lease`).
    pub fn push_atomic(
        &self,
        remote: &str,
        refspecs: &[String],
        leases: &[(String, String)],
    ) -> std::result::Result<Vec<String>, PushFailure> {
        let mut c = self.command(true);
        c.args(["push", "--atomic", "--porcelain"]);
        for (reference, expected) in leases {
            c.arg(format!("--force-with-lease={reference}:{expected}"));
        }
        c.arg("--end-of-options").arg(remote).args(refspecs);
        let output = match c.output() {
            Ok(o) => o,
            Err(e) => return Err(PushFailure::Unreachable(format!("cannot run git: {e}"))),
        };
        if output.status.success() {
            return Ok(up_to_date(&lossy(&output.stdout)));
        }
        if output.status.code().is_none() {
            return Err(PushFailure::Interrupted);
        }
        Err(classify_push(&lossy(&output.stdout), &lossy(&output.stderr)))
    }

    /// The refs of `remote` matching `patterns` (`git ls-remote` patterns), as
    /// `(ref, object id)`; tags also as `refs/tags/x^{}` peeled lines are dropped.
    pub fn ls_remote(
        &self,
        remote: &str,
        patterns: &[String],
    ) -> std::result::Result<Vec<(String, String)>, PushFailure> {
        // Ask where pushes go (`remote.<name>.pushurl`, which CI templates set
        // with their token), not where fetches come from.
        let push_url = self
            .run(["remote", "get-url", "--push", "--", remote])
            .ok()
            .filter(|o| o.status.success())
            .map(|o| lossy(&o.stdout).trim().to_string())
            .filter(|u| !u.is_empty());
        let mut c = self.command(false);
        c.args(["ls-remote", "--end-of-options", push_url.as_deref().unwrap_or(remote)]).args(patterns);
        let output = c.output().map_err(|e| PushFailure::Unreachable(format!("cannot run git: {e}")))?;
        if !output.status.success() {
            if output.status.code().is_none() {
                return Err(PushFailure::Interrupted);
            }
            return Err(classify_push("", &lossy(&output.stderr)));
        }
        Ok(lossy(&output.stdout)
            .lines()
            .filter_map(|l| {
                let (id, name) = l.split_once('\t')?;
                (!name.ends_with("^{}")).then(|| (name.to_string(), id.to_string()))
            })
            .collect())
    }
}

/// The `(mode, id)` of the first `<mode> SP <id> SP <stage> TAB <path>`
/// record of `ls-files -s -z` output.
fn parse_entry(out: &[u8]) -> Option<TreeEntry> {
    let record = out.split(|&b| b == 0).next().filter(|r| !r.is_empty())?;
    let text = lossy(record);
    let (meta, _path) = text.split_once('\t')?;
    let mut fields = meta.split(' ');
    Some((fields.next()?.to_string(), fields.next()?.to_string()))
}

/// git's message with the fix for the failures a user can fix: a lock file
/// left by a killed git (`index.lock`, `refs/heads/main.lock`).
fn with_fix(stderr: &str) -> String {
    let lock = stderr.split('\'').find(|part| part.ends_with(".lock"));
    match lock {
        Some(path) if stderr.contains("File exists") || stderr.contains("Unable to create") => format!(
            "git could not take its lock file {path}: another git command is running here, or one was killed; \
             if none is running, delete {path} and run relkit again"
        ),
        _ => stderr.to_string(),
    }
}

/// Sorts a failed push into its kind from git's porcelain lines (stdout:
/// `!\t<src>:<dst>\t[rejected] (reason)`) and its stderr (`remote:` lines,
/// transport errors).
/// The destination refs a successful `push --porcelain` found already at
/// the pushed value (`=\t<src>:<dst>\t[up to date]`): the remote had them.
pub fn up_to_date(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            let mut fields = l.split('\t');
            (fields.next() == Some("=")).then_some(())?;
            let refs = fields.next()?;
            Some(refs.rsplit_once(':').map_or(refs, |(_, d)| d).to_string())
        })
        .collect()
}

pub fn classify_push(stdout: &str, stderr: &str) -> PushFailure {
    let remote_text: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("remote:"))
        // A hook that writes "remote: …" itself is shown as git shows it to
        // the pusher once, without the doubled prefix.
        .map(|l| {
            let mut l = l.trim();
            while let Some(rest) = l.strip_prefix("remote:") {
                l = rest.trim();
            }
            l
        })
        .filter(|l| !l.is_empty() && !l.starts_with("error: failed to push"))
        .collect();
    let remote_text = remote_text.join(" ");
    // Another push won a race for the same ref on the remote: receive-pack
    // says so on stderr (`cannot lock ref 'refs/tags/v1.3.0': reference
    // already exists`, or `… is at X but expected Y`) and reports every ref of
    // the atomic push as `atomic transaction failed`. Not a rule saying no.
    let raced: Vec<PushRejection> = stderr
        .lines()
        .filter_map(|l| l.split_once("cannot lock ref '")?.1.split_once('\'').map(|(r, _)| r))
        .map(|reference| {
            if reference.starts_with("refs/tags/") {
                PushRejection::TagExists(reference.to_string())
            } else {
                PushRejection::BranchMoved(reference.to_string())
            }
        })
        .collect();
    if !raced.is_empty() {
        return PushFailure::Rejected { rejections: raced, remote_text };
    }
    let mut rejections = Vec::new();
    for line in stdout.lines() {
        let mut fields = line.split('\t');
        let (Some("!"), Some(refs), Some(summary)) = (fields.next(), fields.next(), fields.next()) else { continue };
        let destination = refs.rsplit_once(':').map_or(refs, |(_, d)| d).to_string();
        let reason = summary.split_once('(').map_or("", |(_, r)| r.trim_end_matches(')')).to_string();
        // The same race as reported on this line by other git versions.
        let lost_race = ["cannot lock ref", "incorrect old value provided", "reference already exists"]
            .iter()
            .any(|r| reason.contains(r));
        let rejection = if summary.starts_with("[remote rejected]") && lost_race {
            if destination.starts_with("refs/tags/") {
                PushRejection::TagExists(destination)
            } else {
                PushRejection::BranchMoved(destination)
            }
        } else if summary.starts_with("[remote rejected]") {
            PushRejection::Refused { reference: destination, reason }
        } else if reason == "atomic push failed" || reason == "atomic transaction failed" {
            // The other refs of an atomic push that failed for one of them.
            continue;
        } else if reason == "already exists" {
            PushRejection::TagExists(destination)
        } else if ["fetch first", "non-fast-forward", "stale info"].contains(&reason.as_str()) {
            PushRejection::BranchMoved(destination)
        } else {
            PushRejection::Refused { reference: destination, reason }
        };
        rejections.push(rejection);
    }
    if !rejections.is_empty() {
        return PushFailure::Rejected { rejections, remote_text };
    }
    let text = one_line(stderr.as_bytes());
    let lower = text.to_ascii_lowercase();
    let permission = ["permission", "denied", " 403", " 401", "authentication failed", "could not read username"];
    if permission.iter().any(|p| lower.contains(p)) {
        PushFailure::Permission(text)
    } else {
        PushFailure::Unreachable(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_parse_and_refuse_junk() {
        assert_eq!(
            Identity::parse(" Release Bot <bot@example.com> "),
            Some(Identity { name: "Release Bot".into(), email: "bot@example.com".into() })
        );
        for bad in ["bot@example.com", "<a@b>", "A <>", "A <a@b", "A <a<b>"] {
            assert_eq!(Identity::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_stale_lock_file_is_named_with_the_fix() {
        let stderr =
            "fatal: Unable to create '/r/.git/index.lock': File exists.; Another git process seems to be running";
        assert_eq!(
            with_fix(stderr),
            "git could not take its lock file /r/.git/index.lock: another git command is running here, or one was \
             killed; if none is running, delete /r/.git/index.lock and run relkit again"
        );
        assert_eq!(with_fix("fatal: bad object"), "fatal: bad object");
    }

    #[test]
    fn push_failures_by_kind() {
        // Outputs of git 2.47 `push --atomic --porcelain`, shortened.
        let tag = "To /r\n!\trefs/heads/main:refs/heads/main\t[rejected] (atomic push failed)\n\
                   !\trefs/tags/v1.0.0:refs/tags/v1.0.0\t[rejected] (already exists)\nDone\n";
        assert_eq!(
            classify_push(tag, "error: failed to push some refs to '/r'\n"),
            PushFailure::Rejected {
                rejections: vec![PushRejection::TagExists("refs/tags/v1.0.0".into())],
                remote_text: String::new()
            }
        );
        let lease = "!\tabc:refs/heads/main\t[rejected] (stale info)\n";
        assert!(matches!(classify_push(lease, ""), PushFailure::Rejected { rejections, .. }
            if rejections == vec![PushRejection::BranchMoved("refs/heads/main".into())]));
        let hook = "!\trefs/tags/v1:refs/tags/v1\t[remote rejected] (pre-receive hook declined)\n";
        let stderr = "remote: releases are frozen until Monday\nerror: failed to push some refs to '/r'\n";
        assert_eq!(
            classify_push(hook, stderr),
            PushFailure::Rejected {
                rejections: vec![PushRejection::Refused {
                    reference: "refs/tags/v1".into(),
                    reason: "pre-receive hook declined".into()
                }],
                remote_text: "releases are frozen until Monday".into()
            }
        );
        // Two pipelines pushing at once: the loser's receive-pack cannot lock
        // the ref the winner just moved or created.
        let raced = "!\tabc:refs/heads/main\t[remote rejected] (cannot lock ref 'refs/heads/main': is at 1111 but \
                     expected 2222)\n!\tdef:refs/tags/v1.3.0\t[remote rejected] (atomic transaction failed)\n";
        assert!(matches!(classify_push(raced, ""), PushFailure::Rejected { rejections, .. }
            if rejections[0] == PushRejection::BranchMoved("refs/heads/main".into())));
        // git 2.47 on a local remote: the reason is on stderr.
        let raced = "!\tabc:refs/heads/main\t[remote rejected] (atomic transaction failed)\n\
                     !\tdef:refs/tags/v1.3.0\t[remote rejected] (atomic transaction failed)\n";
        let stderr = "remote: error: cannot lock ref 'refs/tags/v1.3.0': reference already exists\n\
                      error: failed to push some refs to '/r'\n";
        assert!(matches!(classify_push(raced, stderr), PushFailure::Rejected { rejections, .. }
            if rejections == vec![PushRejection::TagExists("refs/tags/v1.3.0".into())]));
        let denied = "remote: Permission to acme/rocket.git denied to github-actions[bot].\n\
                      fatal: unable to access 'https://github.com/acme/rocket/': The requested URL returned error: 403\n";
        assert!(matches!(classify_push("", denied), PushFailure::Permission(_)));
        let gone =
            "fatal: '/nowhere' does not appear to be a git repository\nfatal: Could not read from remote repository.\n";
        assert!(matches!(classify_push("", gone), PushFailure::Unreachable(_)));
    }
}

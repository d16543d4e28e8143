//! The release as a transaction, in the order a reader follows it:
//!
//! 1. [`prepare`]: the release commit (CHANGELOG, later version files) and the
//!    tag object are built as git objects aside — a temporary index, no ref,
//!    no work-tree file touched. What the run will do is written to a journal
//!    in the git directory ([`journal`]).
//! 2. [`commit`]: ONE commit point. With `--push`, a single `git push
//!    --atomic` that moves the branch (with a lease on where relkit read it)
//!    and creates the tag; the remote accepting it is the commit point.
//!    Without, one `git update-ref --stdin` transaction.
//! 3. [`finish`](recover::finish): local refs in one transaction, then the
//!    index and work tree for the files the release changed, only where they
//!    still hold what relkit read; then the journal goes.
//! 4. [`recover`]: the next run, seeing a journal, finishes a release whose
//!    commit point was reached ("completed v1.2.0 from an interrupted run")
//!    and forgets one whose commit point was not.
//!
//! A kill before the commit point leaves only unreferenced objects (and a
//! journal the next run discards); a kill after it is finished by the next
//! run. [`lock`] keeps a second run out meanwhile, and compare-and-swap on
//! every ref catches anyone who is not relkit.

pub mod commit;
pub mod journal;
pub mod lock;
pub mod prepare;
pub mod recover;
pub mod signals;

use std::path::{Path, PathBuf};

use crate::app::App;
use crate::ci::Outputs;
use crate::error::{Error, Result};

pub use journal::Journal;

/// A file the release writes: its path and its content before and after.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Where it really is (symlinks resolved), inside the repository.
    pub path: PathBuf,
    /// The bytes relkit read; `None` when the file did not exist.
    pub old: Option<Vec<u8>>,
    pub new: Vec<u8>,
}

impl FileChange {
    /// Adds `change` to `files`; a file already there (two packages share a
    /// workspace's `Cargo.lock`) keeps its first bytes and takes the new text,
    /// which was planned over the earlier one.
    pub fn merge_into(self, files: &mut Vec<FileChange>) {
        match files.iter_mut().find(|f| f.path == self.path) {
            Some(earlier) => earlier.new = self.new,
            None => files.push(self),
        }
    }
}

/// A release decided and rendered, about to be made.
#[derive(Debug, Clone)]
pub struct Request {
    pub version: String,
    /// The tag name (`v1.2.0`).
    pub tag: String,
    /// The commit the release is of: HEAD as relkit read it.
    pub head: String,
    /// The tag message (the release notes).
    pub message: String,
    pub sign: bool,
    pub files: Vec<FileChange>,
    /// With `Some(message)`, `files` go into a release commit on top of
    /// `head`, which the tag then points at; with `None`, they are written to
    /// the work tree only, after the commit point.
    pub commit_message: Option<String>,
    /// `--push`: the remote and the branch on it to move.
    pub push: Option<Push>,
    /// What the CI is told once the release is made.
    pub outputs: Outputs,
    /// The other packages released with this one (`[[packages]]`): their
    /// tags point at the same commit and pass the same commit point.
    pub also: Vec<AlsoTag>,
}

/// One more release tag of the transaction: another package's.
#[derive(Debug, Clone)]
pub struct AlsoTag {
    pub version: String,
    pub tag: String,
    /// The tag message (that package's release notes).
    pub message: String,
}

/// Where `--push` sends the release.
#[derive(Debug, Clone)]
pub struct Push {
    pub remote: String,
    /// The branch the release commit goes to (`refs/heads/main`); `None` when
    /// there is no release commit (only the tag is pushed).
    pub branch: Option<String>,
    /// Where the remote's branch must still be for the push to happen (the
    /// lease): see [`lease`].
    pub lease: Option<String>,
    /// Release tags made here earlier but never pushed (an earlier run
    /// without `--push`, or an older relkit): they go in the same push.
    pub unpublished_tags: Vec<String>,
}

/// The lease of a push to `branch` (`refs/heads/main`) on `remote`: where
/// relkit last saw that branch — the remote-tracking ref
/// (`refs/remotes/origin/main`) when this clone has one, else HEAD. Commits
/// of HEAD the remote lacks then go in the same atomic push; a remote branch
/// that moved on since makes the push fail. A tracking ref that is not part
/// of HEAD is refused here: pushing would replace commits, never what a
/// release does.
pub fn lease(app: &App, remote: &str, branch: &str, head: &str) -> Result<String> {
    let short = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    let tracking = format!("refs/remotes/{remote}/{short}");
    let Some(seen) = app.repo.object_id(&tracking)? else { return Ok(head.to_string()) };
    if seen == head || app.repo.is_ancestor(&seen, head)? {
        return Ok(seen);
    }
    Err(Error::Refused(format!(
        "{remote}/{short} ({}) is not part of HEAD ({}): the branch moved on since this commit, or the two have \
         diverged. Pull (or run the release on the branch's new head); nothing was changed",
        crate::git::short_id(&seen),
        crate::git::short_id(head)
    )))
}

/// What [`execute`] did, for the command to print.
#[derive(Debug)]
pub struct Made {
    pub journal: Journal,
    /// Problems finishing after the commit point (the release is made; the
    /// next run finishes what is named here).
    pub warnings: Vec<String>,
    /// Whether everything after the commit point is done: the journal can go
    /// once the CI outputs are written ([`Made::done`]).
    pub complete: bool,
}

impl Made {
    /// Call when the CI outputs are written: the journal goes if nothing is
    /// left to finish (a kill before this point makes the next run finish
    /// again, outputs included).
    pub fn done(&self, app: &App) {
        if self.complete {
            self.journal.discard(app);
        }
    }
}

/// relkit's own directory in the common git directory: the lock, temporary
/// files, side directories.
pub fn relkit_dir(app: &App) -> PathBuf {
    app.repo.common_dir().join("relkit")
}

/// Where temporary files go: inside the git directory, never the work tree.
pub fn tmp_dir(app: &App) -> PathBuf {
    relkit_dir(app).join("tmp")
}

/// Removes what a killed run left: temporary files in relkit's directory and,
/// from relkit versions before the transaction, `.relkit-*.tmp` beside the
/// CHANGELOG. Call with the lock held.
pub fn remove_leftovers(app: &App, changelog: Option<&Path>) {
    let _ = std::fs::remove_dir_all(tmp_dir(app));
    if let Some(dir) = changelog.and_then(Path::parent) {
        crate::fsutil::remove_stale_temporaries(dir);
    }
}

/// Makes the release: prepare aside, one commit point, finish. An error
/// before the commit point means nothing visible changed.
pub fn execute(app: &App, request: &Request) -> Result<Made> {
    execute_with(app, request, None)
}

/// Renders the rollback runbook of the prepared release: called with the
/// commit the tag will point at (the release commit when there is one).
pub type RenderRollback<'a> = &'a dyn Fn(&str) -> Result<String>;

/// [`execute`], with the runbook rendered once the tagged commit is known
/// (after prepare, before the commit point: a failing plugin still leaves
/// nothing visible). Its text becomes the `rollback` output.
pub fn execute_with(app: &App, request: &Request, rollback: Option<RenderRollback<'_>>) -> Result<Made> {
    let mut journal = prepare::prepare(app, request)?;
    if let Some(render) = rollback {
        journal.outputs.rollback = render(&journal.target)?;
    }
    journal.save(app)?;
    if signals::interrupted() {
        journal.discard(app);
        return Err(Error::Refused(
            "interrupted before the commit point; nothing was changed (the prepared objects are unreferenced)"
                .to_string(),
        ));
    }
    match commit::commit(app, &journal) {
        Ok(()) => {}
        Err(commit::Failure::NotMade(e)) => {
            journal.discard(app);
            return Err(e);
        }
        // The remote may or may not have taken it: the journal stays for
        // the next run, which asks the remote.
        Err(commit::Failure::Unknown(e)) => return Err(e),
    }
    let new_bytes: Vec<Vec<u8>> = request.files.iter().map(|f| f.new.clone()).collect();
    let (warnings, complete) = recover::finish(app, &journal, &new_bytes);
    Ok(Made { journal, warnings, complete })
}

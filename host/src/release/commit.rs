//! Step 2: the one commit point. Before it, nothing anyone sees has changed;
//! after it, the release exists and only local bookkeeping is left.
//!
//! - With `--push`: one `git push --atomic`: the release commit to the branch
//!   (`--force-with-lease=<branch>:<where relkit last saw it>`, so only if
//!   the remote branch is still there; see `release::lease`) and the tag
//!   (created only if the remote has no such tag). The remote takes all or
//!   nothing.
//! - Without: one `git update-ref --stdin` transaction, each ref with its
//!   expected old value.

use super::journal::Journal;
use crate::app::App;
use crate::error::Error;
use crate::git::{GitError, PushFailure, PushRejection, RefUpdate, short_id};

/// Why the commit point was not passed.
#[derive(Debug)]
pub enum Failure {
    /// Nothing was changed (the journal can go).
    NotMade(Error),
    /// relkit cannot tell whether the remote took the push (git was stopped
    /// by a signal and the remote cannot be asked now): the journal stays,
    /// and the next run asks the remote again.
    Unknown(Error),
}

/// Passes the commit point of `journal`, or fails having changed nothing.
pub fn commit(app: &App, journal: &Journal) -> Result<(), Failure> {
    match &journal.remote {
        Some(remote) => push(app, journal, remote),
        None => local(app, journal),
    }
}

fn local(app: &App, j: &Journal) -> Result<(), Failure> {
    let mut updates = Vec::new();
    if j.release_commit {
        updates.push(RefUpdate { name: j.head_ref.clone(), new: j.target.clone(), old: Some(j.head.clone()) });
    }
    for (tag, object) in j.tags() {
        updates.push(RefUpdate { name: format!("refs/tags/{tag}"), new: object.to_string(), old: None });
    }
    app.repo.update_refs(&updates).map_err(|e| {
        Failure::NotMade(match e {
            GitError::RefConflict(text) => Error::Refused(format!(
                "{text}: {} changed while relkit prepared the release (another release, or someone \
                 else); nothing was changed, run relkit again on the new state",
                if j.release_commit {
                    format!("{} or tag {}", branch_name(&j.head_ref), j.tag)
                } else {
                    format!("tag {}", j.tag)
                }
            )),
            other => Error::from(other),
        })
    })
}

fn push(app: &App, j: &Journal, remote: &str) -> Result<(), Failure> {
    let mut refspecs = Vec::new();
    let mut leases = Vec::new();
    if j.release_commit {
        let Some(branch) = &j.remote_branch else {
            return Err(Failure::NotMade(Error::Refused(
                "HEAD is detached, so relkit cannot push the release commit to a branch; check out the branch first"
                    .to_string(),
            )));
        };
        refspecs.push(format!("{}:{branch}", j.target));
        leases.push((branch.clone(), lease_of(j).to_string()));
    }
    for (tag, object) in j.tags() {
        refspecs.push(format!("{object}:refs/tags/{tag}"));
    }
    refspecs.extend(j.unpublished_tags.iter().map(|t| format!("refs/tags/{t}:refs/tags/{t}")));
    match app.repo.push_atomic(remote, &refspecs, &leases) {
        // A new release tag the remote had already, object for object: another
        // run made this same release (same commit, same second, same
        // identity), and the push changed nothing. That run reports it.
        Ok(had) if let Some(tag) = j.tags().into_iter().find(|(t, _)| had.contains(&format!("refs/tags/{t}"))) => {
            let e = PushFailure::Rejected {
                rejections: vec![PushRejection::TagExists(format!("refs/tags/{}", tag.0))],
                remote_text: String::new(),
            };
            Err(Failure::NotMade(Error::Refused(push_message(&e, remote, lease_of(j)))))
        }
        Ok(_) => Ok(()),
        // The remote answered no, refused the credentials, or was never
        // reached: no ref could change, nothing was made.
        Err(e @ (PushFailure::Rejected { .. } | PushFailure::Permission(_))) => {
            Err(Failure::NotMade(Error::Refused(push_message(&e, remote, lease_of(j)))))
        }
        Err(PushFailure::Unreachable(text)) if never_reached(&text) => {
            Err(Failure::NotMade(Error::Refused(push_message(&PushFailure::Unreachable(text), remote, lease_of(j)))))
        }
        // The connection broke, or git was stopped: the remote may have taken
        // the push before that. Ask it.
        Err(e) => match remote_has_tag(app, remote, &j.tag, &j.tag_object) {
            Ok(true) => Ok(()),
            Ok(false) if !matches!(e, PushFailure::Interrupted) => {
                Err(Failure::NotMade(Error::Refused(push_message(&e, remote, lease_of(j)))))
            }
            // A stopped git's remote may still be applying the push: only the
            // next run can tell, so the journal stays.
            _ => Err(Failure::Unknown(Error::Refused(format!(
                "{}; relkit cannot tell whether {remote} took {}: run `relkit release --push` again: it finishes \
                 the release if {remote} has it, and starts over if not",
                push_message(&e, remote, lease_of(j)),
                j.tag
            )))),
        },
    }
}

/// Whether git's message says the remote was never reached (no connection,
/// no repository there), as opposed to a connection that broke mid-push.
fn never_reached(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "does not appear to be a git repository",
        "could not resolve host",
        "connection refused",
        "no such file or directory",
        "repository not found",
        "not found",
        "failed to connect",
        "couldn't connect",
        "connection timed out",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

/// Where the remote branch must be: the journal's lease, else HEAD as read.
fn lease_of(j: &Journal) -> &str {
    j.remote_lease.as_deref().unwrap_or(&j.head)
}

/// Whether `remote` has `refs/tags/<tag>` pointing at `object`.
pub fn remote_has_tag(app: &App, remote: &str, tag: &str, object: &str) -> Result<bool, PushFailure> {
    let refs = app.repo.ls_remote(remote, &[format!("refs/tags/{tag}")])?;
    Ok(refs.iter().any(|(name, id)| name == &format!("refs/tags/{tag}") && id == object))
}

/// `main` for `refs/heads/main`, `v1.2.0` for `refs/tags/v1.2.0`.
fn short_ref(reference: &str) -> &str {
    reference.strip_prefix("refs/tags/").or_else(|| reference.strip_prefix("refs/heads/")).unwrap_or(reference)
}

fn branch_name(reference: &str) -> &str {
    reference.strip_prefix("refs/heads/").unwrap_or(reference)
}

/// One line per kind of failure, each with its fix (nothing was changed in
/// any of them: the push is atomic).
pub fn push_message(e: &PushFailure, remote: &str, head: &str) -> String {
    let nothing = "nothing was changed";
    match e {
        PushFailure::Rejected { rejections, remote_text } => {
            let said = if remote_text.is_empty() {
                String::new()
            } else {
                format!(" {remote} said: {}.", remote_text.trim_end_matches('.'))
            };
            // The kind that explains the others: a tag that exists, then a
            // branch that moved (the rest of an atomic push fails with them).
            let tag = rejections.iter().find_map(|r| match r {
                PushRejection::TagExists(t) => Some(t),
                _ => None,
            });
            let branch = rejections.iter().find_map(|r| match r {
                PushRejection::BranchMoved(b) => Some(b),
                _ => None,
            });
            let refused: Vec<(&str, &str)> = rejections
                .iter()
                .filter_map(|r| match r {
                    PushRejection::Refused { reference, reason } => Some((short_ref(reference), reason.as_str())),
                    _ => None,
                })
                .collect();
            if let Some(tag) = tag {
                format!(
                    "{remote} already has tag {}: a release was made elsewhere (another pipeline, or by hand). \
                     Fetch the tags (`git fetch --tags {remote}`) and run relkit again; {nothing}",
                    short_ref(tag)
                )
            } else if let Some(branch) = branch {
                format!(
                    "branch {} on {remote} is not at {} where relkit read it: it moved on, or this clone has \
                     commits {remote} does not. Pull, then run the release again on the new head; {nothing}",
                    short_ref(branch),
                    short_id(head)
                )
            } else if let Some((_, reason)) = refused.first() {
                let names: Vec<&str> = refused.iter().map(|(name, _)| *name).collect();
                format!(
                    "{remote} refused {} ({reason}).{said} Its rules (a hook, or a branch or tag protection) said \
                     no; change them or release where they allow it; {nothing}",
                    names.join(" and ")
                )
            } else {
                format!("{remote} refused the push.{said} {nothing}")
            }
        }
        PushFailure::Permission(text) => format!(
            "{}. relkit may not push to {remote}: the job's token needs write access to the repository \
             (GitHub: `permissions: contents: write`; GitLab: a project access token with write_repository, or \
             the job token's push permission); {nothing}",
            text.trim_end_matches('.')
        ),
        PushFailure::Unreachable(text) => format!(
            "{}. relkit could not reach {remote}: check its URL (`git remote -v`) and the network; {nothing}",
            text.trim_end_matches('.')
        ),
        PushFailure::Interrupted => format!("git push to {remote} was stopped by a signal"),
    }
}

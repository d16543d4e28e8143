//! Steps 3 and 4: finishing after the commit point — now, or in the next run
//! when this one was killed — and publishing release tags that never reached
//! the remote.
//!
//! Every finishing step is idempotent and compares before it changes: a ref
//! moves only from the value relkit read, a file is replaced only while it
//! holds the bytes relkit read. So finishing twice, or after someone else
//! moved on, never overwrites their work; what is left alone is reported.

use super::commit::{push_message, remote_has_tag};
use super::journal::{Journal, JournalFile};
use super::prepare::sha256_hex;
use super::{Made, tmp_dir};
use crate::app::App;
use crate::error::{Error, Result};
use crate::git::{RefUpdate, VersionTag, short_id};

/// Looks for a journal a killed run left. When its commit point was reached
/// (the tag is here, or on the remote), finishes the release and returns it;
/// when not, forgets it (only unreferenced objects remain) and returns `None`.
pub fn resume(app: &App) -> Result<Option<Made>> {
    let Some(journal) = Journal::load(app)? else { return Ok(None) };
    let tag_ref = format!("refs/tags/{}", journal.tag);
    let committed = if app.repo.object_id(&tag_ref)?.as_deref() == Some(journal.tag_object.as_str()) {
        true
    } else if let Some(remote) = &journal.remote {
        remote_has_tag(app, remote, &journal.tag, &journal.tag_object).map_err(|e| {
            Error::Refused(format!(
                "an interrupted run was releasing {} and relkit cannot ask {remote} whether it got there: {}; run \
                 again when {remote} is reachable",
                journal.tag,
                push_message(&e, remote, &journal.head)
            ))
        })?
    } else {
        false
    };
    if !committed {
        journal.discard(app);
        return Ok(None);
    }
    let (warnings, complete) = finish(app, &journal, &[]);
    Ok(Some(Made { journal, warnings, complete }))
}

/// Everything after the commit point: local refs in one transaction, then the
/// index and the work tree. Returns what it left alone or could not do (the
/// release is made either way), and whether everything is done: then the
/// caller discards the journal once the CI outputs are written; after a
/// failure it stays, so the next run tries again.
pub fn finish(app: &App, j: &Journal, new_bytes: &[Vec<u8>]) -> (Vec<String>, bool) {
    let mut warnings = Vec::new();
    let mut failed = false;
    let head_now = match local_refs(app, j, &mut warnings) {
        Ok(head) => head,
        Err(e) => {
            warnings.push(format!("updating the local refs failed ({e}); run relkit release again to finish"));
            failed = true;
            app.repo.object_id("HEAD").ok().flatten()
        }
    };
    for (n, file) in j.files.iter().enumerate() {
        if file.committed && head_now.as_deref() != Some(j.target.as_str()) {
            warnings.push(format!(
                "{} was left as it is: HEAD is no longer the release commit {}",
                file.path,
                short_id(&j.target)
            ));
            continue;
        }
        if let Err(e) = update_file(app, file, new_bytes.get(n), &mut warnings) {
            warnings.push(format!("updating {} failed ({e}); run relkit release again to finish", file.path));
            failed = true;
        }
    }
    if j.files.iter().any(|f| f.committed) {
        // The index entries were set without stat data: refresh them, or
        // plumbing (`git diff-index --quiet HEAD`, `git apply --index`) takes
        // the files relkit wrote for modified. Best effort: `git status`
        // refreshes them too.
        let _ = app.repo.capture(["update-index", "-q", "--refresh"]);
    }
    (warnings, !failed)
}

/// The tag, and the branch when there is a release commit, each only from
/// the value relkit read (a push already made them on the remote). Reads
/// both refs in one git call; returns what HEAD holds afterwards.
fn local_refs(app: &App, j: &Journal, warnings: &mut Vec<String>) -> Result<Option<String>> {
    // The common case first, as one compare-and-swap: the tag does not exist
    // here yet and the branch is where relkit read it.
    if j.remote.is_some() && j.head_ref != "HEAD" {
        let mut updates: Vec<RefUpdate> = j
            .tags()
            .into_iter()
            .map(|(tag, object)| RefUpdate { name: format!("refs/tags/{tag}"), new: object.to_string(), old: None })
            .collect();
        if j.release_commit {
            updates.push(RefUpdate { name: j.head_ref.clone(), new: j.target.clone(), old: Some(j.head.clone()) });
        }
        if app.repo.update_refs(&updates).is_ok() && app.repo.head_branch()?.as_deref() == Some(j.head_ref.as_str()) {
            return Ok(Some(if j.release_commit { j.target.clone() } else { j.head.clone() }));
        }
    }
    let detached = j.head_ref == "HEAD";
    let tag_refs: Vec<(String, &str, &str)> =
        j.tags().into_iter().map(|(tag, object)| (format!("refs/tags/{tag}"), tag, object)).collect();
    let mut names: Vec<&str> = tag_refs.iter().map(|(r, _, _)| r.as_str()).collect();
    if !detached {
        names.push(&j.head_ref);
    }
    let values = app.repo.ref_values(&names)?;
    let head_value = if detached { app.repo.object_id("HEAD")? } else { values.get(j.head_ref.as_str()).cloned() };
    let mut updates = Vec::new();
    for (tag_ref, tag, object) in &tag_refs {
        match values.get(tag_ref) {
            None => updates.push(RefUpdate { name: tag_ref.clone(), new: object.to_string(), old: None }),
            Some(id) if id == object => {}
            Some(_) => warnings.push(format!("the local tag {tag} points elsewhere; it was left alone")),
        }
    }
    let mut head_after = head_value.clone();
    if j.release_commit {
        match head_value.as_deref() {
            Some(id) if id == j.head => {
                updates.push(RefUpdate { name: j.head_ref.clone(), new: j.target.clone(), old: Some(j.head.clone()) });
                head_after = Some(j.target.clone());
            }
            Some(id) if id == j.target => {}
            _ => warnings.push(format!(
                "{} moved while the release was made, so it was left alone; the release commit is {} (`git pull` \
                 brings it)",
                j.head_ref.strip_prefix("refs/heads/").unwrap_or(&j.head_ref),
                short_id(&j.target)
            )),
        }
    }
    app.repo.update_refs(&updates)?;
    // HEAD is on that branch still, unless someone switched meanwhile.
    if !detached && app.repo.head_branch()?.as_deref() != Some(j.head_ref.as_str()) {
        return app.repo.object_id("HEAD").map_err(Error::from);
    }
    Ok(head_after)
}

/// One file: the work tree while it holds what relkit read, then (for a
/// committed file) the index entry while it holds HEAD's old blob.
/// `new_bytes` is the new content when this run has it in memory (a
/// recovery reads it from the object store).
fn update_file(app: &App, file: &JournalFile, new_bytes: Option<&Vec<u8>>, warnings: &mut Vec<String>) -> Result<()> {
    let root = std::fs::canonicalize(app.repo.root()).map_err(|e| Error::file(app.repo.root(), e))?;
    let path = crate::fsutil::resolve_inside(&root, &root, std::path::Path::new(&file.path))
        .map_err(|m| Error::Refused(format!("{}: {m}", file.path)))?;
    let current = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::file(&path, e)),
    };
    let current_sha = current.as_deref().map(sha256_hex);
    if current_sha.is_some() && current_sha == file.new_sha256 {
        // Done already (an earlier finish got this far).
    } else if current_sha == file.old_sha256 {
        let new = match (new_bytes, &file.new_text) {
            (Some(bytes), _) => bytes.clone(),
            (None, Some(text)) => text.clone().into_bytes(),
            (None, None) => app.repo.read_blob(&file.new_blob)?,
        };
        crate::fsutil::write_atomic_in(&path, &new, &tmp_dir(app)).map_err(|e| Error::file(&path, e))?;
    } else {
        warnings.push(format!("{} changed since relkit read it, so it was left alone", file.path));
    }
    // The index entry moves from HEAD's old blob to the release's even when
    // the file was edited meanwhile: that loses no edit, and keeps the index
    // in step with the branch, which already moved.
    if file.committed {
        match app.repo.index_entry(&file.path)? {
            Some((_, blob)) if blob == file.new_blob => {}
            entry if entry.as_ref().map(|(_, b)| b) == file.old_blob.as_ref() => {
                app.repo.set_index_entry(&file.mode, &file.new_blob, &file.path)?;
            }
            _ => warnings.push(format!("{} has staged changes, so its index entry was left alone", file.path)),
        }
    }
    Ok(())
}

/// Release tags reachable from `head` that `remote` does not have and that
/// are newer than its newest release tag, oldest first: made by an earlier
/// run without `--push` (or by a relkit before the transaction, killed after
/// tagging). `relkit release --push` pushes them instead of reporting "no
/// release due".
pub fn unpublished(
    app: &App,
    tags: &[VersionTag],
    head: &str,
    remote_refs: &[(String, String)],
) -> Result<Vec<VersionTag>> {
    let remote_names: std::collections::HashSet<&str> =
        remote_refs.iter().filter_map(|(name, _)| name.strip_prefix("refs/tags/")).collect();
    // The remote's newest release tag, read with relkit's prefixes.
    let prefixes = app.tag_prefixes();
    let newest_remote = remote_names
        .iter()
        .filter_map(|n| prefixes.iter().find_map(|p| n.strip_prefix(p).and_then(|v| semver::Version::parse(v).ok())))
        .max();
    let mut missing = Vec::new();
    for tag in tags {
        let newer = newest_remote.as_ref().is_none_or(|n| tag.version > *n);
        if newer
            && !remote_names.contains(tag.name.as_str())
            && (tag.commit == head || app.repo.is_ancestor(&tag.commit, head)?)
        {
            missing.push(tag.clone());
        }
    }
    missing.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(missing)
}

/// The release tags `remote` has (`git ls-remote`), for [`unpublished`]: one
/// network round trip, which `relkit release --push` makes beside its other
/// reads.
pub fn remote_release_tags(app: &App, remote: &str) -> Result<Vec<(String, String)>> {
    // With no tag-prefix set, both `v1.2.3` and `1.2.3` are release tags.
    let pattern = format!("refs/tags/{}*", app.config.config.release.tag_prefix.as_deref().unwrap_or(""));
    app.repo.ls_remote(remote, &[pattern]).map_err(|e| {
        let message = match &e {
            crate::git::PushFailure::Permission(t) | crate::git::PushFailure::Unreachable(t) => t.clone(),
            // ls-remote is never "rejected"; a signal is all that is left.
            _ => "git ls-remote was stopped by a signal".to_string(),
        };
        Error::Refused(format!(
            "{}. relkit could not read the tags of {remote} (check its URL with `git remote -v`, the network and \
             the token); nothing was changed",
            message.trim_end_matches('.')
        ))
    })
}

//! Step 1: the release built aside. Blobs, the release commit (through a
//! temporary index file) and the tag object are written to the object store;
//! the work tree, the index and every ref stay as they are.

use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::journal::{Journal, JournalFile};
use super::{Request, tmp_dir};
use crate::app::App;
use crate::ci::Outputs;
use crate::error::{Error, Result};
use crate::git::Identity;

/// GitHub's identity for commits made by workflows (GitHub documents it for
/// the `GITHUB_TOKEN`'s pushes; actions/checkout's README uses it too).
const GITHUB_BOT: (&str, &str) = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com");

/// Builds every object of the release; returns the journal that names them.
pub fn prepare(app: &App, request: &Request) -> Result<Journal> {
    let repo = &app.repo;
    let mut identity = configured_identity(app);
    let head_ref = repo.head_branch()?.unwrap_or_else(|| "HEAD".to_string());
    let root = std::fs::canonicalize(repo.root()).map_err(|e| Error::file(repo.root(), e))?;
    let committed = request.commit_message.is_some();
    let tmp = tmp_dir(app);
    std::fs::create_dir_all(&tmp).map_err(|e| Error::file(&tmp, e))?;

    let mut files = Vec::new();
    for change in &request.files {
        let relative = relative_path(&root, &change.path)?;
        // A committed file is stored as `git add` would (clean filters); the
        // work tree keeps the bytes relkit wrote, and a recovery writes the
        // stored form, which a clean filter maps to the same blob. A file the
        // work tree alone gets needs no blob: its text rides in the journal.
        let (blob, new_text) = if committed {
            (repo.write_blob(&change.new, Some(&relative))?, None)
        } else {
            (String::new(), Some(String::from_utf8_lossy(&change.new).into_owned()))
        };
        files.push(JournalFile {
            path: relative,
            mode: "100644".to_string(),
            old_sha256: change.old.as_deref().map(sha256_hex),
            old_blob: None,
            new_blob: blob,
            new_sha256: Some(sha256_hex(&change.new)),
            new_text,
            committed,
        });
    }

    let target = match &request.commit_message {
        Some(message) if !files.is_empty() => {
            let entries: Vec<_> = files.iter().map(|f| (f.path.clone(), f.new_blob.clone())).collect();
            let (tree, old) = repo.tree_with(&request.head, &entries)?;
            for (file, old) in files.iter_mut().zip(old) {
                if let Some((mode, blob)) = old {
                    file.mode = mode;
                    file.old_blob = Some(blob);
                }
            }
            with_identity(app, &mut identity, |id| repo.commit_tree(&tree, &request.head, message, id))?
        }
        _ => request.head.clone(),
    };
    let message =
        if request.message.trim().is_empty() { format!("Release {}\n", request.tag) } else { request.message.clone() };
    let side = tmp.join(format!("tag-{}", std::process::id()));
    let tag_object =
        with_identity(app, &mut identity, |id| repo.make_tag(&side, &request.tag, &target, &message, request.sign, id))
            .map_err(|e| match e {
                Error::Git(g) => tag_error(g, request.sign),
                other => other,
            })?;
    let mut also = Vec::with_capacity(request.also.len());
    for other in &request.also {
        let message =
            if other.message.trim().is_empty() { format!("Release {}\n", other.tag) } else { other.message.clone() };
        let side = tmp.join(format!("tag-{}-{}", std::process::id(), also.len()));
        let tag_object = with_identity(app, &mut identity, |id| {
            repo.make_tag(&side, &other.tag, &target, &message, request.sign, id)
        })
        .map_err(|e| match e {
            Error::Git(g) => tag_error(g, request.sign),
            other => other,
        })?;
        also.push(super::journal::JournalTag { version: other.version.clone(), tag: other.tag.clone(), tag_object });
    }
    let push = request.push.as_ref();
    Ok(Journal {
        version: request.version.clone(),
        tag: request.tag.clone(),
        tag_object,
        signed: request.sign,
        release_commit: target != request.head,
        target: target.clone(),
        head: request.head.clone(),
        head_ref,
        remote: push.map(|p| p.remote.clone()),
        remote_branch: push.and_then(|p| p.branch.clone()),
        remote_lease: push.and_then(|p| p.lease.clone()),
        unpublished_tags: push.map(|p| p.unpublished_tags.clone()).unwrap_or_default(),
        files,
        outputs: Outputs { sha: Some(target.clone()), ..request.outputs.clone() },
        also,
    })
}

/// A commit on top of `head` whose tree is `head`'s with `files` written,
/// built aside like the release commit (blobs, `mktree`, `commit-tree`): no
/// ref, index or work-tree file changes. For `relkit prepare`'s release
/// pull request.
pub fn release_commit(app: &App, head: &str, files: &[super::FileChange], message: &str) -> Result<String> {
    let repo = &app.repo;
    let root = std::fs::canonicalize(repo.root()).map_err(|e| Error::file(repo.root(), e))?;
    let mut entries = Vec::with_capacity(files.len());
    for change in files {
        let relative = relative_path(&root, &change.path)?;
        let blob = repo.write_blob(&change.new, Some(&relative))?;
        entries.push((relative, blob));
    }
    let (tree, _) = repo.tree_with(head, &entries)?;
    let mut identity = configured_identity(app);
    with_identity(app, &mut identity, |id| repo.commit_tree(&tree, head, message, id))
}

/// Runs a git call that records an identity; when git has none ("Please
/// tell me who you are"), runs it again with the CI's bot identity
/// ([`fallback_identity`]), which later calls then use too. Asking git
/// first costs nothing when it has one, which is the common case.
fn with_identity<T>(
    app: &App,
    identity: &mut Option<Identity>,
    call: impl Fn(Option<&Identity>) -> crate::git::Result<T>,
) -> Result<T> {
    match call(identity.as_ref()) {
        Err(e) if identity.is_none() && is_missing_identity(&e) => {
            *identity = Some(fallback_identity(app)?);
            Ok(call(identity.as_ref())?)
        }
        other => Ok(other?),
    }
}

/// git's refusal for want of a name or e-mail address.
fn is_missing_identity(e: &crate::git::GitError) -> bool {
    let text = e.to_string();
    ["tell me who you are", "unable to auto-detect email", "empty ident name", "no email was given"]
        .iter()
        .any(|m| text.contains(m))
}

/// `[release] identity`, when set: it wins over git's own.
fn configured_identity(app: &App) -> Option<Identity> {
    app.config.config.release.identity.as_deref().and_then(Identity::parse)
}

/// Who makes the release commit and tag when git has no identity (after
/// `[release] identity` and git's own `user.name`/`user.email`, which win):
/// in GitHub Actions `github-actions[bot]`; in GitLab CI the user who started
/// the pipeline (`GITLAB_USER_NAME`, `GITLAB_USER_EMAIL`); elsewhere an error
/// with the fix. Given to those two git calls only.
pub fn fallback_identity(app: &App) -> Result<Identity> {
    if app.env.is_true("GITHUB_ACTIONS") {
        return Ok(Identity { name: GITHUB_BOT.0.to_string(), email: GITHUB_BOT.1.to_string() });
    }
    if app.env.is_true("GITLAB_CI")
        && let (Some(name), Some(email)) = (app.env.get("GITLAB_USER_NAME"), app.env.get("GITLAB_USER_EMAIL"))
    {
        return Ok(Identity { name, email });
    }
    Err(Error::Refused(
        "git does not know who makes the release commit and tag (no user.name/user.email); set them with \
         `git config user.name \"Your Name\"` and `git config user.email you@example.com`, or set \
         `[release] identity = \"Release Bot <bot@example.com>\"` in relkit.toml"
            .to_string(),
    ))
}

/// git's failure to make the tag, as one line with the fix.
fn tag_error(e: crate::git::GitError, sign: bool) -> Error {
    let text = e.to_string();
    if sign && (text.contains("gpg") || text.contains("sign") || text.contains("ssh")) {
        return Error::Refused(format!(
            "{text}. relkit could not sign the tag: check `user.signingkey` and `gpg.format` (git's signing \
             settings), or set `[release] sign = false`"
        ));
    }
    Error::from(e)
}

fn relative_path(root: &Path, path: &Path) -> Result<String> {
    let relative = path.strip_prefix(root).map_err(|_| {
        Error::file(path, format!("is outside the repository {}; relkit only writes files inside it", root.display()))
    })?;
    let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Ok(parts.join("/"))
}

/// sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::runtime::hex(&Sha256::digest(bytes))
}

//! What the host reads for the rollback runbook (the `runbook` interface):
//! every path of the released tree, and the first bytes of the files the
//! release added or modified that can say what they deploy or migrate
//! (a manifest's `kind:`, a migration's revision).

use std::collections::BTreeMap;
use std::io::Write as _;

use crate::git::{Change, GitCommit, Repo, Result};

/// The most file heads passed to the plugin (the contract's bound).
pub const MAX_HEADS: usize = 500;
/// The most bytes of one file head (the contract's bound).
pub const HEAD_BYTES: usize = 4096;
/// Files larger than this are not read for a head: a 4 KiB head of a huge
/// generated file says nothing, and reading it costs.
const MAX_BLOB: u64 = 8 << 20;
/// The extensions whose heads the plugin may need (the contract's list).
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "py", "sql", "xml", "toml", "rb", "go"];

/// The paths whose heads to read: the net added or modified paths of
/// `commits` (newest first, as a release holds them) with one of the
/// contract's extensions, sorted, at most [`MAX_HEADS`].
pub fn head_paths(commits: &[GitCommit]) -> Vec<String> {
    let mut net: BTreeMap<&str, bool> = BTreeMap::new();
    // Oldest first, so the last change of a path decides.
    for commit in commits.iter().rev() {
        for (change, path) in &commit.paths {
            net.insert(path, !matches!(change, Change::Deleted));
        }
    }
    net.into_iter()
        .filter(|(path, present)| *present && path.rsplit_once('.').is_some_and(|(_, ext)| EXTENSIONS.contains(&ext)))
        .map(|(path, _)| path.to_string())
        .take(MAX_HEADS)
        .collect()
}

/// Package manifests whose heads name the package a library runbook yanks,
/// whether or not the release changed them.
const MANIFESTS: &[&str] = &["Cargo.toml", "package.json", "pyproject.toml", "setup.py", "go.mod"];
/// The most manifests read from the tree (shallowest first).
const MAX_MANIFESTS: usize = 20;

/// [`head_paths`] plus the package manifests of `tree` (the shallowest
/// [`MAX_MANIFESTS`], `*.gemspec` included), sorted, deduplicated, at most
/// [`MAX_HEADS`].
pub fn with_manifests(mut paths: Vec<String>, tree: &[String]) -> Vec<String> {
    let mut manifests: Vec<&String> = tree
        .iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            MANIFESTS.contains(&name) || name.ends_with(".gemspec")
        })
        .collect();
    manifests.sort_by_key(|p| (p.matches('/').count(), p.as_str()));
    paths.extend(manifests.into_iter().take(MAX_MANIFESTS).cloned());
    paths.sort();
    paths.dedup();
    paths.truncate(MAX_HEADS);
    paths
}

impl Repo {
    /// Every file path of `commit`'s tree, sorted (git's order).
    pub fn tree_paths(&self, commit: &str) -> Result<Vec<String>> {
        let out = self.capture(["ls-tree", "-r", "-z", "--name-only", "--end-of-options", commit])?;
        Ok(out.split(|&b| b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect())
    }

    /// The first [`HEAD_BYTES`] of each of `paths` at `commit`, cut at a line
    /// end when there is one, as `(path, head)`; paths that are not regular
    /// files there, or are larger than 8 MiB, are left out. Two `git
    /// cat-file` calls: sizes first, then the contents of those that fit.
    pub fn file_heads(&self, commit: &str, paths: &[String]) -> Result<Vec<(String, String)>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        // `<commit>:<path>` names; a path with a line break cannot be asked for.
        let asked: Vec<&String> = paths.iter().filter(|p| !p.contains('\n')).collect();
        let mut names = String::new();
        for path in &asked {
            names.push_str(&format!("{commit}:{path}\n"));
        }
        let sizes = self.batch(&["cat-file", "--batch-check=%(objecttype) %(objectsize)"], names.as_bytes())?;
        let mut wanted = Vec::new();
        let mut request = String::new();
        for (path, line) in asked.iter().zip(String::from_utf8_lossy(&sizes).lines()) {
            let mut f = line.split(' ');
            if f.next() == Some("blob") && f.next().and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| s <= MAX_BLOB) {
                wanted.push((*path).clone());
                request.push_str(&format!("{commit}:{path}\n"));
            }
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let out = self.batch(&["cat-file", "--batch"], request.as_bytes())?;
        let mut heads = Vec::with_capacity(wanted.len());
        let mut rest = &out[..];
        for path in wanted {
            // `<id> blob <size>\n<content>\n`
            let Some(eol) = rest.iter().position(|&b| b == b'\n') else { break };
            let header = String::from_utf8_lossy(&rest[..eol]).into_owned();
            let size: usize = header.rsplit(' ').next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let body_start = eol + 1;
            let body_end = (body_start + size).min(rest.len());
            let body = &rest[body_start..body_end];
            heads.push((path, head_of(body)));
            rest = rest.get(body_end + 1..).unwrap_or(&[]);
        }
        Ok(heads)
    }

    /// Runs a batch git command with `input` on stdin.
    fn batch(&self, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
        let mut c = self.command(false);
        c.args(args).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        let mut child = c.spawn().map_err(|e| crate::git::GitError::Missing(e.to_string()))?;
        let mut stdin = child.stdin.take();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            if let Some(s) = stdin.as_mut() {
                let _ = s.write_all(&input);
            }
        });
        let out = child.wait_with_output().map_err(|e| crate::git::GitError::Missing(e.to_string()))?;
        let _ = writer.join();
        Ok(out.stdout)
    }
}

/// The first [`HEAD_BYTES`] of `body`, cut after the last line end in them
/// when there is one; invalid UTF-8 replaced.
fn head_of(body: &[u8]) -> String {
    let mut cut = &body[..body.len().min(HEAD_BYTES)];
    if cut.len() < body.len()
        && let Some(last) = cut.iter().rposition(|&b| b == b'\n')
    {
        cut = &cut[..=last];
    }
    String::from_utf8_lossy(cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_cut_at_a_line_end() {
        let body = "a: 1\n".repeat(2000);
        let head = head_of(body.as_bytes());
        assert!(head.len() <= HEAD_BYTES && head.ends_with('\n'), "{}", head.len());
        assert_eq!(head_of(b"kind: Deployment"), "kind: Deployment");
    }
}

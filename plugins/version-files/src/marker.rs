//! Any other file: each line that holds the marker `x-relkit-version` has
//! its first semantic version replaced (a leading `v` stays).

use crate::edit::{self, Change};

/// The marker a line must hold.
pub const MARKER: &str = "x-relkit-version";

/// The changes of a marked file; a file with no marker line, or a marker
/// line with no version, is an error naming the line.
pub fn set_markers(path: &str, text: &str, new: &str) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    let mut start = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if line.contains(MARKER) {
            let location = format!("line {}", n + 1);
            let Some(found) = first_version(line) else {
                return Err(edit::error(
                    path,
                    &format!("an {MARKER} marker with no semantic version on its line"),
                    &location,
                    "put the version (1.2.3) on the marker's line, or remove the marker",
                ));
            };
            let old = line[found.clone()].to_string();
            changes.push(Change {
                span: start + found.start..start + found.end,
                replacement: new.to_string(),
                location,
                old,
                new: new.to_string(),
            });
        }
        start += line.len();
    }
    if changes.is_empty() {
        return Err(edit::error(
            path,
            &format!("no line holds the {MARKER} marker"),
            "any line",
            &format!(
                "add {MARKER} (in a comment) to each line that holds the version, or set fields for a TOML, JSON or YAML file"
            ),
        ));
    }
    Ok(changes)
}

/// The byte range of the first semantic version in `line`, without a
/// leading `v`: `MAJOR.MINOR.PATCH` not inside a longer number or word,
/// with a pre-release (`-rc.1`, `-beta`, `-alpha.2`, `-0.3`: identifiers
/// that begin with alpha, beta, rc, pre, preview, dev, next, canary or a
/// digit) and build metadata (`+build.5`). Other `-` suffixes are not taken
/// as part of it (`relkit-1.2.3-x86_64.tar.gz` holds `1.2.3`).
pub fn first_version(line: &str) -> Option<std::ops::Range<usize>> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && boundary_before(b, i)
            && let Some(mut end) = core_end(b, i)
        {
            if b.get(end) == Some(&b'-') {
                let ident = ident_end(b, end + 1);
                let first = &line[end + 1..ident];
                const LABELS: [&str; 8] = ["alpha", "beta", "rc", "pre", "preview", "dev", "next", "canary"];
                let word = first.split(['.', '-']).next().unwrap_or("");
                let label = word.trim_end_matches(|c: char| c.is_ascii_digit());
                if !first.is_empty()
                    && (LABELS.contains(&label.to_ascii_lowercase().as_str())
                        || word.bytes().all(|c| c.is_ascii_digit()) && !word.is_empty())
                {
                    end = ident;
                }
            }
            if b.get(end) == Some(&b'+') && ident_end(b, end + 1) > end + 1 {
                end = ident_end(b, end + 1);
            }
            if semver::Version::parse(&line[i..end]).is_ok()
                && !matches!(b.get(end), Some(c) if c.is_ascii_alphanumeric())
            {
                return Some(i..end);
            }
        }
        i += 1;
    }
    None
}

/// A version may start here: not inside a number or a word (a `v` before
/// it is fine when the `v` itself starts a word).
fn boundary_before(b: &[u8], i: usize) -> bool {
    match i.checked_sub(1).map(|j| b[j]) {
        None => true,
        Some(b'v' | b'V') => i < 2 || !(b[i - 2].is_ascii_alphanumeric() || b[i - 2] == b'.'),
        Some(c) => !(c.is_ascii_alphanumeric() || c == b'.' || c == b'_'),
    }
}

/// The end of `N.N.N` starting at `i`, if there is one.
fn core_end(b: &[u8], i: usize) -> Option<usize> {
    let mut at = i;
    for part in 0..3 {
        let start = at;
        while at < b.len() && b[at].is_ascii_digit() {
            at += 1;
        }
        if at == start {
            return None;
        }
        if part < 2 {
            if b.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    if b.get(at) == Some(&b'.') && b.get(at + 1).is_some_and(u8::is_ascii_digit) {
        return None; // 1.2.3.4 is not a semantic version
    }
    Some(at)
}

/// The end of dot-separated identifiers (`rc.1`, `build.5`) from `i`, without a trailing dot.
fn ident_end(b: &[u8], i: usize) -> usize {
    let mut at = i;
    while at < b.len() && (b[at].is_ascii_alphanumeric() || b[at] == b'-' || b[at] == b'.') {
        at += 1;
    }
    while at > i && matches!(b[at - 1], b'.' | b'-') {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(line: &str) -> Option<&str> {
        first_version(line).map(|r| &line[r])
    }

    #[test]
    fn finds_the_first_version_on_a_line() {
        assert_eq!(first("cargo install relkit --version 1.2.3 # x-relkit-version"), Some("1.2.3"));
        assert_eq!(first("uses: relkit/relkit@v1.2.3"), Some("1.2.3"));
        assert_eq!(first("relkit-1.2.3-x86_64-linux.tar.gz"), Some("1.2.3"));
        assert_eq!(first("image: relkit:1.2.3-rc.1."), Some("1.2.3-rc.1"));
        assert_eq!(first("1.2.3-beta2+build.5, then"), Some("1.2.3-beta2+build.5"));
        assert_eq!(first("node 1.2.3.4 and 10.0.1"), Some("10.0.1"));
        assert_eq!(first("abc1.2.3 v2.0.0"), Some("2.0.0"));
        assert_eq!(first("01.2.3"), None);
        assert_eq!(first("version 1.2"), None);
    }

    #[test]
    fn replaces_every_marked_line_and_only_those() {
        let text = "1.0.0\r\nv1.0.0 <!-- x-relkit-version -->\r\nx-relkit-version: 1.0.0-rc.1\n";
        let changes = set_markers("R.md", text, "2.0.0").unwrap();
        let out = edit::apply(text, &changes).unwrap();
        assert_eq!(out, "1.0.0\r\nv2.0.0 <!-- x-relkit-version -->\r\nx-relkit-version: 2.0.0\n");
        assert_eq!(changes[1].location, "line 3");
    }
}

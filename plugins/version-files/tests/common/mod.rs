//! Helpers of the integration tests: inputs from fixtures, the byte-exactness
//! check and a unified-style view of what changed.

#![allow(dead_code)]

use relkit_plugin_sdk::version_files::VersionFile;
use relkit_plugin_version_files::edit::{self, Change};

/// The fixture at `tests/fixtures/<path>`, configured as `path`.
pub fn fixture(path: &str, version: &str, fields: &[&str]) -> VersionFile {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    file(path, &text, version, fields)
}

/// An input file.
pub fn file(path: &str, text: &str, version: &str, fields: &[&str]) -> VersionFile {
    VersionFile {
        path: path.to_string(),
        text: text.to_string(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        version: version.to_string(),
        companion: path.ends_with(".lock") || path.ends_with("-lock.json") || path.ends_with("shrinkwrap.json"),
    }
}

/// A member `Cargo.toml` of a configured workspace, as the host gives it: a
/// companion.
pub fn member(path: &str, text: &str, version: &str) -> VersionFile {
    VersionFile { companion: true, ..file(path, text, version, &[]) }
}

/// Asserts that `changes` only rewrite version values: each span holds
/// exactly the old value, and reverting the new text span by span gives the
/// old text back byte for byte.
pub fn assert_only_values_change(before: &str, after: &str, changes: &[Change]) {
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by_key(|c| c.span.start);
    let mut reverted = String::new();
    let (mut at_before, mut at_after) = (0, 0);
    for c in sorted {
        let old_text = &before[c.span.clone()];
        assert!(
            old_text == c.old || old_text == c.old.trim_start_matches('v') || before[..c.span.end].ends_with(&c.old),
            "span {:?} holds {old_text:?}, not the old value {:?}",
            c.span,
            c.old
        );
        assert!(c.new.ends_with(&c.replacement) || c.replacement.ends_with(c.new.trim_start_matches('v')));
        let unchanged = &before[at_before..c.span.start];
        assert_eq!(&after[at_after..at_after + unchanged.len()], unchanged, "bytes outside the value changed");
        reverted.push_str(unchanged);
        at_after += unchanged.len();
        assert_eq!(&after[at_after..at_after + c.replacement.len()], c.replacement);
        reverted.push_str(old_text);
        at_after += c.replacement.len();
        at_before = c.span.end;
    }
    assert_eq!(&after[at_after..], &before[at_before..], "bytes after the last value changed");
    reverted.push_str(&before[at_before..]);
    assert_eq!(reverted, before);
}

/// The changed lines of one file, unified-style, line endings shown.
pub fn view(path: &str, before: &str, after: &str, changes: &[Change]) -> String {
    let mut out = format!("=== {path}\n");
    for c in changes {
        let (line, _) = edit::line_col(before, c.span.start);
        out.push_str(&format!("# {}: {} -> {} (line {line})\n", c.location, c.old, c.new));
    }
    let shown = |l: &str| l.replace('\r', "\\r").replace('\n', "\\n").replace('\t', "\\t");
    let (b, a): (Vec<&str>, Vec<&str>) =
        (before.split_inclusive('\n').collect(), after.split_inclusive('\n').collect());
    assert_eq!(b.len(), a.len(), "the number of lines changed");
    for (n, (l, r)) in b.iter().zip(&a).enumerate() {
        if l != r {
            out.push_str(&format!("@@ {} @@\n-{}\n+{}\n", n + 1, shown(l), shown(r)));
        }
    }
    out
}

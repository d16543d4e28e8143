//! What every format shares: a change to one value's byte span, the version
//! check, dotted keys and error text.

use std::ops::Range;

/// One value to replace: `span` (byte offsets into the file's text) becomes
/// `replacement`. `old` and `new` are the version values as the user reads
/// them (without quotes), `location` names the key or line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub span: Range<usize>,
    pub replacement: String,
    pub location: String,
    pub old: String,
    pub new: String,
}

/// `text` with every change applied. Spans must not overlap; an overlapping
/// or out-of-range span is a bug of the caller, reported as an error.
pub fn apply(text: &str, changes: &[Change]) -> Result<String, String> {
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by_key(|c| c.span.start);
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for c in sorted {
        if c.span.start < at || c.span.end > text.len() || c.span.start > c.span.end {
            return Err(format!("internal error: overlapping or invalid edit {:?} at {}", c.span, c.location));
        }
        out.push_str(text.get(at..c.span.start).ok_or("internal error: edit inside a character")?);
        out.push_str(&c.replacement);
        at = c.span.end;
    }
    out.push_str(text.get(at..).ok_or("internal error: edit inside a character")?);
    Ok(out)
}

/// A version value as relkit accepts it: semver with an optional leading `v`.
/// Returns the prefix (`""` or `"v"`) on success.
pub fn version_prefix(value: &str) -> Option<&'static str> {
    let (prefix, rest) = match value.strip_prefix('v') {
        Some(rest) => ("v", rest),
        None => ("", value),
    };
    semver::Version::parse(rest).ok().map(|_| prefix)
}

/// The new value for an old one: `new`, with the old value's leading `v` kept.
/// `Err` is the "not a version" part of an error message.
pub fn new_value(old: &str, new: &str) -> Result<String, String> {
    match version_prefix(old) {
        Some(prefix) => Ok(format!("{prefix}{new}")),
        None => Err(format!("value {old:?} is not a version")),
    }
}

/// The fix for a value that is not a version.
pub const NOT_A_VERSION_FIX: &str = "set it to a semantic version such as 1.2.3 (a leading v is kept)";

/// An error line: `<path>: <what> (<where>); <fix>`.
pub fn error(path: &str, what: &str, location: &str, fix: &str) -> String {
    format!("{path}: {what} ({location}); {fix}")
}

/// 1-based line and column of byte `offset` in `text` (columns count characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Sets each dotted key of `fields` (the `fields` of a `[[version-files]]`
/// entry) with `set(segments, field)`, which gives `None` for a key the
/// document does not have. A key that does not split, or is absent, is an
/// error naming it. One loop for the TOML, JSON and YAML editors.
pub fn set_fields(
    path: &str,
    fields: &[String],
    mut set: impl FnMut(&[String], &str) -> Result<Option<Change>, String>,
) -> Result<Vec<Change>, String> {
    fields
        .iter()
        .map(|field| {
            let key = split_key(field).map_err(|e| error(path, &e, field, "fix the key in fields"))?;
            set(&key, field)?.ok_or_else(|| crate::toml::missing(path, field))
        })
        .collect()
}

/// The segments of a dotted key: `a.b.c`, with `"..."` for a segment that
/// holds a dot (`tool."my.app".version`).
pub fn split_key(key: &str) -> Result<Vec<String>, String> {
    let mut segments = Vec::new();
    let mut rest = key;
    loop {
        let (segment, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').ok_or_else(|| format!("unclosed quote in key {key:?}"))?;
            (quoted[..end].to_string(), &quoted[end + 1..])
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        };
        if segment.is_empty() && !key.contains('"') {
            return Err(format!("empty segment in key {key:?}"));
        }
        segments.push(segment);
        if after.is_empty() {
            return Ok(segments);
        }
        rest = after.strip_prefix('.').ok_or_else(|| format!("expected '.' after a quoted segment in key {key:?}"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_with_and_without_v() {
        assert_eq!(version_prefix("1.2.3"), Some(""));
        assert_eq!(version_prefix("v1.2.3-rc.1+b5"), Some("v"));
        assert_eq!(version_prefix("1.2"), None);
        assert_eq!(version_prefix("V1.2.3"), None);
        assert_eq!(new_value("v1.0.0", "1.1.0").as_deref(), Ok("v1.1.0"));
    }

    #[test]
    fn dotted_keys() {
        assert_eq!(split_key("a.b").unwrap(), ["a", "b"]);
        assert_eq!(split_key("tool.\"my.app\".version").unwrap(), ["tool", "my.app", "version"]);
        assert!(split_key("a..b").is_err());
        assert!(split_key("\"a").is_err());
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }

    #[test]
    fn apply_replaces_spans_in_any_order() {
        let c = |s: Range<usize>, r: &str| Change {
            span: s,
            replacement: r.into(),
            location: String::new(),
            old: String::new(),
            new: String::new(),
        };
        assert_eq!(apply("a=1 b=2", &[c(6..7, "X"), c(2..3, "YY")]).unwrap(), "a=YY b=X");
        assert!(apply("abc", &[c(0..2, ""), c(1..3, "")]).is_err());
    }
}

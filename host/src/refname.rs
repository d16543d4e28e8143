//! Names that reach git as refs or remotes, checked before git sees them.
//!
//! The rules are git's own (`git help check-ref-format`), checked in-process so
//! that a bad `tag-prefix` or `remote` is reported when the configuration is
//! loaded, with the key and line, instead of by git halfway through a
//! release. relkit adds one rule: no name starts with `-`, so that no value
//! can ever be read by git as an option (relkit also passes every value after
//! `--end-of-options`; this is the second lock on that door).

/// Why `name` is not a valid ref name, per `git check-ref-format`; `None`
/// when it is valid.
///
/// Rules (git's documentation): no component starts with `.` or ends with
/// `.lock`; no `..`; no ASCII control character, space, `~`, `^`, `:`, `?`,
/// `*`, `[` or `\`; it does not start or end with `/`, has no `//`, does not
/// end with `.`; no `@{`; it is not `@`.
pub fn ref_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".to_string());
    }
    if name.starts_with('-') {
        return Some("starts with `-`, which git would read as an option".to_string());
    }
    if name == "@" {
        return Some("is `@`, which git reserves".to_string());
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_control() || " ~^:?*[\\".contains(*c)) {
        let shown =
            if c.is_ascii_control() { format!("control character U+{:04X}", c as u32) } else { format!("`{c}`") };
        return Some(format!("contains {shown}, which git does not allow in a ref name"));
    }
    for (bad, why) in [("..", "`..`"), ("@{", "`@{`"), ("//", "`//`")] {
        if name.contains(bad) {
            return Some(format!("contains {why}, which git does not allow in a ref name"));
        }
    }
    if name.starts_with('/') || name.ends_with('/') || name.ends_with('.') {
        return Some("starts or ends with `/`, or ends with `.`".to_string());
    }
    if name.split('/').any(|c| c.starts_with('.') || c.ends_with(".lock")) {
        return Some("has a part that starts with `.` or ends with `.lock`".to_string());
    }
    None
}

/// Why `prefix` cannot start release tags (`<prefix>1.2.3` must be a valid
/// tag name), or `None`. An empty prefix is fine: tags are then `1.2.3`.
pub fn tag_prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return None;
    }
    // Checked on a sample tag, so that rules about the end of a name (`.`,
    // `/`, `.lock`) apply to the tag and not to the bare prefix.
    ref_problem(&format!("{prefix}1.2.3"))
}

/// Why `name` is not a remote name git accepts (git's `valid_remote_name`:
/// `refs/remotes/<name>/test` is a valid ref), or `None`.
pub fn remote_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".to_string());
    }
    if name.starts_with('-') {
        return Some("starts with `-`, which git would read as an option".to_string());
    }
    // Stricter than git on purpose: a remote name from a config file with a
    // `;` or `$` in it is a mistake or an attack, never a remote.
    let odd = name.chars().any(|c| !(c.is_ascii_alphanumeric() || "-_./".contains(c)));
    let git_says_no = ref_problem(&format!("refs/remotes/{name}/test"));
    (odd || git_says_no.is_some()).then(|| {
        "is not a remote name git accepts (letters, digits, `-`, `_`, `.` and `/`; no spaces or \
         shell characters)"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_rules() {
        for good in ["v", "api-v", "pkg@", "release/v", ""] {
            assert_eq!(tag_prefix_problem(good), None, "{good}");
        }
        for bad in ["-v", "--receive-pack=x", "v ", "v..", "a:b", "x~", "[v", "v\\", ".v", "a/.b/", "v\n", "a@{"] {
            assert!(tag_prefix_problem(bad).is_some(), "{bad:?}");
        }
        assert!(ref_problem("refs/tags/v1.0.0.lock").is_some());
        assert!(ref_problem("@").is_some());
        assert!(ref_problem("refs/tags/v1.0.0").is_none());
    }

    #[test]
    fn remotes() {
        for good in ["origin", "upstream", "my.remote", "a/b", "gitlab_ci"] {
            assert_eq!(remote_problem(good), None, "{good}");
        }
        for bad in ["--receive-pack=touch owned; false", "-o", "a b", "a;b", "", "x:y", "a..b"] {
            assert!(remote_problem(bad).is_some(), "{bad:?}");
        }
    }
}

//! The commit-message rules of `relkit check`: a header the Conventional
//! Commits 1.0.0 grammar accepts (`type(scope)!: description`), a type and
//! scope from the allowed lists, a header no longer than the limit, and a
//! `BREAKING CHANGE` footer that says something. Merge commits, git's own
//! `Revert "…"`/`Reapply "…"` subjects and (by default) `fixup!`/`squash!`/
//! `amend!` commits pass unchecked, as commitlint's default ignores do.

use crate::config::{CheckConfig, Preset};

/// The types `conventional` accepts by default: commitlint's
/// `config-conventional` list (`type-enum`).
pub const CONVENTIONAL_TYPES: &[&str] =
    &["build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test"];

/// The types `semantic-release` accepts by default: the Angular commit
/// convention's list (angular/angular CONTRIBUTING.md), which its default
/// `conventional-changelog-angular` preset reads, plus `revert`, which its
/// commit analyzer releases.
pub const ANGULAR_TYPES: &[&str] = &["build", "ci", "docs", "feat", "fix", "perf", "refactor", "test", "revert"];

/// The rules in force: `[check]` over the preset's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub types: Vec<String>,
    pub scopes: Option<Vec<String>>,
    pub require_scope: bool,
    pub max_header_length: usize,
    pub allow_fixup: bool,
}

impl Rules {
    /// `[check]` with the preset's types when `types` is not set; the types
    /// of `[[version.rules]]` are allowed too (a rule for a type is a use of it).
    pub fn new(config: &CheckConfig, preset: Preset, rule_types: &[String]) -> Rules {
        let mut types: Vec<String> = match &config.types {
            Some(types) => types.clone(),
            None => {
                let defaults = if preset == Preset::SemanticRelease { ANGULAR_TYPES } else { CONVENTIONAL_TYPES };
                defaults.iter().map(|t| t.to_string()).collect()
            }
        };
        for t in rule_types {
            if !types.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                types.push(t.clone());
            }
        }
        Rules {
            types,
            scopes: config.scopes.clone(),
            require_scope: config.require_scope,
            max_header_length: config.max_header_length,
            allow_fixup: config.allow_fixup,
        }
    }
}

/// What the check says about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Passes without being read: why (`merge commit`, `git revert`, `fixup! commit`).
    Skipped(&'static str),
    /// A Conventional Commit that follows every rule.
    Passed,
    /// What is wrong, each with its fix; never empty.
    Failed(Vec<String>),
}

/// The parts of a Conventional Commit header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    pub kind: &'a str,
    pub scope: Option<&'a str>,
    pub breaking: bool,
    pub description: &'a str,
}

/// Parses `type(scope)!: description` (Conventional Commits 1.0.0, items
/// 1–5): a type of letters, digits and hyphens starting with a letter, an
/// optional scope in parentheses, an optional `!`, a colon and a space.
pub fn header(line: &str) -> Option<Header<'_>> {
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))?;
    let kind = &line[..end];
    if !kind.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut rest = &line[end..];
    let mut scope = None;
    if let Some(after) = rest.strip_prefix('(') {
        let close = after.find(')')?;
        let inner = &after[..close];
        if inner.contains('(') {
            return None;
        }
        scope = Some(inner);
        rest = &after[close + 1..];
    }
    let breaking = rest.starts_with('!');
    if breaking {
        rest = &rest[1..];
    }
    let description = rest.strip_prefix(':')?;
    // "type:" with nothing after is a header with an empty description.
    let description = if description.is_empty() { "" } else { description.strip_prefix(' ')? };
    Some(Header { kind, scope, breaking, description })
}

/// Checks one commit message (`parents`: how many parents the commit has;
/// 0 for a PR title).
pub fn check(message: &str, parents: usize, rules: &Rules) -> Verdict {
    let subject = message.trim_start_matches(['\n', '\r']).lines().next().unwrap_or("").trim_end();
    if parents > 1 || subject.starts_with("Merge ") {
        return Verdict::Skipped("merge commit");
    }
    if subject.starts_with("Revert \"") || subject.starts_with("Reapply \"") {
        return Verdict::Skipped("git revert");
    }
    if rules.allow_fixup && ["fixup! ", "squash! ", "amend! "].iter().any(|p| subject.starts_with(p)) {
        return Verdict::Skipped("fixup! commit");
    }
    let mut problems = Vec::new();
    let length = subject.chars().count();
    if length > rules.max_header_length {
        problems.push(format!(
            "the header is {length} characters, more than {} ([check] max-header-length); shorten it and move \
             details to the body",
            rules.max_header_length
        ));
    }
    let Some(h) = header(subject) else {
        problems.insert(
            0,
            "not a Conventional Commit: write the header as `type(scope): description`, e.g. `fix(api): handle \
             empty pages`"
                .to_string(),
        );
        return Verdict::Failed(problems);
    };
    if !rules.types.iter().any(|t| t.eq_ignore_ascii_case(h.kind)) {
        problems.push(format!("type `{}` is not allowed; use one of {}", h.kind, rules.types.join(", ")));
    }
    match (h.scope, &rules.scopes) {
        (None, _) if rules.require_scope => {
            problems.push(format!("a scope is required ([check] require-scope): write `{}(scope): …`", h.kind));
        }
        (Some(""), _) => {
            problems.push("the scope is empty: write `type(scope): …` or leave out the parentheses".into())
        }
        // `feat(api,web): …` names two packages' scopes, as relkit reads it
        // for [[packages]]: each must be allowed.
        (Some(scope), Some(allowed)) => {
            for one in scope.split(',').map(str::trim) {
                if one.is_empty() {
                    problems.push(format!("scope `{scope}` has an empty part: write `type(a,b): …`"));
                } else if !allowed.iter().any(|s| s == one) {
                    problems.push(format!("scope `{one}` is not allowed; use one of {}", allowed.join(", ")));
                }
            }
        }
        _ => {}
    }
    if h.description.trim().is_empty() {
        problems.push(format!("the description is empty: say what the change does after `{}: `", h.kind));
    }
    if let Some(line) = message.lines().find(|l| {
        let key = l.split(':').next().unwrap_or("");
        (key == "BREAKING CHANGE" || key == "BREAKING-CHANGE") && l[key.len()..].starts_with(':')
    }) && line.split_once(':').is_some_and(|(_, text)| text.trim().is_empty())
    {
        problems.push(
            "the BREAKING CHANGE footer says nothing: write what breaks and how to migrate after `BREAKING CHANGE: `"
                .to_string(),
        );
    }
    if problems.is_empty() { Verdict::Passed } else { Verdict::Failed(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::new(&CheckConfig::default(), Preset::Conventional, &[])
    }

    fn problems(message: &str, rules: &Rules) -> Vec<String> {
        match check(message, 1, rules) {
            Verdict::Failed(p) => p,
            other => panic!("{message:?} passed: {other:?}"),
        }
    }

    #[test]
    fn headers_follow_the_grammar() {
        let h = header("feat(api)!: drop v1").unwrap();
        assert_eq!((h.kind, h.scope, h.breaking, h.description), ("feat", Some("api"), true, "drop v1"));
        assert!(header("feat drop v1").is_none());
        assert!(header("feat:drop").is_none(), "the space after the colon is required");
        assert!(header("(api): x").is_none());
        assert!(header("feat(api: x").is_none());
        assert_eq!(header("fix:").map(|h| h.description), Some(""));
    }

    #[test]
    fn each_rule_names_the_fix() {
        let r = rules();
        assert_eq!(check("feat(api): add pagination", 1, &r), Verdict::Passed);
        assert!(problems("update stuff", &r)[0].starts_with("not a Conventional Commit: write the header as"));
        assert_eq!(
            problems("feature: x", &r),
            [
                "type `feature` is not allowed; use one of build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test"
            ]
        );
        assert_eq!(problems("fix: ", &r), ["the description is empty: say what the change does after `fix: `"]);
        assert_eq!(
            problems("fix(): x", &r),
            ["the scope is empty: write `type(scope): …` or leave out the parentheses"]
        );
        let long = format!("fix: {}", "a".repeat(100));
        assert!(problems(&long, &r)[0].starts_with("the header is 105 characters, more than 100"));
        assert!(
            problems("feat!: x\n\nBREAKING CHANGE:\n", &r)[0].starts_with("the BREAKING CHANGE footer says nothing")
        );
        let strict = Rules { scopes: Some(vec!["api".into(), "cli".into()]), require_scope: true, ..rules() };
        assert_eq!(problems("fix: x", &strict), ["a scope is required ([check] require-scope): write `fix(scope): …`"]);
        assert_eq!(problems("fix(db): x", &strict), ["scope `db` is not allowed; use one of api, cli"]);
        // Two packages' scopes, as [[packages]] reads them: each is checked.
        assert_eq!(check("feat(api,cli): x", 1, &strict), Verdict::Passed);
        assert_eq!(check("feat(api, cli): x", 1, &strict), Verdict::Passed);
        assert_eq!(problems("feat(api,db): x", &strict), ["scope `db` is not allowed; use one of api, cli"]);
        assert_eq!(problems("feat(api,): x", &strict), ["scope `api,` has an empty part: write `type(a,b): …`"]);
    }

    #[test]
    fn merges_reverts_and_fixups_pass() {
        let r = rules();
        assert_eq!(check("Merge branch 'x'", 1, &r), Verdict::Skipped("merge commit"));
        assert_eq!(check("anything", 2, &r), Verdict::Skipped("merge commit"));
        assert_eq!(check("Revert \"feat: x\"", 1, &r), Verdict::Skipped("git revert"));
        assert_eq!(check("fixup! feat: x", 1, &r), Verdict::Skipped("fixup! commit"));
        let strict = Rules { allow_fixup: false, ..rules() };
        assert!(matches!(check("fixup! feat: x", 1, &strict), Verdict::Failed(_)));
    }

    #[test]
    fn presets_and_version_rules_give_the_types() {
        let angular = Rules::new(&CheckConfig::default(), Preset::SemanticRelease, &["deps".to_string()]);
        assert!(angular.types.contains(&"deps".to_string()));
        assert!(!angular.types.contains(&"chore".to_string()));
    }
}

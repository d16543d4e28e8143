//! Path globs for settings such as `[notes] architecture-paths` and the
//! `[rollback]` path classes.
//!
//! Paths are repository-relative with `/` separators. Syntax:
//! - `*` any run of characters within one path segment, `?` one character;
//! - `**` as a whole segment: any number of segments (`docs/adr/**`,
//!   `**/Dockerfile`);
//! - `{a,b}` alternatives (`**/*.{yml,yaml}`);
//! - a pattern matches case-sensitively and must match the whole path.

/// A compiled set of alternatives for one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    alternatives: Vec<Vec<String>>,
}

impl Glob {
    /// Compiles a pattern. Fails on an unbalanced `{`.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let expanded = expand_braces(pattern).ok_or_else(|| format!("glob `{pattern}`: unbalanced `{{`"))?;
        let alternatives = expanded
            .iter()
            .map(|p| p.trim_start_matches("./").split('/').filter(|s| !s.is_empty()).map(str::to_string).collect())
            .collect();
        Ok(Self { pattern: pattern.to_string(), alternatives })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether `path` matches.
    ///
    /// ```
    /// use relkit_plugin_sdk::glob::Glob;
    /// let g = Glob::new("docs/adr/**").unwrap();
    /// assert!(g.matches("docs/adr/0001-record.md"));
    /// assert!(!g.matches("docs/adrs/0001.md"));
    /// ```
    pub fn matches(&self, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.alternatives.iter().any(|alt| {
            let alt: Vec<&str> = alt.iter().map(String::as_str).collect();
            match_segments(&alt, &segments)
        })
    }
}

/// Compiles many patterns; the first invalid one is the error.
pub fn compile_all(patterns: &[String]) -> Result<Vec<Glob>, String> {
    patterns.iter().map(|p| Glob::new(p)).collect()
}

/// Whether any of `globs` matches `path`.
pub fn any_match(globs: &[Glob], path: &str) -> bool {
    globs.iter().any(|g| g.matches(path))
}

fn match_segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| match_segments(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => match_segment(first.as_bytes(), segment.as_bytes()) && match_segments(rest, path_rest),
            None => false,
        },
    }
}

fn match_segment(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative wildcard matching with one backtrack point for `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// `a{b,c}d` → `abd`, `acd`; nested braces work. `None` when unbalanced.
fn expand_braces(pattern: &str) -> Option<Vec<String>> {
    let Some(open) = pattern.find('{') else {
        return (!pattern.contains('}')).then(|| vec![pattern.to_string()]);
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    let close = close?;
    let (prefix, suffix) = (&pattern[..open], &pattern[close + 1..]);
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let mut out = Vec::new();
    for pair in bounds.windows(2) {
        let choice = &pattern[pair[0] + 1..pair[1]];
        for expanded in expand_braces(&format!("{prefix}{choice}{suffix}"))? {
            out.push(expanded);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).unwrap().matches(path)
    }

    #[test]
    fn double_star_spans_segments() {
        assert!(m("**/Dockerfile", "Dockerfile"));
        assert!(m("**/Dockerfile", "services/api/Dockerfile"));
        assert!(!m("**/Dockerfile", "services/api/Dockerfile.md"));
        assert!(m("k8s/**", "k8s/prod/deploy.yaml"));
        assert!(!m("k8s/**", "k8s.yaml"));
        assert!(m("**/migrations/**", "app/migrations/0001_init.py"));
    }

    #[test]
    fn star_stays_in_a_segment() {
        assert!(m("**/V*__*.sql", "db/V1__init.sql"));
        assert!(!m("**/V*__*.sql", "db/V1_init.sql"));
        assert!(!m("*.tf", "infra/main.tf"));
        assert!(m("**/*.tf", "infra/main.tf"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
    }

    #[test]
    fn braces_expand() {
        assert!(m("**/*.{yml,yaml}", "deploy/app.yaml"));
        assert!(m("**/*.{yml,yaml}", "deploy/app.yml"));
        assert!(!m("**/*.{yml,yaml}", "deploy/app.json"));
        assert!(Glob::new("{a,b").is_err());
    }
}

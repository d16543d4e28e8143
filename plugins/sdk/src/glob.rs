//! Path globs for settings such as `[notes] architecture-paths` and the
//! `[rollback]` path classes.
//!
//! Paths are repository-relative with `/` separators. Syntax:
//! - `*` any run of characters within one path segment, `?` one character,
//!   `[0-9]` / `[!x]` one character of (or not of) a class;
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
            Some((segment, path_rest)) => match_segment(first, segment) && match_segments(rest, path_rest),
            None => false,
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    Any,
    Star,
    /// `[a-z0-9]`, `[!x]`: ranges and whether the class is negated.
    Class(Vec<(char, char)>, bool),
}

fn tokenize(segment: &str) -> Vec<Token> {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Token::Star),
            '?' => out.push(Token::Any),
            '[' => {
                // A class runs to the next `]` (a `]` right after `[` or `[!` is literal).
                let negated = matches!(chars.get(i + 1), Some('!' | '^'));
                let start = i + 1 + usize::from(negated);
                let close = (start + 1..chars.len()).find(|&j| chars[j] == ']');
                match close {
                    Some(end) => {
                        let mut ranges = Vec::new();
                        let mut j = start;
                        while j < end {
                            if j + 2 < end && chars[j + 1] == '-' {
                                ranges.push((chars[j], chars[j + 2]));
                                j += 3;
                            } else {
                                ranges.push((chars[j], chars[j]));
                                j += 1;
                            }
                        }
                        out.push(Token::Class(ranges, negated));
                        i = end;
                    }
                    None => out.push(Token::Char('[')),
                }
            }
            c => out.push(Token::Char(c)),
        }
        i += 1;
    }
    out
}

fn match_segment(pattern: &str, text: &str) -> bool {
    let tokens = tokenize(pattern);
    let text: Vec<char> = text.chars().collect();
    match_tokens(&tokens, &text)
}

fn match_tokens(tokens: &[Token], text: &[char]) -> bool {
    match tokens.split_first() {
        None => text.is_empty(),
        Some((Token::Star, rest)) => (0..=text.len()).any(|skip| match_tokens(rest, &text[skip..])),
        Some((token, rest)) => match text.split_first() {
            None => false,
            Some((&c, text_rest)) => {
                let ok = match token {
                    Token::Char(p) => *p == c,
                    Token::Any => true,
                    Token::Class(ranges, negated) => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated,
                    Token::Star => false, // matched above
                };
                ok && match_tokens(rest, text_rest)
            }
        },
    }
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
    fn character_classes() {
        assert!(m("**/V[0-9]*__*.sql", "db/V12__add_index.sql"));
        assert!(!m("**/V[0-9]*__*.sql", "db/Vendor__x.sql"));
        assert!(m("[!.]*", "src"));
        assert!(!m("[!.]*", ".git"));
    }

    #[test]
    fn braces_expand() {
        assert!(m("**/*.{yml,yaml}", "deploy/app.yaml"));
        assert!(m("**/*.{yml,yaml}", "deploy/app.yml"));
        assert!(!m("**/*.{yml,yaml}", "deploy/app.json"));
        assert!(Glob::new("{a,b").is_err());
    }
}

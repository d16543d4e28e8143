//! Which commits of a range cancel each other out.
//!
//! A revert whose reverted commit is in the same range cancels it: neither
//! counts for the version, and neither appears in the notes. A revert of a
//! commit outside the range (already released) stands on its own.
//!
//! The range is walked newest first, so a revert that is itself reverted
//! later ("Revert "Revert ..."") is cancelled by that later commit first and
//! the original change stands, which is what the code ends up containing.

use std::collections::HashMap;

use crate::commit::{self, Parsed, Preset};

/// For each cancelled commit id, the id of its partner (the revert or the
/// reverted commit).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cancelled {
    partner: HashMap<String, String>,
}

impl Cancelled {
    pub fn partner_of(&self, id: &str) -> Option<&str> {
        self.partner.get(id).map(String::as_str)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.partner.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.partner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.partner.is_empty()
    }
}

/// Pairs reverts with the commits they revert. `commits` is newest first, each
/// as `(id, parsed message)`.
///
/// `conventional` matches on the hash when the message names one (an
/// abbreviated hash matches its commit), else on the reverted header, leaving
/// out the pull request a squash merge appends to either
/// (`Revert "fix: y" (#123)` takes back `fix: y (#122)`).
/// `semantic-release` needs both to match exactly, as
/// `conventional-commits-filter` does: the quoted header equal to the commit's
/// header and the quoted hash equal to the full commit id, so a revert that
/// names an abbreviated hash cancels nothing there.
pub fn pair(commits: &[(&str, &Parsed)], preset: Preset) -> Cancelled {
    let mut cancelled = Cancelled::default();
    for (i, (revert_id, parsed)) in commits.iter().enumerate() {
        if cancelled.contains(revert_id) {
            continue;
        }
        let Some(of) = &parsed.revert else { continue };
        let target = commits[i + 1..].iter().find(|(id, candidate)| {
            if cancelled.contains(id) {
                return false;
            }
            let header_matches = of.header.as_deref().is_some_and(|h| h.trim() == candidate.header.trim());
            match (preset, of.hash.as_deref()) {
                (Preset::Conventional, Some(h)) => h.len() >= 4 && id.starts_with(h),
                (Preset::Conventional, None) => of.header.as_deref().is_some_and(|h| {
                    commit::without_pull_request(h.trim()) == commit::without_pull_request(candidate.header.trim())
                }),
                (Preset::SemanticRelease, h) => header_matches && h.is_some_and(|h| h.trim() == *id),
            }
        });
        if let Some((target_id, _)) = target {
            cancelled.partner.insert(revert_id.to_string(), target_id.to_string());
            cancelled.partner.insert(target_id.to_string(), revert_id.to_string());
        }
    }
    cancelled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::parse;

    fn run(list: &[(&str, &str)], preset: Preset) -> Cancelled {
        let parsed: Vec<(&str, Parsed)> = list.iter().map(|(id, m)| (*id, parse(m, preset))).collect();
        let refs: Vec<(&str, &Parsed)> = parsed.iter().map(|(id, p)| (*id, p)).collect();
        pair(&refs, preset)
    }

    #[test]
    fn a_revert_in_range_cancels_its_target() {
        let c = run(
            &[("bbbb2222", "Revert \"feat: x\"\n\nThis reverts commit aaaa1111."), ("aaaa1111", "feat: x")],
            Preset::Conventional,
        );
        assert_eq!(c.partner_of("aaaa1111"), Some("bbbb2222"));
        assert_eq!(c.partner_of("bbbb2222"), Some("aaaa1111"));
    }

    #[test]
    fn a_revert_of_a_released_commit_stands_alone() {
        let c = run(&[("bbbb2222", "revert: feat: x\n\nThis reverts commit 99999999.")], Preset::Conventional);
        assert!(c.is_empty());
    }

    #[test]
    fn revert_of_a_revert_brings_the_change_back() {
        let c = run(
            &[
                ("cccc3333", "Revert \"Revert \"feat: x\"\"\n\nThis reverts commit bbbb2222."),
                ("bbbb2222", "Revert \"feat: x\"\n\nThis reverts commit aaaa1111."),
                ("aaaa1111", "feat: x"),
            ],
            Preset::Conventional,
        );
        assert_eq!(c.partner_of("cccc3333"), Some("bbbb2222"));
        assert!(!c.contains("aaaa1111"));
    }

    #[test]
    fn reapply_takes_back_the_revert() {
        let c = run(
            &[
                ("cccc3333", "Reapply \"feat: x\"\n\nThis reverts commit bbbb2222."),
                ("bbbb2222", "Revert \"feat: x\"\n\nThis reverts commit aaaa1111."),
                ("aaaa1111", "feat: x"),
            ],
            Preset::Conventional,
        );
        assert_eq!(c.partner_of("cccc3333"), Some("bbbb2222"));
        assert!(!c.contains("aaaa1111"));
        // without hashes, by the quoted headers
        let c = run(
            &[("cccc3333", "Reapply \"feat: x\""), ("bbbb2222", "Revert \"feat: x\""), ("aaaa1111", "feat: x")],
            Preset::Conventional,
        );
        assert_eq!(c.partner_of("cccc3333"), Some("bbbb2222"));
        assert!(!c.contains("aaaa1111"));
    }

    #[test]
    fn squash_merged_reverts_pair_without_the_pull_request_numbers() {
        let c = run(
            &[
                ("bbbb2222", "Revert \"fix(x): handle y\" (#123)\n\nReverts acme/rocket#122"),
                ("aaaa1111", "fix(x): handle y (#122)"),
            ],
            Preset::Conventional,
        );
        assert_eq!(c.partner_of("aaaa1111"), Some("bbbb2222"));
        let c = run(
            &[("bbbb2222", "Revert \"fix(x): handle z\" (#123)"), ("aaaa1111", "fix(x): handle y (#122)")],
            Preset::Conventional,
        );
        assert!(c.is_empty());
    }

    #[test]
    fn semantic_release_needs_header_and_hash() {
        let wrong_header =
            [("bbbb2222", "Revert \"feat: y\"\n\nThis reverts commit aaaa1111."), ("aaaa1111", "feat: x")];
        assert!(run(&wrong_header, Preset::SemanticRelease).is_empty());
        assert_eq!(run(&wrong_header, Preset::Conventional).len(), 2);
        let both = [("bbbb2222", "Revert \"feat: x\"\n\nThis reverts commit aaaa1111."), ("aaaa1111", "feat: x")];
        assert_eq!(run(&both, Preset::SemanticRelease).len(), 2);
        let abbreviated = [("bbbb2222", "Revert \"feat: x\"\n\nThis reverts commit aaaa111."), ("aaaa1111", "feat: x")];
        assert!(run(&abbreviated, Preset::SemanticRelease).is_empty());
    }

    #[test]
    fn header_only_reverts_match_by_header_under_conventional() {
        let c = run(&[("bbbb2222", "revert: feat: x"), ("aaaa1111", "feat: x")], Preset::Conventional);
        assert_eq!(c.len(), 2);
    }
}

//! Links on the forge that hosts the repository. Every function returns `None`
//! when the forge is unknown: relkit never guesses a URL.

use crate::types::{ForgeKind, Repository};

/// Builds web links for one repository.
#[derive(Debug, Clone)]
pub struct Links<'a> {
    forge: ForgeKind,
    web: Option<&'a str>,
    /// `users.noreply.<host>`: the domain of the forge's no-reply addresses.
    noreply_domain: Option<String>,
}

impl<'a> Links<'a> {
    pub fn new(repository: &'a Repository) -> Self {
        let web = match repository.forge {
            ForgeKind::Unknown => None,
            _ => repository.web_url.as_deref().map(|w| w.trim_end_matches('/')),
        };
        let mut links = Self { forge: repository.forge, web, noreply_domain: None };
        links.noreply_domain = links.base().map(|base| {
            let host = base.split("://").nth(1).unwrap_or(base);
            format!("users.noreply.{}", host.split(':').next().unwrap_or(host))
        });
        links
    }

    pub fn noreply_domain(&self) -> Option<&str> {
        self.noreply_domain.as_deref()
    }

    pub fn forge(&self) -> ForgeKind {
        self.forge
    }

    pub fn web(&self) -> Option<&'a str> {
        self.web
    }

    /// `https://host` of the forge.
    pub fn base(&self) -> Option<&'a str> {
        let web = self.web?;
        let after_scheme = web.find("://").map_or(0, |i| i + 3);
        let end = web[after_scheme..].find('/').map_or(web.len(), |i| after_scheme + i);
        Some(&web[..end])
    }

    /// GitLab puts project pages under `/-/`.
    fn project_page(&self, page: &str) -> Option<String> {
        let web = self.web?;
        Some(match self.forge {
            ForgeKind::Gitlab => format!("{web}/-/{page}"),
            _ => format!("{web}/{page}"),
        })
    }

    pub fn commit(&self, id: &str) -> Option<String> {
        self.project_page(&format!("commit/{id}"))
    }

    pub fn compare(&self, from: &str, to: &str) -> Option<String> {
        self.project_page(&format!("compare/{}...{}", encode(from), encode(to)))
    }

    /// A file as it is at `git_ref` (a tag).
    pub fn file_at(&self, git_ref: &str, path: &str) -> Option<String> {
        self.project_page(&format!("blob/{}/{}", encode(git_ref), encode_path(path)))
    }

    /// The page of a tag (GitHub: its release page).
    pub fn tag(&self, tag: &str) -> Option<String> {
        match self.forge {
            ForgeKind::Github => self.project_page(&format!("releases/tag/{}", encode(tag))),
            ForgeKind::Gitlab => self.project_page(&format!("tags/{}", encode(tag))),
            ForgeKind::Unknown => None,
        }
    }

    /// An issue in this project (`project` = None) or in `group/project`.
    /// GitHub redirects `/issues/N` to the pull request when N is one.
    pub fn issue(&self, project: Option<&str>, number: u64) -> Option<String> {
        match project {
            None => self.project_page(&format!("issues/{number}")),
            Some(p) => match self.forge {
                ForgeKind::Github => Some(format!("{}/{p}/issues/{number}", self.base()?)),
                ForgeKind::Gitlab => Some(format!("{}/{p}/-/issues/{number}", self.base()?)),
                ForgeKind::Unknown => None,
            },
        }
    }

    /// A GitLab merge request (`!12`); GitHub has no such reference.
    pub fn merge_request(&self, project: Option<&str>, number: u64) -> Option<String> {
        if self.forge != ForgeKind::Gitlab {
            return None;
        }
        match project {
            None => self.project_page(&format!("merge_requests/{number}")),
            Some(p) => Some(format!("{}/{p}/-/merge_requests/{number}", self.base()?)),
        }
    }

    /// A GitHub App's page (`dependabot` for the account `dependabot[bot]`);
    /// other forges have no such page.
    pub fn app(&self, slug: &str) -> Option<String> {
        match self.forge {
            ForgeKind::Github if !slug.is_empty() => Some(format!("{}/apps/{}", self.base()?, encode(slug))),
            _ => None,
        }
    }

    /// A user's profile page.
    pub fn user(&self, username: &str) -> Option<String> {
        match self.forge {
            ForgeKind::Unknown => None,
            _ => Some(format!("{}/{username}", self.base()?)),
        }
    }
}

/// Percent-encodes what would break a URL path segment.
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'+' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn encode_path(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(forge: ForgeKind, web: &str) -> Repository {
        Repository { remote_url: None, forge, web_url: Some(web.to_string()) }
    }

    #[test]
    fn github_links() {
        let r = repo(ForgeKind::Github, "https://github.com/acme/rocket");
        let l = Links::new(&r);
        assert_eq!(l.commit("abc").unwrap(), "https://github.com/acme/rocket/commit/abc");
        assert_eq!(l.compare("v1.2.0", "v1.3.0").unwrap(), "https://github.com/acme/rocket/compare/v1.2.0...v1.3.0");
        assert_eq!(l.issue(Some("other/repo"), 7).unwrap(), "https://github.com/other/repo/issues/7");
        assert_eq!(l.merge_request(None, 3), None);
        assert_eq!(
            l.file_at("v1.3.0", "docs/adr/0001 x.md").unwrap(),
            "https://github.com/acme/rocket/blob/v1.3.0/docs/adr/0001%20x.md"
        );
    }

    #[test]
    fn gitlab_subgroup_links() {
        let r = repo(ForgeKind::Gitlab, "https://git.example.com/group/sub/proj");
        let l = Links::new(&r);
        assert_eq!(l.compare("v1", "v2").unwrap(), "https://git.example.com/group/sub/proj/-/compare/v1...v2");
        assert_eq!(l.merge_request(None, 12).unwrap(), "https://git.example.com/group/sub/proj/-/merge_requests/12");
        assert_eq!(l.issue(Some("group/other"), 7).unwrap(), "https://git.example.com/group/other/-/issues/7");
        assert_eq!(l.user("ada").unwrap(), "https://git.example.com/ada");
    }

    #[test]
    fn unknown_forge_has_no_links() {
        let r = repo(ForgeKind::Unknown, "https://example.com/x");
        assert_eq!(Links::new(&r).commit("abc"), None);
    }
}

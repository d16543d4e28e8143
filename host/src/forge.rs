//! Where the repository is hosted, from its remote URL.
//!
//! github.com is GitHub; gitlab.com and any host whose name contains `gitlab`
//! is GitLab (self-hosted, with subgroups). `[repository] forge` and
//! `web-url` override the guess, and in CI the server the job runs on
//! (`GITHUB_SERVER_URL`, `CI_SERVER_URL`) is recognised for its own remotes,
//! which covers GitHub Enterprise and GitLab under any host name.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Forge {
    Github,
    Gitlab,
    /// No links are written.
    #[serde(alias = "none")]
    Unknown,
}

impl Forge {
    pub fn name(self) -> &'static str {
        match self {
            Forge::Github => "github",
            Forge::Gitlab => "gitlab",
            Forge::Unknown => "unknown",
        }
    }
}

/// The repository as plugins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryInfo {
    pub remote_url: Option<String>,
    pub forge: Forge,
    pub web_url: Option<String>,
}

/// A remote URL split into host and project path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteLocation {
    pub scheme: &'static str,
    /// Host, with the port for http(s) remotes.
    pub host: String,
    /// `owner/repo` or `group/subgroup/project`, without `.git`.
    pub path: String,
}

/// Parses the common remote forms: `git@host:group/proj.git`,
/// `ssh://git@host:2222/group/proj.git`, `https://user:token@host/group/proj`.
/// Credentials are dropped. Local paths and `file://` give `None`.
pub fn parse_remote(url: &str) -> Option<RemoteLocation> {
    let url = url.trim();
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        ("http", rest)
    } else if let Some(rest) = url.strip_prefix("ssh://").or_else(|| url.strip_prefix("git+ssh://")) {
        ("ssh", rest)
    } else if let Some(rest) = url.strip_prefix("git://") {
        ("git", rest)
    } else if url.contains("://") {
        return None;
    } else {
        // scp-like `user@host:path`; a bare path has no colon before the first slash.
        let colon = url.find(':')?;
        if url[..colon].contains('/') {
            return None;
        }
        let host = url[..colon].rsplit('@').next()?.to_string();
        let path = clean_path(&url[colon + 1..])?;
        return (!host.is_empty()).then_some(RemoteLocation { scheme: "ssh", host, path });
    };
    let slash = rest.find('/')?;
    let authority = &rest[..slash];
    let host_port = authority.rsplit('@').next()?;
    let host = match scheme {
        // The SSH port says nothing about the web address.
        "ssh" | "git" => host_port.split(':').next()?.to_string(),
        _ => host_port.to_string(),
    };
    let path = clean_path(&rest[slash + 1..])?;
    (!host.is_empty()).then_some(RemoteLocation { scheme, host, path })
}

fn clean_path(path: &str) -> Option<String> {
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/');
    (!path.is_empty() && path.contains('/')).then(|| path.to_string())
}

/// The forge a host name suggests.
pub fn forge_of_host(host: &str) -> Forge {
    let h = host.to_ascii_lowercase();
    let bare = h.split(':').next().unwrap_or(&h);
    if bare == "github.com" || bare == "www.github.com" {
        Forge::Github
    } else if bare == "gitlab.com" || bare.split('.').any(|label| label.contains("gitlab")) {
        Forge::Gitlab
    } else {
        Forge::Unknown
    }
}

/// What the CI job tells about its own server: (host, forge, web base URL).
#[derive(Debug, Clone, Default)]
pub struct CiServer {
    pub host: Option<String>,
    pub forge: Option<Forge>,
    pub base_url: Option<String>,
    /// The job's own project: its path (`group/sub/proj`) and web address
    /// (`CI_PROJECT_PATH`/`CI_PROJECT_URL`; `GITHUB_REPOSITORY` on GitHub).
    pub project_path: Option<String>,
    pub project_url: Option<String>,
}

impl CiServer {
    /// Reads `GITHUB_SERVER_URL` (GitHub Actions) or `CI_SERVER_URL` (GitLab CI).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Self {
        let (url, forge, project_path, project_url) = if get("GITHUB_ACTIONS").as_deref() == Some("true") {
            (get("GITHUB_SERVER_URL"), Forge::Github, get("GITHUB_REPOSITORY"), None)
        } else if get("GITLAB_CI").as_deref() == Some("true") {
            (get("CI_SERVER_URL"), Forge::Gitlab, get("CI_PROJECT_PATH"), get("CI_PROJECT_URL"))
        } else {
            return Self::default();
        };
        let Some(url) = url else { return Self::default() };
        let base = url.trim_end_matches('/').to_string();
        let host = base.split("://").nth(1).map(|h| h.split('/').next().unwrap_or(h).to_string());
        let project_url = project_url.map(|u| u.trim_end_matches('/').to_string());
        Self { host, forge: Some(forge), base_url: Some(base), project_path, project_url }
    }
}

/// Decides forge and web URL from the remote, the configuration and the CI server.
pub fn detect(
    remote_url: Option<&str>,
    configured_forge: Option<Forge>,
    configured_web_url: Option<&str>,
    ci: &CiServer,
) -> RepositoryInfo {
    let location = remote_url.and_then(parse_remote);
    let bare_host = |h: &str| h.split(':').next().unwrap_or(h).to_ascii_lowercase();
    let on_ci_server = match (&location, &ci.host) {
        (Some(loc), Some(ci_host)) => bare_host(&loc.host) == bare_host(ci_host),
        _ => false,
    };
    let guessed = match &location {
        Some(loc) if on_ci_server => ci.forge.unwrap_or(Forge::Unknown),
        Some(loc) => forge_of_host(&loc.host),
        None => Forge::Unknown,
    };
    let forge = configured_forge.unwrap_or(guessed);
    let web_url = match configured_web_url {
        Some(w) => Some(w.trim_end_matches('/').to_string()),
        None if forge == Forge::Unknown => None,
        None => location.as_ref().map(|loc| match (&ci.base_url, on_ci_server) {
            (Some(base), true) => on_server_url(base, &loc.path, ci),
            _ => {
                let scheme = if loc.scheme == "http" { "http" } else { "https" };
                format!("{scheme}://{}/{}", bare_web_host(loc), loc.path)
            }
        }),
    };
    RepositoryInfo { remote_url: remote_url.map(without_credentials), forge, web_url }
}

/// The web address of `path` on the CI's own server. The job's project is
/// at `CI_PROJECT_URL`; another project is `base` + its path, where a server
/// under a path (`https://example.com/gitlab`) already has that path at the
/// start of the remote's (`gitlab/group/proj`): it is joined once.
fn on_server_url(base: &str, path: &str, ci: &CiServer) -> String {
    let base_path = base.split("://").nth(1).and_then(|rest| rest.split_once('/')).map_or("", |(_, p)| p);
    let path = if base_path.is_empty() { path } else { path.strip_prefix(&format!("{base_path}/")).unwrap_or(path) };
    match (&ci.project_url, &ci.project_path) {
        (Some(url), Some(own)) if own == path => url.clone(),
        _ => format!("{base}/{path}"),
    }
}

/// The URL without a `user:password@` part: CI runners put tokens there
/// (`https://gitlab-ci-token:<token>@host/...`), and plugins must not see them.
pub fn without_credentials(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

fn bare_web_host(loc: &RemoteLocation) -> &str {
    match loc.scheme {
        "http" | "https" => &loc.host,
        _ => loc.host.split(':').next().unwrap_or(&loc.host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(url: &str) -> (Forge, Option<String>) {
        let r = detect(Some(url), None, None, &CiServer::default());
        (r.forge, r.web_url)
    }

    #[test]
    fn gitlab_under_a_path_is_joined_once() {
        let vars = [
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://example.com/gitlab"),
            ("CI_PROJECT_PATH", "group/sub/proj"),
            ("CI_PROJECT_URL", "https://example.com/gitlab/group/sub/proj"),
        ];
        let ci = CiServer::from_env(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()));
        for remote in [
            "https://gitlab-ci-token:secret@example.com/gitlab/group/sub/proj.git",
            "git@example.com:group/sub/proj.git",
        ] {
            let r = detect(Some(remote), None, None, &ci);
            assert_eq!(r.web_url.as_deref(), Some("https://example.com/gitlab/group/sub/proj"), "{remote}");
            assert_eq!(r.forge, Forge::Gitlab);
        }
        // Another project on the same server: the server's path once too.
        let r = detect(Some("https://example.com/gitlab/other/lib.git"), None, None, &ci);
        assert_eq!(r.web_url.as_deref(), Some("https://example.com/gitlab/other/lib"));
    }

    #[test]
    fn github_forms() {
        for url in [
            "git@github.com:acme/rocket.git",
            "https://github.com/acme/rocket.git",
            "https://x-access-token:ghs_secret@github.com/acme/rocket",
            "ssh://git@github.com/acme/rocket.git",
        ] {
            assert_eq!(web(url), (Forge::Github, Some("https://github.com/acme/rocket".into())), "{url}");
        }
    }

    #[test]
    fn gitlab_forms_with_subgroups() {
        assert_eq!(
            web("git@gitlab.com:group/sub/proj.git"),
            (Forge::Gitlab, Some("https://gitlab.com/group/sub/proj".into()))
        );
        assert_eq!(
            web("ssh://git@gitlab.example.com:2222/group/sub/proj.git"),
            (Forge::Gitlab, Some("https://gitlab.example.com/group/sub/proj".into()))
        );
        assert_eq!(
            web("https://gitlab-ci-token:abc@gitlab.example.com:8443/a/b/c/d.git"),
            (Forge::Gitlab, Some("https://gitlab.example.com:8443/a/b/c/d".into()))
        );
    }

    #[test]
    fn credentials_never_reach_plugins() {
        let r =
            detect(Some("https://gitlab-ci-token:glcbt-secret@gitlab.com/a/b.git"), None, None, &CiServer::default());
        assert_eq!(r.remote_url.as_deref(), Some("https://gitlab.com/a/b.git"));
        assert_eq!(without_credentials("git@github.com:a/b.git"), "git@github.com:a/b.git");
        assert_eq!(without_credentials("ssh://git@host:22/a/b"), "ssh://host:22/a/b");
    }

    #[test]
    fn unknown_forges_and_local_paths() {
        assert_eq!(web("git@bitbucket.org:a/b.git"), (Forge::Unknown, None));
        assert_eq!(web("/srv/git/repo.git"), (Forge::Unknown, None));
        assert_eq!(web("file:///srv/git/repo.git"), (Forge::Unknown, None));
        assert_eq!(web("../other"), (Forge::Unknown, None));
        // "gitlab" must be a label of the host name, not a substring of the path
        assert_eq!(web("git@example.com:gitlab/x.git"), (Forge::Unknown, None));
    }

    #[test]
    fn ci_server_and_configuration_win() {
        let ci = CiServer::from_env(|k| match k {
            "GITLAB_CI" => Some("true".into()),
            "CI_SERVER_URL" => Some("https://code.corp.example".into()),
            _ => None,
        });
        let r = detect(Some("git@code.corp.example:platform/api.git"), None, None, &ci);
        assert_eq!((r.forge, r.web_url.as_deref()), (Forge::Gitlab, Some("https://code.corp.example/platform/api")));
        let r = detect(
            Some("git@example.com:a/b.git"),
            Some(Forge::Github),
            Some("https://ghe.example.com/a/b/"),
            &CiServer::default(),
        );
        assert_eq!((r.forge, r.web_url.as_deref()), (Forge::Github, Some("https://ghe.example.com/a/b")));
    }
}

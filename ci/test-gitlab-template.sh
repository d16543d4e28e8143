#!/usr/bin/env bash
# Runs gitlab-ci-template.yml end to end with gitlab-ci-local (shell executor)
# on temporary repositories, with the relkit binary built from this checkout:
#   1. a release is due: the relkit job (on a runner without git identity)
#      makes the release commit and the tag as the pipeline's user and pushes
#      them, its dotenv variables reach the next jobs, and the release job asks
#      glab (a stand-in that records its arguments: there is no GitLab API
#      here) to create the GitLab release;
#   2. no release is due: RELKIT_RELEASED=false reaches the release job, which
#      ends green without calling glab, and nothing is tagged;
#   3. push: false: the release is made in the job's clone only; the release
#      job neither calls glab (which would create the tag) nor fails;
#   then relkit:check on a merge request, the release merge request, and a
#   monorepo ([[packages]]): one GitLab release per released package, each
#   with its own notes file from the artifacts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/target/ci-tools"
gcl="$tools/gcl/node_modules/.bin/gitlab-ci-local"
if [ ! -x "$gcl" ]; then
  mkdir -p "$tools/gcl"
  (cd "$tools/gcl" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund gitlab-ci-local@4.64.0)
fi
if ! command -v rsync >/dev/null 2>&1; then
  echo "gitlab-ci-local needs rsync: apt-get install rsync" >&2
  exit 1
fi
relkit="${CARGO_TARGET_DIR:-$root/target}/debug/relkit"
(cd "$root" && cargo build --quiet --locked -p relkit)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="Ada Lovelace" GIT_AUTHOR_EMAIL="ada@example.com"
export GIT_COMMITTER_NAME="Ada Lovelace" GIT_COMMITTER_EMAIL="ada@example.com"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
# glab needs GitLab's API; this one records what it was asked to do.
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "$*" >> "%s/glab-calls"\n' "$work" > "$work/bin/glab"
chmod +x "$work/bin/glab"

# A repository on main, with a fake GitLab origin for the links and
# CI_PROJECT_PATH, and a local bare repository receiving the pushes.
make_repo() {
  local dir="$1" push="${2:-true}"
  git init -q -b main "$dir"
  git -C "$dir" remote add origin https://gitlab.example.com/acme/rocket.git
  git -C "$dir" symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
  git init -q --bare "$dir.remote.git"
  git -C "$dir" config remote.origin.pushurl "$dir.remote.git"
  cp "$root/gitlab-ci-template.yml" "$dir/relkit.yml"
  cat > "$dir/.gitlab-ci.yml" <<'YAML'
stages: [release, check]
include:
  - local: relkit.yml
    inputs:
      push: PUSH_INPUT
check-outputs:
  stage: check
  needs: [relkit]
  script:
    - echo "RELKIT_VERSION=$RELKIT_VERSION RELKIT_TAG=$RELKIT_TAG RELKIT_RELEASED=$RELKIT_RELEASED RELKIT_DRY_RUN=$RELKIT_DRY_RUN"
    - test "$RELKIT_RELEASED" = "$EXPECT_RELEASED"
    - test "$RELKIT_TAG" = "$EXPECT_TAG"
    - test "$RELKIT_DRY_RUN" = false
YAML
  sed -i "s/PUSH_INPUT/$push/" "$dir/.gitlab-ci.yml"
  printf '.gitlab-ci-local/\nrelkit.env\nrelkit-*.md\n' > "$dir/.gitignore"
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "chore: init"
  git -C "$dir" tag -a -m v1.2.3 v1.2.3
  # The remote has what GitLab's would: the branch and the last release.
  git -C "$dir" push -q "$dir.remote.git" main v1.2.3
}

run_pipeline() {
  local dir="$1" released="$2" tag="$3"
  # GitLab runs pipelines for commits its repository has.
  git -C "$dir" push -q "$dir.remote.git" main
  # gitlab-ci-local sets GITLAB_CI=false; GitLab sets it to true, which is
  # how relkit knows to write its dotenv report and files. The runner has no
  # git identity (as GitLab's runners): relkit uses the pipeline's user.
  (cd "$dir" && env -u GIT_AUTHOR_NAME -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL \
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.useConfigOnly GIT_CONFIG_VALUE_0=true \
    GCL_IGNORE_PREDEFINED_VARS=GITLAB_CI,GITLAB_USER_NAME,GITLAB_USER_EMAIL \
    "$gcl" --force-shell-executor --no-color --variable GITLAB_CI=true \
    --variable "GITLAB_USER_NAME=Grace Hopper" --variable "GITLAB_USER_EMAIL=grace@example.com" \
    --variable "RELKIT_BIN=$relkit" --variable "RELKIT_GLAB=$work/bin/glab" \
    --variable "EXPECT_RELEASED=$released" --variable "EXPECT_TAG=$tag") \
    > "$dir.log" 2>&1 || { cat "$dir.log"; echo "gitlab-ci-local failed" >&2; exit 1; }
  # Green, not "passed with warnings": no job may end with an allowed failure
  # (gitlab-ci-local reports those as "finished in … WARN <code>").
  if grep -qE "finished in .* WARN" "$dir.log"; then cat "$dir.log"; echo "a job ended with a warning" >&2; exit 1; fi
}

echo "-- a release is due"
repo="$work/due"
make_repo "$repo"
git -C "$repo" commit -q --allow-empty -m "feat(api): add pagination"
git -C "$repo" commit -q --allow-empty -m "fix: handle empty pages"
run_pipeline "$repo" true v1.3.0
grep -q "relkit: releasing v1.3.0" "$repo.log" || { cat "$repo.log"; exit 1; }
grep -q "publishing the GitLab release v1.3.0" "$repo.log" || { cat "$repo.log"; exit 1; }
env_report="$(find "$repo/.gitlab-ci-local/artifacts/relkit" -name relkit.env | head -n 1)"
grep -qx 'RELKIT_VERSION=1.3.0' "$env_report" && grep -qx 'RELKIT_TAG=v1.3.0' "$env_report" \
  && grep -qx 'RELKIT_RELEASED=true' "$env_report" && grep -qx 'RELKIT_DRY_RUN=false' "$env_report" \
  && grep -qx 'RELKIT_PREVIOUS_TAG=v1.2.3' "$env_report" && grep -qx 'RELKIT_BUMP=minor' "$env_report" \
  || { cat "$env_report"; exit 1; }
test -s "$repo/.gitlab-ci-local/artifacts/relkit/relkit-notes.md"
test -s "$repo/.gitlab-ci-local/artifacts/relkit/relkit-rollback.md"
test "$(git -C "$repo.remote.git" tag -l)" = "$(printf 'v1.2.3\nv1.3.0')"
test "$(git -C "$repo.remote.git" for-each-ref --format='%(taggername)' refs/tags/v1.3.0)" = "Grace Hopper"
test "$(cat "$work/glab-calls")" = "release create v1.3.0 --name v1.3.0 --notes-file relkit-notes.md --repo acme/rocket"
# With push, the CHANGELOG is in the release commit the tag points at.
test "$(git -C "$repo.remote.git" rev-parse main)" = "$(git -C "$repo.remote.git" rev-parse 'v1.3.0^{commit}')"
echo "ok: tagged v1.3.0 and pushed it with the CHANGELOG commit; dotenv reached the next jobs"

echo "-- no release is due"
repo="$work/none"
make_repo "$repo"
git -C "$repo" commit -q --allow-empty -m "docs: typo"
run_pipeline "$repo" false ""
grep -q "relkit: no release due" "$repo.log" || { cat "$repo.log"; exit 1; }
grep -q "no release was made; nothing to publish" "$repo.log" || { cat "$repo.log"; exit 1; }
test "$(wc -l < "$work/glab-calls")" = 1
test "$(git -C "$repo.remote.git" tag -l)" = v1.2.3
echo "ok: nothing released, the release job ended green without a release"

echo "-- a release is due, push: false"
repo="$work/local"
make_repo "$repo" false
git -C "$repo" commit -q --allow-empty -m "feat(api): add pagination"
calls_before="$(wc -l < "$work/glab-calls")"
run_pipeline "$repo" true v1.3.0
grep -q "was made in the job's clone only (push: false); no GitLab release" "$repo.log" || { cat "$repo.log"; exit 1; }
# Nothing reached the remote, and the release job created no tag through glab.
test "$(git -C "$repo.remote.git" tag -l)" = v1.2.3
test "$(wc -l < "$work/glab-calls")" = "$calls_before"
echo "ok: push: false made no tag on the remote and no GitLab release"

echo "-- a merge request pipeline: relkit:check"
repo="$work/mr"
make_repo "$repo"
base="$(git -C "$repo" rev-parse HEAD)"
git -C "$repo" checkout -q -b feature
git -C "$repo" commit -q --allow-empty -m "feat(api): add pagination"
mr_pipeline() {
  local title="$1"
  (cd "$repo" && "$gcl" --force-shell-executor --no-color --variable GITLAB_CI=true \
    --variable CI_PIPELINE_SOURCE=merge_request_event --variable "CI_MERGE_REQUEST_DIFF_BASE_SHA=$base" \
    --variable CI_MERGE_REQUEST_SQUASH_ON_MERGE=true --variable "CI_MERGE_REQUEST_TITLE=$title" \
    --variable "RELKIT_BIN=$relkit" relkit:check) > "$repo.log" 2>&1
}
mr_pipeline "feat(api): add pagination" || { cat "$repo.log"; echo "relkit:check failed on a conventional MR" >&2; exit 1; }
grep -q "This branch would release v1.3.0 (minor" "$repo.log" || { cat "$repo.log"; exit 1; }
grep -q "Squash-merged with this title, the branch would release v1.3.0" "$repo.log" || { cat "$repo.log"; exit 1; }
if mr_pipeline "Update stuff"; then cat "$repo.log"; echo "relkit:check passed a non-conventional MR title" >&2; exit 1; fi
grep -q "the title breaks the commit rules" "$repo.log" || { cat "$repo.log"; exit 1; }
git -C "$repo" commit -q --allow-empty -m "wip"
if mr_pipeline "feat(api): add pagination"; then cat "$repo.log"; echo "relkit:check passed a non-conventional commit" >&2; exit 1; fi
grep -q "1 of 2 commits break the commit rules" "$repo.log" || { cat "$repo.log"; exit 1; }
test "$(git -C "$repo.remote.git" tag -l)" = v1.2.3
echo "ok: relkit:check passes a conventional MR, fails a bad title and a bad commit, and tags nothing"

echo "-- the release merge request (prepare: true, [release] pull-request = true)"
repo="$work/prepare"
make_repo "$repo"
sed -i 's/^      push: true$/      push: true\n      prepare: true/' "$repo/.gitlab-ci.yml"
printf '[release]\npull-request = true\n' > "$repo/relkit.toml"
git -C "$repo" add -A
git -C "$repo" commit -q -m "chore: release through merge requests"
git -C "$repo" commit -q --allow-empty -m "feat(api): add pagination"
calls_before="$(wc -l < "$work/glab-calls")"
run_pipeline "$repo" false ""
grep -q "a release waits for its pull request" "$repo.log" || { cat "$repo.log"; exit 1; }
grep -q "relkit: prepared v1.3.0 on relkit/release" "$repo.log" || { cat "$repo.log"; exit 1; }
grep -q "opened the release merge request (chore(release): 1.3.0)" "$repo.log" || { cat "$repo.log"; exit 1; }
test "$(git -C "$repo.remote.git" log -1 --format=%s relkit/release)" = "chore(release): 1.3.0"
test "$(git -C "$repo.remote.git" tag -l)" = v1.2.3
tail -n +"$((calls_before + 1))" "$work/glab-calls" | grep -q "^mr create --source-branch relkit/release --target-branch main --title chore(release): 1.3.0 " \
  || { cat "$work/glab-calls"; exit 1; }
echo "ok: the release waits; relkit/release is pushed and the merge request opened"


echo "-- a monorepo: [[packages]] api, web and cli; api and web changed"
repo="$work/mono"
make_repo "$repo"
mkdir -p "$repo/packages/api" "$repo/packages/web" "$repo/packages/cli"
printf '[[packages]]\nname = "api"\npath = "packages/api"\n\n[[packages]]\nname = "web"\npath = "packages/web"\n\n[[packages]]\nname = "cli"\npath = "packages/cli"\n' > "$repo/relkit.toml"
for p in api web cli; do echo "// $p" > "$repo/packages/$p/main"; done
git -C "$repo" add -A
git -C "$repo" commit -q -m "chore: packages"
for t in api-v1.0.0 web-v2.0.0 cli-v0.1.0; do git -C "$repo" tag -a -m "$t" "$t"; done
git -C "$repo" push -q "$repo.remote.git" main api-v1.0.0 web-v2.0.0 cli-v0.1.0
echo "// 2" >> "$repo/packages/api/main"
git -C "$repo" commit -q -am "feat(api): add pagination"
echo "// 2" >> "$repo/packages/web/main"
git -C "$repo" commit -q -am "fix(web): handle empty pages"
calls_before="$(wc -l < "$work/glab-calls")"
# Two packages: no single tag in RELKIT_TAG; the list is in RELKIT_PACKAGES.
run_pipeline "$repo" true ""
grep -q "publishing the GitLab release api-v1.1.0" "$repo.log" || { cat "$repo.log"; exit 1; }
grep -q "publishing the GitLab release web-v2.0.1" "$repo.log" || { cat "$repo.log"; exit 1; }
test "$(tail -n +"$((calls_before + 1))" "$work/glab-calls")" = "$(printf '%s\n%s' \
  "release create api-v1.1.0 --name api-v1.1.0 --notes-file relkit-notes-api.md --repo acme/rocket" \
  "release create web-v2.0.1 --name web-v2.0.1 --notes-file relkit-notes-web.md --repo acme/rocket")" \
  || { cat "$work/glab-calls"; exit 1; }
artifacts="$repo/.gitlab-ci-local/artifacts/relkit"
grep -q "pagination" "$artifacts/relkit-notes-api.md" && ! grep -q "empty pages" "$artifacts/relkit-notes-api.md" \
  || { cat "$artifacts/relkit-notes-api.md"; exit 1; }
grep -q '^RELKIT_PACKAGES=\[{"name":"api"' "$(find "$artifacts" -name relkit.env | head -n 1)"
test "$(git -C "$repo.remote.git" tag -l 'api-*' 'web-*' 'cli-*')" = "$(printf 'api-v1.0.0\napi-v1.1.0\ncli-v0.1.0\nweb-v2.0.0\nweb-v2.0.1')"
test "$(git -C "$repo.remote.git" rev-parse main)" = "$(git -C "$repo.remote.git" rev-parse 'api-v1.1.0^{commit}')"
echo "ok: api and web released in one push, one GitLab release each with its own notes; cli left alone"

#!/usr/bin/env bash
# The release workflow's release job, run in a full clone of the released
# commit with the binaries of every target in dist/out/:
#   1. their sha256 go into dist/checksums.txt, in a commit;
#   2. relkit makes the release commit (CHANGELOG) and the tag on top and
#      pushes both commits and the tag in one atomic push, so the tagged
#      commit lists its own binaries;
#   3. the GitHub Release gets the binaries and SHA256SUMS;
#   4. the major tag (v0, v1, ...) moves to the release.
# Environment: VERSION (the planned version; the binaries carry it),
# RELEASE_AS (optional), TOKEN and GH_TOKEN (push, release), RELKIT_BIN
# (tests: the relkit to run; default the Linux x86_64 binary of dist/out).
set -euo pipefail
out=dist/out
relkit="${RELKIT_BIN:-$out/relkit-$VERSION-x86_64-unknown-linux-gnu}"
chmod +x "$relkit"
bot_name="github-actions[bot]"
bot_email="41898282+github-actions[bot]@users.noreply.github.com"

# git push authenticates through the environment only.
if [ -n "${TOKEN:-}" ]; then
  basic="$(printf 'x-access-token:%s' "$TOKEN" | base64 | tr -d '\n')"
  export GIT_CONFIG_COUNT=1
  export GIT_CONFIG_KEY_0="http.${GITHUB_SERVER_URL:-https://github.com}/.extraheader"
  export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic"
fi

# 1. The hashes, replacing earlier lines for the same assets (a re-run).
(cd "$out" && sha256sum relkit-*) > "$out/SHA256SUMS"
awk 'NR == FNR { new[$2] = 1; next } !($2 in new)' "$out/SHA256SUMS" dist/checksums.txt > dist/checksums.next
cat "$out/SHA256SUMS" >> dist/checksums.next
mv dist/checksums.next dist/checksums.txt
git add dist/checksums.txt
git -c user.name="$bot_name" -c user.email="$bot_email" commit -q -m "chore(release): checksums of the $VERSION binaries"

# 2. The release: relkit checks that it decides the version the binaries carry.
args=()
if [ -n "${RELEASE_AS:-}" ]; then args+=(--release-as "$RELEASE_AS"); fi
decided="$("$relkit" version "${args[@]}")"
if [ "$decided" != "$VERSION" ]; then
  echo "::error title=relkit::the binaries were built as $VERSION, but relkit now decides '$decided'; run the workflow again"
  exit 1
fi
"$relkit" release --push "${args[@]}"
tag="v$VERSION"

# 3. The GitHub Release with the binaries.
notes="$(mktemp)"
"$relkit" notes --to "$tag" > "$notes"
prerelease=()
case "$VERSION" in *-*) prerelease=(--prerelease) ;; esac
gh release create "$tag" "$out"/relkit-* "$out/SHA256SUMS" --verify-tag --title "$tag" --notes-file "$notes" "${prerelease[@]}"

# 4. The major tag follows the newest stable release.
if [ ${#prerelease[@]} -eq 0 ]; then
  major="v${VERSION%%.*}"
  git tag -f "$major" "$tag^{commit}"
  git push --force origin "refs/tags/$major"
fi

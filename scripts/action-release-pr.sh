#!/usr/bin/env bash
# Opens or updates the release pull request after `relkit prepare --push`
# (action.yml, command: prepare). Its title is the release commit's subject
# (`chore(release): 1.3.0`: a squash merge keeps it, and `relkit release`
# recognises the prepared release by it), its text the release notes.
# Inputs arrive as environment variables (RELKIT_SHA, RELKIT_NOTES,
# RELKIT_BRANCH, GITHUB_REF_NAME, GH_TOKEN), never pasted into the script.
set -euo pipefail
branch="${RELKIT_BRANCH:-relkit/release}"
base="${GITHUB_REF_NAME:?the branch the release is prepared from}"
title="$(git log -1 --format=%s "$RELKIT_SHA")"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
printf '%s\n' "${RELKIT_NOTES:-}" > "$body"
number="$(gh pr list --head "$branch" --base "$base" --state open --json number --jq '.[0].number // empty')"
if [ -n "$number" ]; then
  gh pr edit "$number" --title "$title" --body-file "$body"
  echo "relkit: updated the release pull request #$number ($title)"
else
  gh pr create --head "$branch" --base "$base" --title "$title" --body-file "$body"
  echo "relkit: opened the release pull request ($title)"
fi

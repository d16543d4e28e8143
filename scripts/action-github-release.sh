#!/usr/bin/env bash
# Creates the GitHub Release of the tag relkit just pushed (action.yml): its
# title is the tag, its text the release notes, and a version with a
# pre-release part (1.3.0-rc.1) is marked as a pre-release. Inputs arrive as
# environment variables (RELKIT_TAG, RELKIT_VERSION, RELKIT_NOTES, GH_TOKEN).
# Run again for a tag that already has its release, it changes nothing.
set -euo pipefail
if gh release view "$RELKIT_TAG" >/dev/null 2>&1; then
  echo "relkit: the GitHub Release $RELKIT_TAG exists already"
  exit 0
fi
notes="$(mktemp)"
trap 'rm -f "$notes"' EXIT
printf '%s\n' "${RELKIT_NOTES:-}" > "$notes"
args=(release create "$RELKIT_TAG" --verify-tag --title "$RELKIT_TAG" --notes-file "$notes")
case "$RELKIT_VERSION" in
  *-*) args+=(--prerelease) ;;
  *) args+=(--latest) ;;
esac
gh "${args[@]}"
echo "relkit: created the GitHub Release $RELKIT_TAG"

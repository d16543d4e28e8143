#!/usr/bin/env bash
# Runs relkit for the GitHub action (action.yml). Inputs arrive as INPUT_*
# environment variables, never pasted into the script. relkit itself writes the
# outputs ($GITHUB_OUTPUT) and the step summary.
set -euo pipefail
command="${INPUT_COMMAND:-release}"
case "$command" in
  release | version | notes | changelog | rollback | tag | metrics | check | prepare) ;;
  *)
    echo "::error title=relkit::unknown command \`$command\`; use release, version, notes, changelog, rollback, tag, metrics, check or prepare"
    exit 2
    ;;
esac
args=()
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
args+=("$command")
# metrics: the report goes to the step summary (relkit writes it there).
if [ "$command" = metrics ]; then
  if [ -n "${INPUT_SINCE:-}" ]; then args+=(--since "$INPUT_SINCE"); fi
  if [ -n "${INPUT_UNTIL:-}" ]; then args+=(--until "$INPUT_UNTIL"); fi
  if [ -n "${INPUT_INCIDENTS:-}" ]; then args+=(--incidents "$INPUT_INCIDENTS"); fi
fi
# check: the PR title too, when given (squash merges make it the commit).
if [ "$command" = check ] && [ -n "${INPUT_MESSAGE:-}" ]; then args+=(--message "$INPUT_MESSAGE"); fi
if [ "${INPUT_DRY_RUN:-false}" = true ]; then
  case "$command" in release | tag | changelog) args+=(--dry-run) ;; esac
fi
if [ "${INPUT_PUSH:-false}" = true ]; then
  case "$command" in release | tag | prepare) args+=(--push) ;; esac
fi
case "$command" in
  release | version | tag | notes | changelog | rollback | check | prepare)
    if [ -n "${INPUT_PRERELEASE:-}" ]; then args+=(--prerelease "$INPUT_PRERELEASE"); fi
    if [ -n "${INPUT_PRESET:-}" ]; then args+=(--preset "$INPUT_PRESET"); fi
    if [ -n "${INPUT_RELEASE_AS:-}" ]; then args+=(--release-as "$INPUT_RELEASE_AS"); fi
    ;;
esac

token="${INPUT_TOKEN:-}"
unset INPUT_TOKEN
if [ "${INPUT_PUSH:-false}" = true ] && [ -n "$token" ]; then
  # Authenticate git push through the environment only: the first entry
  # clears any extraheader actions/checkout persisted, the second sets ours.
  server="${GITHUB_SERVER_URL:-https://github.com}"
  basic="$(printf 'x-access-token:%s' "$token" | base64 | tr -d '\n')"
  export GIT_CONFIG_COUNT=2
  export GIT_CONFIG_KEY_0="http.$server/.extraheader" GIT_CONFIG_VALUE_0=""
  export GIT_CONFIG_KEY_1="http.$server/.extraheader" GIT_CONFIG_VALUE_1="AUTHORIZATION: basic $basic"
fi
exec "${RELKIT_BIN:-relkit}" "${args[@]}"

#!/usr/bin/env bash
# Builds and runs the Dagger pipeline for actions/pipeline, and writes the
# inputs of the compare step that follows. Reads INPUT_* (mapped
# explicitly by action.yml); with INPUT_DRY_RUN=true it prints the command
# and runs nothing.
set -euo pipefail

die() { echo "::error::modelci pipeline: $*" >&2; exit 2; }

case "${INPUT_FUNCTION:=pipeline}" in
pipeline | check) ;;
*) die "input function: \"$INPUT_FUNCTION\": expected pipeline or check" ;;
esac
case "${INPUT_POLICY_FROM:=base}" in
base | head) ;;
*) die "input policy-from: \"$INPUT_POLICY_FROM\": expected base or head" ;;
esac
case "${INPUT_DRY_RUN:=false}" in
true | false) ;;
*) die "input dry-run: \"$INPUT_DRY_RUN\": expected true or false" ;;
esac
[ -d "${INPUT_SOURCE:=.}" ] || die "input source: $INPUT_SOURCE is not a directory (check out the pull request there)"
if [ -n "${INPUT_BASE_SOURCE:-}" ] && [ ! -d "$INPUT_BASE_SOURCE" ]; then
	die "input base-source: $INPUT_BASE_SOURCE is not a directory (check out the base branch there)"
fi
out=${INPUT_OUTPUT:-${RUNNER_TEMP:-/tmp}/modelci-pipeline}
module=${INPUT_MODULE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# Runtime options go before the function, the function's own after it.
cmd=(dagger call -m "$module")
if [ -n "${INPUT_RUNTIME_ARGS:-}" ]; then
	read -r -a extra <<<"$INPUT_RUNTIME_ARGS"
	cmd+=("${extra[@]}")
fi
# The registry baseline: read again on every call (see with-baseline).
[ -z "${INPUT_BASELINE_REF:-}" ] || cmd+=(with-baseline --ref "$INPUT_BASELINE_REF")
cmd+=("$INPUT_FUNCTION" --source "$INPUT_SOURCE" --policy-from "$INPUT_POLICY_FROM")
[ -z "${INPUT_BASE_SOURCE:-}" ] || cmd+=(--base-source "$INPUT_BASE_SOURCE")
[ -z "${INPUT_NAME:-}" ] || cmd+=(--name "$INPUT_NAME")
[ -z "${INPUT_DATA:-}" ] || cmd+=(--data "$INPUT_DATA")
if [ -n "${INPUT_ARGS:-}" ]; then
	read -r -a extra <<<"$INPUT_ARGS"
	cmd+=("${extra[@]}")
fi
# pipeline returns a directory to export; check, the gate's verdict only.
[ "$INPUT_FUNCTION" = check ] || cmd+=(export --path "$out")

printf 'command=%s\n' "${cmd[*]}" >>"$GITHUB_OUTPUT"
echo "modelci pipeline: ${cmd[*]}"
if [ "$INPUT_DRY_RUN" = true ]; then
	exit 0
fi
command -v dagger >/dev/null || die "dagger is not on PATH: give dagger-version, or install the Dagger CLI first"
"${cmd[@]}"
[ "$INPUT_FUNCTION" = pipeline ] || exit 0

# The compare step reads what the pipeline exported.
gate=$INPUT_SOURCE/.modelci.yaml
[ "$INPUT_POLICY_FROM" = head ] || [ -z "${INPUT_BASE_SOURCE:-}" ] || gate=$INPUT_BASE_SOURCE/.modelci.yaml
{
	echo "head=$out/evaluation/head"
	[ ! -d "$out/evaluation/base" ] || echo "base=$out/evaluation/base"
	[ ! -d "$out/evaluation/latency/head" ] || echo "head-overlay=$out/evaluation/latency/head"
	[ ! -d "$out/evaluation/latency/base" ] || echo "base-overlay=$out/evaluation/latency/base"
	[ ! -f "$gate" ] || echo "policy=$gate"
	[ ! -f "$INPUT_SOURCE/.modelci.yaml" ] || [ "$gate" = "$INPUT_SOURCE/.modelci.yaml" ] || echo "proposed-policy=$INPUT_SOURCE/.modelci.yaml"
	if [ "$INPUT_SOURCE" = . ]; then echo "policy-path=.modelci.yaml"; else echo "policy-path=$INPUT_SOURCE/.modelci.yaml"; fi
	echo "output=$out"
	# The registry baseline's REPOSITORY@DIGEST, as the pipeline's report names it.
	[ -z "${INPUT_BASELINE_REF:-}" ] ||
		sed -n 's/^  "baseline": "\([^"\\]*\)",\{0,1\}$/baseline-name=\1/p' "$out/report.json"
} >>"$GITHUB_OUTPUT"

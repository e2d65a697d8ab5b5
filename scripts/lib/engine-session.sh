# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: make sure a Dagger engine is up
# for this run, and stop it at exit only if this run started it.
#
#   engine_session_begin     start the engine when none answers; export its env
#   engine_session_end       stop it again if engine_session_begin started it
#
# MODELCI_KEEP_ENGINE=1 leaves a started engine running (faster next run).

ENGINE_CMD=${ENGINE_CMD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../engine" && pwd)/engine}
ENGINE_STARTED_HERE=

engine_session_begin() {
	if "$ENGINE_CMD" status >/dev/null 2>&1; then
		echo "== using the running Dagger engine" >&2
	else
		echo "== starting the Dagger engine (the first time builds it: about 7 minutes or more)" >&2
		"$ENGINE_CMD" start >&2
		ENGINE_STARTED_HERE=1
	fi
	eval "$("$ENGINE_CMD" env 2>/dev/null)"
}

engine_session_end() {
	if [ -n "$ENGINE_STARTED_HERE" ] && [ -z "${MODELCI_KEEP_ENGINE:-}" ]; then
		echo "== stopping the Dagger engine this run started" >&2
		"$ENGINE_CMD" stop >&2 || true
	fi
}

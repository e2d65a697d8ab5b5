# shellcheck shell=bash
# Shared shell helpers for modelci scripts. Source it; do not execute it.
#
#   . "$(dirname "$0")/../lib/common.sh"
#
# Logging goes to stderr with a UTC timestamp so that long CI steps show
# progress; stdout stays free for machine-readable output (e.g. `engine env`).

if [[ -n "${_MODELCI_COMMON_SH:-}" ]]; then return 0; fi
_MODELCI_COMMON_SH=1

_ts() { date -u +%H:%M:%S; }

# log MSG...: progress line on stderr.
log() { printf '[%s] %s\n' "$(_ts)" "$*" >&2; }
# warn MSG...: warning line on stderr.
warn() { printf '[%s] WARNING: %s\n' "$(_ts)" "$*" >&2; }
# die MSG...: error line on stderr, exit 1.
die() { printf '[%s] ERROR: %s\n' "$(_ts)" "$*" >&2; exit 1; }

# retry N DELAY CMD...: run CMD up to N times, sleeping DELAY*attempt seconds
# between attempts. Returns the last exit status.
retry() {
  local max=$1 delay=$2 n=1 rc
  shift 2
  while true; do
    rc=0
    "$@" || rc=$?
    if (( rc == 0 )); then return 0; fi
    if (( n >= max )); then
      warn "giving up after $n attempts (exit $rc): $*"
      return "$rc"
    fi
    warn "attempt $n/$max failed (exit $rc), retrying in $((delay * n))s: $*"
    sleep $((delay * n))
    n=$((n + 1))
  done
}

# step NAME CMD...: run CMD, logging start, end and duration of the step.
step() {
  local name=$1 start rc=0
  shift
  start=$(date +%s)
  log "==> $name"
  "$@" || rc=$?
  if (( rc != 0 )); then
    log "<== $name FAILED after $(( $(date +%s) - start ))s (exit $rc)"
    return "$rc"
  fi
  log "<== $name done in $(( $(date +%s) - start ))s"
}

# need_root: fail unless running as root.
need_root() {
  [[ $(id -u) -eq 0 ]] || die "this needs root (mount namespaces, iptables, apt-get); run it as root"
}

# have CMD: true when CMD is on PATH.
have() { command -v "$1" >/dev/null 2>&1; }

_APT_UPDATED=
# apt_ensure PKG...: install the Debian packages that are missing
# (apt-get update once per process, retried). Concurrent installs from
# these scripts (scripts/test prepares several things at once) take turns
# on a lock file instead of failing on apt's own lock.
_APT_LOCK=${TMPDIR:-/tmp}/modelci-apt.lock
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  (( ${#missing[@]} == 0 )) && return 0
  have apt-get || die "missing Debian packages (${missing[*]}) and no apt-get to install them"
  [[ $(id -u) -eq 0 ]] || die "missing Debian packages (${missing[*]}); install them as root: apt-get install ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  if [[ -z "$_APT_UPDATED" ]]; then
    retry 3 5 flock "$_APT_LOCK" apt-get update -qq || die "apt-get update failed; cannot install: ${missing[*]}"
    _APT_UPDATED=1
  fi
  local out
  out=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive retry 3 5 \
    flock "$_APT_LOCK" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -f "$out"
    die "apt-get install failed for: ${missing[*]} (check the names with apt-cache policy)"
  fi
  rm -f "$out"
  log "installed: ${missing[*]}"
}

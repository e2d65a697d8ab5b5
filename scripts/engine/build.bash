# shellcheck shell=bash
# Sourced by scripts/engine/engine: builds the Dagger binaries from the Go
# module proxy into $BIN_DIR. See scripts/engine/README.md.

# The binaries built from github.com/dagger/dagger, and their packages.
DAGGER_BINARIES=(dagger:./cmd/dagger dagger-engine:./cmd/engine dagger-init:./cmd/init dnsname:./cmd/dnsname codegen:./cmd/codegen)

_go_env() {
  env GONOSUMDB=github.com/dagger/dagger GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local "$@"
}

# _write_distconsts DIR: the nested module engine/distconsts is neither in the
# module zip nor served by the proxy; it is a package of constants, written
# here with upstream's values.
_write_distconsts() {
  local dir=$1
  mkdir -p "$dir"
  cat >"$dir/go.mod" <<'GOMOD'
module github.com/dagger/dagger/engine/distconsts

go 1.24
GOMOD
  cat >"$dir/consts.go" <<'GOSRC'
// Package distconsts is rewritten by modelci's scripts/engine: the upstream
// nested module is not served by the Go module proxy.
package distconsts

const (
	EngineContainerName   = "dagger-engine.dev"
	DefaultEngineSockAddr = "unix:///run/dagger/engine.sock"
)

const (
	RuncPath       = "/usr/local/bin/runc"
	DaggerInitPath = "/usr/local/bin/dagger-init"

	EngineDefaultStateDir = "/var/lib/dagger"

	EngineContainerBuiltinContentDir   = "/usr/local/share/dagger/content"
	GoSDKManifestDigestEnvName         = "DAGGER_GO_SDK_MANIFEST_DIGEST"
	PythonSDKManifestDigestEnvName     = "DAGGER_PYTHON_SDK_MANIFEST_DIGEST"
	TypescriptSDKManifestDigestEnvName = "DAGGER_TYPESCRIPT_SDK_MANIFEST_DIGEST"
)

const (
	AlpineVersion = "3.22.1"
	AlpineImage   = "alpine:" + AlpineVersion

	GolangVersion = "1.25.3"
	GolangImage   = "golang:" + GolangVersion + "-alpine"

	BusyboxVersion = "1.37.0"
	BusyboxImage   = "busybox:" + BusyboxVersion
)

const (
	OCIVersionAnnotation = "org.opencontainers.image.version"
)

const (
	EngineCustomCACertsDir = "/usr/local/share/ca-certificates"
)
GOSRC
}

# _prepare_dagger_source: download github.com/dagger/dagger and dagger.io/dagger
# at DAGGER_VERSION and lay out a buildable copy in $SRC_DIR/dagger.
_prepare_dagger_source() {
  local json dir
  have go || die "go is not on PATH; the engine is built from source with Go (install Go >= 1.24)"
  log "downloading github.com/dagger/dagger@$DAGGER_VERSION from the Go module proxy"
  json=$(retry 4 10 _go_env go mod download -json "github.com/dagger/dagger@$DAGGER_VERSION" "dagger.io/dagger@$DAGGER_VERSION") \
    || die "go mod download github.com/dagger/dagger@$DAGGER_VERSION failed: the proxy may not serve this version (it refuses version lists; exact versions known to work: v0.19.10, v0.19.7)"
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*github.com\/dagger\/dagger@.*\)",$/\1/p' | head -n1)
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download gave no directory for github.com/dagger/dagger@$DAGGER_VERSION: $json"
  rm -rf "$SRC_DIR/dagger.tmp"
  mkdir -p "$SRC_DIR"
  cp -r "$dir" "$SRC_DIR/dagger.tmp"
  chmod -R u+w "$SRC_DIR/dagger.tmp"
  _write_distconsts "$SRC_DIR/dagger.tmp/engine/distconsts"
  (cd "$SRC_DIR/dagger.tmp" && _go_env go mod edit -dropreplace dagger.io/dagger -require "dagger.io/dagger@$DAGGER_VERSION")
  rm -rf "$SRC_DIR/dagger"
  mv "$SRC_DIR/dagger.tmp" "$SRC_DIR/dagger"
}

# ENGINE_PATCH_LEVEL names the set of patches _patch_dagger_source applies;
# bump it when they change, and the engine is rebuilt.
ENGINE_PATCH_LEVEL=1

# _patch_dagger_source: modelci's patches to the engine's source.
#  1. No "volatile" overlay mounts. A runc child can briefly hold a copy of
#     an overlay mount in its new mount namespace (dagger/dagger#8265, fixed
#     upstream after this version); the kernel then refuses to mount that
#     upper directory again when it carries the volatile flag
#     ("overlay with incompat feature 'volatile' cannot be mounted"), and a
#     random step fails with "failed to mount … invalid argument".
_patch_dagger_source() {
  local f=$SRC_DIR/dagger/engine/server/snapshotter.go
  grep -q 'modelci: no volatile' "$f" && return 0
  grep -q 'if overlayVolatileSupported(rootDir) {' "$f" \
    || die "cannot patch $f: its source is not what modelci's patch expects (dagger $DAGGER_VERSION)"
  sed -i 's|if overlayVolatileSupported(rootDir) {|if false \&\& overlayVolatileSupported(rootDir) { // modelci: no volatile overlay mounts (dagger/dagger#8265)|' "$f"
}

_build_one() {
  local name=$1 pkg=$2 ldflags
  ldflags="-s -w -X github.com/dagger/dagger/engine.Version=$DAGGER_VERSION -X github.com/dagger/dagger/engine.Tag=$DAGGER_VERSION"
  (cd "$SRC_DIR/dagger" && retry 3 10 _go_env go build -trimpath -ldflags "$ldflags" -o "$BIN_DIR/$name.tmp" "$pkg") \
    || die "building $name ($pkg) at $DAGGER_VERSION failed; see the go output above"
  mv -f "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
}

# build_binaries: build every missing binary (one at a time: 2 shared cores).
build_binaries() {
  local entry name missing=()
  if [[ "$(cat "$STAMP_DIR/engine-patches" 2>/dev/null)" != "$ENGINE_PATCH_LEVEL" ]]; then
    rm -f "$BIN_DIR/dagger-engine" # built before the current patches
  fi
  if [[ -f "$STAMP_DIR/binaries" ]]; then
    for entry in "${DAGGER_BINARIES[@]}"; do
      [[ -x "$BIN_DIR/${entry%%:*}" ]] || missing+=("$entry")
    done
    (( ${#missing[@]} == 0 )) && return 0
  else
    missing=("${DAGGER_BINARIES[@]}")
  fi
  mkdir -p "$BIN_DIR" "$STAMP_DIR"
  rm -f "$STAMP_DIR/binaries"
  [[ -f "$SRC_DIR/dagger/engine/distconsts/consts.go" ]] || step "download dagger $DAGGER_VERSION source" _prepare_dagger_source
  _patch_dagger_source
  for entry in "${missing[@]}"; do
    name=${entry%%:*}
    [[ -x "$BIN_DIR/$name" ]] && continue
    step "go build $name (${entry#*:})" _build_one "$name" "${entry#*:}"
  done
  "$BIN_DIR/dagger" version >/dev/null 2>&1 || die "built $BIN_DIR/dagger does not run"
  echo "$ENGINE_PATCH_LEVEL" >"$STAMP_DIR/engine-patches"
  date -u +%FT%TZ >"$STAMP_DIR/binaries"
}

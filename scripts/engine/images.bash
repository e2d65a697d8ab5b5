# shellcheck shell=bash
# Sourced by scripts/engine/engine: the images the offline engine needs,
# built from Debian packages with debootstrap (no registry to pull from):
#  - the Go SDK runtime image, loaded by the engine from its builtin content
#    folder by manifest digest (module mode: dagger init/call with --sdk=go);
#  - a Python + scikit-learn base image, pushed to the local registry;
#  - a Python + PyTorch (CPU) + scikit-learn image, pushed the same way.

# The Python base image, and the same image through the docker.io mirror.
PYTHON_IMAGE_REPO=modelci/python-sklearn
PYTHON_IMAGE_TAG=bookworm
PYTHON_IMAGE=$REGISTRY_ADDR/$PYTHON_IMAGE_REPO:$PYTHON_IMAGE_TAG
# shellcheck disable=SC2034 # used by the engine script
PYTHON_IMAGE_MIRRORED=docker.io/$PYTHON_IMAGE_REPO:$PYTHON_IMAGE_TAG

# The Debian packages of the Python image; a change rebuilds it.
PYTHON_PACKAGES=python3-sklearn,python3-numpy,python3-pip,python-is-python3,ca-certificates

# The PyTorch image (Debian's python3-torch 1.13.1, a CPU build) and its
# packages; a change to the list rebuilds it.
TORCH_IMAGE_REPO=modelci/python-torch
TORCH_IMAGE_TAG=bookworm
TORCH_IMAGE=$REGISTRY_ADDR/$TORCH_IMAGE_REPO:$TORCH_IMAGE_TAG
TORCH_PACKAGES=python3-torch,python3-sklearn,python3-numpy,python-is-python3,ca-certificates

DEBIAN_MIRROR=${MODELCI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SUITE=bookworm

GOSDK_ENV=(
  "PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "GOPATH=/go"
  "GOTOOLCHAIN=local"
  "GONOSUMDB=github.com/dagger/dagger"
  "LANG=C.UTF-8"
)
PYTHON_ENV=(
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "LANG=C.UTF-8"
)

# _rm_tree DIR: remove DIR, first unmounting anything a failed debootstrap
# left mounted in it (proc, sys), so that rm never walks into them.
_rm_tree() {
  local dir=$1 m
  [[ -e "$dir" ]] || return 0
  dir=$(readlink -f "$dir")
  while read -r m; do
    if [[ -n "$m" ]]; then umount -l "$m" 2>/dev/null || true; fi
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

# _debootstrap_once DIR INCLUDES: one attempt at a minbase root filesystem.
_debootstrap_once() {
  local dir=$1 include=$2
  _rm_tree "$dir"
  mkdir -p "$CACHE_ROOT/debootstrap-debs"
  debootstrap --variant=minbase --include="$include" \
    --cache-dir="$CACHE_ROOT/debootstrap-debs" \
    "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" >>"$LOG_DIR/debootstrap.log" 2>&1
}

# _rootfs NAME INCLUDES: build $IMAGES_DIR/NAME/rootfs unless it is complete.
_rootfs() {
  local name=$1 include=$2 dir=$IMAGES_DIR/$1
  if [[ -f "$dir/rootfs.done" ]]; then return 0; fi
  mkdir -p "$dir" "$LOG_DIR"
  log "debootstrap $DEBIAN_SUITE ($include) into $dir/rootfs (log: $LOG_DIR/debootstrap.log)"
  retry 3 15 _debootstrap_once "$dir/rootfs" "$include" \
    || die "debootstrap of $name failed; see $LOG_DIR/debootstrap.log (mirror: $DEBIAN_MIRROR, set MODELCI_DEBIAN_MIRROR to change it)"
  _trim_rootfs "$dir/rootfs"
  touch "$dir/rootfs.done"
}

# _trim_rootfs DIR: drop what an image does not need (device nodes are made
# by the runtime; docs, manuals, apt lists and caches are dead weight).
_trim_rootfs() {
  local r=$1
  rm -rf "${r:?}"/dev/* "$r"/proc/* "$r"/sys/* "$r"/run/* "$r"/tmp/* \
    "$r"/var/cache/apt/* "$r"/var/lib/apt/lists/* "$r"/var/log/* \
    "$r"/usr/share/doc "$r"/usr/share/man "$r"/usr/share/info \
    "$r"/usr/share/lintian "$r"/usr/share/linda
  find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'C.*' -exec rm -rf {} + 2>/dev/null || true
  mkdir -p "$r/usr/share/doc" "$r/usr/share/man"
}

# build_imagetool: the small SDK program that exports and publishes images.
build_imagetool() {
  if [[ -x "$BIN_DIR/imagetool" && -f "$STAMP_DIR/imagetool" ]] \
    && cmp -s "$ENGINE_SCRIPTS/_imagetool/main.go" "$SRC_DIR/imagetool/main.go"; then
    return 0
  fi
  local d=$SRC_DIR/imagetool
  rm -rf "$d" && mkdir -p "$d"
  cp "$ENGINE_SCRIPTS/_imagetool/main.go" "$d/main.go"
  cat >"$d/go.mod" <<GOMOD
module modelci.local/imagetool

go 1.24

require dagger.io/dagger $DAGGER_VERSION
GOMOD
  (cd "$d" && retry 3 10 _go_env go mod tidy && _go_env go build -trimpath -o "$BIN_DIR/imagetool" .) \
    || die "building imagetool against dagger.io/dagger@$DAGGER_VERSION failed"
  date -u +%FT%TZ >"$STAMP_DIR/imagetool"
}

# build_rootfs_images: the debootstrap part, which needs no engine.
build_rootfs_images() {
  [[ -f "$STAMP_DIR/gosdk-image" ]] || step "root filesystem for the Go SDK image" _gosdk_rootfs
  [[ -f "$STAMP_DIR/python-image" ]] || step "root filesystem for $PYTHON_IMAGE" \
    _rootfs python "$PYTHON_PACKAGES"
  [[ -f "$STAMP_DIR/torch-image" ]] || step "root filesystem for $TORCH_IMAGE" \
    _rootfs torch "$TORCH_PACKAGES"
}

_gosdk_rootfs() {
  local goroot r
  _rootfs gosdk "git,ca-certificates,openssh-client"
  r=$IMAGES_DIR/gosdk/rootfs
  goroot=$(go env GOROOT) || die "go env GOROOT failed"
  log "adding Go $(go env GOVERSION) ($goroot), codegen and the host CA bundle"
  rm -rf "$r/usr/local/go"
  cp -a "$goroot" "$r/usr/local/go"
  install -m 0755 "$BIN_DIR/codegen" "$r/usr/local/bin/codegen"
  # Containers reach the Go module proxy through whatever TLS the host trusts.
  cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$r/go/pkg/mod" "$r/go/bin" "$r/root/.cache/go-build"
}

# gosdk_key: what the Go SDK image bakes in from the host (Go, CA bundle).
gosdk_key() {
  printf '%s %s\n' "$(go env GOVERSION 2>/dev/null)" "$(sha256sum /etc/ssl/certs/ca-certificates.crt 2>/dev/null | cut -c1-16)"
}

# _image_env_flags ENV...: -env flags for imagetool.
_image_env_flags() { local kv; for kv in "$@"; do printf -- '-env\n%s\n' "$kv"; done; }

# import_gosdk_image: export the Go SDK image through the running engine and
# unpack it into the engine's builtin content folder; the stamp holds the
# manifest digest the engine is started with.
import_gosdk_image() {
  local tar=$IMAGES_DIR/gosdk/image.tar dgst flags
  mapfile -t flags < <(_image_env_flags "${GOSDK_ENV[@]}")
  dgst=$(_client_env "$BIN_DIR/imagetool" export -rootfs "$IMAGES_DIR/gosdk/rootfs" -out "$tar" "${flags[@]}" 2>>"$LOG_DIR/imagetool.log") \
    || { tail -n 30 "$LOG_DIR/imagetool.log" >&2; die "exporting the Go SDK image failed (logs: $LOG_DIR/imagetool.log, $LOG_DIR/engine.log)"; }
  [[ $dgst == sha256:* ]] || die "exporting the Go SDK image gave no digest: $dgst"
  mkdir -p "$CONTENT_DIR"
  tar -xf "$tar" -C "$CONTENT_DIR" blobs
  [[ -f "$CONTENT_DIR/blobs/sha256/${dgst#sha256:}" ]] || die "manifest $dgst missing from $CONTENT_DIR after unpacking"
  rm -f "$tar"
  gosdk_key >"$STAMP_DIR/gosdk-image.key"
  printf '%s\n' "$dgst" >"$STAMP_DIR/gosdk-image"
  log "Go SDK image: $dgst"
}

# registry_has IMAGE_PATH TAG: the local registry serves that manifest.
registry_has() {
  curl -fsS -o /dev/null -I \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2" 2>/dev/null
}

# _publish_image NAME REPO TAG ARGS KEY ENV...: push the root filesystem
# $IMAGES_DIR/NAME/rootfs as $REGISTRY_ADDR/REPO:TAG with default args ARGS
# and the environment ENV; the stamp NAME-image holds the pushed reference,
# NAME-image.key holds KEY (what a rebuild is decided on).
_publish_image() {
  local name=$1 repo=$2 tag=$3 args=$4 key=$5 ref=$REGISTRY_ADDR/$2:$3 flags out
  shift 5
  mapfile -t flags < <(_image_env_flags "$@")
  out=$(_client_env "$BIN_DIR/imagetool" publish -rootfs "$IMAGES_DIR/$name/rootfs" -ref "$ref" -args "$args" "${flags[@]}" 2>>"$LOG_DIR/imagetool.log") \
    || { tail -n 30 "$LOG_DIR/imagetool.log" >&2; die "publishing $ref failed (logs: $LOG_DIR/imagetool.log, $LOG_DIR/engine.log)"; }
  registry_has "$repo" "$tag" || die "registry does not serve $ref after the push"
  printf '%s\n' "$key" >"$STAMP_DIR/$name-image.key"
  printf '%s\n' "$out" >"$STAMP_DIR/$name-image"
  log "pushed $out"
}

# publish_python_image: push the Python image into the local registry.
publish_python_image() {
  _publish_image python "$PYTHON_IMAGE_REPO" "$PYTHON_IMAGE_TAG" python3 "$PYTHON_PACKAGES" "${PYTHON_ENV[@]}"
}

# publish_torch_image: push the PyTorch image into the local registry.
publish_torch_image() {
  _publish_image torch "$TORCH_IMAGE_REPO" "$TORCH_IMAGE_TAG" python3 "$TORCH_PACKAGES" "${PYTHON_ENV[@]}"
}

# drop_rootfs NAME: free disk once an image is stored (rebuilt if ever needed).
drop_rootfs() { _rm_tree "${IMAGES_DIR:?}/$1"; }

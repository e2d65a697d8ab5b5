#!/usr/bin/env bash
# Puts modelci (and, when asked, the Dagger CLI) on PATH for actions/setup
# and the other actions. Reads its inputs from the environment:
#
#   INPUT_VERSION          a released modelci version to download (e.g. 1.2.0);
#                          empty: build from this action's checkout with go
#   INPUT_DAGGER_VERSION   a Dagger CLI version to install too (e.g. 0.19.2)
#   MODELCI_INSTALL_DIR    where the binaries go (default $RUNNER_TEMP/modelci-bin)
#
# Downloads are verified against the release's checksums.txt (SHA-256)
# before anything is unpacked. Writes the outputs path, version and
# dagger-path to $GITHUB_OUTPUT and the directory to $GITHUB_PATH.
#
#   install.sh           install as above
#   install.sh --ensure  only when modelci is not already on PATH
set -euo pipefail

MODELCI_RELEASES=https://github.com/modelci/modelci/releases/download
DAGGER_RELEASES=https://dl.dagger.io/dagger/releases

die() { echo "::error::modelci setup: $*" >&2; exit 1; }

# verify_sha256 FILE CHECKSUMS NAME: FILE's SHA-256 must be the one
# CHECKSUMS (lines "HEX  NAME", as sha256sum writes them) gives for NAME.
verify_sha256() {
	local file=$1 sums=$2 name=$3 want got
	want=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' "$sums")
	[ -n "$want" ] || { echo "checksum: $name is not listed in $(basename "$sums")" >&2; return 1; }
	[[ $want =~ ^[0-9a-f]{64}$ ]] || { echo "checksum: the entry for $name is not a SHA-256: $want" >&2; return 1; }
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		echo "checksum: $name has SHA-256 $got; $(basename "$sums") says $want" >&2
		return 1
	fi
}

# check_version NAME VALUE: a release version, digits and dots (a leading v
# is dropped by the caller).
check_version() {
	[[ $2 =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || die "input $1: \"$2\" is not a version like 1.2.0"
}

# arch: the release's name for this machine.
arch() {
	case "$(uname -m)" in
	x86_64 | amd64) echo amd64 ;;
	aarch64 | arm64) echo arm64 ;;
	*) die "no release for $(uname -m)" ;;
	esac
}

# install_release BASE NAME BIN MEMBER: downloads the archive BASE/NAME
# and BASE/checksums.txt, verifies the archive, and unpacks MEMBER from it
# into BIN.
install_release() {
	local base=$1 name=$2 bin=$3 member=$4 tmp
	tmp=$(mktemp -d)
	curl -fsSL --retry 3 -o "$tmp/$name" "$base/$name" || die "could not download $base/$name"
	curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt" || die "could not download $base/checksums.txt"
	verify_sha256 "$tmp/$name" "$tmp/checksums.txt" "$name" || die "$name failed its checksum: not installed"
	tar -xzf "$tmp/$name" -C "$bin" "$member"
	rm -rf "$tmp"
}

install_modelci() {
	local bin=$1 version=${INPUT_VERSION:-}
	version=${version#v}
	if [ -z "$version" ]; then
		local root
		root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
		command -v go >/dev/null || die "go is not on PATH: add actions/setup-go before this step, or give a released version"
		echo "building modelci from $root"
		(cd "$root" && GOWORK=off go build -o "$bin/modelci" ./cmd/modelci) || die "go build failed"
		return
	fi
	check_version version "$version"
	install_release "$MODELCI_RELEASES/v$version" "modelci_${version}_linux_$(arch).tar.gz" "$bin" modelci
}

install_dagger() {
	local bin=$1 version=${INPUT_DAGGER_VERSION#v}
	check_version dagger-version "$version"
	install_release "$DAGGER_RELEASES/$version" "dagger_v${version}_linux_$(arch).tar.gz" "$bin" dagger
}

main() {
	local bin=${MODELCI_INSTALL_DIR:-${RUNNER_TEMP:-/tmp}/modelci-bin} modelci
	mkdir -p "$bin"
	if [ "${1:-}" = --ensure ] && modelci=$(command -v modelci); then
		echo "modelci is on PATH: $modelci"
	else
		install_modelci "$bin"
		modelci=$bin/modelci
	fi
	echo "path=$modelci" >>"$GITHUB_OUTPUT"
	echo "version=$("$modelci" version | sed 's/^modelci version //')" >>"$GITHUB_OUTPUT"
	if [ -n "${INPUT_DAGGER_VERSION:-}" ]; then
		install_dagger "$bin"
		echo "dagger-path=$bin/dagger" >>"$GITHUB_OUTPUT"
	fi
	echo "$bin" >>"$GITHUB_PATH"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi

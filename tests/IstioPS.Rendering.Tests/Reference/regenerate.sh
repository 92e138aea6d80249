#!/usr/bin/env bash
# Regenerates the recorded reference outputs (expected/*.json) with Go's text/template, Sprig 3.3.0 and
# Helm 4's engine functions as imitated by go/main.go. CI has no Go: it replays the committed JSON.
#
# Needs Go (Debian's golang-go 1.19 works) and the module sources at the versions Helm 4 pins, offline:
#   - git mirrors (bare or not) named <owner>+<name>/repo under $GO_MIRRORS (default /work/.mirror) for
#     Masterminds/sprig v3.3.0, Masterminds/semver v3.3.0, darccio/mergo v1.0.1 (dario.cat/mergo),
#     spf13/cast v1.7.0, shopspring/decimal v1.4.0, huandu/xstrings (newest available), kubernetes-sigs/yaml v1.4.0
#   - Debian's Go sources under /usr/share/gocode/src for google/uuid, Masterminds/goutils,
#     mitchellh/copystructure, mitchellh/reflectwalk, golang.org/x/crypto, golang.org/x/sys and gobwas/glob (Helm's v0.2.3)
#     (apt-get install golang-go golang-github-masterminds-sprig-dev golang-github-gobwas-glob-dev)
# Nothing fetched is committed: the sources are staged under a temp folder and the build happens there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirrors="${GO_MIRRORS:-/work/.mirror}"
gocode="${GO_DEBIAN_SRC:-/usr/share/gocode/src}"
stage="$(mktemp -d /tmp/istiops-goref-XXXXXX)"
trap 'rm -rf "$stage"' EXIT

declare -a replaces=()
stage_git() { # module-path mirror ref
  local dir="$stage/deps/$1"
  mkdir -p "$dir"
  git -C "$mirrors/$2/repo" archive "$3" | tar -x -C "$dir"
  printf 'module %s\n\ngo 1.19\n' "$1" > "$dir/go.mod"
  replaces+=("$1 => $dir")
}
stage_deb() { # module-path debian-dir
  local dir="$stage/deps/$1"
  mkdir -p "$dir"
  cp -r "$gocode/$2/." "$dir/"
  printf 'module %s\n\ngo 1.19\n' "$1" > "$dir/go.mod"
  replaces+=("$1 => $dir")
}
stage_git github.com/Masterminds/sprig/v3 Masterminds+sprig v3.3.0
stage_git github.com/Masterminds/semver/v3 Masterminds+semver v3.3.0
stage_git dario.cat/mergo darccio+mergo v1.0.1
stage_git github.com/spf13/cast spf13+cast v1.7.0
stage_git github.com/shopspring/decimal shopspring+decimal v1.4.0
stage_git github.com/huandu/xstrings huandu+xstrings HEAD
stage_git sigs.k8s.io/yaml kubernetes-sigs+yaml v1.4.0
stage_deb github.com/google/uuid github.com/google/uuid
stage_deb github.com/Masterminds/goutils github.com/Masterminds/goutils
stage_deb github.com/mitchellh/copystructure github.com/mitchellh/copystructure
stage_deb github.com/mitchellh/reflectwalk github.com/mitchellh/reflectwalk
stage_deb golang.org/x/crypto golang.org/x/crypto
stage_deb golang.org/x/sys golang.org/x/sys
stage_deb github.com/gobwas/glob github.com/gobwas/glob
# xstrings 1.5.0 (Sprig 3.3.0's) split ToCamelCase into ToCamelCase/ToPascalCase; the newest mirror predates it.
# Its ToCamelCase is 1.5.0's ToPascalCase except for words written all in capitals (not in the corpus).
if ! grep -q "func ToPascalCase" "$stage/deps/github.com/huandu/xstrings/"*.go; then
  printf 'package xstrings\n\nfunc ToPascalCase(s string) string { return ToCamelCase(s) }\n' > "$stage/deps/github.com/huandu/xstrings/pascal_shim.go"
fi

mkdir -p "$stage/ref"
ver() { case "$1" in */v[0-9]) echo "${1##*/}.0.0" ;; *) echo v0.0.0 ;; esac; }
cp "$here/go/"*.go "$stage/ref/"
{
  printf 'module istiops/reference\n\ngo 1.19\n\nrequire (\n'
  for r in "${replaces[@]}"; do printf '\t%s %s\n' "${r%% =>*}" "$(ver "${r%% =>*}")"; done
  printf ')\n\n'
  for r in "${replaces[@]}"; do printf 'replace %s %s => %s\n' "${r%% =>*}" "$(ver "${r%% =>*}")" "${r##*=> }"; done
} > "$stage/ref/go.mod"
export GOFLAGS=-mod=mod GOPROXY=off GONOSUMDB='*' GONOSUMCHECK=1 GOFLAGS=-mod=mod GOTOOLCHAIN=local GOSUMDB=off
export GOPATH="$stage/gopath" GOCACHE="${GOCACHE:-/tmp/istiops-goref-cache}"
(cd "$stage/ref" && go build -o "$stage/reference" .)
TZ=UTC "$stage/reference" -root "$here" "$@"
"$stage/reference" -signatures > "$here/expected/signatures.tsv"

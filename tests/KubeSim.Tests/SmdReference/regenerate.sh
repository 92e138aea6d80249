#!/usr/bin/env bash
# Regenerates sequences.json from the Go reference. Needs Go (Debian's golang-go 1.19 is enough), Debian's
# Go packages for structured-merge-diff's dependencies, and a checkout of structured-merge-diff at v4.4.2
# (the version kube-apiserver 1.32 uses), named by SMD_SRC. Nothing fetched is committed.
#
#   apt-get install -y golang-go golang-github-google-gofuzz-dev golang-github-json-iterator-go-dev \
#     golang-github-modern-go-reflect2-dev golang-github-modern-go-concurrent-dev golang-k8s-sigs-yaml-dev \
#     golang-gopkg-yaml.v2-dev
#   git clone --branch v4.4.2 <structured-merge-diff repository> /tmp/smd
#   SMD_SRC=/tmp/smd ./regenerate.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${SMD_SRC:?set SMD_SRC to a structured-merge-diff v4.4.2 checkout}"
work="$(mktemp -d /tmp/smdreference-XXXXXX)"
trap 'rm -rf "$work"' EXIT
src="$work/gopath/src/sigs.k8s.io"
mkdir -p "$src/structured-merge-diff"
cp -r "$SMD_SRC" "$src/structured-merge-diff/v4"
rm -rf "$src/structured-merge-diff/v4/vendor"
# Debian's sigs.k8s.io/yaml predates its goyaml.v2 fork, which is gopkg.in/yaml.v2 under another path.
cp -r /usr/share/gocode/src/sigs.k8s.io/yaml "$src/yaml"
mkdir -p "$src/yaml/goyaml.v2"
cp /usr/share/gocode/src/gopkg.in/yaml.v2/*.go "$src/yaml/goyaml.v2/"
rm -f "$src/yaml/goyaml.v2/"*_test.go
cd "$here"
GOPATH="$work/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$work/cache" \
  go run . -schema ../../KubeSim/Apply/BuiltinSchema.json -out sequences.json "$@"

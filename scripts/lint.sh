#!/usr/bin/env bash
# lint.sh: formatting, vet and staticcheck; fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
files=$(git ls-files '*.go')
bad=$(gofmt -l $files)
[ -z "$bad" ] || { echo "gofmt: $bad"; exit 1; }
bad=$($GO run mvdan.cc/gofumpt@v0.12.0 -l $files)
[ -z "$bad" ] || { echo "gofumpt: $bad"; exit 1; }
$GO vet -tags "$TAGS" ./...
$GO run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags "$TAGS" ./...
echo "lint: clean"

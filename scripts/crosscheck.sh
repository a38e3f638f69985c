#!/usr/bin/env bash
# crosscheck.sh: serve the sandbox and drive it with real third-party clients (msal-node and
# dynamics-web-api, from ../shared/crosscheck), which were built against the real Entra ID and
# Dataverse: where they disagree with the sandbox, the sandbox is wrong. Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./rescue-companion}
src=../shared/crosscheck
if [ ! -f "$src/crosscheck.mjs" ]; then
  echo "crosscheck: $src is not here; skipped"
  exit 0
fi
command -v node >/dev/null && command -v npm >/dev/null || "$(dirname "$0")/deps.sh" nodejs npm
work=$(mktemp -d)
trap 'kill "${sandbox_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r "$src" "$work/cc" && chmod -R u+w "$work/cc"
(cd "$work/cc" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

"$bin" sandbox --dir "$work/sandbox" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 50); do grep -q "node crosscheck.mjs" "$work/sandbox.log" && break; sleep 0.2; done
line=$(grep "node crosscheck.mjs" "$work/sandbox.log") || { cat "$work/sandbox.log"; exit 1; }
# The line is ours: NAME=value pairs for the script, then the command itself.
read -r -a words <<<"$line"
env_args=("${words[@]:0:${#words[@]}-2}")
(cd "$work/cc" && env "${env_args[@]}" node crosscheck.mjs) >"$work/crosscheck.out" 2>&1 || status=$?
grep -E '^(PASS|FAIL) step|FIDELITY|^Fidelity' "$work/crosscheck.out" || true
if [ "${status:-0}" -ne 0 ] || grep -q 'FIDELITY' "$work/crosscheck.out"; then
  cat "$work/crosscheck.out"
  echo "crosscheck: 0 passed, 1 failed"
  exit 1
fi
echo "crosscheck: 1 passed, 0 failed"

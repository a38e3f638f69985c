#!/usr/bin/env bash
# smoke.sh: build the app, run it on the embedded sandbox under Xvfb in a D-Bus session (so the tray
# starts as on a desktop), wait for its window, screenshot it to shots/sandbox.png and check that the
# window is mapped and the picture is not blank.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
mkdir -p shots
$GO build -tags "$TAGS" -o shots/rescue-companion ./app

xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -euo pipefail
  HOME=$(mktemp -d) ./shots/rescue-companion --sandbox >shots/app.log 2>&1 &
  app=$!
  for _ in $(seq 1 60); do
    xdotool search --name "^Rescue Companion$" >/dev/null 2>&1 && break
    sleep 0.5
  done
  xdotool search --name "^Rescue Companion$" >/dev/null || { echo "no window appeared"; cat shots/app.log; exit 1; }
  sleep 1.5
  import -window root shots/sandbox.png
  kill -TERM $app
  wait $app || true
'
colours=$(convert shots/sandbox.png -format '%k' info:)
echo "screenshot shots/sandbox.png: $colours distinct colours"
[ "$colours" -gt 50 ] || { echo "the screenshot looks blank"; exit 1; }
echo "smoke: 1 passed, 0 failed"

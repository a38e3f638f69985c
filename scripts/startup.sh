#!/usr/bin/env bash
# startup.sh [RUNS]: how long the app takes from launch to its case window shown from the local
# cache, next to an empty Fyne app, in the same Xvfb, the same D-Bus session and the same run.
# "Shown" is when the running event loop has applied the first screen's content (ui.WhenShown); the
# frame follows at the next 60 Hz tick for both programs alike.
# The app runs against `rescue-companion sandbox` with the real keyring (gnome-keyring), signed in
# and with its cases kept beforehand by the CLI. Prints each launch and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
runs=${1:-10}
mkdir -p shots
$GO build -tags "$TAGS" -o shots/rescue-companion ./app
$GO build -tags "$TAGS" -o shots/yardstick ./app/yardstick

RUNS=$runs xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -euo pipefail
  export HOME=$(mktemp -d) LANG=en_US.UTF-8
  echo -n startup | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  ./shots/rescue-companion sandbox --dir "$HOME/sbx" >"$HOME/sandbox.log" 2>&1 &
  sandbox=$!
  trap "kill $sandbox 2>/dev/null || true" EXIT
  for _ in $(seq 1 50); do [ -f "$HOME/sbx/config.toml" ] && break; sleep 0.2; done
  cfg="$HOME/sbx/config.toml"
  ./shots/rescue-companion signin --device-code --config "$cfg" >/dev/null
  ./shots/rescue-companion cases --config "$cfg" | tail -1

  # launch CMD...: milliseconds from exec to the "shown" line.
  launch() {
    local log=$HOME/launch.log t0 t1
    : >"$log"
    t0=$(date +%s%N)
    RESCUE_COMPANION_TRACE_READY=1 "$@" 2>"$log" &
    local pid=$!
    for _ in $(seq 1 1000); do grep -q "^shown" "$log" && break; sleep 0.005; done
    t1=$(sed -n "s/^shown //p" "$log")
    [ -n "$t1" ] || { echo "no start-up trace from $1:"; cat "$log"; exit 1; }
    grep -q "^ready cached" "$log" || [ "$1" = ./shots/yardstick ] || { echo "the app did not open on its cached cases:"; cat "$log"; exit 1; }
    kill -TERM $pid; wait $pid 2>/dev/null || true
    echo $(( (t1 - t0) / 1000000 ))
  }
  app=(); empty=()
  for i in $(seq 1 "$RUNS"); do
    app+=("$(launch ./shots/rescue-companion --config "$cfg")")
    empty+=("$(launch ./shots/yardstick)")
  done
  median() { printf "%s\n" "$@" | sort -n | awk "{a[NR]=\$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}"; }
  echo "app (cases from cache), ms: ${app[*]}"
  echo "empty Fyne app, ms:         ${empty[*]}"
  ma=$(median "${app[@]}"); me=$(median "${empty[@]}")
  echo "median: app $ma ms, empty app $me ms, ratio $(awk "BEGIN {printf \"%.2f\", $ma/$me}")"
'

#!/usr/bin/env bash
# budget.sh [SECONDS]: what the app costs the services and the CPU, measured on the sandbox.
#  1. idle: the real app signed in, its window hidden, nothing pending, for SECONDS (default 60):
#     requests to Dataverse and Rescue (scaled to an hour) and the CPU the process used;
#  2. one session: a PIN, then `sync --wait` until the session is written back: requests per service.
# It runs in a private D-Bus session with gnome-keyring and under Xvfb, as the tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
SECONDS_IDLE=${1:-60}
mkdir -p shots
$GO build -tags "$TAGS" -o shots/rescue-companion ./app
$GO build -tags "$TAGS" -o shots/yardstick ./app/yardstick
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

SECONDS_IDLE=$SECONDS_IDLE WORK=$work HOME=$work XDG_CONFIG_HOME=$work/.config \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n budget | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  app=./shots/rescue-companion
  $app sandbox --dir "$WORK/sb" --pace 20s >"$WORK/sandbox.log" 2>&1 &
  sandbox=$!
  trap "kill $sandbox 2>/dev/null || true" EXIT
  for _ in $(seq 1 50); do [ -s "$WORK/sb/config.toml" ] && grep -q "Press Ctrl+C" "$WORK/sandbox.log" && break; sleep 0.2; done
  cfg=$WORK/sb/config.toml
  state_url=$(sed -n "s/^  Control surface *//p" "$WORK/sandbox.log")
  requests() { curl -s --cacert "$WORK/sb/ca.pem" "$state_url" | python3 -c "import json,sys; r=json.load(sys.stdin)[\"requests\"]; print(r[\"dataverse\"], r[\"rescue\"], r[\"entra\"])"; }

  $app signin --device-code --config "$cfg" >/dev/null
  echo sandbox-camille | $app rescue-auth --email camille@contoso-helpdesk.example --config "$cfg" >/dev/null

  # 1. idle, window hidden
  $app --config "$cfg" >"$WORK/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do xdotool search --name "^Rescue Companion$" >/dev/null 2>&1 && break; sleep 0.5; done
  sleep 5                                   # the start-up refresh of the cases
  win=$(xdotool search --name "^Rescue Companion$" | head -1)
  xdotool key --window "$win" ctrl+w        # hide to the tray
  sleep 5
  read -r dv0 rs0 en0 < <(requests)
  cpu0=$(awk "{print \$14+\$15}" /proc/$pid/stat)
  sleep "$SECONDS_IDLE"
  cpu1=$(awk "{print \$14+\$15}" /proc/$pid/stat)
  read -r dv1 rs1 en1 < <(requests)
  hz=$(getconf CLK_TCK)
  python3 - "$dv0" "$dv1" "$rs0" "$rs1" "$cpu0" "$cpu1" "$hz" "$SECONDS_IDLE" <<EOF
import sys
dv0, dv1, rs0, rs1, c0, c1, hz, secs = map(float, sys.argv[1:])
per_hour = 3600 / secs
print(f"idle, window hidden, {secs:.0f} s: Dataverse {dv1-dv0:.0f}, Rescue {rs1-rs0:.0f} requests "
      f"= {(dv1-dv0+rs1-rs0)*per_hour:.0f} per hour; CPU {(c1-c0)/hz:.2f} s = {(c1-c0)/hz/secs*100:.2f} %")
EOF
  kill $pid; wait $pid 2>/dev/null || true

  # For comparison: an empty Fyne app (its window shown) over the same time. The toolkit redraws
  # on a 60 Hz tick whatever the app does; the difference is what the app itself costs.
  ./shots/yardstick >/dev/null 2>&1 &
  ypid=$!
  sleep 5
  y0=$(awk "{print \$14+\$15}" /proc/$ypid/stat)
  sleep "$SECONDS_IDLE"
  y1=$(awk "{print \$14+\$15}" /proc/$ypid/stat)
  kill $ypid; wait $ypid 2>/dev/null || true
  python3 -c "import sys; t=(int(sys.argv[2])-int(sys.argv[1]))/int(sys.argv[3]); print(f\"empty Fyne app, {sys.argv[4]} s: CPU {t:.2f} s = {t/int(sys.argv[4])*100:.2f} %\")" "$y0" "$y1" "$hz" "$SECONDS_IDLE"

  # 2. one session, from the PIN to the record on the case
  number=$($app cases --json --config "$cfg" | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"number\"])")
  read -r dv0 rs0 en0 < <(requests)
  $app pin "$number" --config "$cfg" >/dev/null
  start=$(date +%s)
  $app sync --wait --config "$cfg" >/dev/null
  read -r dv1 rs1 en1 < <(requests)
  echo "one session (PIN, 20 s stages, details, write-back; $(( $(date +%s) - start )) s): Dataverse $((dv1-dv0)), Rescue $((rs1-rs0)) requests"
'

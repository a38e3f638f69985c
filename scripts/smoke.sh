#!/usr/bin/env bash
# smoke.sh: the app for real. Build it, run it on the embedded sandbox under Xvfb in a D-Bus session
# (so the tray starts as on a desktop), and drive it as a person would, from the keyboard: wait for the
# window, sign in through the account picker, and see the case list. Screenshots land in shots/ for people to look at:
# English in the dark theme, then French in the light theme.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
mkdir -p shots
$GO build -tags "$TAGS" -o shots/rescue-companion ./app

# drive LANG THEME PREFIX: one run of the app, three screenshots.
drive() {
  LANG=$1 FYNE_THEME=$2 PREFIX=$3 xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
    set -euo pipefail
    HOME=$(mktemp -d) ./shots/rescue-companion --sandbox >"shots/$PREFIX.log" 2>&1 &
    app=$!
    trap "kill -TERM $app 2>/dev/null || true" EXIT
    for _ in $(seq 1 60); do
      xdotool search --name "^Rescue Companion$" >/dev/null 2>&1 && break
      sleep 0.5
    done
    win=$(xdotool search --name "^Rescue Companion$" | head -1) || { echo "no window appeared"; cat "shots/$PREFIX.log"; exit 1; }
    xdotool windowsize "$win" 900 640 windowmove "$win" 0 0
    sleep 1.5
    import -window root "shots/$PREFIX-signin.png"
    xdotool key --window "$win" Tab space  # the keyboard reaches "Sign in with Microsoft" first
    sleep 1.5
    import -window root "shots/$PREFIX-picker.png"
    xdotool key --window "$win" Tab space  # the first sandbox technician
    sleep 4
    xdotool mousemove 200 180 click 1     # the second case in the list
    sleep 1
    import -window root "shots/$PREFIX-cases.png"
    xdotool key --window "$win" ctrl+g    # Generate PIN: the first time, Rescue asks who signs in
    sleep 1
    xdotool type --window "$win" --delay 20 "camille@contoso-helpdesk.example"
    xdotool key --window "$win" Tab
    xdotool type --window "$win" --delay 20 "sandbox-camille"
    sleep 0.5
    import -window root "shots/$PREFIX-rescue-signin.png"
    xdotool key --window "$win" Return
    sleep 2
    import -window root "shots/$PREFIX-pin.png"
    sleep 25                              # the sandbox customer joins the queue, then is picked up
    import -window root "shots/$PREFIX-live.png"
  '
}

changed() { # changed A B: how many pixels differ between two screenshots
  compare -metric AE "$1" "$2" null: 2>&1 | cut -d" " -f1 || true
}

passed=0
failed=0
for run in "en_US.UTF-8 dark en-dark" "fr_FR.UTF-8 light fr-light"; do
  set -- $run
  drive "$1" "$2" "$3"
  for shot in signin picker cases rescue-signin pin live; do
    colours=$(convert "shots/$3-$shot.png" -format '%k' info:)
    echo "shots/$3-$shot.png: $colours distinct colours"
  done
  # Signing in must have replaced the sign-in screen by the list: most of the window changes.
  diff=$(changed "shots/$3-signin.png" "shots/$3-cases.png")
  if [ "${diff%.*}" -gt 100000 ]; then
    passed=$((passed + 1))
  else
    echo "smoke ($3): the case list did not appear after signing in ($diff pixels changed)"
    cat "shots/$3.log"
    failed=$((failed + 1))
  fi
  # The PIN's large digits now fill the lower right of the window, where the case's details were.
  convert "shots/$3-cases.png" -crop 240x110+500+400 +repage "shots/$3-cases-corner.png"
  convert "shots/$3-pin.png" -crop 240x110+500+400 +repage "shots/$3-pin-corner.png"
  diff=$(changed "shots/$3-cases-corner.png" "shots/$3-pin-corner.png")
  rm -f "shots/$3-cases-corner.png" "shots/$3-pin-corner.png"
  if [ "${diff%.*}" -gt 3000 ]; then
    passed=$((passed + 1))
  else
    echo "smoke ($3): no PIN after the Rescue sign-in ($diff pixels changed)"
    cat "shots/$3.log"
    failed=$((failed + 1))
  fi
done
echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

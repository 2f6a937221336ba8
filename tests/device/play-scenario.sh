#!/bin/sh
# play-scenario.sh — plays one scenario through the real kiosk binary with
# devices-kiosk.ini: the ID card reader and the dispenser are the real drivers on
# simulators over ptys, in a rig folder of the test's own.
#   play-scenario.sh KIOSK BINDIR SOURCE_DIR SCENARIO
set -eu
kiosk=$1 bin=$2 src=$3 scenario=$4
rig=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-rig-XXXXXX")
trap '"$src/tests/device/rig-up" --down "$rig"; rm -rf "$rig"' EXIT
"$src/tests/device/rig-up" "$bin" "$rig" >/dev/null
sed -e "s|/tmp/kiosk-rig|$rig|g" -e "s|= \.\./\.\./|= $src/|" \
	"$src/tests/device/devices-kiosk.ini" >"$rig/kiosk.ini"
"$kiosk" --config "$rig/kiosk.ini" --database "$rig/kiosk.db" --script "$scenario"

#!/bin/sh
# scenario.sh — plays a scenario on the kiosk binary with printer = cups against a private
# cupsd, then checks the capture folder: JOBS receipts printed, the last one (when any)
# showing the scenario's order number.
#   scenario.sh SOURCE_DIR KIOSK_BINARY SCENARIO JOBS
set -eu
src=$1 kiosk=$2 scenario=$3 jobs=$4
rig=$(mktemp -d /tmp/kiosk-prn.XXXXXX)
chmod 0755 "$rig"
trap 'sh "$src/tests/rigs/cupsd.sh" stop "$rig"; rm -rf "$rig"' EXIT
sh "$src/tests/rigs/cupsd.sh" start "$rig"
export CUPS_SERVER="$rig/cups.sock"
"$kiosk" --config "$src/tests/printer/cups-kiosk.ini" --database "$rig/kiosk.db" --script "$scenario"
n=$(find "$rig/out" -name 'job-*.pdf' | wc -l)
if [ "$n" -ne "$jobs" ]; then
	echo "scenario.sh: $n receipts in the capture folder, expected $jobs" >&2
	exit 1
fi
if [ "$jobs" -gt 0 ]; then
	last=$(ls -t "$rig"/out/job-*.pdf | head -n 1)
	text=$(pdftotext -enc UTF-8 "$last" - | tr -d ' \n')
	case $text in
	*NT0126112100000001*) echo "scenario.sh: receipt of NT0126112100000001 printed ($last)" ;;
	*) echo "scenario.sh: the printed receipt lacks the order number" >&2; exit 1 ;;
	esac
fi

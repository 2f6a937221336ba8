#!/usr/bin/env bash
# unit-verify.sh KIOSK SRC — config/kiosk.service read by systemd's own parser
# (systemd-analyze verify), with ExecStart pointed at the built binary: any complaint
# (an unknown key, a value systemd would ignore) fails. Exits 77 (skipped) when
# systemd-analyze is missing.
set -euo pipefail
kiosk=$1 src=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: skipped"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
sed "s|^ExecStart=/usr/bin/kiosk |ExecStart=$kiosk |" "$src/config/kiosk.service" >"$d/kiosk.service"
grep -q "^ExecStart=$kiosk " "$d/kiosk.service" || { echo "no ExecStart to point at $kiosk"; exit 1; }
out=$(systemd-analyze verify "$d/kiosk.service" 2>&1 || true)
if [ -n "$out" ]; then
	echo "systemd-analyze verify complains:"
	echo "$out"
	exit 1
fi
for key in Type=notify WatchdogSec= Restart=always StandardOutput=journal ProtectSystem=strict \
	PrivateTmp=yes NoNewPrivileges=yes DevicePolicy=closed StateDirectory=kiosk ReadWritePaths=/var/lib/kiosk; do
	grep -q "^$key" "$d/kiosk.service" || { echo "kiosk.service lacks $key"; exit 1; }
done
echo "kiosk.service: systemd reads it without a complaint"

#!/usr/bin/env bash
# module-key.sh — the identity key on the secure module in the whole kiosk: plays
# SCENARIO on a whole-kiosk rig (tests/rigs/kiosk-rig: the client certificate issued for
# the key on the rig's KIOSK-SM, no key file) with the kiosk binary, then has test_sync
# check that the central peer holds every event of the kiosk's outbox exactly once, in
# the kiosk's order.
#   module-key.sh BINDIR SRC KIOSK TEST_SYNC SCENARIO
set -euo pipefail
bin=$1 src=$2 kiosk=$3 check=$4 scenario=$5
rig=$(mktemp -d "${TMPDIR:-/tmp}/module-key.XXXXXX")
trap '"$src/tests/rigs/kiosk-rig" down "$rig"; rm -rf "$rig"' EXIT
"$src/tests/rigs/kiosk-rig" up "$rig" "$bin" "$src"
if [ -e "$rig/central/client.key" ] || ! grep -q '^client_key = pkcs11:' "$rig/kiosk.ini"; then
	echo "module-key.sh: the kiosk's TLS key is a file, not the key on the module" >&2
	exit 1
fi
# shellcheck disable=SC1091
. "$rig/rig.env"
"$kiosk" --config "$rig/kiosk.ini" --script "$scenario"
read -r _ ctl <"$rig/central/ports"
CENTRAL_CONFIG=$rig/kiosk.ini CENTRAL_CONTROL=http://127.0.0.1:$ctl "$check" held

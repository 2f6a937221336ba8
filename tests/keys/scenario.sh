#!/usr/bin/env bash
# scenario.sh — plays one scenario through the kiosk binary with keys = pkcs11 on a
# fresh SoftHSM rig in a temporary folder (removed afterwards).
#   tests/keys/scenario.sh SCENARIO   (env: KEYS_RIG_SH, KEYS_P11RIG, KEYS_SHIM,
#                                      KIOSK_SOURCE_DIR, KIOSK_BINARY — set by ctest)
set -euo pipefail
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keysrig.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$KEYS_RIG_SH" "$tmp/rig" "$KEYS_P11RIG" >/dev/null
# shellcheck disable=SC1091
. "$tmp/rig/rig.env"
sed -e "s|@SOURCE@|$KIOSK_SOURCE_DIR|g" -e "s|@RIG@|$tmp/rig|g" -e "s|@SHIM@|$KEYS_SHIM|g" \
	"$KIOSK_SOURCE_DIR/tests/keys/pkcs11-kiosk.ini" >"$tmp/kiosk.ini"
"$KIOSK_BINARY" --config "$tmp/kiosk.ini" --database "$tmp/kiosk.db" --script "$1"

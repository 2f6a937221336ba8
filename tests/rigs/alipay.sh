#!/bin/sh
# alipay.sh — the Alipay gateway rig: a test CA, the peer's TLS certificate for
# 127.0.0.1, the app's and the peer's RSA key pairs, and the gateway peer.
#   alipay.sh up RIG PEER_BINARY [GW_PORT CTL_PORT]
#       makes the keys in folder RIG and starts the peer (ports chosen at run time unless
#       given); RIG/ports holds "GW_PORT CTL_PORT", RIG/peer.pid its pid. With
#       ALIPAY_AUTOPAY=N the peer pays every trade N seconds after it was created.
#   alipay.sh down RIG
#   alipay.sh PEER_BINARY SOURCE_DIR COMMAND [ARGS…]
#       a rig in a temporary folder for one command: runs COMMAND with ALIPAY_RIG,
#       ALIPAY_CONFIG (tests/pay/alipay-kiosk.ini filled in) and ALIPAY_CONTROL in the
#       environment, then stops the peer and removes the folder (kept with
#       ALIPAY_RIG_KEEP=1). Its exit status is COMMAND's.
set -eu
. "$(dirname "$0")/peer-lib.sh"

up() { # RIG PEER [GW CTL]
	rig=$1 peer=$2 gw_port=${3:-} ctl_port=${4:-}
	mkdir -p "$rig"
	q() { openssl "$@" >/dev/null 2>&1; }
	peer_tls "$rig" "Kiosk test CA"
	q genrsa -out "$rig/app.key" 2048
	q rsa -in "$rig/app.key" -pubout -out "$rig/app.pub"
	q genrsa -out "$rig/alipay.key" 2048
	q rsa -in "$rig/alipay.key" -pubout -out "$rig/alipay.pub"
	chmod 600 "$rig"/*.key
	set -- --cert "$rig/tls.pem" --key "$rig/tls.key" --app-pub "$rig/app.pub" \
		--sign-key "$rig/alipay.key" --ports-file "$rig/ports"
	[ -n "${ALIPAY_AUTOPAY:-}" ] && set -- "$@" --autopay "$ALIPAY_AUTOPAY"
	[ -n "$gw_port" ] && set -- "$@" --port "$gw_port" --control-port "$ctl_port"
	peer_start "$rig" alipay.sh "$peer" "$@"
}

down() { # RIG
	peer_stop "$1"
}

PEER_PREFIX=ALIPAY PEER_TEMPLATE=tests/pay/alipay-kiosk.ini PEER_URL=https://127.0.0.1:PORT/gateway.do
peer_main "$@"

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
#       ALIPAY_CONFIG (tests/pay/alipay-kiosk.ini filled in), ALIPAY_CONTROL and
#       ALIPAY_APP_KEY in the environment, then stops the peer and removes the folder
#       (kept with ALIPAY_RIG_KEEP=1). Its exit status is COMMAND's.
set -eu

up() { # RIG PEER [GW CTL]
	rig=$1 peer=$2 gw_port=${3:-} ctl_port=${4:-}
	mkdir -p "$rig"
	q() { openssl "$@" >/dev/null 2>&1; }
	q genrsa -out "$rig/ca.key" 2048
	q req -x509 -new -key "$rig/ca.key" -days 2 -subj "/CN=Kiosk test CA" -out "$rig/ca.pem"
	q genrsa -out "$rig/tls.key" 2048
	q req -new -key "$rig/tls.key" -subj "/CN=127.0.0.1" -out "$rig/tls.csr"
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$rig/tls.ext"
	q x509 -req -in "$rig/tls.csr" -CA "$rig/ca.pem" -CAkey "$rig/ca.key" -CAcreateserial \
		-days 2 -extfile "$rig/tls.ext" -out "$rig/tls.pem"
	q genrsa -out "$rig/app.key" 2048
	q rsa -in "$rig/app.key" -pubout -out "$rig/app.pub"
	q genrsa -out "$rig/alipay.key" 2048
	q rsa -in "$rig/alipay.key" -pubout -out "$rig/alipay.pub"
	chmod 600 "$rig"/*.key
	set -- --cert "$rig/tls.pem" --key "$rig/tls.key" --app-pub "$rig/app.pub" \
		--sign-key "$rig/alipay.key" --ports-file "$rig/ports"
	[ -n "${ALIPAY_AUTOPAY:-}" ] && set -- "$@" --autopay "$ALIPAY_AUTOPAY"
	[ -n "$gw_port" ] && set -- "$@" --port "$gw_port" --control-port "$ctl_port"
	rm -f "$rig/ports"
	"$peer" "$@" 2>"$rig/peer.log" &
	echo $! >"$rig/peer.pid"
	i=0
	while [ ! -s "$rig/ports" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$(cat "$rig/peer.pid")" 2>/dev/null; then
			echo "alipay.sh: the peer did not start" >&2
			cat "$rig/peer.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

down() { # RIG
	[ -f "$1/peer.pid" ] || return 0
	pid=$(cat "$1/peer.pid")
	kill "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$1/peer.pid"
}

case ${1:-} in
up)
	up "$2" "$3" "${4:-}" "${5:-}"
	exit 0
	;;
down)
	down "$2"
	exit 0
	;;
esac

peer=$1 src=$2
shift 2
rig=$(mktemp -d "${TMPDIR:-/tmp}/alipay-rig.XXXXXX")
cleanup() {
	set +e
	down "$rig"
	[ "${ALIPAY_RIG_KEEP:-0}" = 1 ] || rm -rf "$rig"
}
trap cleanup EXIT INT TERM
up "$rig" "$peer"
read -r gw ctl <"$rig/ports"
sed -e "s|@SRC@|$src|g" -e "s|@RIG@|$rig|g" -e "s|@GATEWAY@|https://127.0.0.1:$gw/gateway.do|g" \
	-e "s|@CONTROL@|http://127.0.0.1:$ctl|g" "$src/tests/pay/alipay-kiosk.ini" >"$rig/kiosk.ini"
export ALIPAY_RIG="$rig" ALIPAY_CONFIG="$rig/kiosk.ini" ALIPAY_CONTROL="http://127.0.0.1:$ctl"
export ALIPAY_APP_KEY="$rig/app.key"
set +e
"$@"
rc=$?
set -e
if [ $rc -ne 0 ]; then
	echo "--- peer log ---" >&2
	tail -40 "$rig/peer.log" >&2
fi
exit $rc

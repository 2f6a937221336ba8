#!/bin/sh
# alipay.sh — the Alipay gateway rig: a temporary folder with a test CA, the peer's TLS
# certificate for 127.0.0.1, the app's and the peer's RSA key pairs, the gateway peer on
# ports chosen at run time, and a kiosk config selecting pay = alipay.
#   alipay.sh PEER_BINARY SOURCE_DIR COMMAND [ARGS…]
# runs COMMAND with ALIPAY_RIG (the folder), ALIPAY_CONFIG (the kiosk config),
# ALIPAY_CONTROL (the peer's control URL) and ALIPAY_APP_KEY in the environment, then
# stops the peer and removes the folder. Its exit status is COMMAND's.
# With ALIPAY_RIG_KEEP=1 the folder stays; with ALIPAY_AUTOPAY=N the peer pays every trade
# N seconds after it was created (the demo).
set -eu
peer=$1 src=$2
shift 2
rig=$(mktemp -d "${TMPDIR:-/tmp}/alipay-rig.XXXXXX")
pid=
cleanup() {
	set +e
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	[ "${ALIPAY_RIG_KEEP:-0}" = 1 ] || rm -rf "$rig"
}
trap cleanup EXIT INT TERM
q() { openssl "$@" >/dev/null 2>&1; }
q genrsa -out "$rig/ca.key" 2048
q req -x509 -new -key "$rig/ca.key" -days 2 -subj "/CN=Kiosk test CA" -out "$rig/ca.pem"
q genrsa -out "$rig/tls.key" 2048
q req -new -key "$rig/tls.key" -subj "/CN=127.0.0.1" -out "$rig/tls.csr"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$rig/tls.ext"
q x509 -req -in "$rig/tls.csr" -CA "$rig/ca.pem" -CAkey "$rig/ca.key" -CAcreateserial \
	-days 2 -extfile "$rig/tls.ext" -out "$rig/tls.pem"
q genrsa -out "$rig/app.key" 2048
q rsa -in "$rig/app.key" -pubout -out "$rig/app.pub"
q genrsa -out "$rig/alipay.key" 2048
q rsa -in "$rig/alipay.key" -pubout -out "$rig/alipay.pub"
chmod 600 "$rig"/*.key
autopay=
[ -n "${ALIPAY_AUTOPAY:-}" ] && autopay="--autopay $ALIPAY_AUTOPAY"
# shellcheck disable=SC2086
"$peer" --cert "$rig/tls.pem" --key "$rig/tls.key" --app-pub "$rig/app.pub" \
	--sign-key "$rig/alipay.key" --ports-file "$rig/ports" $autopay 2> "$rig/peer.log" &
pid=$!
i=0
while [ ! -s "$rig/ports" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "alipay.sh: the peer did not start" >&2; cat "$rig/peer.log" >&2; exit 1; }
	sleep 0.1
done
read -r gw ctl < "$rig/ports"
sed -e "s|@SRC@|$src|g" -e "s|@RIG@|$rig|g" -e "s|@GATEWAY@|https://127.0.0.1:$gw/gateway.do|g" \
	-e "s|@CONTROL@|http://127.0.0.1:$ctl|g" "$src/tests/pay/alipay-kiosk.ini" > "$rig/kiosk.ini"
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

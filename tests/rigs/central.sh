#!/bin/sh
# central.sh — the central-site rig: a test CA, the peer's TLS certificate for 127.0.0.1,
# the kiosk's client certificate (CN = the kiosk id), the site's fee-signing key pair, and
# the central peer with its SQLite store.
#   central.sh up RIG PEER_BINARY [API_PORT CTL_PORT]
#       makes the keys in folder RIG and starts the peer (ports chosen at run time unless
#       given); RIG/ports holds "API_PORT CTL_PORT", RIG/peer.pid its pid. The client
#       certificate's CN is $CENTRAL_KIOSK (default NT01). With CENTRAL_P11RIG naming the
#       built p11rig helper, a keys rig (tests/rigs/softhsm.sh) is made in RIG/p11 and the
#       client key is the identity key on its secure module (token KIOSK-SM, object
#       kiosk-identity): the request is signed on the token and no client.key exists.
#       With CENTRAL_P11DIR naming a keys rig made already (the whole-kiosk rig's
#       RIG/p11), the identity key on that rig's secure module is used the same way.
#       The peer checks the kiosk's CRLs against the keys rig's issuing CA
#       (RIG/p11/ca/issuing.pem) or, without one, a CA of the rig's own (RIG/issuing.key,
#       RIG/issuing.pem) that the sync tests sign their CRLs with.
#   central.sh down RIG
#   central.sh PEER_BINARY SOURCE_DIR COMMAND [ARGS…]
#       a rig in a temporary folder for one command: runs COMMAND with CENTRAL_RIG,
#       CENTRAL_CONFIG (tests/sync/central-kiosk.ini filled in) and CENTRAL_CONTROL in the
#       environment, then stops the peer and removes the folder (kept with
#       CENTRAL_RIG_KEEP=1). Its exit status is COMMAND's.
set -eu
. "$(dirname "$0")/peer-lib.sh"

up() { # RIG PEER [API CTL]
	rig=$1 peer=$2 api_port=${3:-} ctl_port=${4:-}
	mkdir -p "$rig"
	q() { openssl "$@" >/dev/null 2>&1; }
	peer_tls "$rig" "Central test CA"
	p11=${CENTRAL_P11DIR:-}
	if [ -z "$p11" ] && [ -n "${CENTRAL_P11RIG:-}" ]; then
		"$(dirname "$0")/softhsm.sh" "$rig/p11" "$CENTRAL_P11RIG" >/dev/null
		p11=$rig/p11
	fi
	crl_ca=$rig/issuing.pem
	if [ -n "$p11" ]; then
		crl_ca=$p11/ca/issuing.pem
		(
			. "$p11/rig.env"
			export PKCS11_MODULE_PATH=/usr/lib/softhsm/libsofthsm2.so
			q req -new -engine pkcs11 \
				-keyform engine -passin "file:$p11/secure.pin" \
				-key "pkcs11:token=KIOSK-SM;object=kiosk-identity;type=private" \
				-subj "/CN=${CENTRAL_KIOSK:-NT01}" -out "$rig/client.csr" </dev/null
		)
	else
		q ecparam -name prime256v1 -genkey -noout -out "$rig/client.key"
		q req -new -key "$rig/client.key" -subj "/CN=${CENTRAL_KIOSK:-NT01}" -out "$rig/client.csr"
		q ecparam -name prime256v1 -genkey -noout -out "$rig/issuing.key"
		q req -x509 -new -key "$rig/issuing.key" -days 2 -subj "/CN=Kiosk test issuing CA" \
			-out "$rig/issuing.pem"
	fi
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >"$rig/client.ext"
	q x509 -req -in "$rig/client.csr" -CA "$rig/ca.pem" -CAkey "$rig/ca.key" -CAcreateserial \
		-days 2 -extfile "$rig/client.ext" -out "$rig/client.pem"
	q genrsa -out "$rig/fee.key" 2048
	q rsa -in "$rig/fee.key" -pubout -out "$rig/fee.pub"
	chmod 600 "$rig"/*.key
	set -- --cert "$rig/tls.pem" --key "$rig/tls.key" --ca "$rig/ca.pem" \
		--fee-key "$rig/fee.key" --db "$rig/central.db" --ports-file "$rig/ports" \
		--crl-ca "$crl_ca"
	[ -n "$api_port" ] && set -- "$@" --port "$api_port" --control-port "$ctl_port"
	peer_start "$rig" central.sh "$peer" "$@"
}

down() { # RIG
	peer_stop "$1"
}

PEER_PREFIX=CENTRAL PEER_TEMPLATE=tests/sync/central-kiosk.ini PEER_URL=https://127.0.0.1:PORT/
peer_main "$@"

#!/usr/bin/env bash
# cmp.sh — a CMP peer for the keys tests: `openssl cmp`'s mock server (OpenSSL 3.0).
# It is not a CA: it answers every IR/KUR with the fixed certificate rsp.pem, and a
# client refuses a certificate whose key is not its own, so `prepare` issues rsp.pem from
# the rig's issuing CA for the key of one rig profile (tests/rigs/softhsm.sh) first.
#
#   tests/rigs/cmp.sh prepare RIG PROFILE [renewal]
#                                           makes RIG/cmp: rsp.pem, trusted.pem (the
#                                           issuing CA), secret (the shared secret the
#                                           kiosk reads), certs/ (the kiosk's [cmp] certs).
#                                           renewal: rsp.pem takes the serial of the
#                                           profile's own certificate — the mock takes a
#                                           KUR (and an RR) only for the certificate it
#                                           answers with, known by issuer and serial — so
#                                           that a KUR renews the key as the rig made it
#   tests/rigs/cmp.sh serve RIG PORT [ARGS] runs the mock server in the foreground,
#                                           MAC-protected with ref "kiosk" and the secret;
#                                           ARGS go to it (e.g. -pkistatus 2 -failure 2)
# The server binds all interfaces: run it only inside `unshare -n` with loopback up,
# under `timeout` (it waits forever if its client dies). Stop it with SIGTERM.
set -euo pipefail
cmd=$1 W=$2
mkdir -p "$W/cmp"
C=$(cd "$W/cmp" && pwd)
case $cmd in
prepare)
	P=$3 serial=4B494F534B434D50
	mkdir -p "$C/certs" "$C/db/new"
	cd "$W/ca"
	[ "${4:-}" = renewal ] && serial=$(openssl x509 -in "$P.pem" -noout -serial | cut -d= -f2)
	openssl x509 -x509toreq -in "$P.pem" -signkey "$P.key" -out "$C/rsp.csr" 2>/dev/null
	# issued like the rig's own certificates (ca.cnf, v3_user), from a database of its own
	# (the serial may be the profile's own), valid from the rig's day (the kiosk's clock)
	# until two years after the later of that day and today: OpenSSL's CMP client checks
	# the chain on the system clock
	from=$(cat "$W/rig.day") now=$(date +%s)
	to=$(((from > now ? from : now) + 730 * 86400))
	: >"$C/db/index.txt" && echo "$serial" >"$C/db/serial"
	(cd "$C/db" && openssl ca -batch -config "$W/ca/ca.cnf" -cert "$W/ca/issuing.pem" \
		-keyfile "$W/ca/issuing.key" -in "$C/rsp.csr" -out "$C/rsp.pem" -preserveDN \
		-startdate "$(date -u -d "@$from" +%Y%m%d%H%M%SZ)" \
		-enddate "$(date -u -d "@$to" +%Y%m%d%H%M%SZ)" -extensions v3_user -notext >/dev/null 2>&1)
	cp issuing.pem "$C/trusted.pem"
	printf 'cmp-test-secret-%s\n' "$(head -c 8 /dev/urandom | xxd -p)" >"$C/secret"
	;;
serve)
	PORT=$3
	shift 3
	exec openssl cmp -port "$PORT" -srv_ref kiosk -srv_secret "file:$C/secret" \
		-rsp_cert "$C/rsp.pem" -rsp_capubs "$C/trusted.pem" -accept_raverified "$@"
	;;
*)
	echo "usage: cmp.sh prepare RIG PROFILE | serve RIG PORT [ARGS]" >&2
	exit 2
	;;
esac

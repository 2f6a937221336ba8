#!/usr/bin/env bash
# cmp-rig.sh — plays a scenario of tests/scenarios-cmp on the whole-kiosk rig
# (tests/rigs/kiosk-rig) with [keys] issuer = cmp and a CMP server, named by the
# scenario's line "# cmp: KIND [PROFILE]":
#   mock PROFILE [renewal]
#                 `openssl cmp`'s mock server (tests/rigs/cmp.sh), answering every IR/KUR
#                 with one fixed certificate issued for the key of rig profile PROFILE
#                 (with renewal: under the serial of PROFILE's certificate, see cmp.sh).
#                 It binds all interfaces: the whole play runs in a private network
#                 namespace (unshare -n, loopback only); exit 77 (skipped) when this
#                 process may not make one.
#   peer          tests/peers/cmp_peer (BINDIR/cmp_peer or $CMP_PEER): a CA issuing for the key asked,
#                 signed by the rig's issuing CA, on 127.0.0.1.
#
#   cmp-rig.sh play BINDIR SRC KIOSK SCENARIO
# The exit status is the kiosk's, or 1 when a check below fails: every certificate the
# kiosk reports ("done, certificate SERIAL") came from the CMP server (the mock's one, or
# one the peer logged as issued or revoked); nothing was queued for the central
# site; and every "# output: REGEX" line of the scenario matches the kiosk's output or the
# server's log.
#   cmp-rig.sh RIG SCENARIO
# (as kiosk-rig's KIOSK_RIG_HOOK) prepares RIG/p11/cmp, starts the server (its pid in
# RIG/cmp.pid: stopped with the rig, its log in $CMP_RIG_LOG), switches RIG/kiosk.ini to
# issuer = cmp and appends tests/keys/cmp-section.ini.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

hook() { # RIG SCENARIO
	local rig=$1 kind profile how port i
	read -r kind profile how < <(sed -n 's/^# cmp: //p' "$2")
	bash "$here/cmp.sh" prepare "$rig/p11" "${profile:-unit-expiring}" "${how:-}"
	: >"${CMP_RIG_LOG:?}"
	case $kind in
	mock)
		echo "cmp-rig: the mock answers with certificate" \
			"$(openssl x509 -in "$rig/p11/cmp/rsp.pem" -noout -serial | cut -d= -f2)" >>"$CMP_RIG_LOG"
		port=$((20000 + RANDOM % 40000))
		while ! port_free "$port"; do port=$((20000 + RANDOM % 40000)); done
		bash "$here/cmp.sh" serve "$rig/p11" "$port" >>"$CMP_RIG_LOG" 2>&1 &
		echo $! >"$rig/cmp.pid"
		i=0
		while port_free "$port" && [ $i -lt 100 ]; do sleep 0.05 && i=$((i + 1)); done
		;;
	peer)
		rm -f "$rig/cmp.ports"
		"${CMP_PEER:?}" --ca-cert "$rig/p11/ca/issuing.pem" --ca-key "$rig/p11/ca/issuing.key" \
			--ref kiosk --secret-file "$rig/p11/cmp/secret" --ports-file "$rig/cmp.ports" \
			2>>"$CMP_RIG_LOG" &
		echo $! >"$rig/cmp.pid"
		i=0
		while [ ! -s "$rig/cmp.ports" ] && [ $i -lt 100 ]; do sleep 0.05 && i=$((i + 1)); done
		port=$(cat "$rig/cmp.ports" 2>/dev/null || echo 1)
		;;
	*)
		echo "cmp-rig: $2 has no '# cmp: mock PROFILE' or '# cmp: peer' line" >&2
		exit 2
		;;
	esac
	port_free "$port" && { echo "cmp-rig: the CMP server did not start" >&2; cat "$CMP_RIG_LOG" >&2; exit 1; }
	sed -i 's|^issuer = local|issuer = cmp|' "$rig/kiosk.ini"
	grep -q '^issuer = cmp' "$rig/kiosk.ini" || { echo "cmp-rig: no [keys] issuer line" >&2; exit 1; }
	sed -e "s|@RIG@|$rig|g" -e "s|@PORT@|$port|g" "$src/tests/keys/cmp-section.ini" >>"$rig/kiosk.ini"
}

play() { # BINDIR SRC KIOSK SCENARIO
	local scenario=$4 kind out log rc=0 s bad=0 re mock
	kind=$(sed -n 's/^# cmp: \([a-z]*\).*/\1/p' "$scenario")
	if [ "$kind" = mock ] && [ -z "${CMP_RIG_NETNS:-}" ]; then
		if ! unshare -n true 2>/dev/null; then
			echo "cmp-rig: SKIP: unshare -n is not permitted here (the mock binds all interfaces)"
			exit 77
		fi
		CMP_RIG_NETNS=1 exec unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' \
			"$0" play "$@"
	fi
	out=$(mktemp "${TMPDIR:-/tmp}/cmp-rig-out.XXXXXX")
	log=$(mktemp "${TMPDIR:-/tmp}/cmp-rig-log.XXXXXX")
	trap 'rm -f "$out" "$log"' EXIT
	set +e
	CMP_PEER=${CMP_PEER:-$1/cmp_peer} CMP_RIG_LOG=$log KIOSK_RIG_HOOK="$here/cmp-rig.sh" \
		"$here/kiosk-rig" play "$1" "$2" "$3" "$scenario" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	echo "--- CMP server ($kind) ---"
	cat "$log"
	mock=$(sed -n 's/^cmp-rig: the mock answers with certificate //p' "$log")
	for s in $(sed -n 's/.*\] order [A-Z0-9]*: done, certificate \([0-9A-F]*\).*/\1/p' "$out"); do
		if [ "$kind" = mock ] && [ "$s" != "$mock" ]; then
			echo "cmp-rig: certificate $s is not the mock's" && bad=1
		elif [ "$kind" = peer ] && ! grep -qE "cmp_peer: (IR|KUR) issued $s$|RR revoked $s$" "$log"; then
			echo "cmp-rig: certificate $s did not come from the CMP peer" && bad=1
		fi
	done
	if grep -q "revocation queued" "$out"; then
		echo "cmp-rig: a revocation went to the central site, not the CA" && bad=1
	fi
	while IFS= read -r re; do
		grep -qE -- "$re" "$out" "$log" || { echo "cmp-rig: no output matches: $re" && bad=1; }
	done < <(sed -n 's/^# output: //p' "$scenario")
	[ $rc -ne 0 ] && exit "$rc"
	exit $bad
}

case ${1:-} in
play)
	shift
	play "$@"
	;;
"" | -*)
	sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
*)
	hook "$@"
	;;
esac

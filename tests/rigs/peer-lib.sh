# peer-lib.sh — sourced by the peer rigs (alipay.sh, central.sh): how a peer that writes
# "PORT CONTROL_PORT" to RIG/ports is started, waited for and stopped.

# peer_start RIG NAME PROGRAM ARGS...: starts PROGRAM (whose ARGS make it write RIG/ports)
# with its log in RIG/peer.log and its pid in RIG/peer.pid; waits up to 10 s for the ports.
peer_start() {
	_rig=$1 _name=$2
	shift 2
	rm -f "$_rig/ports"
	"$@" 2>"$_rig/peer.log" &
	echo $! >"$_rig/peer.pid"
	_i=0
	while [ ! -s "$_rig/ports" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ] || ! kill -0 "$(cat "$_rig/peer.pid")" 2>/dev/null; then
			echo "$_name: the peer did not start" >&2
			cat "$_rig/peer.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# peer_stop RIG: stops the peer started in RIG, if any, and waits for it.
peer_stop() {
	[ -f "$1/peer.pid" ] || return 0
	_pid=$(cat "$1/peer.pid")
	kill "$_pid" 2>/dev/null || true
	while kill -0 "$_pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$1/peer.pid"
}

# peer_tls RIG CA_NAME: a test CA (RIG/ca.key, RIG/ca.pem) and the peer's TLS certificate
# for 127.0.0.1 signed by it (RIG/tls.key, RIG/tls.pem), EC P-256, valid two days.
peer_tls() {
	_q() { openssl "$@" >/dev/null 2>&1; }
	_q ecparam -name prime256v1 -genkey -noout -out "$1/ca.key"
	_q req -x509 -new -key "$1/ca.key" -days 2 -subj "/CN=$2" -out "$1/ca.pem"
	_q ecparam -name prime256v1 -genkey -noout -out "$1/tls.key"
	_q req -new -key "$1/tls.key" -subj "/CN=127.0.0.1" -out "$1/tls.csr"
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$1/tls.ext"
	_q x509 -req -in "$1/tls.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" -CAcreateserial \
		-days 2 -extfile "$1/tls.ext" -out "$1/tls.pem"
}

# peer_main "$@": the commands every peer rig takes, `up RIG PEER [PORT CTL_PORT]` and
# `down RIG` (through the script's own up and down), or else — PEER SOURCE_DIR COMMAND… —
# a rig in a temporary folder for one command (see peer_once). Needs PEER_PREFIX (ALIPAY,
# CENTRAL), PEER_TEMPLATE (the kiosk config under SOURCE_DIR) and PEER_URL (the address
# put for @URL@ in it, with PORT standing for the peer's port).
peer_main() {
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
	peer_once "$@"
}

# peer_once PEER SOURCE_DIR COMMAND…: runs COMMAND with ${PEER_PREFIX}_RIG (the folder),
# ${PEER_PREFIX}_CONFIG (PEER_TEMPLATE filled in) and ${PEER_PREFIX}_CONTROL (the control
# URL) in the environment, then stops the peer and removes the folder (kept with
# ${PEER_PREFIX}_RIG_KEEP=1). Its exit status is COMMAND's; on failure the peer's log
# follows.
peer_once() {
	_peer=$1 _src=$2
	shift 2
	_rig=$(mktemp -d "${TMPDIR:-/tmp}/peer-rig.XXXXXX")
	trap '_cleanup' EXIT INT TERM
	up "$_rig" "$_peer"
	read -r _port _ctl <"$_rig/ports"
	_url=$(echo "$PEER_URL" | sed "s|PORT|$_port|")
	sed -e "s|@SRC@|$_src|g" -e "s|@RIG@|$_rig|g" -e "s|@URL@|$_url|g" \
		-e "s|@CONTROL@|http://127.0.0.1:$_ctl|g" "$_src/$PEER_TEMPLATE" >"$_rig/kiosk.ini"
	export "${PEER_PREFIX}_RIG=$_rig" "${PEER_PREFIX}_CONFIG=$_rig/kiosk.ini" \
		"${PEER_PREFIX}_CONTROL=http://127.0.0.1:$_ctl"
	set +e
	"$@"
	_rc=$?
	set -e
	if [ $_rc -ne 0 ]; then
		echo "--- peer log ---" >&2
		tail -40 "$_rig/peer.log" >&2
	fi
	exit $_rc
}

_cleanup() {
	set +e
	peer_stop "$_rig"
	eval "_keep=\${${PEER_PREFIX}_RIG_KEEP:-0}"
	[ "$_keep" = 1 ] || rm -rf "$_rig"
}

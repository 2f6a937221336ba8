#!/bin/sh
# cupsd.sh — a private CUPS scheduler on a unix socket for the printer tests.
#   cupsd.sh start DIR   config in DIR/etc, socket DIR/cups.sock, pid in DIR/cupsd.pid,
#                        a queue "receipt" (raw, accepting, enabled) writing jobs to DIR/out
#                        through the capture backend (DIR/out/PAPER-OUT fakes paper-out)
#   cupsd.sh stop DIR    stops that scheduler (SIGTERM to its pid) and waits for it
# Needs root (cupsd runs its backends as root here: the backend is mode 0700).
set -eu
cmd=$1 d=$2
here=$(cd "$(dirname "$0")" && pwd)
case $cmd in
start)
	mkdir -p "$d/etc" "$d/spool/tmp" "$d/cache" "$d/state" "$d/log" "$d/out" "$d/serverbin/backend"
	chmod 0755 "$d" "$d/serverbin" "$d/serverbin/backend"
	chmod 0777 "$d/out"
	for sub in filter daemon driver cgi-bin monitor notifier; do
		[ -e "/usr/lib/cups/$sub" ] && ln -sfn "/usr/lib/cups/$sub" "$d/serverbin/$sub"
	done
	install -m 0700 "$here/capture-backend" "$d/serverbin/backend/capture"
	cat > "$d/etc/cups-files.conf" <<CONF
ServerRoot $d/etc
RequestRoot $d/spool
CacheDir $d/cache
StateDir $d/state
Printcap $d/printcap
AccessLog $d/log/access_log
ErrorLog $d/log/error_log
PageLog $d/log/page_log
ServerBin $d/serverbin
SystemGroup root
FileDevice Yes
CONF
	cat > "$d/etc/cupsd.conf" <<CONF
Listen $d/cups.sock
Browsing No
BrowseLocalProtocols none
WebInterface No
DefaultAuthType None
JobRetryInterval 1
<Policy default>
<Limit All>
Order deny,allow
Allow all
</Limit>
</Policy>
CONF
	cupsd -f -c "$d/etc/cupsd.conf" -s "$d/etc/cups-files.conf" </dev/null >"$d/log/cupsd.out" 2>&1 &
	echo $! > "$d/cupsd.pid"
	i=0
	while [ ! -S "$d/cups.sock" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "cupsd.sh: no socket after 10 s" >&2; cat "$d/log/"* >&2; exit 1; }
		sleep 0.1
	done
	CUPS_SERVER="$d/cups.sock" lpadmin -p receipt -E -v "capture:$d/out" 2>"$d/log/lpadmin.err" ||
		{ cat "$d/log/lpadmin.err" >&2; exit 1; }
	;;
stop)
	[ -f "$d/cupsd.pid" ] || exit 0
	pid=$(cat "$d/cupsd.pid")
	kill -TERM "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { kill -KILL "$pid" 2>/dev/null || true; break; }
		sleep 0.1
	done
	rm -f "$d/cupsd.pid"
	;;
*)
	echo "usage: cupsd.sh start|stop DIR" >&2
	exit 2
	;;
esac

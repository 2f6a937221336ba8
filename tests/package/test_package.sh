#!/usr/bin/env bash
# test_package.sh SRC — the Debian package end to end, without network:
#  1. configures the release preset and builds what the package holds (the kiosk and its
#     voice prompts, not the whole suite), then `cpack -G DEB` in build/release;
#  2. lintian: any error or warning fails (overrides: packaging/deb/lintian-overrides);
#  3. installs it into a throwaway root with `dpkg --root`, the maintainer scripts run on
#     this machine with DPKG_ROOT set (--force-script-chrootless: the empty root has no
#     shell to chroot into; the scripts work inside DPKG_ROOT only) and --force-depends
#     (the root's dpkg database knows none of the dependencies);
#  4. the installed kiosk checks the installed /etc/kiosk/kiosk.ini (its hall's file is
#     found beside it, relative to the config's folder), which must be production-shaped,
#     and what it names under /usr/share/kiosk must be there;
#  5. edits the hall's conffiles, installs the same package again, and the edits survive;
#  6. removes (conffiles stay), then purges (they go).
# Exits 77 (skipped) when not root: dpkg --root must own the files it installs.
set -euo pipefail
src=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
for tool in cpack dpkg lintian systemd-sysusers; do
	command -v "$tool" >/dev/null || { echo "$tool missing (scripts/deps installs it)"; exit 1; }
done

t0=$SECONDS
step() { echo "--- $1 ($((SECONDS - t0)) s)"; }
fail() { echo "FAIL: $*"; exit 1; }

root=$(mktemp -d) log=$(mktemp)
trap 'rm -rf "$root" "$log"' EXIT
host_had_user=0
getent passwd kiosk >/dev/null && host_had_user=1

step "release build: kiosk and voice prompts"
mkdir -p "$src/build"
exec 9>"$src/build/.package.lock" # one package build at a time in this checkout
flock 9
cd "$src"
cmake --preset release >/dev/null
cmake --build build/release -j 2 --target kiosk ui_voice >/dev/null
step "cpack -G DEB"
out=$(cd build/release && cpack -G DEB)
deb=$(sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' <<<"$out")
[ -f "$deb" ] || { echo "$out"; fail "cpack made no package"; }
echo "$deb: $(du -k "$deb" | cut -f1) kB, $(dpkg-deb -c "$deb" | wc -l) entries"

step "lintian"
lintian --fail-on error,warning "$deb" 2> >(grep -v 'root privileges' >&2) ||
	fail "lintian complains"

step "install into $root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkgr() { # dpkg in the root; its output (the missing dependencies, at length) only on failure
	dpkg --root="$root" --force-script-chrootless --force-depends "$@" </dev/null >"$log" 2>&1 ||
		{ cat "$log"; return 1; }
}
dpkgr -i "$deb"
grep -q '^kiosk:' "$root/etc/passwd" || fail "postinst made no kiosk user in the root"
grep -q '^kiosk:' "$root/etc/group" || fail "postinst made no kiosk group in the root"
if [ "$host_had_user" = 0 ] && getent passwd kiosk >/dev/null; then
	fail "postinst made the kiosk user on this machine, outside DPKG_ROOT"
fi
dpkg --root="$root" -s kiosk | grep -q '^Status: install ok installed' || fail "not installed"
conffiles=$(dpkg --root="$root" -s kiosk | sed -n '/^Conffiles:/,/^[A-Z]/p' | grep -c '^ /etc/')
halls=$(find "$src/config/regions" -name '*.ini' | wc -l)
[ "$conffiles" -eq $((halls + 1)) ] || fail "$conffiles conffiles, expected kiosk.ini and every hall"

step "the installed kiosk checks the installed config"
ini=$root/etc/kiosk/kiosk.ini
kiosk=$root/usr/bin/kiosk
got=$("$kiosk" --config "$ini" --check-config) || fail "--check-config refuses $ini"
echo "$got"
[ "$got" = "$ini: ok (hall 南通市公共资源交易中心, kiosk NT01)" ] || fail "unexpected: $got"
bad=$(grep -nE '^control *=' "$ini" | grep -vE '= *none( |;|$)' || true)
[ -z "$bad" ] || fail "a control port on a kiosk: $bad"
bad=$(grep -nE 'var/rig|127\.0\.0\.1|\.\./' "$ini" || true)
[ -z "$bad" ] || fail "rig paths in the shipped config: $bad"
value() { sed -n "s/^$1 *= *\([^ ;]*\).*/\1/p" "$ini"; }
for w in database ledger crl_file metrics_file; do
	case $(value "$w") in /var/lib/kiosk/*) ;; *) fail "$w outside /var/lib/kiosk: $(value "$w")" ;; esac
done
assets=$root$(value assets) voice=$root$(value voice)
for lang in zh-CN en; do
	[ -s "$assets/strings/$lang.ini" ] || fail "no $lang strings in $assets"
	n=$(find "$voice/$lang" -name '*.wav' | wc -l)
	[ "$n" -gt 0 ] || fail "no $lang voice prompts in $voice"
	echo "$lang: strings and $n voice prompts"
done
grep -q '^ExecStart=/usr/bin/kiosk --config /etc/kiosk/kiosk.ini ' "$root/lib/systemd/system/kiosk.service" ||
	fail "the unit does not run the installed kiosk on /etc/kiosk/kiosk.ini"

step "upgrade over the hall's edits"
sed -i 's/^id = NT01 /id = NT02 /' "$ini"
echo "; the hall's note: kept across upgrades" >>"$root/etc/kiosk/regions/nantong.ini"
sum=$(md5sum "$ini" "$root/etc/kiosk/regions/nantong.ini")
dpkgr -i "$deb"
[ "$(md5sum "$ini" "$root/etc/kiosk/regions/nantong.ini")" = "$sum" ] ||
	fail "the upgrade overwrote the hall's edits"
if [ -e "$ini.dpkg-new" ] || [ -e "$ini.dpkg-dist" ]; then fail "the upgrade left a .dpkg-new/.dpkg-dist"; fi
got=$("$kiosk" --config "$ini" --check-config) || fail "--check-config refuses the edited config"
[ "$got" = "$ini: ok (hall 南通市公共资源交易中心, kiosk NT02)" ] || fail "after the upgrade: $got"

step "remove, then purge"
dpkgr -r kiosk
[ ! -e "$kiosk" ] || fail "remove left $kiosk"
[ -f "$ini" ] || fail "remove took the conffile $ini"
dpkgr -P kiosk
if [ -e "$ini" ] || [ -e "$root/etc/kiosk/regions/nantong.ini" ]; then fail "purge left the conffiles"; fi
step "done"

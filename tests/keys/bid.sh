#!/usr/bin/env bash
# bid.sh — a bidder's use of a key, with nothing but the command line: OpenSSL's pkcs11
# engine on the token, as a trading platform's client would use it (test_keys_bid.c).
#
#   bid.sh certs WD SERIAL CAFILE   the key's certificate pair, read off the token into
#                                   WD/sign.pem and WD/enc.pem and checked with
#                                   `openssl x509 -text`: the keyUsage of each, the same
#                                   subject, both chaining to CAFILE
#   bid.sh seal WD SERIAL PIN CAFILE
#                                   WD/bid.txt encrypted to WD/enc.pem (WD/bid.p7, kept
#                                   across renewals) and signed with the signing key
#                                   (WD/signed.p7), the signature verified to CAFILE
#   bid.sh open WD SERIAL PIN       WD/bid.p7 decrypted with the encryption key on the
#                                   token (no recipient named: the key finds its own, as
#                                   at a bid opening after a renewal) and compared
# SOFTHSM2_CONF names the rig's tokens. Prints what failed and exits 1.
set -euo pipefail
step=$1 WD=$2 SERIAL=$3
M=/usr/lib/softhsm/libsofthsm2.so
export PKCS11_MODULE_PATH=$M
L="GXCA $SERIAL"
fail() {
	echo "bid.sh $step: $*"
	exit 1
}
# the hex CKA_ID of the certificate object labelled $1
cert_id() {
	pkcs11-tool --module "$M" --token-label "$L" --list-objects --type cert 2>/dev/null |
		awk -v l="$1" '/label:/ {sub(/^[ \t]*label:[ \t]*/, ""); t = $0} /ID:/ && t == l {print $2; exit}'
}
uri() { # ID PIN
	printf 'pkcs11:serial=%s;id=%s;type=private;pin-value=%s' "$SERIAL" "$(sed 's/../%&/g' <<<"$1")" "$2"
}
cd "$WD"
case $step in
certs)
	for use in sign enc; do
		label=$L
		[ $use = enc ] && label="$L enc"
		pkcs11-tool --module "$M" --token-label "$L" --read-object --type cert --label "$label" \
			-o $use.der >/dev/null 2>&1 || fail "no certificate labelled '$label'"
		openssl x509 -inform DER -in $use.der -out $use.pem
		cert_id "$label" >$use.id
		[ -s $use.id ] || fail "the '$label' certificate has no ID"
		openssl verify -no_check_time -CAfile "$4" $use.pem >/dev/null || fail "$use does not chain"
	done
	sign=$(openssl x509 -in sign.pem -noout -text)
	enc=$(openssl x509 -in enc.pem -noout -text)
	grep -A1 "X509v3 Key Usage: critical" <<<"$sign" | grep -qx " *Digital Signature, Non Repudiation" ||
		fail "signing keyUsage: $(grep -A1 'Key Usage' <<<"$sign")"
	if grep -q "rsaEncryption" <<<"$enc"; then want="Key Encipherment, Data Encipherment"; else want="Key Agreement"; fi
	grep -A1 "X509v3 Key Usage: critical" <<<"$enc" | grep -qx " *$want" ||
		fail "encryption keyUsage: $(grep -A1 'Key Usage' <<<"$enc")"
	[ "$(openssl x509 -in sign.pem -noout -subject)" = "$(openssl x509 -in enc.pem -noout -subject)" ] ||
		fail "the pair's subjects differ"
	[ "$(openssl x509 -in sign.pem -noout -enddate)" = "$(openssl x509 -in enc.pem -noout -enddate)" ] ||
		fail "the pair's validities differ"
	if cmp -s <(openssl x509 -in sign.pem -noout -pubkey) <(openssl x509 -in enc.pem -noout -pubkey); then
		fail "the pair shares one key"
	fi
	;;
seal)
	openssl rand -hex 64 >bid.txt
	openssl cms -encrypt -binary -aes256 -in bid.txt -out bid.p7 -outform DER enc.pem ||
		fail "cannot encrypt to the encryption certificate"
	openssl cms -sign -binary -nodetach -engine pkcs11 -keyform engine -inkey "$(uri "$(cat sign.id)" "$4")" \
		-signer sign.pem -md sha256 -in bid.txt -out signed.p7 -outform DER 2>/dev/null ||
		fail "cannot sign with the signing key on the token"
	openssl cms -verify -binary -inform DER -in signed.p7 -CAfile "$5" -no_check_time \
		-out verified.txt 2>/dev/null ||
		fail "the signature does not verify"
	cmp -s bid.txt verified.txt || fail "the signed content differs"
	;;
open)
	rm -f opened.txt
	openssl cms -decrypt -binary -inform DER -in bid.p7 -engine pkcs11 -keyform engine \
		-inkey "$(uri "$(cat enc.id)" "$4")" -out opened.txt 2>err.txt || fail "$(cat err.txt)"
	cmp -s bid.txt opened.txt || fail "the opened bid differs"
	;;
*) fail "unknown step" ;;
esac

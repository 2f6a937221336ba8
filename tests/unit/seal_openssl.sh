#!/usr/bin/env bash
# seal_openssl.sh TEST_SEAL — the seals test_seal makes, read by OpenSSL's command line
# instead of our decoder: openssl asn1parse walks the DER (GB/T 38540 layout: header
# "ES" 4, the name, certListType, the holder's certificate in certList, GeneralizedTime
# dates, the PNG, the maker certificate, the algorithm), the maker certificate and the
# signature are cut out where asn1parse says they are, and openssl dgst -verify checks
# the maker's signature over the DER of the seal info (ECDSA-SHA256, RSA-SHA256 and
# SM2-with-SM3 with the default signer id). A flipped byte of the info must fail it.
set -euo pipefail
test_seal=${1:?usage: seal_openssl.sh TEST_SEAL}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$test_seal" "$dir" >/dev/null
fail=0 passed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

tlv() { # FILE DEPTH-1-INDEX → "offset hl l" of the INDEXth element at depth 1
	openssl asn1parse -inform DER -in "$1" | awk -v want="$2" '
		/:d=1 / { if (n++ == want) { split($0, a, ":"); off = a[1] + 0
			match($0, /hl= *[0-9]+/); hl = substr($0, RSTART + 3, RLENGTH - 3) + 0
			match($0, / l= *[0-9]+/); l = substr($0, RSTART + 3, RLENGTH - 3) + 0
			print off, hl, l } }'
}
cut_bytes() { # FILE OFFSET COUNT
	tail -c +$(($2 + 1)) "$1" | head -c "$3"
}

# seal FILE DGST [SIGOPT...]: check the layout and the maker's signature of FILE
seal() {
	local f=$dir/$1 md=$2
	shift 2
	local parse
	parse=$(openssl asn1parse -inform DER -in "$f" -i) || { bad "$1: asn1parse"; return; }
	for want in 'IA5STRING *:ES$' 'INTEGER *:04$' 'GENERALIZEDTIME' 'IA5STRING *:PNG$' \
		'OBJECT *:(ecdsa-with-SHA256|sha256WithRSAEncryption|SM2-with-SM3)$'; do
		grep -Eq "$want" <<<"$parse" && ok || bad "$1: no $want in asn1parse"
	done
	read -r ioff ihl il < <(tlv "$f" 0)
	read -r coff chl cl < <(tlv "$f" 1)
	read -r soff shl sl < <(tlv "$f" 3)
	cut_bytes "$f" "$ioff" $((ihl + il)) >"$dir/info.der"
	cut_bytes "$f" $((coff + chl)) "$cl" >"$dir/maker.der"
	cut_bytes "$f" $((soff + shl + 1)) $((sl - 1)) >"$dir/sig.bin" # past the unused-bits byte
	openssl x509 -inform DER -in "$dir/maker.der" -pubkey -noout >"$dir/pub.pem" &&
		ok || bad "$1: the maker certificate does not parse"
	openssl asn1parse -inform DER -in "$dir/info.der" >/dev/null && ok || bad "$1: info"
	if openssl dgst "-$md" -verify "$dir/pub.pem" "$@" -signature "$dir/sig.bin" \
		"$dir/info.der" >/dev/null; then ok; else bad "$1: the maker's signature"; fi
	# one byte of the info changed: the signature no longer verifies
	printf '\x00' | dd of="$dir/info.der" bs=1 seek=20 conv=notrunc status=none
	if openssl dgst "-$md" -verify "$dir/pub.pem" "$@" -signature "$dir/sig.bin" \
		"$dir/info.der" >/dev/null 2>&1; then bad "$1: a changed info verifies"; else ok; fi
}

seal unit.der sha256
seal person.der sha256
seal sm2.der sm3 -sigopt distid:1234567812345678

# the unit seal binds the holder's certificate itself: certList's OCTET STRING is it
off=$(openssl asn1parse -inform DER -in "$dir/unit.der" | awk '/:d=4 .*OCTET STRING/ { print $1 + 0; exit }')
openssl asn1parse -inform DER -in "$dir/unit.der" -strparse "$off" -out "$dir/bound.der" -noout
cmp -s "$dir/bound.der" "$dir/holder.der" && ok || bad "unit.der: certList is not the holder's certificate"
# the person seal binds its hash: CertDigestObj { "sha256", SHA-256 of the certificate }
sum=$(openssl dgst -sha256 -binary "$dir/holder.der" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
parse=$(openssl asn1parse -inform DER -in "$dir/person.der")
grep -q "PRINTABLESTRING *:sha256" <<<"$parse" && grep -q "$sum" <<<"$parse" && ok ||
	bad "person.der: no sha256 CertDigestObj of the holder's certificate"
# the picture is the PNG made
poff=$(openssl asn1parse -inform DER -in "$dir/unit.der" | awk '/:d=3 .*OCTET STRING/ { print $1 + 0; exit }')
read -r _ phl pl < <(openssl asn1parse -inform DER -in "$dir/unit.der" | awk -v o="$poff" '$1 + 0 == o {
	match($0, /hl= *[0-9]+/); hl = substr($0, RSTART + 3, RLENGTH - 3) + 0
	match($0, / l= *[0-9]+/); l = substr($0, RSTART + 3, RLENGTH - 3) + 0; print o, hl, l }')
cut_bytes "$dir/unit.der" $((poff + phl)) "$pl" | cmp -s - "$dir/imprint.png" && ok || bad "unit.der: the picture"

echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$passed" -gt 0 ]

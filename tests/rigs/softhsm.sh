#!/usr/bin/env bash
# softhsm.sh — sets up the keys test rig in folder W (created; must not exist or be empty):
# a private SoftHSM2 (W/softhsm2.conf, W/tokens), the PKCS#11 shim's state (W/shim), a
# test root CA, our issuing CA (its key on the kiosk's secure module), a "Jiangsu CA"
# test CA and a foreign CA, blank keys in the dispenser and user keys in every state.
#
#   tests/rigs/softhsm.sh W P11RIG [BLANKS]
# P11RIG is the built tests/rigs/p11rig helper. Every certificate is made for the rig's
# day: RIG_NOW (seconds since the epoch, default now) — a test on a virtual clock sets it
# to that clock, so the keys are expiring, locked or expired on the day the test plays,
# whatever today's date is. The day starts at 08:00 China time (00:00 UTC) of RIG_NOW's
# China date; W/rig.day holds it (seconds since the epoch). Writes W/rig.env (SOFTHSM2_CONF,
# P11SHIM_DIR, KEYS_RIG) for every process of the test to source. Profiles (the names
# `keys insert` takes) are listed in W/shim/profiles as "NAME SERIAL"; the kiosk's key
# port shows the one named in W/shim/slots with reader "port". W/ledger.rig lists the
# certificates of our issuing CA as the local issuer's ledger lines (pki/ledger.h).
set -euo pipefail
W=$1 P11RIG=$2 BLANKS=${3:-3}
M=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$W/tokens" "$W/shim/tries" "$W/ca"
W=$(cd "$W" && pwd)
export SOFTHSM2_CONF=$W/softhsm2.conf
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
	"$W/tokens" >"$SOFTHSM2_CONF"
cat >"$W/rig.env" <<ENV
export SOFTHSM2_CONF=$SOFTHSM2_CONF
export P11SHIM_DIR=$W/shim
export KEYS_RIG=$W
ENV

now=${RIG_NOW:-$(date +%s)}
DAY=$(((now + 8 * 3600) / 86400 * 86400))
echo "$DAY" >"$W/rig.day"
at() { date -u -d "@$((DAY + $1 * 86400))" +%Y%m%d%H%M%SZ; } # DAYS from the rig's day

SM_PIN=20260101 USER_PIN=135790 BLANK_SO=12345678
echo "$SM_PIN" >"$W/secure.pin"
echo "$BLANK_SO" >"$W/blank_so.pin"
head -c 32 /dev/urandom >"$W/ca/sopin.secret"
: >"$W/shim/slots"
: >"$W/shim/profiles"
: >"$W/ledger.rig" # the certificates of our CA on the rig's keys, as ledger lines

cd "$W/ca"
cat >ca.cnf <<'CNF'
[ca]
default_ca = rig
[rig]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[any]
commonName = supplied
serialNumber = optional
organizationName = optional
countryName = optional
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_user]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# the encryption certificate of a key's pair (kiosk/pki/cert.h)
[v3_enc_rsa]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment, dataEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_enc_ec]
basicConstraints = CA:false
keyUsage = critical, keyAgreement
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# a hall staff member's key: the staff role (PKI_STAFF_ROLE_OID in kiosk/pki/cert.h)
[v3_staff]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = clientAuth, 2.25.197997400230607952514762413731890959947
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
mkdir -p new

selfsigned() { # NAME SUBJECT: a root CA with serial 1, valid from 2 years before the rig's
	# day for 20 years (openssl ca: OpenSSL 3.0's req -x509 cannot set a start date)
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
	openssl req -new -utf8 -key "$1.key" -subj "$2" -out "$1.csr"
	: >index.txt && echo 01 >serial
	openssl ca -batch -utf8 -selfsign -preserveDN -config ca.cnf -keyfile "$1.key" -in "$1.csr" -out "$1.pem" \
		-startdate "$(at -730)" -enddate "$(at 6570)" -extensions v3_ca -notext >/dev/null 2>&1
}
# sign CA_NAME CSR OUT START END EXT
sign() {
	openssl ca -batch -utf8 -config ca.cnf -cert "$1.pem" -keyfile "$1.key" -in "$2" -out "$3" \
		-startdate "$4" -enddate "$5" -extensions "$6" -notext >/dev/null 2>&1
}
selfsigned root "/C=CN/O=Kiosk Test/CN=Kiosk Test Root CA"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out issuing.key 2>/dev/null
openssl req -new -utf8 -key issuing.key -subj "/C=CN/O=Guoxin CA Test/CN=Guoxin Test Issuing CA" -out issuing.csr
selfsigned jsca "/C=CN/O=Jiangsu CA/CN=Jiangsu CA Test CA"
selfsigned other "/C=US/O=Elsewhere/CN=Other Test CA"
: >index.txt && echo 1000 >serial
sign root issuing.csr issuing.pem "$(at -689)" "$(at 2963)" v3_ca
# the central KMC's escrow key (the site's: the kiosk has only its certificate, [keys]
# kmc_cert, and wraps every encryption key's escrow copy for it)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out kmc.key 2>/dev/null
openssl req -new -x509 -utf8 -key kmc.key -subj "/C=CN/O=Guoxin CA Test/CN=Guoxin Test KMC" \
	-days 7300 -out kmc.pem

hmac_pin() { # the derived SO PIN of a serial: 16 hex digits of HMAC-SHA256(secret, serial)
	printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(xxd -p -c 64 "$W/ca/sopin.secret")" |
		awk '{print substr($NF, 1, 16)}'
}
token_serial() { # LABEL: SoftHSM chooses serials at init
	pkcs11-tool --module "$M" -L 2>/dev/null | awk -v l="$1" '/token label/ {t = $4} /serial num/ && t == l {print $4}'
}
softhsm2-util --init-token --free --label KIOSK-SM --so-pin 87654321 --pin "$SM_PIN" >/dev/null
softhsm2-util --import issuing.key --token KIOSK-SM --label issuing-ca --id ca01 --pin "$SM_PIN" >/dev/null
# the kiosk's TLS identity key for the central site, made on the module (never a file);
# tests/rigs/central.sh has its certificate issued by the central rig's CA
pkcs11-tool --module "$M" --token-label KIOSK-SM --login --pin "$SM_PIN" --keypairgen \
	--key-type EC:prime256v1 --id c1 --label kiosk-identity >/dev/null 2>&1
"$P11RIG" "$M" KIOSK-SM "$SM_PIN" secret "$W/ca/sopin.secret" sopin-secret
echo "$(token_serial KIOSK-SM) secure" >>"$W/shim/slots"
# SoftHSM 2.6.1 rewrites token.object in place (truncate, then write) at every C_Login: a
# process killed in between leaves it empty and the token is gone for good. The tests that
# SIGKILL the kiosk mid-work restore the secure module (hardware in a kiosk) from this copy.
sm_object=$(grep -l KIOSK-SM "$W"/tokens/*/token.object)
cp "$sm_object" "$W/sm-token.object"
echo "$sm_object" >"$W/sm-token.path"

for i in $(seq 1 "$BLANKS"); do
	softhsm2-util --init-token --free --label "BLANK$i" --so-pin "$BLANK_SO" --pin 123456 >/dev/null
	echo "$(token_serial "BLANK$i") dispenser" >>"$W/shim/slots"
done

# userkey PROFILE CA SUBJECT FROM TO [rsa|ec [EXT]] : a user key holding a certificate
# from CA valid from day FROM to day TO of the rig (at), with the extensions of ca.cnf
# section EXT (v3_user); one of our CA with v3_user holds the pair: an encryption
# certificate beside it, its key under ID 02 (made here, as if the KMC had delivered it)
userkey() {
	local name=$1 ca=$2 subj=$3 start=$4 end=$5 alg=${6:-ec} ext=${7:-v3_user}
	local serial
	softhsm2-util --init-token --free --label "$name" --so-pin 87654321 --pin "$USER_PIN" >/dev/null
	serial=$(token_serial "$name")
	pkcs11-tool --module "$M" --token-label "$name" --login --login-type so --so-pin 87654321 \
		--change-pin --new-pin "$(hmac_pin "$serial")" >/dev/null 2>&1
	echo "$name $serial" >>"$W/shim/profiles"
	[ "$ca" = none ] && return 0
	if [ "$alg" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null
	fi
	openssl req -new -utf8 -key "$name.key" -subj "$subj" -out "$name.csr"
	if [ "$ca" = issuing ]; then
		sign issuing "$name.csr" "$name.pem" "$(at "$start")" "$(at "$end")" "$ext"
	else
		sign "$ca" "$name.csr" "$name.pem" "$(at "$start")" "$(at "$end")" "$ext"
	fi
	openssl x509 -in "$name.pem" -outform DER -out "$name.der"
	if [ "$ca" = issuing ]; then # as the kiosk's ledger has it (pki/ledger.h)
		printf 'V %s %s %s\n' "$(openssl x509 -in "$name.pem" -noout -serial | cut -d= -f2)" \
			"$((DAY + end * 86400))" "${subj##*serialNumber=}" >>"$W/ledger.rig"
	fi
	softhsm2-util --import "$name.key" --token "$name" --label "$name" --id 01 --pin "$USER_PIN" >/dev/null
	pkcs11-tool --module "$M" --token-label "$name" --login --pin "$USER_PIN" --write-object "$name.der" \
		--type cert --id 01 --label "$name" >/dev/null 2>&1
	[ "$ca" = issuing ] && [ "$ext" = v3_user ] || return 0
	if [ "$alg" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name-enc.key" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name-enc.key" 2>/dev/null
	fi
	openssl req -new -utf8 -key "$name-enc.key" -subj "$subj" -out "$name-enc.csr"
	sign issuing "$name-enc.csr" "$name-enc.pem" "$(at "$start")" "$(at "$end")" "v3_enc_$alg"
	openssl x509 -in "$name-enc.pem" -outform DER -out "$name-enc.der"
	printf 'V %s %s %s\n' "$(openssl x509 -in "$name-enc.pem" -noout -serial | cut -d= -f2)" \
		"$((DAY + end * 86400))" "${subj##*serialNumber=}" >>"$W/ledger.rig"
	softhsm2-util --import "$name-enc.key" --token "$name" --label "$name enc" --id 02 \
		--pin "$USER_PIN" >/dev/null
	pkcs11-tool --module "$M" --token-label "$name" --login --pin "$USER_PIN" \
		--write-object "$name-enc.der" --type cert --id 02 --label "$name enc" >/dev/null 2>&1
}
seal() { # PROFILE: a seal object (a data object labelled "seal")
	printf 'SEAL-IMAGE-PNG' >seal.bin
	pkcs11-tool --module "$M" --token-label "$1" --login --pin "$USER_PIN" --write-object seal.bin \
		--type data --label seal --application-label kiosk-seal >/dev/null 2>&1
}
tries() { echo "$2" >"$W/shim/tries/$(awk -v p="$1" '$1 == p {print $2}' "$W/shim/profiles")"; }

UNIT="/C=CN/O=南通示例建设工程有限公司/CN=南通示例建设工程有限公司/serialNumber=91350200MA2YJ1XR9G"
PERSON="/C=CN/CN=张三/serialNumber=11010519491231002X"
userkey unit-expiring issuing "$UNIT" -355 10
seal unit-expiring
userkey unit-locked issuing "$UNIT" -173 192
seal unit-locked
tries unit-locked 0
userkey unit-count-low issuing "$UNIT" -173 192
tries unit-count-low 2
userkey unit-final-try issuing "$UNIT" -173 192
tries unit-final-try 1
userkey unit-valid issuing "$UNIT" -173 192 rsa
userkey person-expiring issuing "$PERSON" -360 5 rsa
userkey person-expired issuing "$PERSON" -385 -20
userkey person-expired-long issuing "$PERSON" -781 -416
userkey jsca-unit jsca "$UNIT" -324 406
seal jsca-unit
userkey foreign other "/C=CN/CN=李四/serialNumber=810000199408230021" -324 406
userkey blank none "" "" ""
userkey damaged issuing "$UNIT" -173 192
"$P11RIG" "$M" damaged "$USER_PIN" halfcert
"$P11RIG" "$M" damaged "$USER_PIN" garbage 64
"$P11RIG" "$M" damaged "$USER_PIN" garbage 1048576
# a hall staff member's key: our CA gave it the staff role
userkey staff issuing "/C=CN/CN=王工/serialNumber=11010519491231002X" -324 406 ec v3_staff
# a copy of that certificate (public) on a key with another key pair: not a staff key
userkey staff-copy none "" "" ""
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out staff-copy.key 2>/dev/null
softhsm2-util --import staff-copy.key --token staff-copy --label staff --id 01 --pin "$USER_PIN" >/dev/null
pkcs11-tool --module "$M" --token-label staff-copy --login --pin "$USER_PIN" --write-object staff.der \
	--type cert --id 01 --label staff >/dev/null 2>&1
userkey junk-only none "" "" ""
"$P11RIG" "$M" junk-only "$USER_PIN" halfcert
"$P11RIG" "$M" junk-only "$USER_PIN" garbage 200000
echo "rig ready in $W"

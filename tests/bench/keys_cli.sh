#!/usr/bin/env bash
# keys_cli.sh — the key work of the kiosk done with the command line (pkcs11-tool and
# openssl with the pkcs11 engine) on the SoftHSM rig, for bench_keys to set beside the
# kiosk's own code. Same token, same steps, same module (the shim).
#
#   keys_cli.sh renew  MODULE RIG TOKEN_LABEL USER_PIN WORKDIR
#       read the key's certificate, issue a new one for the same key and subject (new
#       serial, validity from the current expiry, our extensions) with the issuing CA key
#       on the secure module, store it, check it against the CA and the key, remove the
#       old one. OpenSSL 3.0 re-signs only self-signed certificates, so the request is
#       made from the old certificate and signed on the user's key (one step more than
#       the kiosk, which needs no user PIN for a renewal).
#   keys_cli.sh newkey MODULE RIG rsa2048|ec-p256 WORKDIR
#       initialise the first blank key (label BLANK…), derive and set its SO PIN (HMAC on the secure module),
#       set the user PIN, generate the key pair on it, CSR with a Chinese subject signed
#       on it, issue, store the certificate, sign-and-verify round trip
# Exit status 0 when every step worked.
set -euo pipefail
cmd=$1 M=$2 RIG=$3
SM_PIN=$(cat "$RIG/secure.pin")
USER_PIN=902417
CA_URI="pkcs11:token=KIOSK-SM;id=%ca%01;type=private;pin-value=$SM_PIN"

engine_conf() { # WORKDIR: an OpenSSL config loading the pkcs11 engine on MODULE
	cat >"$1/openssl.cnf" <<CNF
openssl_conf = init
[init]
engines = engines
[engines]
pkcs11 = pkcs11
[pkcs11]
engine_id = pkcs11
MODULE_PATH = $M
init = 0
[v3_user]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:http://crl.example.invalid/issuing.crl
authorityInfoAccess = caIssuers;URI:http://ca.example.invalid/issuing.crt
[req]
distinguished_name = dn
[dn]
[ca]
default_ca = cli
[cli]
dir = .
database = ./index.txt
new_certs_dir = ./new
serial = ./serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
serialNumber = optional
organizationName = optional
countryName = optional
CNF
	mkdir -p "$1/new"
	[ -f "$1/index.txt" ] || : >"$1/index.txt"
	export OPENSSL_CONF=$1/openssl.cnf
}
p11() { pkcs11-tool --module "$M" "$@" 2>/dev/null; }

case $cmd in
renew)
	L=$4 PIN=$5 WD=$6
	mkdir -p "$WD" && cd "$WD" && engine_conf "$WD"
	cur=$(cat label 2>/dev/null || echo "$L")
	next=$([ "$cur" = cli-renewed ] && echo "$L" || echo cli-renewed)
	p11 --token-label "$L" --read-object --type cert --label "$cur" -o old.der >/dev/null
	openssl x509 -inform DER -in old.der -out old.pem
	end=$(date -d "$(openssl x509 -in old.pem -noout -enddate | cut -d= -f2)" +%s)
	from=$((end > $(date +%s) ? end : $(date +%s)))
	openssl x509 -x509toreq -in old.pem -engine pkcs11 -keyform engine \
		-signkey "pkcs11:token=$L;id=%01;type=private;pin-value=$PIN" -out req.pem 2>/dev/null
	openssl rand -hex 16 | sed "s/^./4/" >serial
	openssl ca -batch -utf8 -preserveDN -in req.pem -cert "$RIG/ca/issuing.pem" -engine pkcs11 \
		-keyform engine -keyfile "$CA_URI" -startdate "$(date -u -d "@$from" +%Y%m%d%H%M%SZ)" \
		-enddate "$(date -u -d "@$((from + 365 * 86400))" +%Y%m%d%H%M%SZ)" -extensions v3_user \
		-notext -out new.pem >/dev/null 2>&1
	openssl x509 -in new.pem -outform DER -out new.der
	p11 --token-label "$L" --write-object new.der --type cert --id 01 --label "$next" >/dev/null
	openssl verify -no_check_time -partial_chain -CAfile "$RIG/ca/issuing.pem" new.pem >/dev/null
	cmp -s <(openssl x509 -in old.pem -noout -pubkey) <(openssl x509 -in new.pem -noout -pubkey)
	p11 --token-label "$L" --delete-object --type cert --label "$cur" >/dev/null
	echo "$next" >label
	;;
newkey)
	TYPE=$4 WD=$5
	mkdir -p "$WD" && cd "$WD" && engine_conf "$WD"
	so=$(cat "$RIG/blank_so.pin")
	B=$(p11 -L | awk '/token label/ && $4 ~ /^BLANK/ && !b {b = $4} END {print b}')
	serial=$(p11 -L | awk -v l="$B" '/token label/ {t = $4} /serial num/ && t == l {print $4}')
	L="GXCA $serial"
	id=$(openssl rand -hex 8)
	p11 --token-label "$B" --init-token --label "$L" --so-pin "$so" >/dev/null
	printf '%s' "$serial" >serial.txt
	p11 --token-label KIOSK-SM --login --pin "$SM_PIN" --sign -m SHA256-HMAC --label sopin-secret \
		-i serial.txt -o mac.bin >/dev/null
	derived=$(xxd -p -c 64 mac.bin | cut -c1-16)
	p11 --token-label "$L" --login --login-type so --so-pin "$so" --change-pin --new-pin "$derived" >/dev/null
	p11 --token-label "$L" --login --login-type so --so-pin "$derived" --init-pin --new-pin "$USER_PIN" >/dev/null
	kt=$([ "$TYPE" = rsa2048 ] && echo rsa:2048 || echo EC:prime256v1)
	p11 --token-label "$L" --login --pin "$USER_PIN" --keypairgen --key-type "$kt" --id "$id" \
		--label "$L" >/dev/null
	KEY_URI="pkcs11:token=GXCA%20$serial;id=$(sed 's/../%&/g' <<<"$id");type=private;pin-value=$USER_PIN"
	openssl req -new -utf8 -engine pkcs11 -keyform engine -key "$KEY_URI" \
		-subj "/C=CN/CN=张三/serialNumber=11010519491231002X" -out csr.pem 2>/dev/null
	openssl rand -hex 16 | sed "s/^./4/" >serial
	openssl ca -batch -utf8 -preserveDN -in csr.pem -cert "$RIG/ca/issuing.pem" -engine pkcs11 \
		-keyform engine -keyfile "$CA_URI" -days 365 -extensions v3_user -notext -out cert.pem \
		>/dev/null 2>&1
	openssl x509 -in cert.pem -outform DER -out cert.der
	p11 --token-label "$L" --login --pin "$USER_PIN" --write-object cert.der --type cert --id "$id" \
		--label "$L" >/dev/null
	openssl rand 32 >msg
	openssl dgst -sha256 -engine pkcs11 -keyform engine -sign "$KEY_URI" -out sig msg 2>/dev/null
	openssl x509 -inform DER -in cert.der -noout -pubkey >pub.pem
	openssl dgst -sha256 -verify pub.pem -signature sig msg >/dev/null
	;;
*)
	echo "usage: keys_cli.sh renew|newkey ..." >&2
	exit 2
	;;
esac

/* cert.c — reading a key's certificate for triage, and building our subjects. */
#include "pki/cert.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "core/cntime.h"
#include "core/ident.h"
#include "drivers/token/token.h"

int pki_time_get(const ASN1_TIME *t, int64_t *utc)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	/* UTC: no time zone involved */
	int64_t days = cntime_civil_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	*utc = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/* Copies the UTF-8 text of the first nid entry of name into out, cut at a character
 * boundary. Returns 0 when absent or not convertible. */
static int name_entry(const X509_NAME *name, int nid, char *out, size_t size)
{
	int pos = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	out[0] = '\0';
	if (pos < 0)
		return 0;
	const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos));
	int len = ASN1_STRING_to_UTF8(&utf8, s);
	if (len < 0)
		return 0;
	size_t n = (size_t)len;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && (utf8[n] & 0xC0) == 0x80)
			n--; /* do not split a character */
	}
	memcpy(out, utf8, n);
	out[n] = '\0';
	OPENSSL_free(utf8);
	/* an embedded NUL would make a shorter name than the one certified */
	return strlen(out) == n;
}

static int issued_by(const X509 *ca, const X509 *x)
{
	if (!ca || X509_check_issued((X509 *)ca, (X509 *)x) != X509_V_OK)
		return 0;
	EVP_PKEY *pk = X509_get0_pubkey(ca);
	return pk && X509_verify((X509 *)x, pk) == 1;
}

/* Whether x's extendedKeyUsage names the staff role. */
static int staff_role(const X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	ASN1_OBJECT *role = OBJ_txt2obj(PKI_STAFF_ROLE_OID, 1);
	int found = 0;
	for (int i = 0; eku && role && !found && i < sk_ASN1_OBJECT_num(eku); i++)
		found = OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), role) == 0;
	ASN1_OBJECT_free(role);
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

const char *pki_use_key_usage(enum pki_use use, const EVP_PKEY *pub)
{
	if (use == PKI_SIGN)
		return "critical,digitalSignature,nonRepudiation";
	return EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA
	           ? "critical,keyEncipherment,dataEncipherment"
	           : "critical,keyAgreement";
}

/* An encryption certificate: a keyUsage without digitalSignature that enciphers or agrees
 * keys. Without a keyUsage a certificate is taken as it always was: for signing. */
static enum pki_use cert_use(const X509 *x)
{
	uint32_t ku = X509_get_key_usage((X509 *)x);
	if (ku == UINT32_MAX || (ku & KU_DIGITAL_SIGNATURE))
		return PKI_SIGN;
	return ku & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT) ? PKI_ENCRYPT : PKI_SIGN;
}

int pki_cert_read(const X509 *x, const struct pki_trust *trust, struct pki_cert_facts *out,
                  struct kerr *err)
{
	memset(out, 0, sizeof *out);
	if (pki_time_get(X509_get0_notBefore(x), &out->not_before_utc) != 0 ||
	    pki_time_get(X509_get0_notAfter(x), &out->not_after_utc) != 0) {
		memset(out, 0, sizeof *out); /* no half-read facts */
		ERR_clear_error();
		return kerr_set(err, KR_CORRUPT, "certificate validity does not read");
	}
	out->issuer = issued_by(trust->ours, x)   ? ISSUER_OURS
	              : issued_by(trust->jsca, x) ? ISSUER_JSCA
	                                          : ISSUER_OTHER;
	const X509_NAME *subj = X509_get_subject_name(x);
	int name_ok =
	    subj && name_entry(subj, NID_commonName, out->subject_name, sizeof out->subject_name);
	int id_ok =
	    subj && name_entry(subj, NID_serialNumber, out->subject_id, sizeof out->subject_id);
	if (id_ok && ident_check_uscc(out->subject_id) == IDENT_OK) {
		out->holder = HOLDER_UNIT;
	} else if (id_ok && ident_check_id_number(out->subject_id) == IDENT_OK) {
		out->holder = HOLDER_PERSON;
	} else {
		id_ok = 0;
		out->holder = HOLDER_PERSON;
	}
	out->subject_ok = name_ok && id_ok && out->subject_name[0];
	out->staff_role = out->issuer == ISSUER_OURS && staff_role(x);
	out->use = cert_use(x);
	ERR_clear_error();
	return KR_OK;
}

int pki_cert_parse(const unsigned char *der, size_t len, const struct pki_trust *trust,
                   struct pki_cert_facts *out, struct kerr *err)
{
	const unsigned char *p = der;
	memset(out, 0, sizeof *out);
	if (len == 0 || len > TOKEN_MAX_DER)
		return kerr_set(err, KR_CORRUPT, "certificate of %zu bytes", len);
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return kerr_set(err, KR_CORRUPT, "not one DER certificate");
	}
	int rc = pki_cert_read(x, trust, out, err);
	X509_free(x);
	return rc;
}

X509_NAME *pki_subject_build(enum holder holder, const char *name, const char *id)
{
	X509_NAME *n = X509_NAME_new();
	if (!n || !name[0] || !id[0] ||
	    !X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_UTF8,
	                                (const unsigned char *)"CN", -1, -1, 0) ||
	    (holder == HOLDER_UNIT &&
	     !X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8,
	                                 (const unsigned char *)name, -1, -1, 0)) ||
	    !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	                                (const unsigned char *)name, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_UTF8,
	                                (const unsigned char *)id, -1, -1, 0)) {
		X509_NAME_free(n);
		ERR_clear_error();
		return NULL;
	}
	return n;
}

/* The ECDH secret of own with peer's public key into out; its length, or 0. */
static size_t ecdh(EVP_PKEY *own, EVP_PKEY *peer, unsigned char *out, size_t size)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(own, NULL);
	size_t len = size;
	int ok = c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
	         EVP_PKEY_derive(c, out, &len) == 1;
	EVP_PKEY_CTX_free(c);
	return ok ? len : 0;
}

static int rsa_round_trip(EVP_PKEY *priv, EVP_PKEY *pub)
{
	unsigned char msg[32], ct[512], pt[512];
	size_t ct_len = sizeof ct, pt_len = sizeof pt;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pub, NULL);
	int ok = c && RAND_bytes(msg, sizeof msg) == 1 && EVP_PKEY_encrypt_init(c) == 1 &&
	         EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
	         EVP_PKEY_encrypt(c, ct, &ct_len, msg, sizeof msg) == 1;
	EVP_PKEY_CTX_free(c);
	c = ok ? EVP_PKEY_CTX_new(priv, NULL) : NULL;
	ok = ok && c && EVP_PKEY_decrypt_init(c) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
	     EVP_PKEY_decrypt(c, pt, &pt_len, ct, ct_len) == 1 && pt_len == sizeof msg &&
	     CRYPTO_memcmp(pt, msg, sizeof msg) == 0;
	EVP_PKEY_CTX_free(c);
	OPENSSL_cleanse(pt, sizeof pt);
	return ok;
}

int pki_decrypt_verify(EVP_PKEY *priv, X509 *cert)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert), *eph = NULL;
	unsigned char a[128], b[128];
	int ok = 0;
	if (pub && EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
		ok = rsa_round_trip(priv, pub);
	} else if (pub && EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC) {
		char group[32];
		size_t glen = 0;
		eph = EVP_PKEY_get_group_name(pub, group, sizeof group, &glen) == 1
		          ? EVP_EC_gen(group)
		          : NULL;
		size_t la = eph ? ecdh(eph, pub, a, sizeof a) : 0;
		size_t lb = la ? ecdh(priv, eph, b, sizeof b) : 0;
		ok = la && la == lb && CRYPTO_memcmp(a, b, la) == 0;
	}
	EVP_PKEY_free(eph);
	OPENSSL_cleanse(a, sizeof a);
	OPENSSL_cleanse(b, sizeof b);
	ERR_clear_error();
	return ok;
}

int pki_sign_verify(EVP_PKEY *priv, X509 *cert)
{
	unsigned char msg[32], sig[512];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = m && RAND_bytes(msg, sizeof msg) == 1 &&
	         EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, priv) == 1 &&
	         EVP_DigestSign(m, sig, &siglen, msg, sizeof msg) == 1;
	EVP_MD_CTX_free(m);
	m = ok ? EVP_MD_CTX_new() : NULL;
	ok = ok && m &&
	     EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
	     EVP_DigestVerify(m, sig, siglen, msg, sizeof msg) == 1;
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok;
}

/* cert.h — what a certificate on a key says, for triage: who issued it (ours, Jiangsu
 * CA, other), the holder (unit name + USCC, or person name + ID number), validity.
 * Reads certificates that came off a user's key, so everything is checked and capped;
 * the fuzz target tests/fuzz/fuzz_cert.c feeds it arbitrary bytes. */
#ifndef KIOSK_PKI_CERT_H
#define KIOSK_PKI_CERT_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "core/flow.h"
#include "core/result.h"

/* The staff role (kiosk/staff): an extendedKeyUsage purpose our CA puts in the
 * certificate of a hall staff member's key. An OID under the UUID arc 2.25 (ITU-T X.667:
 * unique without registration) until the CA assigns one under its own arc; a certificate
 * carries the role only when our CA issued it. */
#define PKI_STAFF_ROLE_OID "2.25.197997400230607952514762413731890959947"

/* The CA certificates a key's certificate is judged against (borrowed; may be NULL). */
struct pki_trust {
	X509 *ours; /* our issuing CA */
	X509 *jsca; /* the Jiangsu CA issuing CA */
};

/* Personal (the subject): wipe after use. */
struct pki_cert_facts {
	enum issuer_kind issuer;
	enum holder holder;
	int subject_ok;         /* the subject holds a valid USCC or ID number */
	char subject_name[128]; /* commonName, UTF-8, cut at a character boundary */
	char subject_id[20];    /* serialNumber attribute */
	int64_t not_before_utc, not_after_utc;
	int staff_role; /* issued by ours with PKI_STAFF_ROLE_OID in its extendedKeyUsage */
};

/* Reads x (borrowed). Returns KR_OK, or KR_CORRUPT when the validity does not read
 * (out is then all zero). */
int pki_cert_read(const X509 *x, const struct pki_trust *trust, struct pki_cert_facts *out,
                  struct kerr *err);

/* Parses DER (at most TOKEN_MAX_DER bytes, all of them one certificate) and reads it.
 * KR_CORRUPT when it is not a certificate. */
int pki_cert_parse(const unsigned char *der, size_t len, const struct pki_trust *trust,
                   struct pki_cert_facts *out, struct kerr *err);

/* Builds the subject of a certificate we issue: C=CN, O (units), CN, serialNumber.
 * Caller frees. NULL on bad input. */
X509_NAME *pki_subject_build(enum holder holder, const char *name, const char *id);

/* Converts an ASN1_TIME to seconds since the epoch; -1 on failure. */
int pki_time_get(const ASN1_TIME *t, int64_t *utc);

/* Whether priv (on a token, borrowed) signs a fresh random challenge that cert's public
 * key verifies: the key and the certificate belong together. */
int pki_sign_verify(EVP_PKEY *priv, X509 *cert);

#endif

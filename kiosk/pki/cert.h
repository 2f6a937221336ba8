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

/* What a certificate's key is for. A key holds a pair (the Chinese CAs' practice, and
 * what a bid needs): a signing certificate (digitalSignature + nonRepudiation) whose key
 * was made on the key, and an encryption certificate (keyEncipherment + dataEncipherment
 * for RSA, keyAgreement for EC) whose key pair the key management centre made and keeps
 * escrowed, delivered onto the key in an envelope (drivers/token/envelope.h). */
enum pki_use { PKI_SIGN, PKI_ENCRYPT };

/* The keyUsage value (X509V3 config syntax, critical) of a certificate of use for pub. */
const char *pki_use_key_usage(enum pki_use use, const EVP_PKEY *pub);

/* Personal (the subject): wipe after use. */
struct pki_cert_facts {
	enum issuer_kind issuer;
	enum holder holder;
	int subject_ok;         /* the subject holds a valid USCC or ID number */
	char subject_name[128]; /* commonName, UTF-8, cut at a character boundary */
	char subject_id[20];    /* serialNumber attribute */
	int64_t not_before_utc, not_after_utc;
	int staff_role;   /* issued by ours with PKI_STAFF_ROLE_OID in its extendedKeyUsage */
	enum pki_use use; /* PKI_ENCRYPT: a keyUsage that encrypts or agrees keys, never signs */
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

/* Whether priv (on a token, borrowed) opens what cert's public key closes: a fresh random
 * key encrypted to an RSA key (PKCS#1 v1.5, as CMS does) and decrypted, or for EC the
 * same ECDH secret with a fresh ephemeral key on both sides. */
int pki_decrypt_verify(EVP_PKEY *priv, X509 *cert);

#endif

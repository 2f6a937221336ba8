/* issuer.h — issuing and revoking our certificates. The `local` issuer signs with an
 * issuing CA key held on the kiosk's secure module (a token key, borrowed per call):
 * random 128-bit serials, keyUsage digitalSignature + nonRepudiation, SKI/AKI, the CRL
 * distribution point and AIA from config. It keeps a ledger (one line per issue and per
 * revocation, "V|R|Q SERIAL NOT_AFTER SUBJECT_ID") so that a lost key's certificate can
 * be revoked by its holder's ID; what it did not issue is queued for the central site. */
#ifndef KIOSK_PKI_ISSUER_H
#define KIOSK_PKI_ISSUER_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "core/result.h"

struct issuer_local {
	X509 *ca_cert; /* borrowed */
	const char *crl_url, *aia_url, *ledger;
};

/* Issues a certificate for pub (borrowed) with subject (borrowed), valid from..to,
 * signed with ca_key (borrowed, usually on a token). *out: caller frees. */
int issuer_local_issue(const struct issuer_local *L, EVP_PKEY *ca_key, EVP_PKEY *pub,
                       const X509_NAME *subject, int64_t from_utc, int64_t to_utc,
                       const char *subject_id, X509 **out, struct kerr *err);

/* Revokes every valid certificate the ledger holds for subject_id at utc. *revoked
 * counts them (serial of the last in serial_hex); when none, the request is queued for
 * the central site (*queued = 1). */
int issuer_local_revoke(const struct issuer_local *L, const char *subject_id, int64_t utc,
                        int *revoked, int *queued, char *serial_hex, size_t size, struct kerr *err);

/* The serial number of x in upper-case hex. */
void issuer_serial_hex(const X509 *x, char *out, size_t size);

#endif

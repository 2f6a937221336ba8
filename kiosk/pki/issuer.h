/* issuer.h — issuing and revoking our certificates. The `local` issuer signs with an
 * issuing CA key held on the kiosk's secure module (a token key, borrowed per call):
 * random 128-bit serials, the keyUsage of a signing or an encryption certificate
 * (pki/cert.h: the pair a key holds), SKI/AKI, the CRL
 * distribution point and AIA from config. It keeps a ledger (pki/ledger.h: one line per
 * issue, revocation, suspension and lift) so that a lost key's certificate can be
 * revoked or suspended by its holder's ID, and publishes it as a CRL; what it did not
 * issue is queued for the central site. */
#ifndef KIOSK_PKI_ISSUER_H
#define KIOSK_PKI_ISSUER_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "core/flow.h"
#include "core/result.h"
#include "pki/cert.h"

struct issuer_local {
	X509 *ca_cert; /* borrowed */
	const char *crl_url, *aia_url, *ledger;
};

/* Issues a certificate of use for pub (borrowed) with subject (borrowed), valid
 * from..to, signed with ca_key (borrowed, usually on a token). *out: caller frees. */
int issuer_local_issue(const struct issuer_local *L, EVP_PKEY *ca_key, EVP_PKEY *pub,
                       enum pki_use use, const X509_NAME *subject, int64_t from_utc, int64_t to_utc,
                       const char *subject_id, X509 **out, struct kerr *err);

/* Applies reason to the certificates the ledger holds for subject_id that have not
 * expired at utc, with one ledger line each: REVOKE_HOLD suspends every valid one (not
 * revoked, not held); a final reason (keyCompromise, affiliationChanged, superseded)
 * revokes every valid or held one (a held one keeps its hold's date as its revocation
 * date); REVOKE_LIFT returns every held one to valid. *changed counts them, the serial
 * of the last in serial_hex. When none: a hold or final revocation is queued for the
 * central site (a Q line, *queued = 1, KR_OK); a lift is KR_NOT_FOUND. KR_IO when the
 * ledger cannot be read or written. */
int issuer_local_revoke(const struct issuer_local *L, const char *subject_id,
                        enum revoke_reason reason, int64_t utc, int *changed, int *queued,
                        char *serial_hex, size_t size, struct kerr *err);

/* issuer_local_revoke of the one certificate serial (upper-case hex) of subject_id: a
 * change's old certificate once the new one is on the key. KR_NOT_FOUND when the ledger
 * has no such certificate in a state reason changes (nothing is queued). */
int issuer_local_revoke_serial(const struct issuer_local *L, const char *subject_id,
                               const char *serial, enum revoke_reason reason, int64_t utc,
                               struct kerr *err);

/* The RFC 5280 reason code (CRL_REASON_*) of reason: removeFromCRL for REVOKE_LIFT. */
int issuer_crl_reason(enum revoke_reason reason);

/* Writes the CRL of the ledger to path: X.509 v2, issuer the CA certificate's subject,
 * thisUpdate now_utc, nextUpdate next_update_hours later, authorityKeyIdentifier, a CRL
 * number one above the last (kept in "<path>.number", and never below the number of
 * the CRL already at path), and one entry per held or revoked certificate not expired
 * at now_utc: its serial, revocationDate (a held one's hold date; a final revocation of
 * a held one keeps it too) and reason code (certificateHold for a held one). A lifted
 * hold is simply absent: a full CRL lists what is not to be trusted, removeFromCRL
 * belongs to delta CRLs (RFC 5280 5.3.1), which we do not issue. Signed with ca_key
 * (borrowed, usually on a token) with SHA-256; written DER — the format a CRL
 * distribution point serves (RFC 5280 4.2.1.13) — to a temporary file beside path,
 * flushed to disk and renamed over it. *number and *entries (either may be NULL): what
 * was written. KR_IO on a failed write or signature, KR_INVALID on a bad argument. */
int issuer_local_crl(const struct issuer_local *L, EVP_PKEY *ca_key, int64_t now_utc,
                     int next_update_hours, const char *path, uint64_t *number, int *entries,
                     struct kerr *err);

/* The nextUpdate of the CRL at path into *next_utc. KR_NOT_FOUND when there is none,
 * KR_CORRUPT when it does not parse. */
int issuer_crl_next_update(const char *path, int64_t *next_utc, struct kerr *err);

/* The serial number of x in upper-case hex. */
void issuer_serial_hex(const X509 *x, char *out, size_t size);

#endif

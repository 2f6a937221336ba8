/* issuer_cmp.h — the `cmp` issuer: our certificates from a CA over RFC 4210 CMP, with
 * OpenSSL's client (OSSL_CMP_*): IR for a new key, KUR for a renewal, RR for a
 * revocation. Messages are MAC-protected with [cmp] ref and the shared secret; the proof
 * of possession is signed by the key being certified (on the token; a renewal without
 * the user's PIN is vouched for by the kiosk, raVerified). A certificate that
 * comes back must be for that key and chain to [cmp] trusted, else it is refused (the
 * CA is told so in the certConf). Every certificate received is kept in [cmp] certs as
 * "<SUBJECT_ID>.<SERIAL>.pem" so that a lost key's certificate can be revoked by its
 * holder's ID. Each call is one transaction under the configured time-outs; every
 * failure is an ordinary result whose message carries the CA's PKIStatus and failure
 * info, or the transport's reason. The shared secret lives only inside a call. */
#ifndef KIOSK_PKI_ISSUER_CMP_H
#define KIOSK_PKI_ISSUER_CMP_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "conf/conf.h"
#include "core/result.h"

/* Whether c is complete; KR_CONFIG naming the missing [cmp] key otherwise. */
int issuer_cmp_check(const struct conf_cmp *c, struct kerr *err);

/* IR: a certificate for key (borrowed; the token's private key, which signs the proof
 * of possession) with subject (borrowed), asking for days of validity. *out: caller
 * frees. KR_IO for transport failures, KR_CONFLICT when the CA refused or sent a
 * certificate we cannot accept. */
int issuer_cmp_enrol(const struct conf_cmp *c, EVP_PKEY *key, const X509_NAME *subject, int days,
                     const char *subject_id, X509 **out, struct kerr *err);

/* KUR: a new certificate for the key of old (borrowed). key (borrowed): the token's
 * private key, which then signs the proof of possession; or NULL when the user gave no
 * PIN: the kiosk vouches (raVerified) for the key it found under old. */
int issuer_cmp_update(const struct conf_cmp *c, X509 *old, EVP_PKEY *key, int days,
                      const char *subject_id, X509 **out, struct kerr *err);

/* RR with crl_reason (an RFC 5280 reason code, CRL_REASON_*; the CA's answer to a
 * reason it does not take is its own) for every certificate kept for subject_id that it
 * applies to: certificateHold suspends those neither held nor revoked (renamed to
 * .held), another reason revokes those and the held ones (renamed to .revoked).
 * removeFromCRL is KR_INVALID: CMP has no request that lifts a hold. *revoked counts
 * them, the serial of the last in serial_hex. KR_OK with *revoked == 0 when none is
 * kept. */
int issuer_cmp_revoke(const struct conf_cmp *c, const char *subject_id, int crl_reason,
                      int *revoked, char *serial_hex, size_t size, struct kerr *err);

#endif

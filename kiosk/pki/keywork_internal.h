/* keywork_internal.h — what the files of the key work share (keywork.c, keywork_pair.c):
 * the keywork itself and the steps every business is made of. Not for other callers:
 * they use keywork.h. */
#ifndef KIOSK_PKI_KEYWORK_INTERNAL_H
#define KIOSK_PKI_KEYWORK_INTERNAL_H

#include <openssl/x509.h>

#include "drivers/token/token.h"
#include "pki/cert.h"
#include "pki/issuer.h"
#include "pki/keywork.h"

#define DAY_S           86400
#define SOPIN_SECRET    "sopin-secret" /* label of the HMAC secret on the secure module */
#define SEAL_LABEL      "seal"
#define SECRET_FILE_MAX 64

struct keywork {
	const struct conf_keys *c;
	FILE *trace;
	struct token_ctx *tok;
	X509 *ours, *jsca;
	X509 *kmc; /* the central KMC's escrow certificate; NULL: no encryption pairs */
	unsigned char ca_id[32];
	size_t ca_id_len;
	struct issuer_local local; /* the local issuer: ours, the URLs and the ledger */
	int crl_failed;            /* the last CRL write failed: due again */
};

/* Whether certificates come from the CMP CA ([keys] issuer = cmp). */
int kw_is_cmp(const struct keywork *kw);

/* Logs in to the secure module with its PIN; *sm: its index (-1 when absent). The
 * caller logs out with kw_sm_logout when *sm >= 0. */
int kw_sm_login(struct keywork *kw, int *sm, struct kerr *err);
void kw_sm_logout(struct keywork *kw, int *sm);

/* Issues a certificate of use for pub with subject, valid from..to, signed on the secure
 * module: sm, logged in already, or -1 (logged in and out here). */
int kw_issue(struct keywork *kw, int sm, EVP_PKEY *pub, enum pki_use use, const X509_NAME *subject,
             int64_t from, int64_t to, const char *subject_id, X509 **out, struct kerr *err);

/* The validity of x as issued (a CMP CA chooses it; the local issuer's is as asked) into
 * res. */
void kw_cert_validity(const X509 *x, struct keywork_result *res);

/* Tells the user the step step_key starts. */
void kw_say(const struct keywork_hooks *h, const char *step_key);

/* Journals an effect on key (its serial) about certificate cert and the one it replaces
 * (old; either may be NULL): done 0 before it, 1 after. KR_IO when the journal refused
 * the intent (the effect must not be done); an outcome is never refused here. */
int kw_mark(const struct keywork_hooks *h, enum work_step step, int done, const char *key,
            const X509 *cert, const char *old, struct kerr *err);

/* (keywork_revoke.c) Revocation of the certificates of the holder w->subject_id for reason: through
 * the CMP CA first (which cannot lift a hold), then what it did not revoke through the local
 * ledger, whose CRL is rewritten on the secure module when a certificate changed. A CRL
 * that cannot be written leaves the revocation done (the ledger has it) and is retried
 * by keywork_crl_due's schedule. */
int kw_do_revoke(struct keywork *kw, const struct work_spec *w, enum revoke_reason reason,
                 int64_t now_utc, const struct keywork_hooks *h, struct keywork_result *res,
                 struct kerr *err);

/* The encryption half of the pair (keywork_pair.c). A new pair for the key at token i,
 * beside its signing certificate sign whose private key has sign_id: made on the secure
 * module (the local KMC), its escrow copy for the central KMC handed to the hooks, its
 * certificate issued for sign's subject and validity, then delivered onto the key under
 * label in an envelope that only the signing key opens, and checked with a decryption
 * (or key agreement) on the key. Needs the user's PIN (w->pin). Without a KMC
 * certificate ([keys] kmc_cert) nothing is done. res (may be NULL): the encryption
 * certificate's serial. A kiosk result. */
int kw_pair_deliver(struct keywork *kw, const struct work_spec *w, int i, const char *key_serial,
                    const struct token_cert *sign, const struct keywork_hooks *h,
                    struct keywork_result *res, struct kerr *err);

/* The encryption certificate old (on token i, found with kw_pair_find) re-certified for
 * subject, from..to: the same escrowed key pair, the new certificate stored under the
 * same ID before the old one goes. Needs no PIN. *old_serial gets the replaced one's
 * serial, res (may be NULL) the new one's. A kiosk result. */
int kw_pair_recertify(struct keywork *kw, const struct work_spec *w, int i,
                      const struct token_cert *old, const X509_NAME *subject, int64_t from,
                      int64_t to, const struct keywork_hooks *h, char *old_serial, size_t size,
                      struct keywork_result *res, struct kerr *err);

/* The encryption certificate beside the signing one c[b]: of the same issuer and subject,
 * the latest expiry. Returns the index into c or -1. */
int kw_pair_find(struct keywork *kw, const struct token_cert *c, int n, int b);

#endif

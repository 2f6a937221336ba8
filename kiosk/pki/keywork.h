/* keywork.h — the key work of the kiosk on PKCS#11 tokens: triage of the key in the
 * user's port, unlock, renewal, new-key personalisation (also exchange and reissue),
 * revocation. Runs on one thread (the keys service's): it owns the token context.
 * Secrets (the derived SO PIN, the secure module's PIN) live only inside a call and are
 * wiped; nothing personal is written to the trace. */
#ifndef KIOSK_PKI_KEYWORK_H
#define KIOSK_PKI_KEYWORK_H

#include <stdio.h>

#include "conf/conf.h"
#include "core/flow.h"
#include "core/result.h"
#include "store/work.h"

struct keywork;

/* Opens the module of c (borrowed for the keywork's life) and loads the CA
 * certificates. trace (borrowed) gets one line per step. Caller destroys. */
int keywork_create(const struct conf_keys *c, FILE *trace, struct keywork **out, struct kerr *err);
void keywork_destroy(struct keywork *kw);

/* Re-enumerates and reports the key in the user's port: 1 and its serial, or 0. */
int keywork_port(struct keywork *kw, char *serial, size_t size);

/* Triage of the key in the user's port at now_utc. KR_NOT_FOUND without a key. */
int keywork_triage(struct keywork *kw, int64_t now_utc, struct key_triage *out, struct kerr *err);

/* What the work tells as it goes: progress, each step's string key as it starts (shown
 * to the user); mark, each effect on a key or on the CA's records, before it is done and
 * after (the work journal, store/work.h): a mark that returns non-zero stops the work
 * before the effect (a failed outcome mark after it is only traced); escrow, the escrow
 * copy of an encryption key before the key gets it (non-zero stops the work). Any may be
 * NULL. */
struct keywork_hooks {
	void (*progress)(void *ctx, const char *step_key);
	int (*mark)(void *ctx, const struct work_mark *m);
	int (*escrow)(void *ctx, const struct work_escrow *e);
	void *ctx;
};

struct keywork_result {
	char cert_serial[48]; /* of the certificate issued (or revoked), "" when none */
	char enc_serial[48];  /* of the encryption certificate issued beside it, or "" */
	int64_t not_before_utc, not_after_utc; /* its validity */
	int queued; /* revocation (or a reissue's): filed for the central site */
	/* (revocation with w->revoke_reason: REVOKE_HOLD suspends, a final reason revokes,
	 * REVOKE_LIFT lifts a suspension — KR_NOT_FOUND without one, KR_INVALID through the
	 * cmp issuer; cert_serial: the last certificate changed) */
	const char *reason_key; /* on failure: the reason shown (a string key) */
};

/* Does the work w asks for (borrowed; its PIN is only read) at now_utc, reporting each
 * step. KR_OK, or a failure with res->reason_key and the detail in err. A renewal with
 * [keys] renew_fresh_key = 1 makes a new key pair when w->pin holds the user's PIN (a key
 * is generated on the token only after a user login; the PIN stays as it is); without
 * a PIN the key pair is re-certified and the trace says so. A reissue first revokes the
 * holder's certificates (keyCompromise; queued for the central site when none is ours),
 * then makes the new key. */
int keywork_run(struct keywork *kw, const struct work_spec *w, int64_t now_utc,
                const struct keywork_hooks *h, struct keywork_result *res, struct kerr *err);

/* (Re)writes the local issuer's CRL from the ledger at now_utc ([keys] crl_file,
 * crl_next_update_hours), signed with the CA key on the secure module (logged in and out
 * here), and traces "[keys] CRL N written, K entries". keywork_run's revocations call it
 * after every change of a certificate's state; call it at start-up and when
 * keywork_crl_due says so. A kiosk result. */
int keywork_crl(struct keywork *kw, int64_t now_utc, struct kerr *err);

/* Whether the CRL is due at now_utc: the file is missing or unreadable, the last write
 * failed, or its nextUpdate is within a quarter of the period. */
int keywork_crl_due(struct keywork *kw, int64_t now_utc);

/* Revokes the one certificate serial (upper-case hex) for reason in the local issuer's
 * ledger, the CRL rewritten: what a work issued but did not deliver (cessationOfOperation:
 * a work that failed after the CA issued, an order a restart reversed), or a change's old
 * certificate (superseded). KR_NOT_FOUND when the ledger holds no such certificate in a
 * state reason changes (revoked already, or the CMP CA's, which the central site revokes
 * with the order). */
int keywork_revoke_serial(struct keywork *kw, const char *serial, enum revoke_reason reason,
                          int64_t now_utc, struct kerr *err);

/* Whether the key of serial, wherever it is attached, holds the certificate cert_serial
 * (upper-case hex): 1 with that certificate's end in *not_after_utc (may be NULL), else 0. */
int keywork_key_holds(struct keywork *kw, const char *serial, const char *cert_serial,
                      int64_t *not_after_utc);

/* Proof of possession of a key (staff 1: a staff key, kiosk/staff; 0: a user's key
 * authorising a renewal, core/authority.h): the key serial in the user's port is
 * logged in to with its own PIN pin (borrowed, only read; a wrong one counts on the
 * token), a fresh random challenge (32 bytes) is signed with the private key whose ID is
 * that of the certificate that speaks for the key (as in keywork_triage), which must be
 * ours (and with staff, have the staff role), and the signature is verified with the
 * certificate's public key. KR_OK when it verifies; KR_NOT_FOUND when that key is not in
 * the port; KR_CONFLICT for a wrong or locked PIN; KR_INVALID without such a
 * certificate; KR_CORRUPT when the key holds no matching private key. */
int keywork_prove(struct keywork *kw, const char *serial, const char *pin, int staff,
                  struct kerr *err);

/* The derived SO PIN of a key serial: 16 hex digits of HMAC-SHA256 under the secret on
 * the secure module. out must hold 17 bytes; the caller wipes it. */
int keywork_so_pin(struct keywork *kw, const char *serial, char *out, struct kerr *err);

#endif

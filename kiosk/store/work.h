/* work.h — the work journal: every effect on a key is a step of its order, committed
 * before it is done (intent) and after (done), so that a restart knows what may have
 * happened to the key and to the CA's records (kiosk/pki/keys_service.c reads it back).
 *
 * A step is a journal row of kind "work" (hash-chained, sent to the central site like
 * every journal row) with the key's serial and the certificate serials involved — never
 * a PIN, nothing personal. One function writes them; the keys service writes the steps
 * of the key work, the dispenser service the hand-out. */
#ifndef KIOSK_STORE_WORK_H
#define KIOSK_STORE_WORK_H

#include <stdint.h>

#include "store/store.h"

/* The effects journaled: a certificate issued by the CA, written onto a key, an old one
 * removed from it, a PIN reset, a revocation, a key handed out of the dispenser; and the
 * encryption certificate of the pair (pki/cert.h) issued and written with its key. */
enum work_step {
	WORK_ISSUE,
	WORK_WRITE_CERT,
	WORK_REMOVE_OLD,
	WORK_SET_PIN,
	WORK_REVOKE,
	WORK_HAND_OUT,
	WORK_ISSUE_ENC,
	WORK_WRITE_ENC,
	WORK_STEP_COUNT
};

struct work_mark {
	enum work_step step;
	int done;             /* 0: about to be done (intent), 1: done */
	char key_serial[40];  /* the token's serial, "" when none */
	char cert_serial[48]; /* the certificate issued, written or revoked (hex), "" */
	char old_serial[48];  /* the certificate it replaces (hex), "" */
	int64_t not_before_utc, not_after_utc; /* with a certificate: its validity, else 0 */
};

/* The escrow copy of an encryption key (drivers/token/envelope.h: wrapped for the central
 * KMC, which alone opens it), journaled for the site as a row of kind "escrow". */
struct work_escrow {
	char key_serial[40];      /* the key it is delivered onto */
	char cert_serial[48];     /* its encryption certificate (hex) */
	const unsigned char *der; /* borrowed */
	size_t len;               /* at most WORK_ESCROW_MAX */
};
#define WORK_ESCROW_MAX 2800 /* an RSA-2048 envelope is about 1,800 bytes */

#define WORK_MARKS_MAX 64 /* the steps of one order read back at most */

/* The step's name in the journal ("issue"), or "?". */
const char *work_step_name(enum work_step step);

/* Commits m as a step of order_id (one transaction, synced to disk before it returns).
 * KR_INVALID for serials that are not printable ASCII; store errors. */
int work_mark(struct store *s, int64_t order_id, const struct work_mark *m, int64_t now_utc,
              struct kerr *err);

/* Commits e for order_id (one transaction, synced): before the key gets the key.
 * KR_INVALID for a serial that is not printable or an envelope too big. */
int work_escrow(struct store *s, int64_t order_id, const struct work_escrow *e, int64_t now_utc,
                struct kerr *err);

/* The steps of order_id, oldest first, into out[0..max); *n gets how many. A row that is
 * not a step this code writes is passed over. */
int work_marks(struct store *s, int64_t order_id, struct work_mark *out, int max, int *n,
               struct kerr *err);

#endif

/* ledger.h — the local issuer's ledger: a text file, one line per event, only ever
 * appended to:
 *   V SERIAL NOT_AFTER SUBJECT_ID       a certificate issued, valid until NOT_AFTER (UTC s)
 *   R SERIAL UTC SUBJECT_ID [REASON]    revoked at UTC for REASON: certificateHold (a
 *                                       suspension), keyCompromise, affiliationChanged,
 *                                       superseded or unspecified; a line without a
 *                                       reason (ledgers before reasons) is unspecified
 *   L SERIAL UTC SUBJECT_ID             a suspension lifted at UTC (removeFromCRL)
 *   Q - UTC SUBJECT_ID                  nothing of ours to revoke: queued for the central site
 * Reading replays the lines in order into each certificate's state. A malformed line (bad
 * kind, field, number or length) is counted and passed over, never fatal. A final
 * revocation of a held certificate keeps the hold's date as its revocation date: the
 * certificate has not been trusted since then. A revocation or lift of a serial the
 * ledger never issued (or naming another holder), a second hold, a lift of what is not
 * held, or anything after a final revocation changes nothing. */
#ifndef KIOSK_PKI_LEDGER_H
#define KIOSK_PKI_LEDGER_H

#include <stdint.h>

#include "core/result.h"

#define LEDGER_LINE_MAX  160    /* a longer line is malformed */
#define LEDGER_CERTS_MAX 200000 /* certificates held in memory; beyond: KR_FULL */

enum ledger_state { LEDGER_VALID, LEDGER_HELD, LEDGER_REVOKED };

struct ledger_cert {
	char serial[48];     /* upper-case hex, as issuer_serial_hex writes it */
	char subject_id[24]; /* letters and digits */
	int64_t not_after_utc;
	enum ledger_state state;
	int reason;        /* held or revoked: an RFC 5280 reason code (CRL_REASON_*) */
	int64_t since_utc; /* held or revoked: since when (the CRL's revocationDate) */
};

struct ledger {
	struct ledger_cert *cert; /* in the order issued; owned */
	int n, cap;
	int skipped; /* malformed lines passed over */
};

/* Reads the ledger at path into *out (a missing file is an empty ledger). Caller frees
 * with ledger_free, also after a failure: KR_IO when it cannot be read, KR_NOMEM, KR_FULL
 * beyond LEDGER_CERTS_MAX certificates. */
int ledger_read(const char *path, struct ledger *out, struct kerr *err);

/* Applies one line (with or without its line end) to lg. 0 when applied or when it
 * changes nothing, -1 when malformed (counted in lg->skipped), -2 out of memory or full. */
int ledger_feed(struct ledger *lg, const char *line);

void ledger_free(struct ledger *lg);

/* The certificate serial in lg, or NULL. */
const struct ledger_cert *ledger_find(const struct ledger *lg, const char *serial);

/* Appends text (whole lines) to the ledger at path, flushed to the disk. */
int ledger_append(const char *path, const char *text, struct kerr *err);

/* The ledger's and the CRL's name of an RFC 5280 reason code ("keyCompromise"), or NULL
 * for a code the ledger does not write. */
const char *ledger_reason_name(int crl_reason);

#endif

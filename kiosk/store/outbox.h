/* outbox.h — the store's side of central sync (migration 4): the pending outbox events
 * read oldest first in batches, a batch marked acknowledged, the last contact with the
 * central site, the number of the newest CRL it holds, and what was pulled from it (table
 * central_inbox).
 *
 * Used by the sync service on its own store handle (kiosk/sync/). Every write is one
 * transaction together with a journal row of kind "sync". */
#ifndef KIOSK_STORE_OUTBOX_H
#define KIOSK_STORE_OUTBOX_H

#include <stdint.h>

#include "store/store.h"

#define OUTBOX_BODY_MAX 4608 /* the store writes bodies up to this size */

/* One outbox row. */
struct outbox_event {
	int64_t seq;       /* the row id: grows with time */
	char event_id[64]; /* stable: order_no ":" history id */
	char kind[32];     /* order.create, order.move … */
	int64_t created_utc;
	char body[OUTBOX_BODY_MAX]; /* JSON text; personal data only in an order.create's
	                               "detail" (the contact for the e-invoice) */
};

/* Reads up to max pending (not acknowledged) events, oldest first, into out[] (the
 * caller's array of max). *n gets how many. */
int outbox_read_pending(struct store *s, int max, struct outbox_event *out, int *n,
                        struct kerr *err);

/* Marks the events named in ids[0..n) (borrowed) acknowledged at now_utc and records the
 * contact, in one transaction with a journal row {"acked": k, "last": id}. Ids that are
 * unknown or acknowledged already are skipped. *acked (may be NULL) gets how many were
 * marked now. */
int outbox_ack(struct store *s, const char *const *ids, int n, int64_t now_utc, int *acked,
               struct kerr *err);

/* The last time the central site answered (UTC s); 0 when never. */
int outbox_last_contact(struct store *s, int64_t *utc, struct kerr *err);
/* Records a contact that acknowledged nothing (e.g. a pull). */
int outbox_contact_set(struct store *s, int64_t now_utc, struct kerr *err);

/* The crlNumber of the newest CRL the central site holds from this kiosk's issuer
 * (docs/central-api.md §7), -1 when it acknowledged none. */
int outbox_crl_acked(struct store *s, int64_t *number, struct kerr *err);
/* Records that the site holds CRL number: it kept it, or (stale) answered that it holds
 * this one or a newer; with a journal row {"crl": number, "stale": 0|1}. */
int outbox_crl_acked_set(struct store *s, int64_t number, int stale, int64_t now_utc,
                         struct kerr *err);

/* What was pulled from the central site. */
enum inbox_status { INBOX_STORED, INBOX_ACCEPTED, INBOX_REFUSED, INBOX_STATUS_COUNT };

struct inbox_item {
	int64_t seq;         /* the central site's item number: unique, grows */
	const char *kind;    /* fee_table, pickup, review, revocation, or another word */
	const char *item_id; /* the central site's id of the item */
	const char *payload; /* JSON text as received */
	enum inbox_status status;
	int64_t version;    /* fee_table: its version; 0 otherwise */
	const char *reason; /* why refused; "" otherwise */
};

const char *inbox_status_id(enum inbox_status st);

/* Stores one pulled item (strings borrowed) with a journal row {"kind", "id", "status"}
 * in one transaction. An item whose seq is stored already is left as it was (KR_OK). */
int outbox_inbox_put(struct store *s, const struct inbox_item *item, int64_t now_utc,
                     struct kerr *err);

/* The highest seq pulled so far (0 when none): the next pull asks for what follows. */
int outbox_inbox_cursor(struct store *s, int64_t *seq, struct kerr *err);

/* The version of the newest accepted fee table (0 when none). */
int outbox_fee_version(struct store *s, int64_t *version, struct kerr *err);

#define INBOX_PAYLOAD_MAX 16384 /* the largest payload acted on (fee tables, pick-ups) */

/* A pulled item read back. */
struct inbox_row {
	int64_t seq;
	char kind[32];
	char item_id[64];
	char payload[INBOX_PAYLOAD_MAX + 1]; /* longer payloads are cut */
	enum inbox_status status;
};

/* The newest item of kind and item_id with status st into *out (e.g. the accepted
 * pick-up order of a number). KR_NOT_FOUND when there is none. */
int outbox_inbox_find(struct store *s, const char *kind, const char *item_id, enum inbox_status st,
                      struct inbox_row *out, struct kerr *err);

/* The oldest item of kind still stored (not yet acted on) into *out. KR_NOT_FOUND when
 * there is none. */
int outbox_inbox_next(struct store *s, const char *kind, struct inbox_row *out, struct kerr *err);

/* Calls fn for every item of kind with status st, oldest version first (then by seq),
 * until fn returns non-zero. */
int outbox_inbox_each(struct store *s, const char *kind, enum inbox_status st,
                      int (*fn)(void *ctx, const struct inbox_row *row), void *ctx,
                      struct kerr *err);

/* Records what was done with item seq: st (accepted or refused) and why, with a journal
 * row, in one transaction. */
int outbox_inbox_settle(struct store *s, int64_t seq, enum inbox_status st, const char *reason,
                        int64_t now_utc, struct kerr *err);

/* Number of pulled items of kind (NULL: any) with status st (-1: any). */
int outbox_inbox_count(struct store *s, const char *kind, int st, int64_t *n, struct kerr *err);

#endif

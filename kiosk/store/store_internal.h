/* store_internal.h — for the store's own modules beside store.c (payments.c,
 * receipts.c …): the connection and the transaction helpers, so that each module's write
 * is one transaction together with its journal row. Not for use outside kiosk/store/. */
#ifndef KIOSK_STORE_INTERNAL_H
#define KIOSK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* The handle's connection (borrowed). */
sqlite3 *store_sqlite(struct store *s);

/* BEGIN IMMEDIATE; a kiosk result. */
int store_tx_begin(struct store *s, struct kerr *err);
/* COMMIT; on failure rolled back and mapped to a kiosk result. */
int store_tx_commit(struct store *s, struct kerr *err);
/* Maps SQLite code rc (what failed) to a kiosk result and rolls the transaction back. */
int store_tx_fail(struct store *s, int rc, const char *what, struct kerr *err);
/* Appends a hash-chained journal row inside the open transaction. Returns a SQLite
 * code. kind and body: printable, no personal data. */
int store_tx_journal(struct store *s, const char *kind, int64_t order_id, const char *body,
                     int64_t at);

#endif

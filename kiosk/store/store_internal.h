/* store_internal.h — for the store's own modules beside store.c (schema.c, orders.c,
 * journal.c, consumables.c, outbox.c, payments.c, receipts.c …): the handle, its prepared
 * statements, the transaction helpers, so that each module's write is one transaction
 * together with its journal row, and the small helpers they share. Not for use outside
 * kiosk/store/. */
#ifndef KIOSK_STORE_INTERNAL_H
#define KIOSK_STORE_INTERNAL_H

#include <openssl/evp.h>
#include <sqlite3.h>

#include "store/store.h"

#define STORE_BODY_MAX 2048 /* the bodies the store writes itself */

/* Statements prepared once per handle. */
enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_ORDER_NEXT_ID,
	ST_ORDER_INSERT,
	ST_LINE_INSERT,
	ST_ORDER_STATE,
	ST_ORDER_UPDATE,
	ST_ORDER_GET,
	ST_ORDER_BY_NO,
	ST_PICKUP_TAKEN,
	ST_ORDERS_OPEN,
	ST_HISTORY_INSERT,
	ST_HISTORY_LIST,
	ST_JOURNAL_LAST,
	ST_JOURNAL_INSERT,
	ST_JOURNAL_ALL,
	ST_OUTBOX_INSERT,
	ST_OUTBOX_PENDING,
	ST_CONSUMABLE_GET,
	ST_CONSUMABLE_SET,
	ST_COUNT
};

/* The handle: the one connection, its statements, the journal's digest. */
struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	EVP_MD_CTX *md;
	FILE *trace; /* order creations and moves (store_set_trace), or NULL */
};

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

/* Rolls back the open transaction, if SQLite has not done so already. */
void store_tx_rollback(struct store *s);
/* Maps a SQLite result code to a kiosk result with a message naming what failed. */
int store_sqlite_err(sqlite3 *db, int rc, const char *what, struct kerr *err);
/* Whether rc says the file is damaged (or not a database at all). */
int store_sqlite_damaged(int rc);

/* Steps a statement that returns no row and resets it. Returns a SQLite code, SQLITE_OK on
 * success. */
int store_stmt_run(sqlite3_stmt *st);
/* Steps a statement expected to return one integer (or nothing: *out = dflt) and resets
 * it. Returns a SQLite code. */
int store_stmt_int(sqlite3_stmt *st, int64_t dflt, int64_t *out);
/* Runs one query on db and copies the first column of its first row into buf ("" when
 * there is no row). Returns a SQLite code. */
int store_db_query_text(sqlite3 *db, const char *sql, char *buf, size_t size);
/* Copies text column col of the row st stands on into out (size bytes, cut to fit), ""
 * for NULL. */
void store_column_text(sqlite3_stmt *st, int col, char *out, size_t size);

/* SHA-256 of "a|b" into out (32 bytes): how the store keeps an ID number it must only
 * recognise (agents.c, reports.c). 1, or 0 when a|b is over 47 bytes or hashing failed. */
int store_pair_digest(const char *a, const char *b, unsigned char out[32]);

/* Whether s is printable ASCII of at most max characters. */
int store_text_ok(const char *s, size_t max);
/* Writes s as a JSON string into out: room for 6 * strlen(s) + 3 bytes, or 2 * strlen(s)
 * + 3 when s is printable ASCII (store_text_ok). */
void store_json_quote(const char *s, char *out);

/* schema.c: looks at the first 100 bytes of an existing, non-empty file at path before
 * SQLite may touch it (the SQLite magic, our application_id, a schema version we know). */
int store_file_precheck(const char *path, struct kerr *err);
/* schema.c: the same checks through SQLite, and an integrity check of the orders. Writes
 * nothing. */
int store_db_check(sqlite3 *db, const char *path, struct kerr *err);
/* schema.c: brings the schema up to this kiosk's version in one transaction. */
int store_migrate(sqlite3 *db, const char *path, struct kerr *err);

#endif

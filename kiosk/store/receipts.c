/* receipts.c — the receipts table: PDFs kept until printed, each change journaled. */
#include "store/receipts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

#define ROW_COLUMNS "id, order_id, kind, created_utc, attempts, printed_utc, last_error"

static void row_read(sqlite3_stmt *st, struct receipt_row *out)
{
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	out->order_id = sqlite3_column_int64(st, 1);
	store_column_text(st, 2, out->kind, sizeof out->kind);
	out->created_utc = sqlite3_column_int64(st, 3);
	out->attempts = sqlite3_column_int(st, 4);
	out->printed_utc = sqlite3_column_int64(st, 5);
	store_column_text(st, 6, out->last_error, sizeof out->last_error);
}

/* A string key: 1..47 of [a-z0-9_.]. */
static int key_ok(const char *k)
{
	size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_.");
	return n > 0 && k[n] == '\0' && n < sizeof(((struct receipt_row *)0)->last_error);
}

int receipts_add(struct store *s, int64_t order_id, const char *kind, const void *pdf, size_t len,
                 int64_t now_utc, int64_t *id, struct kerr *err)
{
	char body[128];
	sqlite3_stmt *st = NULL;

	if (strcmp(kind, "receipt") != 0 && strcmp(kind, "check") != 0 &&
	    strcmp(kind, "restock") != 0 && strcmp(kind, "reconcile") != 0)
		return kerr_set(err, KR_INVALID,
		                "receipt kind '%.16s' (receipt, check, restock, reconcile)", kind);
	if (len == 0 || len > RECEIPTS_BLOB_MAX)
		return kerr_set(err, KR_INVALID, "receipt of %zu bytes (1..%d)", len,
		                RECEIPTS_BLOB_MAX);
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "INSERT INTO receipts(order_id, kind, created_utc, pdf) "
	                            "VALUES (?1, ?2, ?3, ?4)",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (order_id)
			sqlite3_bind_int64(st, 1, order_id);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now_utc);
		sqlite3_bind_blob(st, 4, pdf, (int)len, SQLITE_STATIC);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "store receipt", err);
	*id = sqlite3_last_insert_rowid(store_sqlite(s));
	snprintf(body, sizeof body, "{\"receipt\":%lld,\"kind\":\"%s\",\"step\":\"stored\"}",
	         (long long)*id, kind);
	rc = store_tx_journal(s, "receipt", order_id, body, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "journal receipt", err);
	return store_tx_commit(s, err);
}

int receipts_get(struct store *s, int64_t id, struct receipt_row *row, unsigned char **pdf,
                 size_t *len, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT " ROW_COLUMNS ", pdf FROM receipts WHERE id = ?1", -1,
	                            &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		row_read(st, row);
		rc = SQLITE_OK;
		if (pdf) {
			int n = sqlite3_column_bytes(st, 7);
			const void *b = sqlite3_column_blob(st, 7);
			if (n <= 0 || n > RECEIPTS_BLOB_MAX || !b) {
				sqlite3_finalize(st);
				return kerr_set(err, KR_CORRUPT, "receipt %lld: PDF of %d bytes",
				                (long long)id, n);
			}
			*pdf = malloc((size_t)n);
			if (!*pdf) {
				sqlite3_finalize(st);
				return kerr_set(err, KR_NOMEM, "out of memory");
			}
			memcpy(*pdf, b, (size_t)n);
			*len = (size_t)n;
		}
		sqlite3_finalize(st);
		return KR_OK;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KR_NOT_FOUND, "no receipt %lld", (long long)id);
	return store_tx_fail(s, rc, "read receipt", err);
}

int receipts_mark(struct store *s, int64_t id, int printed, const char *error, int64_t now_utc,
                  struct kerr *err)
{
	char body[160];
	sqlite3_stmt *st = NULL;
	int64_t order_id = 0;

	if (!printed && (!error || !key_ok(error)))
		return kerr_set(err, KR_INVALID, "a print failure needs a string key");
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "UPDATE receipts SET attempts = attempts + 1, "
	                            "printed_utc = CASE WHEN ?2 THEN ?3 ELSE printed_utc END, "
	                            "last_error = ?4 WHERE id = ?1 RETURNING order_id",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, printed);
		sqlite3_bind_int64(st, 3, now_utc);
		if (!printed)
			sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			order_id = sqlite3_column_int64(st, 0);
			rc = sqlite3_step(st);
		} else if (rc == SQLITE_DONE) {
			sqlite3_finalize(st);
			store_tx_fail(s, SQLITE_OK, "mark receipt", err);
			return kerr_set(err, KR_NOT_FOUND, "no receipt %lld", (long long)id);
		}
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "mark receipt", err);
	snprintf(body, sizeof body, "{\"receipt\":%lld,\"step\":\"%s\",\"reason\":\"%s\"}",
	         (long long)id, printed ? "printed" : "failed", printed ? "" : error);
	rc = store_tx_journal(s, "receipt", order_id, body, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "journal receipt", err);
	return store_tx_commit(s, err);
}

int receipts_missing(struct store *s, int recent, int64_t *ids, int max, int *n, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	/* a range of ids reads only the newest rows, however many years the table holds */
	int rc = sqlite3_prepare_v2(
	    store_sqlite(s),
	    "SELECT id FROM orders WHERE id > (SELECT coalesce(max(id), 0) - ?1 FROM orders)"
	    " AND state = ?2 AND business != ?3 AND NOT EXISTS"
	    " (SELECT 1 FROM receipts r WHERE r.order_id = orders.id) ORDER BY id LIMIT ?4",
	    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(st, 1, recent);
		sqlite3_bind_int(st, 2, ORDER_SERVED);
		sqlite3_bind_int(st, 3, BIZ_CHECK);
		sqlite3_bind_int(st, 4, max);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			ids[(*n)++] = sqlite3_column_int64(st, 0);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KR_OK
	                       : store_sqlite_err(store_sqlite(s), rc,
	                                          "list served orders without a receipt", err);
}

int receipts_unprinted(struct store *s, struct receipt_row *rows, int max, int *n, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT " ROW_COLUMNS " FROM receipts "
	                            "WHERE printed_utc IS NULL ORDER BY id LIMIT ?1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(st, 1, max);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			row_read(st, &rows[(*n)++]);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KR_OK : store_tx_fail(s, rc, "list unprinted receipts", err);
}

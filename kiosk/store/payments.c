/* payments.c — the payments table: one row per order, each change journaled. */
#include "store/payments.h"

#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

/* The payment status in column col, or -1 when the table does not know it. */
static int column_status(sqlite3_stmt *st, int col)
{
	char status[32];
	store_column_text(st, col, status, sizeof status);
	return payment_status_from_id(status);
}

/* Reads the row at st's columns 0..4 (out_trade_no, trade_no, status,
 * refund_request_no, updated_utc) into out. KR_CORRUPT for a status not in the table. */
static int read_row(sqlite3_stmt *st, int64_t order_id, struct payment_row *out, struct kerr *err)
{
	out->order_id = order_id;
	store_column_text(st, 0, out->out_trade_no, sizeof out->out_trade_no);
	store_column_text(st, 1, out->trade_no, sizeof out->trade_no);
	store_column_text(st, 3, out->refund_request_no, sizeof out->refund_request_no);
	out->updated_utc = sqlite3_column_int64(st, 4);
	int sv = column_status(st, 2);
	if (sv < 0)
		return kerr_set(err, KR_CORRUPT, "payment of order %lld: unknown status",
		                (long long)order_id);
	out->status = (enum payment_status)sv;
	return KR_OK;
}

int payments_get(struct store *s, int64_t order_id, struct payment_row *out, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT out_trade_no, trade_no, status, refund_request_no, "
	                            "updated_utc FROM payments WHERE order_id = ?1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, order_id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		rc = read_row(st, order_id, out, err);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KR_NOT_FOUND, "no payment for order %lld",
		                (long long)order_id);
	return kerr_set(err, KR_IO, "reading payment of order %lld: %s", (long long)order_id,
	                sqlite3_errstr(rc));
}

int payments_unsettled(struct store *s, int64_t after_id, struct payment_unsettled *rows, int max,
                       int *n, int *total, struct kerr *err)
{
	char sql[512], *in = sql;
	sqlite3_stmt *st = NULL;
	*n = 0;
	if (total)
		*total = 0;
	in += snprintf(sql, sizeof sql,
	               "SELECT p.out_trade_no, p.trade_no, p.status, p.refund_request_no, "
	               "p.updated_utc, p.order_id, o.order_no FROM payments p JOIN orders o "
	               "ON o.id = p.order_id WHERE p.order_id > ?1 AND p.status IN (");
	const char *sep = "";
	for (int i = 0; i < PAYMENT_STATUS_COUNT; i++)
		if (payment_statuses[i].unsettled) {
			in += snprintf(in, sizeof sql - (size_t)(in - sql), "%s'%s'", sep,
			               payment_statuses[i].id);
			sep = ", ";
		}
	snprintf(in, sizeof sql - (size_t)(in - sql), ") ORDER BY p.order_id");
	int rc = sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, after_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (total)
			(*total)++;
		if (*n >= max)
			continue;
		struct payment_unsettled *u = &rows[*n];
		if (read_row(st, sqlite3_column_int64(st, 5), &u->pay, err) != KR_OK) {
			sqlite3_finalize(st);
			return KR_CORRUPT;
		}
		store_column_text(st, 6, u->order_no, sizeof u->order_no);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kerr_set(err, KR_IO, "listing unsettled payments: %s", sqlite3_errstr(rc));
	return KR_OK;
}

int payments_of_day(struct store *s, int64_t from_utc, int64_t to_utc, struct recon_kiosk *rows,
                    int max, int *n, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	int rc =
	    sqlite3_prepare_v2(store_sqlite(s),
	                       "SELECT o.order_no, p.out_trade_no, o.amount_fen, p.status "
	                       "FROM payments p JOIN orders o ON o.id = p.order_id "
	                       "WHERE o.created_utc >= ?1 AND o.created_utc < ?2 ORDER BY o.id",
	                       -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, from_utc);
		sqlite3_bind_int64(st, 2, to_utc);
	}
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (*n == max) {
			sqlite3_finalize(st);
			return kerr_set(err, KR_FULL, "more than %d payments in the day", max);
		}
		struct recon_kiosk *k = &rows[*n];
		store_column_text(st, 0, k->order_no, sizeof k->order_no);
		store_column_text(st, 1, k->out_trade_no, sizeof k->out_trade_no);
		k->amount_fen = sqlite3_column_int64(st, 2);
		int sv = column_status(st, 3);
		if (sv < 0) {
			sqlite3_finalize(st);
			return kerr_set(err, KR_CORRUPT, "payment of order %s: unknown status",
			                k->order_no);
		}
		k->status = (enum payment_status)sv;
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kerr_set(err, KR_IO, "listing the day's payments: %s", sqlite3_errstr(rc));
	return KR_OK;
}

int payments_record(struct store *s, const struct payment_row *row, const char *step,
                    int64_t now_utc, struct kerr *err)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	char body[384];
	int rc = store_tx_begin(s, err);
	if (rc != KR_OK)
		return rc;
	rc = sqlite3_prepare_v2(
	    db, "SELECT status, refund_request_no FROM payments WHERE order_id = ?1", -1, &st,
	    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, row->order_id);
		rc = sqlite3_step(st);
		int from = PAYMENT_PRECREATING, changed = 0;
		if (rc == SQLITE_ROW) {
			const unsigned char *had = sqlite3_column_text(st, 1);
			from = payment_status_from_id((const char *)sqlite3_column_text(st, 0));
			changed =
			    had && had[0] && strcmp((const char *)had, row->refund_request_no) != 0;
			rc = SQLITE_DONE;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc == SQLITE_DONE && (changed || !payment_can_move(from, row->status))) {
			store_tx_fail(s, SQLITE_CONSTRAINT, "payment", err);
			if (from < 0)
				return kerr_set(err, KR_CORRUPT,
				                "payment of order %lld: unknown status",
				                (long long)row->order_id);
			if (changed)
				return kerr_set(
				    err, KR_CONFLICT,
				    "order %lld: the refund request number never changes",
				    (long long)row->order_id);
			return kerr_set(err, KR_CONFLICT,
			                "payment of order %lld: %s -> %s not allowed",
			                (long long)row->order_id, payment_status_id(from),
			                payment_status_id(row->status));
		}
	}
	if (rc == SQLITE_DONE)
		rc = sqlite3_prepare_v2(
		    db,
		    "INSERT OR REPLACE INTO payments(order_id, out_trade_no, trade_no, status, "
		    "refund_request_no, updated_utc) VALUES(?1, ?2, NULLIF(?3, ''), ?4, "
		    "NULLIF(?5, ''), ?6)",
		    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, row->order_id);
		sqlite3_bind_text(st, 2, row->out_trade_no, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, row->trade_no, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, payment_status_id(row->status), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, row->refund_request_no, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, now_utc);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		snprintf(body, sizeof body,
		         "{\"step\":\"%.40s\",\"status\":\"%s\",\"out_trade_no\":\"%.64s\","
		         "\"trade_no\":\"%.64s\",\"refund_request_no\":\"%.64s\"}",
		         step, payment_status_id(row->status), row->out_trade_no, row->trade_no,
		         row->refund_request_no);
		rc = store_tx_journal(s, "payment", row->order_id, body, now_utc);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return store_tx_fail(s, rc, "payment", err);
	return store_tx_commit(s, err);
}

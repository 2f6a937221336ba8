/* stats.c — read-only statistics queries (see stats.h), on the store's connection. */
#include "store/stats.h"

#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

/* Prepares sql; binds the int64 values; returns the statement or NULL (rc set). */
static sqlite3_stmt *prepare(struct store *s, const char *sql, int *rc)
{
	sqlite3_stmt *st = NULL;
	*rc = sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL);
	return *rc == SQLITE_OK ? st : NULL;
}

static int finish(struct store *s, sqlite3_stmt *st, int rc, const char *what, struct kerr *err)
{
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	return rc == SQLITE_OK ? KR_OK : store_tx_fail(s, rc, what, err);
}

int stats_day(struct store *s, int64_t from_utc, int64_t to_utc, struct stats_day *out,
              struct kerr *err)
{
	int rc;
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = prepare(s,
	                           "SELECT count(*), coalesce(sum(state = ?3), 0), "
	                           "coalesce(sum(state = ?4), 0), "
	                           "coalesce(sum(CASE WHEN state = ?3 THEN amount_fen END), 0) "
	                           "FROM orders WHERE created_utc >= ?1 AND created_utc < ?2",
	                           &rc);
	if (st) {
		sqlite3_bind_int64(st, 1, from_utc);
		sqlite3_bind_int64(st, 2, to_utc);
		sqlite3_bind_int(st, 3, ORDER_SERVED);
		sqlite3_bind_int(st, 4, ORDER_REFUNDED);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			out->orders = sqlite3_column_int(st, 0);
			out->served = sqlite3_column_int(st, 1);
			out->refunded = sqlite3_column_int(st, 2);
			out->takings_fen = sqlite3_column_int64(st, 3);
			rc = SQLITE_DONE;
		}
	}
	return finish(s, st, rc, "count today's orders", err);
}

int stats_orders(struct store *s, struct stats_orders *out, struct kerr *err)
{
	int rc;
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = prepare(s,
	                           "SELECT business, state, count(*), sum(amount_fen) FROM orders "
	                           "GROUP BY business, state",
	                           &rc);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int biz = sqlite3_column_int(st, 0), state = sqlite3_column_int(st, 1);
		if (biz < 0 || biz >= BIZ_COUNT || state < 0 || state >= ORDER_STATE_COUNT)
			continue;
		out->count[biz][state] = sqlite3_column_int64(st, 2);
		if (state == ORDER_SERVED)
			out->takings_fen += sqlite3_column_int64(st, 3);
	}
	return finish(s, st, rc, "count orders", err);
}

int stats_stranded(struct store *s, struct order_row *rows, int max, int *n, struct kerr *err)
{
	int rc;
	*n = 0;
	sqlite3_stmt *st = prepare(s,
	                           "SELECT id FROM orders WHERE open = 1 AND state IN (?1, ?2) "
	                           "ORDER BY id LIMIT ?3",
	                           &rc);
	int64_t ids[64];
	int nids = 0;
	if (st) {
		sqlite3_bind_int(st, 1, ORDER_PAID);
		sqlite3_bind_int(st, 2, ORDER_REFUNDING);
		sqlite3_bind_int(st, 3, max < 64 ? max : 64);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			ids[nids++] = sqlite3_column_int64(st, 0);
	}
	int r = finish(s, st, rc, "list stranded payments", err);
	for (int i = 0; r == KR_OK && i < nids; i++)
		if ((r = store_order_get(s, ids[i], &rows[*n], err)) == KR_OK)
			(*n)++;
	return r;
}

int stats_receipts(struct store *s, struct stats_receipt *rows, int max, int *n, struct kerr *err)
{
	int rc;
	*n = 0;
	sqlite3_stmt *st = prepare(s,
	                           "SELECT r.id, r.kind, coalesce(o.order_no, ''), "
	                           "r.printed_utc IS NOT NULL FROM receipts r "
	                           "LEFT JOIN orders o ON o.id = r.order_id "
	                           "ORDER BY r.id DESC LIMIT ?1",
	                           &rc);
	if (st)
		sqlite3_bind_int(st, 1, max);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct stats_receipt *r = &rows[(*n)++];
		r->id = sqlite3_column_int64(st, 0);
		snprintf(r->kind, sizeof r->kind, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(r->order_no, sizeof r->order_no, "%s",
		         (const char *)sqlite3_column_text(st, 2));
		r->printed = sqlite3_column_int(st, 3);
	}
	return finish(s, st, rc, "list receipts", err);
}

int stats_staff_pin(struct store *s, int *failures, int64_t *last_lock_utc, struct kerr *err)
{
	int rc;
	*failures = 0;
	*last_lock_utc = 0;
	sqlite3_stmt *st =
	    prepare(s,
	            "SELECT (SELECT count(*) FROM journal WHERE kind = 'staff.pin_bad' AND seq > "
	            "  coalesce((SELECT max(seq) FROM journal "
	            "            WHERE kind IN ('staff.pin_ok', 'staff.lock')), 0)), "
	            " coalesce((SELECT at_utc FROM journal WHERE kind = 'staff.lock' "
	            "           ORDER BY seq DESC LIMIT 1), 0)",
	            &rc);
	if (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*failures = sqlite3_column_int(st, 0);
		*last_lock_utc = sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	return finish(s, st, rc, "read the staff PIN lock", err);
}

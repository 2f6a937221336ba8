/* outbox.c — central sync's tables: pending outbox events, acknowledgements, contact
 * times (sync_state) and pulled items (central_inbox). */
#include "store/outbox.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/store_internal.h"

#define CONTACT_KEY "last_contact_utc"
#define CRL_KEY     "crl_number_acked"

static const char *const status_ids[INBOX_STATUS_COUNT] = {"stored", "accepted", "refused"};

const char *inbox_status_id(enum inbox_status st)
{
	return (unsigned)st < INBOX_STATUS_COUNT ? status_ids[st] : "?";
}

static int sql_err(struct store *s, int rc, const char *what, struct kerr *err)
{
	return kerr_set(err, rc == SQLITE_FULL ? KR_FULL : KR_IO, "%s: %s", what,
	                sqlite3_errmsg(store_sqlite(s)));
}

int outbox_read_pending(struct store *s, int max, struct outbox_event *out, int *n,
                        struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT id, event_id, kind, created_utc, body FROM outbox "
	                            "WHERE acked_utc IS NULL ORDER BY id LIMIT ?1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(st, 1, max);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
			struct outbox_event *e = &out[(*n)++];
			e->seq = sqlite3_column_int64(st, 0);
			store_column_text(st, 1, e->event_id, sizeof e->event_id);
			store_column_text(st, 2, e->kind, sizeof e->kind);
			e->created_utc = sqlite3_column_int64(st, 3);
			store_column_text(st, 4, e->body, sizeof e->body);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? KR_OK
	                                             : sql_err(s, rc, "reading the outbox", err);
}

int store_outbox_pending(struct store *s, int64_t *n, struct kerr *err)
{
	int rc = store_stmt_int(s->st[ST_OUTBOX_PENDING], 0, n);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "count outbox", err);
}

/* Sets sync_state key to value inside the open transaction. Returns a SQLite code. */
static int state_put(struct store *s, const char *key, int64_t value)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "INSERT OR REPLACE INTO sync_state(key, value) VALUES(?1, ?2)",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, value);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One integer from sql (with ?1 = text arg when not NULL); dflt when no row. */
static int query_int(struct store *s, const char *sql, const char *arg, int64_t dflt, int64_t *out,
                     struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*out = dflt;
	int rc = sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			*out = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? KR_OK : sql_err(s, rc, "sync state", err);
}

int outbox_ack(struct store *s, const char *const *ids, int n, int64_t now_utc, int *acked,
               struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	int marked = 0;
	if (acked)
		*acked = 0;
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "UPDATE outbox SET acked_utc = ?2 "
	                            "WHERE event_id = ?1 AND acked_utc IS NULL",
	                            -1, &st, NULL);
	for (int i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now_utc);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			marked += sqlite3_changes(store_sqlite(s));
			rc = sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = state_put(s, CONTACT_KEY, now_utc);
	if (rc == SQLITE_OK && marked > 0) {
		char body[160];
		/* event ids are order numbers and digits: no quoting needed */
		snprintf(body, sizeof body, "{\"acked\":%d,\"last\":\"%.64s\"}", marked,
		         ids[n - 1]);
		rc = store_tx_journal(s, "sync", 0, body, now_utc);
	}
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "acknowledging outbox events", err);
	r = store_tx_commit(s, err);
	if (r == KR_OK && acked)
		*acked = marked;
	return r;
}

int outbox_last_contact(struct store *s, int64_t *utc, struct kerr *err)
{
	return query_int(s, "SELECT value FROM sync_state WHERE key = ?1", CONTACT_KEY, 0, utc,
	                 err);
}

int outbox_contact_set(struct store *s, int64_t now_utc, struct kerr *err)
{
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = state_put(s, CONTACT_KEY, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "recording the contact", err);
	return store_tx_commit(s, err);
}

int outbox_crl_acked(struct store *s, int64_t *number, struct kerr *err)
{
	return query_int(s, "SELECT value FROM sync_state WHERE key = ?1", CRL_KEY, -1, number,
	                 err);
}

int outbox_crl_acked_set(struct store *s, int64_t number, int stale, int64_t now_utc,
                         struct kerr *err)
{
	char body[64];
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	snprintf(body, sizeof body, "{\"crl\":%lld,\"stale\":%d}", (long long)number, stale != 0);
	int rc = state_put(s, CRL_KEY, number);
	if (rc == SQLITE_OK)
		rc = store_tx_journal(s, "sync.crl", 0, body, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "recording the CRL the site holds", err);
	return store_tx_commit(s, err);
}

int outbox_inbox_put(struct store *s, const struct inbox_item *item, int64_t now_utc,
                     struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "INSERT OR IGNORE INTO central_inbox(seq, kind, item_id, "
	                            "payload, status, version, reason, received_utc) "
	                            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, item->seq);
		sqlite3_bind_text(st, 2, item->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, item->item_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, item->payload, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, inbox_status_id(item->status), -1, SQLITE_STATIC);
		if (item->version)
			sqlite3_bind_int64(st, 6, item->version);
		else
			sqlite3_bind_null(st, 6);
		sqlite3_bind_text(st, 7, item->reason ? item->reason : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, now_utc);
		rc = sqlite3_step(st);
	}
	int added = rc == SQLITE_DONE && sqlite3_changes(store_sqlite(s)) > 0;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		rc = state_put(s, CONTACT_KEY, now_utc);
	if (rc == SQLITE_OK && added) {
		/* the ids come from outside: quoted by cJSON; the payload is not journaled */
		cJSON *j = cJSON_CreateObject();
		char *body = NULL;
		if (j && cJSON_AddStringToObject(j, "kind", item->kind) &&
		    cJSON_AddStringToObject(j, "id", item->item_id) &&
		    cJSON_AddNumberToObject(j, "seq", (double)item->seq) &&
		    cJSON_AddStringToObject(j, "status", inbox_status_id(item->status)) &&
		    cJSON_AddStringToObject(j, "reason", item->reason ? item->reason : ""))
			body = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		rc = body ? store_tx_journal(s, "sync.inbox", 0, body, now_utc) : SQLITE_NOMEM;
		cJSON_free(body);
	}
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "storing a pulled item", err);
	return store_tx_commit(s, err);
}

int outbox_inbox_cursor(struct store *s, int64_t *seq, struct kerr *err)
{
	return query_int(s, "SELECT max(seq) FROM central_inbox", NULL, 0, seq, err);
}

int outbox_fee_version(struct store *s, int64_t *version, struct kerr *err)
{
	return query_int(s,
	                 "SELECT max(version) FROM central_inbox "
	                 "WHERE kind = 'fee_table' AND status = ?1",
	                 "accepted", 0, version, err);
}

int outbox_inbox_count(struct store *s, const char *kind, int st, int64_t *n, struct kerr *err)
{
	char sql[160];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM central_inbox WHERE (?1 IS NULL OR kind = ?1)%s",
	         st >= 0 && st < INBOX_STATUS_COUNT ? " AND status = ?2" : "");
	sqlite3_stmt *q = NULL;
	*n = 0;
	int rc = sqlite3_prepare_v2(store_sqlite(s), sql, -1, &q, NULL);
	if (rc == SQLITE_OK) {
		if (kind)
			sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
		if (st >= 0 && st < INBOX_STATUS_COUNT)
			sqlite3_bind_text(q, 2, status_ids[st], -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			*n = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? KR_OK : sql_err(s, rc, "counting pulled items", err);
}

/* Reads the first row of q (seq, kind, item_id, payload, status) into *out. */
static int inbox_read(struct store *s, sqlite3_stmt *q, struct inbox_row *out, struct kerr *err)
{
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(q, 0);
		store_column_text(q, 1, out->kind, sizeof out->kind);
		store_column_text(q, 2, out->item_id, sizeof out->item_id);
		store_column_text(q, 3, out->payload, sizeof out->payload);
		const unsigned char *st = sqlite3_column_text(q, 4);
		out->status = INBOX_STORED;
		for (int i = 0; st && i < INBOX_STATUS_COUNT; i++)
			if (strcmp((const char *)st, status_ids[i]) == 0)
				out->status = (enum inbox_status)i;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW    ? KR_OK
	       : rc == SQLITE_DONE ? kerr_set(err, KR_NOT_FOUND, "no such item")
	                           : sql_err(s, rc, "reading a pulled item", err);
}

int outbox_inbox_find(struct store *s, const char *kind, const char *item_id, enum inbox_status st,
                      struct inbox_row *out, struct kerr *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT seq, kind, item_id, payload, status FROM central_inbox "
	                            "WHERE kind = ?1 AND item_id = ?2 AND status = ?3 "
	                            "ORDER BY seq DESC LIMIT 1",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "reading a pulled item", err);
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, item_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, inbox_status_id(st), -1, SQLITE_STATIC);
	return inbox_read(s, q, out, err);
}

int outbox_inbox_next(struct store *s, const char *kind, struct inbox_row *out, struct kerr *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT seq, kind, item_id, payload, status FROM central_inbox "
	                            "WHERE kind = ?1 AND status = 'stored' ORDER BY seq LIMIT 1",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "reading a pulled item", err);
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	return inbox_read(s, q, out, err);
}

int outbox_inbox_each(struct store *s, const char *kind, enum inbox_status st,
                      int (*fn)(void *ctx, const struct inbox_row *row), void *ctx,
                      struct kerr *err)
{
	sqlite3_stmt *q = NULL;
	struct inbox_row row;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT seq, kind, item_id, payload, status FROM central_inbox "
	                            "WHERE kind = ?1 AND status = ?2 ORDER BY version, seq",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "reading pulled items", err);
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, inbox_status_id(st), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		row.seq = sqlite3_column_int64(q, 0);
		store_column_text(q, 1, row.kind, sizeof row.kind);
		store_column_text(q, 2, row.item_id, sizeof row.item_id);
		store_column_text(q, 3, row.payload, sizeof row.payload);
		row.status = st;
		if (fn(ctx, &row))
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? KR_OK
	                                             : sql_err(s, rc, "reading pulled items", err);
}

int outbox_inbox_settle(struct store *s, int64_t seq, enum inbox_status st, const char *reason,
                        int64_t now_utc, struct kerr *err)
{
	sqlite3_stmt *q = NULL;
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = sqlite3_prepare_v2(
	    store_sqlite(s), "UPDATE central_inbox SET status = ?2, reason = ?3 WHERE seq = ?1", -1,
	    &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, seq);
		sqlite3_bind_text(q, 2, inbox_status_id(st), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, reason ? reason : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE) {
		cJSON *j = cJSON_CreateObject();
		char *body = NULL;
		if (j && cJSON_AddNumberToObject(j, "seq", (double)seq) &&
		    cJSON_AddStringToObject(j, "status", inbox_status_id(st)) &&
		    cJSON_AddStringToObject(j, "reason", reason ? reason : ""))
			body = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		rc = body ? store_tx_journal(s, "sync.settle", 0, body, now_utc) : SQLITE_NOMEM;
		cJSON_free(body);
	}
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "settling a pulled item", err);
	return store_tx_commit(s, err);
}

/* consumables.c — the counts of consumables (blank keys per bin, retained keys, paper):
 * read, and changed by a delta that may not take a count below zero, each change journaled. */
#include "store/store.h"
#include "store/store_internal.h"

#include <stdio.h>

#include <sqlite3.h>

#define STORE_ITEM_MAX  64
#define STORE_COUNT_MAX 1000000000 /* largest change of a consumable count */

/* Whether item is a valid consumable name. */
static int item_ok(const char *item)
{
	return item && *item && store_text_ok(item, STORE_ITEM_MAX);
}

int store_consumable_get(struct store *s, const char *item, int64_t *count, struct kerr *err)
{
	if (!item_ok(item))
		return kerr_set(err, KR_INVALID, "consumable name must be printable ASCII, 1 to %d",
		                STORE_ITEM_MAX);
	sqlite3_stmt *st = s->st[ST_CONSUMABLE_GET];
	sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
	int rc = store_stmt_int(st, 0, count);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "read consumable", err);
}

int store_consumable_add(struct store *s, const char *item, int64_t delta, int64_t now_utc,
                         struct kerr *err)
{
	char body[STORE_BODY_MAX], item_q[2 * STORE_ITEM_MAX + 3];
	int64_t count;

	if (!item_ok(item))
		return kerr_set(err, KR_INVALID, "consumable name must be printable ASCII, 1 to %d",
		                STORE_ITEM_MAX);
	if (delta < -STORE_COUNT_MAX || delta > STORE_COUNT_MAX)
		return kerr_set(err, KR_INVALID, "consumable change out of range");

	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	sqlite3_stmt *st = s->st[ST_CONSUMABLE_GET];
	sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
	int rc = store_stmt_int(st, 0, &count);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "read consumable", err);
	if (count + delta < 0) {
		store_tx_rollback(s);
		return kerr_set(err, KR_INVALID, "%s: %lld left, cannot take %lld", item,
		                (long long)count, (long long)-delta);
	}
	count += delta;

	st = s->st[ST_CONSUMABLE_SET];
	sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, count);
	sqlite3_bind_int64(st, 3, now_utc);
	rc = store_stmt_run(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "update consumable", err);

	store_json_quote(item, item_q);
	snprintf(body, sizeof body, "{\"item\":%s,\"delta\":%lld,\"count\":%lld}", item_q,
	         (long long)delta, (long long)count);
	rc = store_tx_journal(s, "consumable", 0, body, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "journal consumable", err);
	return store_tx_commit(s, err);
}

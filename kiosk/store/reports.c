/* reports.c — the recent loss reports, digests only (see reports.h). */
#include "store/reports.h"

#include <string.h>

#include "store/store_internal.h"

/* The digest of ID number id in role ("subject" or "card") into d. */
static int who(const char *role, const char *id, unsigned char d[32], struct kerr *err)
{
	if (!id[0] || !store_text_ok(id, 19) || !store_pair_digest(role, id, d))
		return kerr_set(err, KR_INVALID, "reports: not an ID number or credit code");
	return KR_OK;
}

int reports_add(struct store *s, const char *subject_id, const char *card_id, int64_t now_utc,
                struct kerr *err)
{
	sqlite3 *db = store_sqlite(s);
	unsigned char d[2][32];
	sqlite3_stmt *st = NULL;
	int rc = who("subject", subject_id, d[0], err);
	if (rc == KR_OK)
		rc = who("card", card_id, d[1], err);
	if (rc == KR_OK)
		rc = store_tx_begin(s, err);
	if (rc != KR_OK) {
		explicit_bzero(d, sizeof d);
		return rc;
	}
	int q = sqlite3_prepare_v2(db, "INSERT INTO loss_reports(who_hash, at_utc) VALUES(?1, ?2)",
	                           -1, &st, NULL);
	for (int k = 0; q == SQLITE_OK && k < 2; k++) { /* store_stmt_run resets it */
		sqlite3_bind_blob(st, 1, d[k], sizeof d[k], SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now_utc);
		q = store_stmt_run(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (q == SQLITE_OK)
		q = sqlite3_prepare_v2(db, "DELETE FROM loss_reports WHERE at_utc < ?1", -1, &st,
		                       NULL);
	if (q == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, now_utc - REPORTS_WINDOW_S);
		q = store_stmt_run(st);
	}
	sqlite3_finalize(st);
	explicit_bzero(d, sizeof d);
	if (q != SQLITE_OK)
		return store_tx_fail(s, q, "recording a loss report", err);
	return store_tx_commit(s, err);
}

int reports_recent(struct store *s, const char *subject_id, const char *card_id, int64_t now_utc,
                   int *most, struct kerr *err)
{
	sqlite3 *db = store_sqlite(s);
	static const char *const roles[2] = {"subject", "card"};
	const char *ids[2] = {subject_id, card_id};
	unsigned char d[32];
	*most = 0;
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st = NULL;
		int64_t n = 0;
		int rc = who(roles[k], ids[k], d, err);
		if (rc != KR_OK)
			return rc;
		int q = sqlite3_prepare_v2(
		    db, "SELECT count(*) FROM loss_reports WHERE who_hash = ?1 AND at_utc >= ?2",
		    -1, &st, NULL);
		if (q == SQLITE_OK) {
			sqlite3_bind_blob(st, 1, d, sizeof d, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, now_utc - REPORTS_WINDOW_S);
			q = store_stmt_int(st, 0, &n);
		}
		sqlite3_finalize(st);
		explicit_bzero(d, sizeof d);
		if (q != SQLITE_OK)
			return store_sqlite_err(db, q, "reading the loss reports", err);
		if (n > *most)
			*most = (int)n;
	}
	return KR_OK;
}

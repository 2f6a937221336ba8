/* journal.c — the append-only journal: each row hash-chained to the one before, each
 * sent to the central site through the outbox too, and the check of the whole chain. */
#include "store/store.h"
#include "store/outbox.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#define STORE_HASH_LEN         32
#define STORE_KIND_MAX         32
#define JOURNAL_SENT_MAX       2048  /* a journal body sent whole to the central site */
#define STORE_JOURNAL_BODY_MAX 65536 /* a caller's journal body */
_Static_assert(JOURNAL_SENT_MAX + 256 <= OUTBOX_BODY_MAX, "a journal event is read back whole");

/* Writes v big-endian into bytes bytes at p. */
static void be_put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* hash = SHA-256(prev || be64 seq || be64 at || be32 len kind || kind || be64 order_id ||
 * be32 len body || body). Returns 0, or -1 when the digest fails. */
static int journal_hash(EVP_MD_CTX *md, const unsigned char *prev, int64_t seq, int64_t at,
                        const char *kind, size_t kind_len, int64_t order_id, const char *body,
                        size_t body_len, unsigned char *out)
{
	unsigned char seq_at[16], klen[4], oid[8], blen[4];
	be_put(seq_at, (uint64_t)seq, 8);
	be_put(seq_at + 8, (uint64_t)at, 8);
	be_put(klen, kind_len, 4);
	be_put(oid, (uint64_t)order_id, 8);
	be_put(blen, body_len, 4);

	int ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	         EVP_DigestUpdate(md, prev, STORE_HASH_LEN) == 1 &&
	         EVP_DigestUpdate(md, seq_at, sizeof seq_at) == 1 &&
	         EVP_DigestUpdate(md, klen, sizeof klen) == 1 &&
	         EVP_DigestUpdate(md, kind, kind_len) == 1 &&
	         EVP_DigestUpdate(md, oid, sizeof oid) == 1 &&
	         EVP_DigestUpdate(md, blen, sizeof blen) == 1 &&
	         EVP_DigestUpdate(md, body, body_len) == 1 &&
	         EVP_DigestFinal_ex(md, out, NULL) == 1;
	return ok ? 0 : -1;
}

/* Appends a journal row inside the open transaction. Returns a SQLite code. */
int store_tx_journal(struct store *s, const char *kind, int64_t order_id, const char *body,
                     int64_t at)
{
	unsigned char prev[STORE_HASH_LEN] = {0}, hash[STORE_HASH_LEN];
	int64_t seq = 1;
	sqlite3_stmt *st = s->st[ST_JOURNAL_LAST];

	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		if (sqlite3_column_bytes(st, 1) == STORE_HASH_LEN)
			memcpy(prev, sqlite3_column_blob(st, 1), STORE_HASH_LEN);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return rc;

	if (journal_hash(s->md, prev, seq, at, kind, strlen(kind), order_id, body, strlen(body),
	                 hash) != 0)
		return SQLITE_ERROR;

	st = s->st[ST_JOURNAL_INSERT];
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (order_id)
		sqlite3_bind_int64(st, 4, order_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, prev, sizeof prev, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, hash, sizeof hash, SQLITE_STATIC);
	return store_stmt_run(st);
}

/* The journal row just written goes to the central site too, inside the open
 * transaction: event id "J" + its seq, kind "journal", body {"kind", "seq", "order_id",
 * "body"} — the body itself when it is a JSON object that fits, else its size. */
static int journal_outbox(struct store *s, const char *kind, int64_t order_id, const char *body,
                          int64_t now_utc)
{
	int64_t seq = sqlite3_last_insert_rowid(s->db);
	char event_id[32], kind_q[6 * STORE_KIND_MAX + 3], text[JOURNAL_SENT_MAX + 256];
	cJSON *j = cJSON_Parse(body);
	int embed = cJSON_IsObject(j) && strlen(body) <= JOURNAL_SENT_MAX;
	cJSON_Delete(j);
	store_json_quote(kind, kind_q);
	snprintf(event_id, sizeof event_id, "J%lld", (long long)seq);
	if (embed)
		snprintf(text, sizeof text,
		         "{\"kind\":%s,\"seq\":%lld,\"order_id\":%lld,\"body\":%s}", kind_q,
		         (long long)seq, (long long)order_id, body);
	else
		snprintf(text, sizeof text,
		         "{\"kind\":%s,\"seq\":%lld,\"order_id\":%lld,\"size\":%zu}", kind_q,
		         (long long)seq, (long long)order_id, strlen(body));
	sqlite3_stmt *st = s->st[ST_OUTBOX_INSERT];
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	if (order_id)
		sqlite3_bind_int64(st, 2, order_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, "journal", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_utc);
	return store_stmt_run(st);
}

int store_journal_append(struct store *s, const char *kind, int64_t order_id, const char *body,
                         int64_t now_utc, struct kerr *err)
{
	if (!kind || !*kind || !store_text_ok(kind, STORE_KIND_MAX))
		return kerr_set(err, KR_INVALID, "journal kind must be printable ASCII, 1 to %d",
		                STORE_KIND_MAX);
	if (!body)
		body = "";
	if (strlen(body) > STORE_JOURNAL_BODY_MAX)
		return kerr_set(err, KR_INVALID, "journal body longer than %d bytes",
		                STORE_JOURNAL_BODY_MAX);

	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = store_tx_journal(s, kind, order_id, body, now_utc);
	if (rc == SQLITE_OK)
		rc = journal_outbox(s, kind, order_id, body, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "append to journal", err);
	return store_tx_commit(s, err);
}

int store_journal_latest(struct store *s, const char *kind, int64_t *seq, char *body, size_t size,
                         struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*seq = 0;
	body[0] = '\0';
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT seq, body FROM journal WHERE kind = ?1 "
	                            "ORDER BY seq DESC LIMIT 1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	int r = KR_OK;
	if (rc == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		*seq = sqlite3_column_int64(st, 0);
		if (snprintf(body, size, "%s", text ? text : "") >= (int)size)
			r = kerr_set(err, KR_FULL, "journal row %lld: longer than %zu bytes",
			             (long long)*seq, size - 1);
	} else if (rc == SQLITE_DONE) {
		r = kerr_set(err, KR_NOT_FOUND, "no journal row of kind %.32s", kind);
	} else {
		r = store_sqlite_err(store_sqlite(s), rc, "read the journal", err);
	}
	sqlite3_finalize(st);
	return r;
}

int store_journal_verify(struct store *s, int64_t *first_bad, int64_t *rows, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_JOURNAL_ALL];
	unsigned char prev[STORE_HASH_LEN] = {0}, hash[STORE_HASH_LEN];
	int64_t count = 0, expect = 1;
	int rc, r = KR_OK;

	*first_bad = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		size_t kind_len = (size_t)sqlite3_column_bytes(st, 2);
		const char *body = (const char *)sqlite3_column_text(st, 4);
		size_t body_len = (size_t)sqlite3_column_bytes(st, 4);
		const void *link = sqlite3_column_blob(st, 5);
		int link_len = sqlite3_column_bytes(st, 5);
		const void *stored = sqlite3_column_blob(st, 6);
		int stored_len = sqlite3_column_bytes(st, 6);
		const char *why = NULL;

		count++;
		if (seq != expect)
			why = seq > expect ? "rows missing before it" : "sequence out of order";
		else if (link_len != STORE_HASH_LEN || memcmp(link, prev, STORE_HASH_LEN) != 0)
			why = "its link does not match the previous row's hash";
		else if (journal_hash(s->md, prev, seq, sqlite3_column_int64(st, 1),
		                      kind ? kind : "", kind_len, sqlite3_column_int64(st, 3),
		                      body ? body : "", body_len, hash) != 0)
			why = "its hash could not be computed";
		else if (stored_len != STORE_HASH_LEN || memcmp(stored, hash, STORE_HASH_LEN) != 0)
			why = "its content does not match its hash";
		if (why) {
			*first_bad = seq;
			if (seq > expect)
				r = kerr_set(err, KR_CORRUPT,
				             "journal broken at row %lld: %s (rows %lld to %lld)",
				             (long long)seq, why, (long long)expect,
				             (long long)seq - 1);
			else
				r = kerr_set(err, KR_CORRUPT, "journal broken at row %lld: %s",
				             (long long)seq, why);
			break;
		}
		memcpy(prev, hash, sizeof prev);
		expect = seq + 1;
	}
	if (r == KR_OK && rc != SQLITE_DONE)
		r = store_sqlite_err(s->db, rc, "read journal", err);
	sqlite3_reset(st);
	*rows = count;
	return r;
}

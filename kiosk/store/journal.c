/* journal.c — the append-only journal: each row hash-chained to the one before, each
 * sent to the central site through the outbox too, the check of the whole chain or of
 * what came after the last check, and the marks on the chain (table journal_marks). */
#include "store/store.h"
#include "store/outbox.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#define STORE_KIND_MAX         32
#define JOURNAL_SENT_MAX       4096  /* a journal body sent whole (an escrow copy fits) */
#define STORE_JOURNAL_BODY_MAX 65536 /* a caller's journal body */
#define JOURNAL_EVENT_MAX      (JOURNAL_SENT_MAX + 512)
_Static_assert(JOURNAL_EVENT_MAX <= OUTBOX_BODY_MAX, "a journal event is read back whole");

void store_hash_hex(const unsigned char *hash, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < STORE_HASH_LEN; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 15];
	}
	out[2 * STORE_HASH_LEN] = '\0';
}

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
 * "body", "prev", "hash"} — the body itself when it is a JSON object that fits, else its
 * size; prev and hash the row's link and hash in hex, for the site's check of the chain. */
static int journal_outbox(struct store *s, const char *kind, int64_t order_id, const char *body,
                          int64_t now_utc)
{
	int64_t seq = 0;
	char event_id[32], kind_q[6 * STORE_KIND_MAX + 3], text[JOURNAL_EVENT_MAX];
	char hash_hex[2 * STORE_HASH_LEN + 1], prev_hex[2 * STORE_HASH_LEN + 1];
	sqlite3_stmt *last = s->st[ST_JOURNAL_LAST];
	int rc = sqlite3_step(last);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(last, 1) == STORE_HASH_LEN &&
	    sqlite3_column_bytes(last, 2) == STORE_HASH_LEN) {
		seq = sqlite3_column_int64(last, 0);
		store_hash_hex(sqlite3_column_blob(last, 1), hash_hex);
		store_hash_hex(sqlite3_column_blob(last, 2), prev_hex);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = SQLITE_CORRUPT; /* the row just written is not there as written */
	}
	sqlite3_reset(last);
	if (rc != SQLITE_OK)
		return rc;
	cJSON *j = cJSON_Parse(body);
	int embed = cJSON_IsObject(j) && strlen(body) <= JOURNAL_SENT_MAX;
	cJSON_Delete(j);
	store_json_quote(kind, kind_q);
	snprintf(event_id, sizeof event_id, "J%lld", (long long)seq);
	if (embed)
		snprintf(text, sizeof text,
		         "{\"kind\":%s,\"seq\":%lld,\"order_id\":%lld,\"body\":%s,"
		         "\"prev\":\"%s\",\"hash\":\"%s\"}",
		         kind_q, (long long)seq, (long long)order_id, body, prev_hex, hash_hex);
	else
		snprintf(text, sizeof text,
		         "{\"kind\":%s,\"seq\":%lld,\"order_id\":%lld,\"size\":%zu,"
		         "\"prev\":\"%s\",\"hash\":\"%s\"}",
		         kind_q, (long long)seq, (long long)order_id, strlen(body), prev_hex,
		         hash_hex);
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

/* Walks the rows after *from, the first linked to from->hash; *from becomes the last
 * row that checked. Results as store_journal_verify. */
static int journal_walk(struct store *s, struct journal_point *from, int64_t *first_bad,
                        int64_t *rows, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_JOURNAL_ALL];
	unsigned char prev[STORE_HASH_LEN], hash[STORE_HASH_LEN];
	int64_t count = 0, expect = from->seq + 1;
	int rc, r = KR_OK;

	memcpy(prev, from->hash, sizeof prev);
	*first_bad = 0;
	sqlite3_bind_int64(st, 1, from->seq);
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
	from->seq = expect - 1;
	memcpy(from->hash, prev, sizeof prev);
	*rows = count;
	return r;
}

int store_journal_verify(struct store *s, int64_t *first_bad, int64_t *rows, struct kerr *err)
{
	struct journal_point from = {0};
	return journal_walk(s, &from, first_bad, rows, err);
}

int store_journal_hash_at(struct store *s, int64_t seq, unsigned char *hash, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(s->db, "SELECT hash FROM journal WHERE seq = ?1", -1, &st, NULL);
	int r = KR_NOT_FOUND;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, seq);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == STORE_HASH_LEN) {
		memcpy(hash, sqlite3_column_blob(st, 0), STORE_HASH_LEN);
		r = KR_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		r = kerr_set(err, KR_NOT_FOUND, "no journal row %lld", (long long)seq);
	} else {
		r = store_sqlite_err(s->db, rc, "read journal", err);
	}
	sqlite3_finalize(st);
	return r;
}

int store_journal_head(struct store *s, struct journal_point *out, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_JOURNAL_LAST];
	memset(out, 0, sizeof *out);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == STORE_HASH_LEN)
			memcpy(out->hash, sqlite3_column_blob(st, 1), STORE_HASH_LEN);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? KR_OK : store_sqlite_err(s->db, rc, "read journal", err);
}

int store_journal_mark(struct store *s, const char *name, struct journal_point *out,
                       struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	int rc = sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM journal_marks WHERE name = ?1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	int r;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == STORE_HASH_LEN) {
		out->seq = sqlite3_column_int64(st, 0);
		memcpy(out->hash, sqlite3_column_blob(st, 1), STORE_HASH_LEN);
		r = KR_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		r = kerr_set(err, KR_NOT_FOUND, "no journal mark %s", name);
	} else {
		r = store_sqlite_err(s->db, rc, "read journal marks", err);
	}
	sqlite3_finalize(st);
	return r;
}

int store_journal_mark_set(struct store *s, const char *name, const struct journal_point *p,
                           struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
	                            "INSERT OR REPLACE INTO journal_marks(name, seq, hash) "
	                            "VALUES(?1, ?2, ?3)",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, p->seq);
		sqlite3_bind_blob(st, 3, p->hash, STORE_HASH_LEN, SQLITE_STATIC);
		rc = store_stmt_run(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "write journal mark", err);
}

int store_journal_verify_since(struct store *s, int64_t *first_bad, int64_t *rows, struct kerr *err)
{
	struct journal_point mark;
	unsigned char now[STORE_HASH_LEN];
	*first_bad = 0;
	*rows = 0;
	int r = store_journal_mark(s, "verified", &mark, err);
	if (r == KR_NOT_FOUND)
		memset(&mark, 0, sizeof mark);
	else if (r != KR_OK)
		return r;
	if (mark.seq > 0) {
		r = store_journal_hash_at(s, mark.seq, now, err);
		if (r == KR_OK && memcmp(now, mark.hash, sizeof now) != 0)
			r = kerr_set(err, KR_CORRUPT,
			             "journal broken at row %lld: its hash is not the one checked "
			             "at the last start",
			             (long long)mark.seq);
		else if (r == KR_NOT_FOUND)
			r = kerr_set(
			    err, KR_CORRUPT,
			    "journal broken at row %lld: the row checked at the last start "
			    "is gone",
			    (long long)mark.seq);
		if (r == KR_CORRUPT)
			*first_bad = mark.seq;
		if (r != KR_OK)
			return r;
	}
	int64_t from = mark.seq;
	r = journal_walk(s, &mark, first_bad, rows, err);
	if (r == KR_OK && mark.seq != from)
		r = store_journal_mark_set(s, "verified", &mark, err);
	return r;
}

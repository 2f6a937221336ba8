/* store.c — the kiosk's SQLite database: schema and migrations, orders and their
 * history, the hash-chained journal, the outbox and consumables.
 *
 * Owns the one sqlite3 connection and its prepared statements. A file is checked
 * before SQLite may touch it (magic, application_id, schema version), and again
 * through SQLite before anything is written, so that a foreign or newer file, or one
 * whose orders are damaged, is refused unchanged. Every write is one BEGIN IMMEDIATE … COMMIT; on
 * any failure it is rolled back and the SQLite code is mapped to a kiosk result. The handle is used
 * by one thread at a time. Nothing personal or secret is printed. */
#include "store/store.h"
#include "store/outbox.h"
#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "core/cntime.h"

#define STORE_APP_ID       0x4B494F53 /* "KIOS" */
#define STORE_BUSY_MS      5000
#define STORE_HASH_LEN     32
#define STORE_KIOSK_ID_MAX 8
#define STORE_REASON_MAX   128
#define STORE_KIND_MAX     32
#define STORE_ITEM_MAX     64
#define STORE_BODY_MAX     2048 /* the bodies the store writes itself */
#define STORE_DETAIL_MAX   512  /* an order's detail for the central site */
#define JOURNAL_SENT_MAX   2048 /* a journal body sent whole to the central site */
_Static_assert(JOURNAL_SENT_MAX + 256 <= OUTBOX_BODY_MAX, "a journal event is read back whole");
_Static_assert(STORE_BODY_MAX + STORE_DETAIL_MAX + 16 <= OUTBOX_BODY_MAX,
               "an outbox event is read back whole");
#define STORE_JOURNAL_BODY_MAX 65536      /* a caller's journal body */
#define STORE_COUNT_MAX        1000000000 /* largest change of a consumable count */
#define UNTOUCHED              " — left untouched"

#define ROW_FIELD_SIZE(f) sizeof(((struct order_row *)0)->f)

/* Schema migrations: migrations[v] takes user_version v to v + 1. */
static const char *const migrations[] = {
    /* 1: orders with fee lines and history, journal, outbox, consumables */
    "CREATE TABLE orders("
    " id INTEGER PRIMARY KEY,"
    " order_no TEXT UNIQUE NOT NULL,"
    " out_trade_no TEXT UNIQUE NOT NULL,"
    " business INT NOT NULL,"
    " holder INT NOT NULL,"
    " amount_fen INT NOT NULL CHECK(amount_fen >= 0),"
    " state INT NOT NULL,"
    " open INT NOT NULL,"
    " created_utc INT NOT NULL,"
    " updated_utc INT NOT NULL,"
    " subject_masked TEXT NOT NULL,"
    " key_serial TEXT NOT NULL,"
    " detail TEXT NOT NULL);"
    "CREATE INDEX orders_open ON orders(id) WHERE open = 1;"
    "CREATE TABLE order_lines("
    " order_id INT NOT NULL REFERENCES orders(id),"
    " seq INT NOT NULL,"
    " item TEXT NOT NULL,"
    " qty INT NOT NULL,"
    " years INT NOT NULL,"
    " bundle INT NOT NULL,"
    " unit_fen INT NOT NULL,"
    " total_fen INT NOT NULL,"
    " PRIMARY KEY(order_id, seq));"
    "CREATE TABLE order_history("
    " id INTEGER PRIMARY KEY,"
    " order_id INT NOT NULL REFERENCES orders(id),"
    " from_state INT,"
    " to_state INT NOT NULL,"
    " at_utc INT NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX order_history_order ON order_history(order_id, id);"
    "CREATE TABLE journal("
    " seq INTEGER PRIMARY KEY,"
    " at_utc INT NOT NULL,"
    " kind TEXT NOT NULL,"
    " order_id INT,"
    " body TEXT NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
    " BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
    " BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"
    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY,"
    " event_id TEXT UNIQUE NOT NULL,"
    " order_id INT REFERENCES orders(id),"
    " kind TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " created_utc INT NOT NULL,"
    " acked_utc INT);"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE acked_utc IS NULL;"
    "CREATE TABLE consumables("
    " item TEXT PRIMARY KEY,"
    " count INT NOT NULL CHECK(count >= 0),"
    " updated_utc INT NOT NULL);",
    /* 2: the payment of each order (kiosk/store/payments.c) */
    "CREATE TABLE payments("
    " order_id INTEGER PRIMARY KEY REFERENCES orders(id),"
    " out_trade_no TEXT NOT NULL,"
    " trade_no TEXT,"
    " status TEXT NOT NULL,"
    " refund_request_no TEXT,"
    " updated_utc INT NOT NULL);",
    /* 3: receipts kept for reprinting (kiosk/store/receipts.c) */
    "CREATE TABLE receipts("
    " id INTEGER PRIMARY KEY,"
    " order_id INT REFERENCES orders(id),"
    " kind TEXT NOT NULL CHECK(kind IN ('receipt', 'check', 'restock')),"
    " created_utc INT NOT NULL,"
    " pdf BLOB NOT NULL,"
    " attempts INT NOT NULL DEFAULT 0,"
    " printed_utc INT,"
    " last_error TEXT);"
    "CREATE INDEX receipts_unprinted ON receipts(id) WHERE printed_utc IS NULL;",
    /* 4: central sync (kiosk/store/outbox.c): contact times, and what was pulled */
    "CREATE TABLE sync_state("
    " key TEXT PRIMARY KEY,"
    " value INT NOT NULL);"
    "CREATE TABLE central_inbox("
    " seq INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " item_id TEXT NOT NULL,"
    " payload TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK(status IN ('stored', 'accepted', 'refused')),"
    " version INT,"
    " reason TEXT NOT NULL,"
    " received_utc INT NOT NULL);",
    /* 5: an order that hands out a pick-up order reviewed centrally names it; the
     * pulled items are found by kind and id (a pick-up asked for at the screen) */
    "ALTER TABLE orders ADD COLUMN pickup_no TEXT;"
    "CREATE INDEX orders_pickup ON orders(pickup_no) WHERE pickup_no IS NOT NULL;"
    "CREATE INDEX central_inbox_item ON central_inbox(kind, item_id);",
};

#define STORE_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* The columns of struct order_row, in the order order_read() expects them. */
#define ORDER_COLUMNS                                                                              \
	"id, order_no, out_trade_no, business, holder, amount_fen, state, created_utc, "           \
	"updated_utc, subject_masked, key_serial"

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

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_ORDER_NEXT_ID] = "SELECT coalesce(max(id), 0) + 1 FROM orders",
    [ST_ORDER_INSERT] = "INSERT INTO orders(id, order_no, out_trade_no, business, holder, "
                        "amount_fen, state, open, created_utc, updated_utc, subject_masked, "
                        "key_serial, detail, pickup_no) "
                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13)",
    [ST_LINE_INSERT] = "INSERT INTO order_lines(order_id, seq, item, qty, years, bundle, "
                       "unit_fen, total_fen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_ORDER_STATE] = "SELECT state, amount_fen, order_no FROM orders WHERE id = ?1",
    [ST_ORDER_UPDATE] = "UPDATE orders SET state = ?2, open = ?3, updated_utc = ?4 "
                        "WHERE id = ?1",
    [ST_ORDER_GET] = "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ?1",
    [ST_ORDER_BY_NO] = "SELECT " ORDER_COLUMNS " FROM orders WHERE order_no = ?1",
    /* a pick-up is taken while an order for it is open or served */
    [ST_PICKUP_TAKEN] =
        "SELECT count(*) FROM orders WHERE pickup_no = ?1 AND state NOT IN (?2, ?3)",
    /* the literal open = 1 matches the partial index orders_open */
    [ST_ORDERS_OPEN] = "SELECT " ORDER_COLUMNS " FROM orders INDEXED BY orders_open "
                       "WHERE open = 1 ORDER BY id",
    [ST_HISTORY_INSERT] = "INSERT INTO order_history(order_id, from_state, to_state, at_utc, "
                          "reason) VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_HISTORY_LIST] = "SELECT to_state FROM order_history WHERE order_id = ?1 ORDER BY id",
    [ST_JOURNAL_LAST] = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
    [ST_JOURNAL_INSERT] = "INSERT INTO journal(seq, at_utc, kind, order_id, body, prev_hash, "
                          "hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_JOURNAL_ALL] = "SELECT seq, at_utc, kind, order_id, body, prev_hash, hash FROM journal "
                       "ORDER BY seq",
    [ST_OUTBOX_INSERT] = "INSERT INTO outbox(event_id, order_id, kind, body, created_utc) "
                         "VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_OUTBOX_PENDING] = "SELECT count(*) FROM outbox WHERE acked_utc IS NULL",
    [ST_CONSUMABLE_GET] = "SELECT count FROM consumables WHERE item = ?1",
    [ST_CONSUMABLE_SET] = "INSERT INTO consumables(item, count, updated_utc) "
                          "VALUES(?1, ?2, ?3) "
                          "ON CONFLICT(item) DO UPDATE SET count = ?2, updated_utc = ?3",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	EVP_MD_CTX *md;
};

/* ---- small helpers ---- */

/* The big-endian u32 at p. */
static uint32_t be32_get(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes v big-endian into bytes bytes at p. */
static void be_put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Whether s is printable ASCII of at most max characters. */
static int text_ok(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= max || s[n] < 0x20 || s[n] > 0x7e)
			return 0;
	return 1;
}

/* Writes s as a quoted JSON string into out. s is printable ASCII (text_ok), so only
 * quote and backslash need escaping; out must hold 2 * strlen(s) + 3 bytes. */
/* Writes s as a JSON string into out (room for 6 * strlen(s) + 3). */
static void json_quote(const char *s, char *out)
{
	*out++ = '"';
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20) {
			out += sprintf(out, "\\u%04x", (unsigned char)*s);
			continue;
		}
		if (*s == '"' || *s == '\\')
			*out++ = '\\';
		*out++ = *s;
	}
	*out++ = '"';
	*out = '\0';
}

/* Whether rc says the file is damaged (or not a database at all). */
static int sqlite_damaged(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Maps a SQLite result code to a kiosk result with a message naming what failed. */
static int store_sqlite_err(sqlite3 *db, int rc, const char *what, struct kerr *err)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (sqlite_damaged(rc))
		return kerr_set(err, KR_CORRUPT, "database damaged: %s: %s", what, msg);
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return kerr_set(err, KR_FULL, "disk full: %s: %s", what, msg);
	case SQLITE_READONLY:
		return kerr_set(err, KR_READONLY, "read-only: %s: %s", what, msg);
	case SQLITE_NOMEM:
		return kerr_set(err, KR_NOMEM, "out of memory: %s", what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return kerr_set(err, KR_BUSY, "database busy: %s: %s", what, msg);
	default:
		return kerr_set(err, KR_IO, "database error: %s: %s", what, msg);
	}
}

/* Steps a statement that returns no row and resets it. Returns a SQLite code,
 * SQLITE_OK on success. */
static int stmt_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Steps a statement expected to return one integer (or nothing: *out = dflt) and
 * resets it. */
static int stmt_int(sqlite3_stmt *st, int64_t dflt, int64_t *out)
{
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : dflt;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs one query on db and copies the first column of its first row into buf ("" when
 * there is no row). Returns a SQLite code. */
static int db_query_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	snprintf(buf, size, "%s", t ? (const char *)t : "");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* db_query_text() for a query whose answer is an integer. */
static int db_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	char buf[32];
	int rc = db_query_text(db, sql, buf, sizeof buf);
	*out = strtoll(buf, NULL, 10);
	return rc;
}

/* ---- transactions ---- */

/* Starts a write transaction; a kiosk result. */
int store_tx_begin(struct store *s, struct kerr *err)
{
	int rc = stmt_run(s->st[ST_BEGIN]);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "begin", err);
}

/* Rolls back the open transaction, if SQLite has not done so already. */
static void tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		stmt_run(s->st[ST_ROLLBACK]);
}

/* Maps rc (what failed) to a kiosk result and rolls the open transaction back. */
int store_tx_fail(struct store *s, int rc, const char *what, struct kerr *err)
{
	int r = store_sqlite_err(s->db, rc, what, err);
	tx_rollback(s);
	return r;
}

/* Commits; on failure rolls back and returns the mapped result. */
int store_tx_commit(struct store *s, struct kerr *err)
{
	int rc = stmt_run(s->st[ST_COMMIT]);
	return rc == SQLITE_OK ? KR_OK : store_tx_fail(s, rc, "commit", err);
}

/* ---- journal ---- */

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
	return stmt_run(st);
}

/* ---- orders ---- */

/* What an order event says beyond its state change. */
struct order_extra {
	const struct order_spec *spec; /* a new order: business, holder, subject, pick-up, detail */
	const struct order_cert *cert; /* a move: what it did to a certificate */
};

/* The extra fields of an event body (",\"business\":…"), "" when none, into out. */
static void extra_fields(const struct order_extra *x, char *out, size_t size)
{
	char subject_q[6 * ROW_FIELD_SIZE(subject_masked) + 3];
	out[0] = '\0';
	if (x && x->spec) {
		const struct order_spec *sp = x->spec;
		json_quote(sp->subject_masked ? sp->subject_masked : "", subject_q);
		snprintf(out, size, ",\"business\":\"%s\",\"holder\":\"%s\",\"subject\":%s%s%s%s",
		         catalogue_business_id(sp->biz), catalogue_holder_id(sp->holder), subject_q,
		         sp->pickup_no && sp->pickup_no[0] ? ",\"pickup\":\"" : "",
		         sp->pickup_no && sp->pickup_no[0] ? sp->pickup_no : "",
		         sp->pickup_no && sp->pickup_no[0] ? "\"" : "");
	} else if (x && x->cert) {
		snprintf(out, size,
		         ",\"cert\":{\"event\":\"%s\",\"serial\":\"%s\",\"not_after\":%lld}",
		         x->cert->event, x->cert->serial ? x->cert->serial : "",
		         (long long)x->cert->not_after_utc);
	}
}

/* Records a state change of an order inside the open transaction: a history row, a
 * journal row and an outbox event, the last two with the same small JSON body — but
 * a new order's detail for the central site (the contact: personal) goes in the outbox
 * event only. from is -1 for a new order. Returns a SQLite code. */
static int order_record(struct store *s, int64_t id, const char *order_no, int from,
                        enum order_state to, fen_t amount, const char *reason, int64_t at,
                        const struct order_extra *x)
{
	const char *kind = from < 0 ? "order.create" : "order.move";
	const char *detail = x && x->spec ? x->spec->detail : NULL;
	char body[STORE_BODY_MAX], event_id[64], from_q[24] = "null";
	char sent[STORE_BODY_MAX + STORE_DETAIL_MAX + 16];
	char reason_q[2 * STORE_REASON_MAX + 3], extra[1024];

	/* order_no is letters and digits, state ids are fixed words */
	if (from >= 0)
		snprintf(from_q, sizeof from_q, "\"%s\"", order_state_id((enum order_state)from));
	json_quote(reason, reason_q);
	extra_fields(x, extra, sizeof extra);
	snprintf(body, sizeof body,
	         "{\"order_no\":\"%s\",\"from\":%s,\"to\":\"%s\",\"amount_fen\":%lld,"
	         "\"reason\":%s%s}",
	         order_no, from_q, order_state_id(to), (long long)amount, reason_q, extra);

	sqlite3_stmt *st = s->st[ST_HISTORY_INSERT];
	sqlite3_bind_int64(st, 1, id);
	if (from < 0)
		sqlite3_bind_null(st, 2);
	else
		sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, (int)to);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	int rc = stmt_run(st);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(event_id, sizeof event_id, "%s:%lld", order_no,
	         (long long)sqlite3_last_insert_rowid(s->db));

	rc = store_tx_journal(s, kind, id, body, at);
	if (rc != SQLITE_OK)
		return rc;

	if (detail && detail[0])
		snprintf(sent, sizeof sent, "%.*s,\"detail\":%s}", (int)strlen(body) - 1, body,
		         detail);
	else
		snprintf(sent, sizeof sent, "%s", body);
	st = s->st[ST_OUTBOX_INSERT];
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	rc = stmt_run(st);
	explicit_bzero(sent, sizeof sent);
	return rc;
}

/* Copies a text column into buf, truncated to size, "" for NULL. */
static void column_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(buf, size, "%s", t ? (const char *)t : "");
}

/* Fills out from a row of ORDER_COLUMNS. KR_CORRUPT when a code is out of range. */
static int order_read(sqlite3_stmt *st, struct order_row *out, struct kerr *err)
{
	int64_t biz = sqlite3_column_int64(st, 3), holder = sqlite3_column_int64(st, 4);
	int64_t state = sqlite3_column_int64(st, 6);

	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	if (biz < 0 || biz >= BIZ_COUNT || holder < 0 || holder >= HOLDER_COUNT || state < 0 ||
	    state >= ORDER_STATE_COUNT)
		return kerr_set(err, KR_CORRUPT,
		                "order %lld: business, holder or state out of range",
		                (long long)out->id);
	column_copy(st, 1, out->order_no, sizeof out->order_no);
	column_copy(st, 2, out->out_trade_no, sizeof out->out_trade_no);
	out->biz = (enum business)biz;
	out->holder = (enum holder)holder;
	out->amount_fen = sqlite3_column_int64(st, 5);
	out->state = (enum order_state)state;
	out->created_utc = sqlite3_column_int64(st, 7);
	out->updated_utc = sqlite3_column_int64(st, 8);
	column_copy(st, 9, out->subject_masked, sizeof out->subject_masked);
	column_copy(st, 10, out->key_serial, sizeof out->key_serial);
	return KR_OK;
}

static int alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int pickup_no_ok(const char *no)
{
	size_t n = strlen(no);
	for (size_t i = 0; i < n; i++)
		if (!alnum(no[i]))
			return 0;
	return n < ROW_FIELD_SIZE(order_no);
}

static int json_object_ok(const char *text)
{
	if (strlen(text) > STORE_DETAIL_MAX)
		return 0;
	cJSON *j = cJSON_Parse(text);
	int ok = cJSON_IsObject(j);
	cJSON_Delete(j);
	return ok;
}

/* Whether an open or served order hands out pickup_no (inside a transaction or not).
 * Returns a SQLite code; *taken 1 or 0. */
static int pickup_taken(struct store *s, const char *pickup_no, int *taken)
{
	sqlite3_stmt *st = s->st[ST_PICKUP_TAKEN];
	int64_t n = 0;
	sqlite3_bind_text(st, 1, pickup_no, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ORDER_CLOSED);
	sqlite3_bind_int(st, 3, ORDER_FAILED);
	int rc = stmt_int(st, 0, &n);
	*taken = n > 0;
	return rc;
}

/* Checks a spec before anything is written. */
static int spec_check(const struct order_spec *spec, struct kerr *err)
{
	const struct fee_quote *q = spec->quote;
	const char *k = spec->kiosk_id;
	size_t n = k ? strlen(k) : 0;

	if (n < 1 || n > STORE_KIOSK_ID_MAX)
		return kerr_set(err, KR_INVALID, "kiosk id must be 1 to %d letters or digits",
		                STORE_KIOSK_ID_MAX);
	for (size_t i = 0; i < n; i++)
		if (!alnum(k[i]))
			return kerr_set(err, KR_INVALID, "kiosk id must be letters or digits");
	if ((int)spec->biz < 0 || spec->biz >= BIZ_COUNT || (int)spec->holder < 0 ||
	    spec->holder >= HOLDER_COUNT)
		return kerr_set(err, KR_INVALID, "business or holder out of range");
	if (!q || q->nlines < 0 || q->nlines > FEE_MAX_LINES || q->total_fen < 0 ||
	    q->total_fen > MONEY_MAX_FEN)
		return kerr_set(err, KR_INVALID, "fee quote missing or out of range");
	for (int i = 0; i < q->nlines; i++)
		if (!q->line[i].key || q->line[i].total_fen < 0)
			return kerr_set(err, KR_INVALID, "fee line %d is incomplete", i + 1);
	if (spec->subject_masked && strlen(spec->subject_masked) >= ROW_FIELD_SIZE(subject_masked))
		return kerr_set(err, KR_INVALID, "masked subject too long");
	if (spec->key_serial && strlen(spec->key_serial) >= ROW_FIELD_SIZE(key_serial))
		return kerr_set(err, KR_INVALID, "key serial too long");
	if (spec->detail && spec->detail[0] && !json_object_ok(spec->detail))
		return kerr_set(err, KR_INVALID, "detail must be a JSON object of at most %d bytes",
		                STORE_DETAIL_MAX);
	if (spec->pickup_no && spec->pickup_no[0] && !pickup_no_ok(spec->pickup_no))
		return kerr_set(err, KR_INVALID,
		                "pick-up order number must be 1 to 31 letters or "
		                "digits");
	return KR_OK;
}

int store_order_create(struct store *s, const struct order_spec *spec, struct order_row *out,
                       struct kerr *err)
{
	int r = spec_check(spec, err);
	if (r != KR_OK)
		return r;

	const struct fee_quote *q = spec->quote;
	const char *subject = spec->subject_masked ? spec->subject_masked : "";
	const char *serial = spec->key_serial ? spec->key_serial : "";
	const char *detail = spec->detail ? spec->detail : "";
	const char *pickup = spec->pickup_no && spec->pickup_no[0] ? spec->pickup_no : NULL;
	char order_no[sizeof out->order_no], out_trade_no[sizeof out->out_trade_no], yymmdd[8];
	int64_t id;

	if (cntime_format(spec->now_utc, "%y%m%d", yymmdd, sizeof yymmdd) != 0)
		return kerr_set(err, KR_INVALID, "creation time out of range");

	r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = stmt_int(s->st[ST_ORDER_NEXT_ID], 1, &id);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "next order id", err);
	if (pickup) {
		int taken = 0;
		rc = pickup_taken(s, pickup, &taken);
		if (rc != SQLITE_OK)
			return store_tx_fail(s, rc, "pick-up order", err);
		if (taken) {
			tx_rollback(s);
			return kerr_set(err, KR_CONFLICT, "pick-up order %s is handed out already",
			                pickup);
		}
	}
	snprintf(order_no, sizeof order_no, "%s%s%08lld", spec->kiosk_id, yymmdd, (long long)id);
	snprintf(out_trade_no, sizeof out_trade_no, "%s_1", order_no);

	sqlite3_stmt *st = s->st[ST_ORDER_INSERT];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, order_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out_trade_no, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)spec->biz);
	sqlite3_bind_int(st, 5, (int)spec->holder);
	sqlite3_bind_int64(st, 6, q->total_fen);
	sqlite3_bind_int(st, 7, ORDER_NEW);
	sqlite3_bind_int(st, 8, order_states[ORDER_NEW].open);
	sqlite3_bind_int64(st, 9, spec->now_utc);
	sqlite3_bind_text(st, 10, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, detail, -1, SQLITE_STATIC);
	if (pickup)
		sqlite3_bind_text(st, 13, pickup, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 13);
	rc = stmt_run(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "insert order", err);

	st = s->st[ST_LINE_INSERT];
	for (int i = 0; i < q->nlines; i++) {
		const struct fee_line *l = &q->line[i];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, i + 1);
		sqlite3_bind_text(st, 3, l->key, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, l->qty);
		sqlite3_bind_int(st, 5, l->years);
		sqlite3_bind_int(st, 6, l->bundle);
		sqlite3_bind_int64(st, 7, l->unit_fen);
		sqlite3_bind_int64(st, 8, l->total_fen);
		rc = stmt_run(st);
		if (rc != SQLITE_OK)
			return store_tx_fail(s, rc, "insert fee line", err);
	}

	struct order_extra x = {.spec = spec};
	rc = order_record(s, id, order_no, -1, ORDER_NEW, q->total_fen, "created", spec->now_utc,
	                  &x);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "record new order", err);
	r = store_tx_commit(s, err);
	if (r != KR_OK || !out)
		return r;

	*out = (struct order_row){.id = id,
	                          .biz = spec->biz,
	                          .holder = spec->holder,
	                          .amount_fen = q->total_fen,
	                          .state = ORDER_NEW,
	                          .created_utc = spec->now_utc,
	                          .updated_utc = spec->now_utc};
	memcpy(out->order_no, order_no, sizeof order_no);
	memcpy(out->out_trade_no, out_trade_no, sizeof out_trade_no);
	snprintf(out->subject_masked, sizeof out->subject_masked, "%s", subject);
	snprintf(out->key_serial, sizeof out->key_serial, "%s", serial);
	return KR_OK;
}

int store_order_move(struct store *s, int64_t id, enum order_state to, const char *reason,
                     int64_t now_utc, struct kerr *err)
{
	return store_order_move_cert(s, id, to, reason, NULL, now_utc, err);
}

static int hex_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return n <= max;
}

int store_order_move_cert(struct store *s, int64_t id, enum order_state to, const char *reason,
                          const struct order_cert *cert, int64_t now_utc, struct kerr *err)
{
	if (!reason)
		reason = "";
	if (cert && (!cert->event ||
	             (strcmp(cert->event, "issued") != 0 && strcmp(cert->event, "revoked") != 0 &&
	              strcmp(cert->event, "revoke_queued") != 0) ||
	             !hex_ok(cert->serial, 64)))
		return kerr_set(err, KR_INVALID, "certificate event or serial not allowed");
	if ((int)to < 0 || to >= ORDER_STATE_COUNT)
		return kerr_set(err, KR_INVALID, "target state out of range");
	if (!text_ok(reason, STORE_REASON_MAX))
		return kerr_set(err, KR_INVALID, "reason must be printable ASCII, at most %d",
		                STORE_REASON_MAX);

	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;

	sqlite3_stmt *st = s->st[ST_ORDER_STATE];
	char order_no[ROW_FIELD_SIZE(order_no)];
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	int64_t from = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	fen_t amount = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	if (rc == SQLITE_ROW)
		column_copy(st, 2, order_no, sizeof order_no);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		tx_rollback(s);
		return kerr_set(err, KR_NOT_FOUND, "order %lld not found", (long long)id);
	}
	if (rc != SQLITE_ROW)
		return store_tx_fail(s, rc, "read order", err);
	if (from < 0 || from >= ORDER_STATE_COUNT) {
		tx_rollback(s);
		return kerr_set(err, KR_CORRUPT, "order %lld: state %lld out of range",
		                (long long)id, (long long)from);
	}
	if (!order_can_move((enum order_state)from, to, amount)) {
		tx_rollback(s);
		return kerr_set(err, KR_CONFLICT, "order %s may not go from %s to %s", order_no,
		                order_state_id((enum order_state)from), order_state_id(to));
	}

	st = s->st[ST_ORDER_UPDATE];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, (int)to);
	sqlite3_bind_int(st, 3, order_states[to].open);
	sqlite3_bind_int64(st, 4, now_utc);
	rc = stmt_run(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "update order", err);
	struct order_extra x = {.cert = cert};
	rc = order_record(s, id, order_no, (int)from, to, amount, reason, now_utc, &x);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "record order move", err);
	return store_tx_commit(s, err);
}

int store_order_get(struct store *s, int64_t id, struct order_row *out, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_ORDER_GET];
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_ROW ? order_read(st, out, err)
	        : rc == SQLITE_DONE
	            ? kerr_set(err, KR_NOT_FOUND, "order %lld not found", (long long)id)
	            : store_sqlite_err(s->db, rc, "read order", err);
	sqlite3_reset(st);
	return r;
}

int store_order_find(struct store *s, const char *order_no, struct order_row *out, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_ORDER_BY_NO];
	sqlite3_bind_text(st, 1, order_no, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_ROW    ? order_read(st, out, err)
	        : rc == SQLITE_DONE ? kerr_set(err, KR_NOT_FOUND, "no order %.31s", order_no)
	                            : store_sqlite_err(s->db, rc, "read order", err);
	sqlite3_reset(st);
	return r;
}

int store_pickup_taken(struct store *s, const char *pickup_no, int *taken, struct kerr *err)
{
	int rc = pickup_taken(s, pickup_no, taken);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "pick-up order", err);
}

int store_open_orders(struct store *s, struct order_row **rows, int *n, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_ORDERS_OPEN];
	struct order_row *v = NULL;
	int count = 0, cap = 0, rc, r = KR_OK;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct order_row *nv = realloc(v, (size_t)ncap * sizeof *v);
			if (!nv) {
				r = kerr_set(err, KR_NOMEM, "out of memory listing open orders");
				break;
			}
			v = nv;
			cap = ncap;
		}
		r = order_read(st, &v[count++], err);
		if (r != KR_OK)
			break;
	}
	if (r == KR_OK && rc != SQLITE_DONE)
		r = store_sqlite_err(s->db, rc, "list open orders", err);
	sqlite3_reset(st);
	if (r != KR_OK || count == 0) {
		free(v);
		v = NULL;
		count = 0;
	}
	*rows = v;
	*n = count;
	return r;
}

int store_order_history(struct store *s, int64_t id, enum order_state *out, int max, int *n,
                        struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_HISTORY_LIST];
	int count = 0, rc, r = KR_OK;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t state = sqlite3_column_int64(st, 0);
		if (state < 0 || state >= ORDER_STATE_COUNT) {
			r = kerr_set(err, KR_CORRUPT, "order %lld: history state out of range",
			             (long long)id);
			break;
		}
		if (count < max)
			out[count] = (enum order_state)state;
		count++;
	}
	if (r == KR_OK && rc != SQLITE_DONE)
		r = store_sqlite_err(s->db, rc, "read order history", err);
	sqlite3_reset(st);
	*n = count;
	return r;
}

/* ---- journal, outbox, consumables ---- */

int store_schema_version(void)
{
	return STORE_VERSION;
}

sqlite3 *store_sqlite(struct store *s)
{
	return s->db;
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
	json_quote(kind, kind_q);
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
	return stmt_run(st);
}

int store_journal_append(struct store *s, const char *kind, int64_t order_id, const char *body,
                         int64_t now_utc, struct kerr *err)
{
	if (!kind || !*kind || !text_ok(kind, STORE_KIND_MAX))
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

int store_outbox_pending(struct store *s, int64_t *n, struct kerr *err)
{
	int rc = stmt_int(s->st[ST_OUTBOX_PENDING], 0, n);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "count outbox", err);
}

/* Whether item is a valid consumable name. */
static int item_ok(const char *item)
{
	return item && *item && text_ok(item, STORE_ITEM_MAX);
}

int store_consumable_get(struct store *s, const char *item, int64_t *count, struct kerr *err)
{
	if (!item_ok(item))
		return kerr_set(err, KR_INVALID, "consumable name must be printable ASCII, 1 to %d",
		                STORE_ITEM_MAX);
	sqlite3_stmt *st = s->st[ST_CONSUMABLE_GET];
	sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
	int rc = stmt_int(st, 0, count);
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
	int rc = stmt_int(st, 0, &count);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "read consumable", err);
	if (count + delta < 0) {
		tx_rollback(s);
		return kerr_set(err, KR_INVALID, "%s: %lld left, cannot take %lld", item,
		                (long long)count, (long long)-delta);
	}
	count += delta;

	st = s->st[ST_CONSUMABLE_SET];
	sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, count);
	sqlite3_bind_int64(st, 3, now_utc);
	rc = stmt_run(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "update consumable", err);

	json_quote(item, item_q);
	snprintf(body, sizeof body, "{\"item\":%s,\"delta\":%lld,\"count\":%lld}", item_q,
	         (long long)delta, (long long)count);
	rc = store_tx_journal(s, "consumable", 0, body, now_utc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "journal consumable", err);
	return store_tx_commit(s, err);
}

/* ---- open and close ---- */

/* The refusals of store_open, each naming the file. */
static int refuse_foreign(const char *path, struct kerr *err)
{
	return kerr_set(err, KR_FOREIGN,
	                "%s: not a kiosk database (another application's SQLite file)" UNTOUCHED,
	                path);
}

static int refuse_newer(const char *path, int64_t version, struct kerr *err)
{
	return kerr_set(err, KR_FOREIGN,
	                "%s: made by a newer kiosk (schema %lld, this kiosk knows %d)" UNTOUCHED,
	                path, (long long)version, STORE_VERSION);
}

static int refuse_damaged(const char *path, const char *detail, struct kerr *err)
{
	return kerr_set(err, KR_CORRUPT, "%s: kiosk database damaged (%s)" UNTOUCHED, path, detail);
}

/* Maps a SQLite failure while opening: damage is a refusal, anything else an error. */
static int open_fail(sqlite3 *db, int rc, const char *path, struct kerr *err)
{
	return sqlite_damaged(rc) ? refuse_damaged(path, sqlite3_errmsg(db), err)
	                          : store_sqlite_err(db, rc, path, err);
}

/* Looks at the first 100 bytes of an existing, non-empty file before SQLite may touch
 * it: the SQLite magic, our application_id and a schema version we know. */
static int store_file_precheck(const char *path, struct kerr *err)
{
	unsigned char h[100];
	FILE *f = fopen(path, "rb");

	if (!f) {
		if (errno == ENOENT)
			return KR_OK;
		return kerr_set(err, KR_IO, "%s: cannot read: %s", path, strerror(errno));
	}
	size_t n = fread(h, 1, sizeof h, f);
	int failed = ferror(f);
	fclose(f);
	if (failed)
		return kerr_set(err, KR_IO, "%s: cannot read", path);
	if (n == 0)
		return KR_OK;
	if (n < sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
		return kerr_set(err, KR_FOREIGN, "%s: not a kiosk database (not SQLite)" UNTOUCHED,
		                path);
	if (be32_get(h + 68) != STORE_APP_ID)
		return refuse_foreign(path, err);
	if (be32_get(h + 60) > (uint32_t)STORE_VERSION)
		return refuse_newer(path, be32_get(h + 60), err);
	return KR_OK;
}

/* The same checks through SQLite, which also sees a write-ahead log the file header
 * does not show yet, then an integrity check of the orders. Writes nothing. An empty
 * database (no id, no version, no tables) is a new one.
 *
 * A full PRAGMA quick_check reads the whole file: 3.5 s for 1,000,000 orders with their
 * history, journal and outbox (2.4 GB), too slow for every start. Checking the orders
 * table and its indexes, what recovery and new orders depend on, takes 0.3 s there;
 * damage elsewhere is reported as KR_CORRUPT by the call that meets it (the journal's
 * by store_journal_verify). */
static int store_db_check(sqlite3 *db, const char *path, struct kerr *err)
{
	int64_t app_id, version, tables;
	char check[256] = "ok";
	int rc = db_query_int(db, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = db_query_int(db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = db_query_int(db, "SELECT count(*) FROM sqlite_schema", &tables);
	if (rc != SQLITE_OK)
		return open_fail(db, rc, path, err);

	int fresh = app_id == 0 && version == 0 && tables == 0;
	if (!fresh && app_id != STORE_APP_ID)
		return refuse_foreign(path, err);
	if (version > STORE_VERSION)
		return refuse_newer(path, version, err);
	if (version >= 1)
		rc = db_query_text(db, "PRAGMA quick_check(orders)", check, sizeof check);
	if (rc != SQLITE_OK)
		return open_fail(db, rc, path, err);
	if (strcmp(check, "ok") != 0) {
		for (char *c = check; *c; c++)
			if (*c == '\n')
				*c = ' ';
		return refuse_damaged(path, check, err);
	}
	return KR_OK;
}

/* Brings the schema up to STORE_VERSION in one transaction (nothing to do when it is
 * there already). A fresh file gets its application_id in that same transaction. */
static int store_migrate(sqlite3 *db, const char *path, struct kerr *err)
{
	int64_t version;
	int rc = db_query_int(db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK || version == STORE_VERSION)
		return rc == SQLITE_OK ? KR_OK : store_sqlite_err(db, rc, path, err);

	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK) /* another process may have migrated meanwhile */
		rc = db_query_int(db, "PRAGMA user_version", &version);
	for (int64_t v = version; rc == SQLITE_OK && v < STORE_VERSION; v++)
		rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		         STORE_APP_ID, STORE_VERSION);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return KR_OK;
	int r = store_sqlite_err(db, rc, "schema migration", err);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* Sets the connection up for use: write-ahead log (after the first migration, so that
 * a new file gets its application_id before anything else), full sync, foreign keys,
 * and the prepared statements. */
static int store_setup(struct store *s, const char *path, struct kerr *err)
{
	char mode[16];
	int rc = sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_err(s->db, rc, path, err);
	int r = store_migrate(s->db, path, err);
	if (r != KR_OK)
		return r;
	rc = db_query_text(s->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
	if (rc == SQLITE_OK && strcmp(mode, "wal") != 0)
		return kerr_set(err, KR_IO, "%s: cannot use a write-ahead log (mode %s)", path,
		                mode);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	for (int i = 0; rc == SQLITE_OK && i < ST_COUNT; i++)
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                        &s->st[i], NULL);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, path, err);
}

int store_open(const char *path, struct store **out, struct kerr *err)
{
	struct store *s;
	int r;

	*out = NULL;
	r = store_file_precheck(path, err);
	if (r != KR_OK)
		return r;
	s = calloc(1, sizeof *s);
	if (!s || !(s->md = EVP_MD_CTX_new())) {
		free(s);
		return kerr_set(err, KR_NOMEM, "out of memory opening the store");
	}
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		r = store_sqlite_err(s->db, rc, path, err);
	} else {
		sqlite3_extended_result_codes(s->db, 1);
		sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
		r = store_db_check(s->db, path, err);
	}
	if (r == KR_OK)
		r = store_setup(s, path, err);
	if (r != KR_OK) {
		store_close(s);
		return r;
	}
	*out = s;
	return KR_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	EVP_MD_CTX_free(s->md);
	free(s);
}

/* store.c — the kiosk's SQLite database: the handle, its one connection and prepared
 * statements, opening and closing it, transactions and the small helpers the store's
 * modules share (store_internal.h). What is in it is the business of the modules beside:
 * schema.c (the schema, its migrations, the checks of a file before use), orders.c,
 * journal.c, consumables.c, outbox.c, payments.c, receipts.c, stats.c.
 *
 * A file is checked before SQLite may touch it (magic, application_id, schema version),
 * and again through SQLite before anything is written, so that a foreign or newer file, or
 * one whose orders are damaged, is refused unchanged. Every write is one BEGIN IMMEDIATE …
 * COMMIT; on any failure it is rolled back and the SQLite code is mapped to a kiosk result.
 * The handle is used by one thread at a time. Nothing personal or secret is printed; the
 * only lines written are the order trace (store_set_trace, orders.c). */
#include "store/store.h"
#include "store/store_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#define STORE_BUSY_MS 5000

/* The columns of struct order_row, in the order order_read() (orders.c) expects them. */
#define ORDER_COLUMNS                                                                              \
	"id, order_no, out_trade_no, business, holder, amount_fen, state, created_utc, "           \
	"updated_utc, subject_masked, key_serial, pickup_no"

/* The SQL of each statement prepared once per handle (enum stmt, store_internal.h). */
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
    [ST_JOURNAL_LAST] = "SELECT seq, hash, prev_hash FROM journal ORDER BY seq DESC LIMIT 1",
    [ST_JOURNAL_INSERT] = "INSERT INTO journal(seq, at_utc, kind, order_id, body, prev_hash, "
                          "hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_JOURNAL_ALL] = "SELECT seq, at_utc, kind, order_id, body, prev_hash, hash FROM journal "
                       "WHERE seq > ?1 ORDER BY seq",
    [ST_OUTBOX_INSERT] = "INSERT INTO outbox(event_id, order_id, kind, body, created_utc) "
                         "VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_OUTBOX_PENDING] = "SELECT count(*) FROM outbox WHERE acked_utc IS NULL",
    [ST_CONSUMABLE_GET] = "SELECT count FROM consumables WHERE item = ?1",
    [ST_CONSUMABLE_SET] = "INSERT INTO consumables(item, count, updated_utc) "
                          "VALUES(?1, ?2, ?3) "
                          "ON CONFLICT(item) DO UPDATE SET count = ?2, updated_utc = ?3",
};

/* ---- small helpers ---- */

int store_pair_digest(const char *a, const char *b, unsigned char out[32])
{
	char text[48];
	unsigned int len = 0;
	int n = snprintf(text, sizeof text, "%s|%s", a, b);
	int ok = n > 0 && (size_t)n < sizeof text &&
	         EVP_Digest(text, (size_t)n, out, &len, EVP_sha256(), NULL) == 1 && len == 32;
	explicit_bzero(text, sizeof text);
	return ok;
}

/* Whether s is printable ASCII of at most max characters. */
int store_text_ok(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= max || s[n] < 0x20 || s[n] > 0x7e)
			return 0;
	return 1;
}

/* Writes s as a JSON string into out: room for 6 * strlen(s) + 3 bytes, or 2 * strlen(s)
 * + 3 when s is printable ASCII (store_text_ok). */
void store_json_quote(const char *s, char *out)
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
int store_sqlite_damaged(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Maps a SQLite result code to a kiosk result with a message naming what failed. */
int store_sqlite_err(sqlite3 *db, int rc, const char *what, struct kerr *err)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (store_sqlite_damaged(rc))
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
int store_stmt_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Steps a statement expected to return one integer (or nothing: *out = dflt) and
 * resets it. */
int store_stmt_int(sqlite3_stmt *st, int64_t dflt, int64_t *out)
{
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : dflt;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs one query on db and copies the first column of its first row into buf ("" when
 * there is no row). Returns a SQLite code. */
int store_db_query_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_text(st, 0, buf, size);
	else
		snprintf(buf, size, "%s", "");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Copies text column col of the row st stands on into out, "" for NULL. */
void store_column_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, size, "%s", t ? (const char *)t : "");
}

/* ---- transactions ---- */

/* Starts a write transaction; a kiosk result. */
int store_tx_begin(struct store *s, struct kerr *err)
{
	int rc = store_stmt_run(s->st[ST_BEGIN]);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "begin", err);
}

/* Rolls back the open transaction, if SQLite has not done so already. */
void store_tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		store_stmt_run(s->st[ST_ROLLBACK]);
}

/* Maps rc (what failed) to a kiosk result and rolls the open transaction back. */
int store_tx_fail(struct store *s, int rc, const char *what, struct kerr *err)
{
	int r = store_sqlite_err(s->db, rc, what, err);
	store_tx_rollback(s);
	return r;
}

/* Commits; on failure rolls back and returns the mapped result. */
#ifdef KIOSK_CRASH_POINTS
/* The kill-anywhere test (tests/rigs/kill-anywhere): with KIOSK_KILL_AT_COMMIT=N in its
 * environment the process kills itself with SIGKILL right after its Nth commit, on any
 * handle — a power cut just after an order's move or a step of its work. Test builds
 * only (KIOSK_CRASH_POINTS; off in the release build). */
static long kill_at;
static atomic_long commits;
static pthread_once_t kill_once = PTHREAD_ONCE_INIT;

static void kill_at_read(void)
{
	const char *v = getenv("KIOSK_KILL_AT_COMMIT");
	kill_at = v ? strtol(v, NULL, 10) : 0;
}

static void crash_point(void)
{
	pthread_once(&kill_once, kill_at_read);
	if (kill_at > 0 && atomic_fetch_add(&commits, 1) + 1 == kill_at)
		raise(SIGKILL);
}
#endif

int store_tx_commit(struct store *s, struct kerr *err)
{
	int rc = store_stmt_run(s->st[ST_COMMIT]);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "commit", err);
#ifdef KIOSK_CRASH_POINTS
	crash_point();
#endif
	return KR_OK;
}
sqlite3 *store_sqlite(struct store *s)
{
	return s->db;
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
	rc = store_db_query_text(s->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
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

void store_set_trace(struct store *s, FILE *trace)
{
	s->trace = trace;
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

/* schema.c — the store's schema: its migrations (the tables and indexes of each version),
 * bringing a file up to this kiosk's version, and the checks of a file before the store
 * uses it (a foreign, newer or damaged file is refused unchanged). */
#include "store/store.h"
#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define STORE_APP_ID 0x4B494F53 /* "KIOS" */
#define UNTOUCHED    " — left untouched"

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
    /* 6: the units' lists of authorised agents, digests only (kiosk/store/agents.c) */
    "CREATE TABLE unit_agent_lists("
    " unit TEXT PRIMARY KEY,"
    " version INT NOT NULL,"
    " received_utc INT NOT NULL);"
    "CREATE TABLE unit_agents("
    " unit TEXT NOT NULL,"
    " agent_hash BLOB NOT NULL,"
    " PRIMARY KEY(unit, agent_hash)) WITHOUT ROWID;",
    /* 7: the loss reports of the last day, digests only (kiosk/store/reports.c) */
    "CREATE TABLE loss_reports("
    " who_hash BLOB NOT NULL,"
    " at_utc INT NOT NULL);"
    "CREATE INDEX loss_reports_who ON loss_reports(who_hash, at_utc);",
    /* 8: an order's journal rows and receipts found by the order: the work journal read
     * back by recovery (kiosk/store/work.c), a lost receipt found (receipts_missing) */
    ("CREATE INDEX journal_order ON journal(order_id, seq);"
     "CREATE INDEX receipts_order ON receipts(order_id);"),
    /* 9: marks on the journal's chain (kiosk/store/journal.c): the row verified last at
     * start-up, the head the central site accepted last */
    "CREATE TABLE journal_marks("
    " name TEXT PRIMARY KEY,"
    " seq INT NOT NULL,"
    " hash BLOB NOT NULL);",
    /* 10: a receipt may be a reconciliation slip (kiosk/staff/slip.c): the kinds' check is
     * widened, which SQLite does by making the table again */
    ("CREATE TABLE receipts_10("
     " id INTEGER PRIMARY KEY,"
     " order_id INT REFERENCES orders(id),"
     " kind TEXT NOT NULL CHECK(kind IN ('receipt', 'check', 'restock', 'reconcile')),"
     " created_utc INT NOT NULL,"
     " pdf BLOB NOT NULL,"
     " attempts INT NOT NULL DEFAULT 0,"
     " printed_utc INT,"
     " last_error TEXT);"
     "INSERT INTO receipts_10 SELECT id, order_id, kind, created_utc, pdf, attempts, "
     " printed_utc, last_error FROM receipts;"
     "DROP TABLE receipts;"
     "ALTER TABLE receipts_10 RENAME TO receipts;"
     "CREATE INDEX receipts_unprinted ON receipts(id) WHERE printed_utc IS NULL;"
     "CREATE INDEX receipts_order ON receipts(order_id);"),
};

#define STORE_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_version(void)
{
	return STORE_VERSION;
}

/* The big-endian u32 at p. */
static uint32_t be32_get(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* store_db_query_text() for a query whose answer is an integer. */
static int db_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	char buf[32];
	int rc = store_db_query_text(db, sql, buf, sizeof buf);
	*out = strtoll(buf, NULL, 10);
	return rc;
}

/* ---- checks before use ---- */

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
	return store_sqlite_damaged(rc) ? refuse_damaged(path, sqlite3_errmsg(db), err)
	                                : store_sqlite_err(db, rc, path, err);
}

/* Looks at the first 100 bytes of an existing, non-empty file before SQLite may touch
 * it: the SQLite magic, our application_id and a schema version we know. */
int store_file_precheck(const char *path, struct kerr *err)
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
int store_db_check(sqlite3 *db, const char *path, struct kerr *err)
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
		rc = store_db_query_text(db, "PRAGMA quick_check(orders)", check, sizeof check);
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
int store_migrate(sqlite3 *db, const char *path, struct kerr *err)
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

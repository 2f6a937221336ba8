/* test_store_files.c — files the store must refuse, byte for byte untouched: text,
 * random bytes, another application's SQLite database, a newer kiosk's database (in
 * the file header, and only in a write-ahead log), a damaged page of the orders. A
 * damaged page elsewhere is met at use, and reads leave the file as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "store/store.h"
#include "store_testutil.h"

#define T0 1700000000

static char dir[4096];

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(fwrite(data, 1, len, f), len);
		fclose(f);
	}
}

/* store_open must refuse path with rc and a message containing what; the file must be
 * unchanged and no SQLite side files left behind. */
static void expect_refused(const char *path, int rc, const char *what)
{
	unsigned char before[32], after[32];
	struct kerr err = {0};
	struct store *s = (struct store *)1;
	char side[4200];

	CHECK_INT(tu_sha256_file(path, before), 0);
	CHECK_INT(store_open(path, &s, &err), rc);
	CHECK(s == NULL);
	printf("refused (%s): %s\n", kr_name(rc), err.msg);
	CHECK(strstr(err.msg, what) != NULL);
	CHECK(strstr(err.msg, path) != NULL);
	CHECK_INT(tu_sha256_file(path, after), 0);
	CHECK(memcmp(before, after, sizeof before) == 0);
	snprintf(side, sizeof side, "%s-wal", path);
	CHECK(access(side, F_OK) != 0);
	snprintf(side, sizeof side, "%s-journal", path);
	CHECK(access(side, F_OK) != 0);
}

/* A kiosk database with some orders, closed. */
static void make_kiosk_db(const char *path, int orders)
{
	struct kerr err = {0};
	struct store *s = NULL;
	struct fee_quote q = tu_quote(1000);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	for (int i = 0; s && i < orders; i++)
		CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	store_close(s);
}

static void test_not_sqlite(void)
{
	char path[4200];
	unsigned char junk[4096];
	const char text[] = "[kiosk]\nid = K01\n# a configuration file, not a database\n";

	tu_path(path, sizeof path, dir, "text.db");
	write_file(path, text, sizeof text - 1);
	expect_refused(path, KR_FOREIGN, "not a kiosk database (not SQLite)");

	srand(7);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)rand();
	tu_path(path, sizeof path, dir, "random.db");
	write_file(path, junk, sizeof junk);
	expect_refused(path, KR_FOREIGN, "not SQLite");

	/* the magic alone, cut short */
	tu_path(path, sizeof path, dir, "short.db");
	write_file(path, "SQLite format 3", 16);
	expect_refused(path, KR_FOREIGN, "not SQLite");
}

static void test_other_application(void)
{
	char path[4200];

	tu_path(path, sizeof path, dir, "other.db");
	CHECK_INT(tu_sql(path, "CREATE TABLE contacts(name TEXT); "
	                       "INSERT INTO contacts VALUES('x')"),
	          SQLITE_OK);
	expect_refused(path, KR_FOREIGN, "another application");

	tu_path(path, sizeof path, dir, "other-id.db");
	CHECK_INT(tu_sql(path, "PRAGMA application_id = 1234; CREATE TABLE orders(id)"), SQLITE_OK);
	expect_refused(path, KR_FOREIGN, "another application");

	/* an empty SQLite file of nobody's: a header, no tables, application_id 0 */
	tu_path(path, sizeof path, dir, "blank.db");
	CHECK_INT(tu_sql(path, "PRAGMA page_size = 4096; VACUUM"), SQLITE_OK);
	CHECK(tu_sql_int(path, "PRAGMA page_count") > 0);
	expect_refused(path, KR_FOREIGN, "another application");
}

static void test_newer_kiosk(void)
{
	char path[4200];
	sqlite3 *raw;
	struct kerr err = {0};
	struct store *s = NULL;

	tu_path(path, sizeof path, dir, "newer.db");
	make_kiosk_db(path, 3);
	CHECK_INT(tu_sql(path, "PRAGMA user_version = 999"), SQLITE_OK);
	expect_refused(path, KR_FOREIGN, "made by a newer kiosk");

	/* the bump still sits in the write-ahead log of a connection that stays open: the
	 * file header does not show it, SQLite does */
	tu_path(path, sizeof path, dir, "newer-wal.db");
	make_kiosk_db(path, 3);
	CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
	char bump[64];
	snprintf(bump, sizeof bump, "PRAGMA user_version = %d", store_schema_version() + 1);
	CHECK_INT(sqlite3_exec(raw, bump, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(tu_sql_int(path, "PRAGMA user_version"), store_schema_version() + 1);
	unsigned char before[32], after[32];
	CHECK_INT(tu_sha256_file(path, before), 0);
	CHECK_INT(store_open(path, &s, &err), KR_FOREIGN);
	CHECK(strstr(err.msg, "made by a newer kiosk") != NULL);
	CHECK_INT(tu_sha256_file(path, after), 0);
	CHECK(memcmp(before, after, sizeof before) == 0);
	sqlite3_close(raw);
}

/* Overwrites with garbage the middle one of table's leaf pages (found through the dbstat
 * table of a raw connection). */
static void damage_page(const char *path, const char *table)
{
	unsigned char junk[4096];
	char sql[256];

	CHECK_INT(tu_sql_int(path, "PRAGMA page_size"), sizeof junk);
	snprintf(sql, sizeof sql,
	         "SELECT pageno FROM dbstat WHERE name = '%s' AND pagetype = 'leaf' "
	         "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = '%s' AND "
	         "pagetype = 'leaf')",
	         table, table);
	int64_t page = tu_sql_int(path, sql);
	CHECK(page > 1);

	memset(junk, 0xA5, sizeof junk);
	FILE *f = fopen(path, "r+b");
	CHECK(f != NULL);
	if (f && page > 1) {
		fseek(f, (long)(page - 1) * (long)sizeof junk, SEEK_SET);
		CHECK_INT(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	}
	if (f)
		fclose(f);
}

static void test_damaged(void)
{
	char path[4200];
	unsigned char before[32], after[32];
	struct kerr err = {0};
	struct store *s = NULL;
	int64_t bad = -1, rows;

	/* the orders are checked when the store opens */
	tu_path(path, sizeof path, dir, "damaged.db");
	make_kiosk_db(path, 400);
	damage_page(path, "orders");
	expect_refused(path, KR_CORRUPT, "damaged");

	/* damage elsewhere is met by the call that reads it, here the journal's check */
	tu_path(path, sizeof path, dir, "damaged-journal.db");
	make_kiosk_db(path, 400);
	damage_page(path, "journal");
	CHECK_INT(tu_sha256_file(path, before), 0);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_CORRUPT);
	printf("journal: %s\n", err.msg);
	CHECK(strstr(err.msg, "damaged") != NULL);
	store_close(s);
	CHECK_INT(tu_sha256_file(path, after), 0);
	CHECK(memcmp(before, after, sizeof before) == 0);
}

static void test_empty_file_is_new(void)
{
	char path[4200];
	struct kerr err = {0};
	struct store *s = NULL;
	int64_t bad, rows = -1;

	tu_path(path, sizeof path, dir, "empty.db");
	write_file(path, "", 0);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_OK);
	CHECK_INT(rows, 0);
	store_close(s);
	CHECK_INT(tu_sql_int(path, "PRAGMA application_id"), 0x4B494F53);
}

int main(void)
{
	if (tu_tmpdir(dir, sizeof dir) != 0)
		return 1;
	test_not_sqlite();
	test_other_application();
	test_newer_kiosk();
	test_damaged();
	test_empty_file_is_new();
	tu_rmdir(dir);
	return check_done();
}

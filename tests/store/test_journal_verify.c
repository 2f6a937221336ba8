/* test_journal_verify.c — the journal tampered with in copies of a kiosk database, found
 * by `kiosk journal verify` (the whole chain, and the marks on it) and by the check made
 * at every start (store_journal_verify_since): a row's body changed, the last rows cut
 * off after a start had checked them. A chain rewritten consistently is the central
 * site's to find (tests/sync/test_sync.c, case journal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "check.h"
#include "store/store.h"
#include "store/store_testutil.h"

#define T0 1795000000

static char config[4096];

/* Runs kiosk journal verify on path: its exit status, its output in out. */
static int verify_cli(const char *path, char *out, size_t size)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "'%s' journal verify --config '%s' --database '%s' 2>&1",
	         getenv("KIOSK_BINARY"), config, path);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, size - 1, p) : 0;
	out[n] = '\0';
	int status = p ? pclose(p) : -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* n orders walked to served: 5 journal rows each. */
static void make_orders(const char *path, int n)
{
	static const enum order_state walk[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING,
	                                        ORDER_SERVED};
	struct store *s = NULL;
	struct kerr err = {0};
	struct fee_quote q = tu_quote(15000);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	for (int i = 0; s && i < n; i++) {
		struct order_spec spec = tu_spec(&q, T0 + i);
		struct order_row row;
		CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
		for (size_t k = 0; k < sizeof walk / sizeof walk[0]; k++)
			CHECK_INT(store_order_move(s, row.id, walk[k], "test", T0 + i, &err),
			          KR_OK);
	}
	store_close(s);
}

/* The start's check on path: its result, the first bad row in *bad. */
static int verify_start(const char *path, int64_t *bad)
{
	struct store *s = NULL;
	struct kerr err = {0};
	int64_t rows = 0;
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	int rc = s ? store_journal_verify_since(s, bad, &rows, &err) : KR_IO;
	store_close(s);
	return rc;
}

static void copy_db(const char *from, const char *to)
{
	char sql[9000];
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", to);
	CHECK_INT(tu_sql(from, sql), SQLITE_OK);
}

int main(void)
{
	char dir[4096], path[4200], body[4200], cut[4200], out[4096], want[256];
	char hex[2 * STORE_HASH_LEN + 1];
	struct store *s = NULL;
	struct kerr err = {0};
	struct journal_point head;
	int64_t bad = 0;

	snprintf(config, sizeof config, "%s/tests/integration/standin-kiosk.ini",
	         getenv("KIOSK_SOURCE_DIR"));
	if (tu_tmpdir(dir, sizeof dir) != 0)
		return 1;
	tu_path(path, sizeof path, dir, "kiosk.db");
	tu_path(body, sizeof body, dir, "body.db");
	tu_path(cut, sizeof cut, dir, "cut.db");

	/* intact: rows and head said; the start's check reaches the head and marks it */
	make_orders(path, 4); /* rows 1 to 20 */
	CHECK_INT(verify_start(path, &bad), KR_OK);
	CHECK_INT(tu_sql_int(path, "SELECT seq FROM journal_marks WHERE name = 'verified'"), 20);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(store_journal_head(s, &head, &err), KR_OK);
	store_close(s);
	store_hash_hex(head.hash, hex);
	CHECK_INT(verify_cli(path, out, sizeof out), 0);
	snprintf(want, sizeof want, "journal intact, 20 rows checked, head seq 20 hash %s", hex);
	CHECK(strstr(out, want) != NULL);

	/* a row's body changed: before the start's mark only the whole walk sees it */
	copy_db(path, body);
	CHECK_INT(tu_sql(body, "DROP TRIGGER journal_no_update;"
	                       "UPDATE journal SET body = replace(body, 'paid', 'paie') "
	                       "WHERE seq = 3"),
	          SQLITE_OK);
	CHECK_INT(verify_cli(body, out, sizeof out), 1);
	CHECK(strstr(out, "journal broken at row 3") != NULL);
	CHECK_INT(verify_start(body, &bad), KR_OK);
	/* after the mark: the start sees it too */
	make_orders(body, 1); /* rows 21 to 25; row 23 to paid */
	CHECK_INT(tu_sql(body, "UPDATE journal SET body = replace(body, 'paid', 'paie') "
	                       "WHERE seq = 23"),
	          SQLITE_OK);
	CHECK_INT(verify_start(body, &bad), KR_CORRUPT);
	CHECK_INT(bad, 23);

	/* the last rows cut off after the start checked them: the chain left is valid */
	copy_db(path, cut);
	CHECK_INT(tu_sql(cut, "DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq > 16"),
	          SQLITE_OK);
	CHECK_INT(verify_cli(cut, out, sizeof out), 1);
	CHECK(strstr(out, "journal broken at row 20") && strstr(out, "verified mark"));
	make_orders(cut, 1); /* rows 17 to 21: a row 20 again, another one */
	CHECK_INT(verify_start(cut, &bad), KR_CORRUPT);
	CHECK_INT(bad, 20);
	CHECK_INT(verify_cli(cut, out, sizeof out), 1);

	tu_rmdir(dir);
	return check_done();
}

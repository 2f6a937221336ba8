/* bench_store.c — how fast the store is where it matters: journaled order transitions
 * with synchronous=FULL (goal >= 1,000/s), on a database of 1,000,000 orders of which
 * 100 are open, store_open (which checks the orders table) and the recovery query
 * store_open_orders (goal <= 100 ms), and the walk of a journal of 200,000 rows
 * (store_journal_verify: is a full check affordable at every start?). Prints figures;
 * fails only if the store does. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "check.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "store/store_testutil.h"

#define T0           1700000000
#define BENCH_ORDERS 750 /* four moves each: 3,000 transitions */
#define BIG_ORDERS   1000000
#define BIG_OPEN     100
#define RUNS         5
#define BIG_JOURNAL  200000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

static void bench_transitions(const char *path)
{
	const enum order_state walk[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING, ORDER_SERVED};
	struct kerr err = {0};
	struct store *s = NULL;
	struct fee_quote q = tu_quote(15000);
	struct order_spec spec = tu_spec(&q, T0);
	int64_t ids[BENCH_ORDERS], bad, rows;
	struct order_row row;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	if (!s)
		return;
	double t = now_s();
	for (int i = 0; i < BENCH_ORDERS; i++) {
		CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
		ids[i] = row.id;
	}
	double creates = now_s() - t;

	t = now_s();
	for (int step = 0; step < 4; step++)
		for (int i = 0; i < BENCH_ORDERS; i++)
			CHECK_INT(store_order_move(s, ids[i], walk[step], "bench", T0 + step, &err),
			          KR_OK);
	double moves = now_s() - t;

	t = now_s();
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_OK);
	double verify = now_s() - t;
	store_close(s);

	printf("creations:   %d in %.3f s = %.0f/s\n", BENCH_ORDERS, creates,
	       BENCH_ORDERS / creates);
	printf("transitions: %d in %.3f s = %.0f/s (goal >= 1000/s, synchronous=FULL)\n",
	       4 * BENCH_ORDERS, moves, 4 * BENCH_ORDERS / moves);
	printf("journal verify: %lld rows in %.1f ms\n", (long long)rows, verify * 1e3);
}

/* Fills a kiosk database with BIG_ORDERS orders through a raw connection, BIG_OPEN of
 * them open and spread evenly. */
static int fill_big(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open(path, &db);
	char no[32], trade[48];

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    db,
		    "INSERT INTO orders(id, order_no, out_trade_no, business, holder, "
		    "amount_fen, state, open, created_utc, updated_utc, subject_masked, "
		    "key_serial, detail) VALUES(?1, ?2, ?3, 1, 0, 15000, ?4, ?5, ?6, ?6, "
		    "'Z* 3201**********1234', 'TK0000123456', '{}')",
		    -1, &st, NULL);
	for (int64_t id = 1; rc == SQLITE_OK && id <= BIG_ORDERS; id++) {
		int open = id % (BIG_ORDERS / BIG_OPEN) == 0;
		snprintf(no, sizeof no, "K0123111%08lld", (long long)id);
		snprintf(trade, sizeof trade, "%s_1", no);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, no, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, trade, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, open ? ORDER_WORKING : ORDER_SERVED);
		sqlite3_bind_int(st, 5, open);
		sqlite3_bind_int64(st, 6, T0 + id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "filling %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void bench_big(const char *path)
{
	struct kerr err = {0};
	struct store *s = NULL;
	struct order_row *rows = NULL;
	double opens[RUNS] = {0}, scans[RUNS] = {0};
	int n = 0;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	store_close(s);
	double t = now_s();
	CHECK_INT(fill_big(path), 0);
	printf("filled %d orders (%d open) in %.1f s, %lld MiB\n", BIG_ORDERS, BIG_OPEN,
	       now_s() - t,
	       (long long)(tu_sql_int(path, "PRAGMA page_count") *
	                       tu_sql_int(path, "PRAGMA page_size") >>
	                   20));

	for (int i = 0; i < RUNS; i++) {
		t = now_s();
		CHECK_INT(store_open(path, &s, &err), KR_OK);
		opens[i] = now_s() - t;
		if (i < RUNS - 1)
			store_close(s);
	}
	for (int i = 0; s && i < RUNS; i++) {
		t = now_s();
		CHECK_INT(store_open_orders(s, &rows, &n, &err), KR_OK);
		scans[i] = now_s() - t;
		CHECK_INT(n, BIG_OPEN);
		free(rows);
	}
	store_close(s);
	printf("store_open (checks the orders: quick_check(orders)): median %.0f ms of %d\n",
	       median(opens, RUNS) * 1e3, RUNS);
	printf("store_open_orders: %d open of %d, median %.2f ms of %d (goal <= 100 ms)\n", n,
	       BIG_ORDERS, median(scans, RUNS) * 1e3, RUNS);
}

/* BIG_JOURNAL rows appended through the store (synchronous=OFF for the filling only),
 * then the whole chain walked RUNS times. */
static void bench_journal(const char *path)
{
	struct kerr err = {0};
	struct store *s = NULL;
	double walks[RUNS] = {0};
	int64_t bad = 0, rows = 0;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	if (!s)
		return;
	CHECK_INT(sqlite3_exec(store_sqlite(s), "PRAGMA synchronous = OFF", NULL, NULL, NULL),
	          SQLITE_OK);
	double t = now_s();
	for (int i = 0; i < BIG_JOURNAL; i++)
		CHECK_INT(store_journal_append(s, "bench", 0,
		                               "{\"check\":\"ok\",\"key\":\"TK0000123456\"}",
		                               T0 + i, &err),
		          KR_OK);
	printf("filled a journal of %d rows in %.1f s\n", BIG_JOURNAL, now_s() - t);
	store_close(s);

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	for (int i = 0; s && i < RUNS; i++) {
		t = now_s();
		CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_OK);
		walks[i] = now_s() - t;
		CHECK_INT(rows, BIG_JOURNAL);
	}
	store_close(s);
	double m = median(walks, RUNS);
	printf("journal verify: %lld rows, median %.0f ms of %d = %.0f ms per 100,000 rows\n",
	       (long long)rows, m * 1e3, RUNS, m * 1e3 * 100000 / BIG_JOURNAL);
}

int main(void)
{
	char dir[4096], path[4200];

	if (tu_tmpdir(dir, sizeof dir) != 0)
		return 1;
	printf("database directory %s\n", dir);
	tu_path(path, sizeof path, dir, "transitions.db");
	bench_transitions(path);
	tu_path(path, sizeof path, dir, "big.db");
	bench_big(path);
	tu_path(path, sizeof path, dir, "journal.db");
	bench_journal(path);
	tu_rmdir(dir);
	return check_done();
}

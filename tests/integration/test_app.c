/* test_app.c — the application loop on a real database: recovery settles an order left
 * in every open state, and a second start finds nothing left to do; a served order whose
 * receipt a power cut lost gets it made again from the record. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/rebuild.h"
#include "check.h"
#include "conf/conf.h"
#include "store/receipts.h"
#include "store/store.h"
#include "store/work.h"

static int64_t fake_mono(void *ctx)
{
	(void)ctx;
	return 1000;
}

static int64_t fake_utc(void *ctx)
{
	(void)ctx;
	return 1795266000;
}

static void load_conf(struct conf *c, const char *db)
{
	char path[PATH_MAX];
	const char *src = getenv("KIOSK_SOURCE_DIR");
	struct kerr err;
	snprintf(path, sizeof path, "%s/tests/integration/standin-kiosk.ini",
	         src && *src ? src : KIOSK_SOURCE_DIR);
	if (conf_load(path, c, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	snprintf(c->database, sizeof c->database, "%s", db);
}

/* Leaves one order in state `to` (walking an allowed path) and returns its id. */
static int64_t leave_order(struct store *s, fen_t amount, const enum order_state *path, int n)
{
	struct fee_quote q = {.nlines = 1, .total_fen = amount};
	q.line[0] =
	    (struct fee_line){.key = "fee.cert", .qty = 1, .unit_fen = amount, .total_fen = amount};
	struct order_spec spec = {.kiosk_id = "T01",
	                          .biz = BIZ_RENEW,
	                          .holder = HOLDER_PERSON,
	                          .quote = &q,
	                          .subject_masked = "",
	                          .key_serial = "",
	                          .detail = "",
	                          .now_utc = 1795266000};
	struct order_row row;
	struct kerr err;
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	for (int i = 0; i < n; i++)
		CHECK_INT(store_order_move(s, row.id, path[i], "test", 1795266000, &err), KR_OK);
	return row.id;
}

int main(void)
{
	char dir[] = "/tmp/kiosk-app-XXXXXX";
	char db[PATH_MAX];
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof db, "%s/k.db", dir);
	static struct conf conf;
	load_conf(&conf, db);
	struct kerr err = {{0}};

	/* a previous run left orders in every open state */
	struct store *s;
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	static const enum order_state paying[] = {ORDER_PAYING};
	static const enum order_state paid[] = {ORDER_PAYING, ORDER_PAID};
	static const enum order_state working[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING};
	static const enum order_state refunding[] = {ORDER_PAYING, ORDER_PAID, ORDER_REFUNDING};
	static const enum order_state free_working[] = {ORDER_WORKING};
	int64_t ids[6] = {
	    leave_order(s, 2000, NULL, 0),      leave_order(s, 2000, paying, 1),
	    leave_order(s, 2000, paid, 2),      leave_order(s, 2000, working, 3),
	    leave_order(s, 2000, refunding, 3), leave_order(s, 0, free_working, 1),
	};
	static const enum order_state expected[6] = {ORDER_CLOSED,   ORDER_CLOSED,   ORDER_REFUNDED,
	                                             ORDER_REFUNDED, ORDER_REFUNDED, ORDER_FAILED};
	store_close(s);

	FILE *trace = fopen("/dev/null", "w");
	struct app_clock clock = {fake_mono, fake_utc, NULL};
	struct app *app;
	CHECK_INT(app_create(&conf, &clock, trace, &app, &err), KR_OK);
	int found = 0;
	CHECK_INT(app_recover(app, &found, &err), KR_OK);
	CHECK_INT(found, 6);
	app_pump(app);
	CHECK_INT(app_recovering(app), 0);
	for (int i = 0; i < 6; i++) {
		struct order_row row;
		CHECK_INT(store_order_get(app_store(app), ids[i], &row, &err), KR_OK);
		CHECK_INT(row.state, expected[i]);
	}
	int64_t bad = 0, rows = 0;
	CHECK_INT(store_journal_verify(app_store(app), &bad, &rows, &err), KR_OK);
	CHECK_INT(app_view(app)->screen, SCREEN_START);
	app_destroy(app);

	/* a refund the gateway cannot take stays open, and is tried again at the next start */
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	int64_t stuck = leave_order(s, 500, paid, 2);
	store_close(s);
	CHECK_INT(app_create(&conf, &clock, trace, &app, &err), KR_OK);
	struct service *pay = app_service(app, SVC_PAY);
	CHECK_INT(pay->ops->control(pay->self, "refund-fails", "on", &err), KR_OK);
	CHECK_INT(app_recover(app, &found, &err), KR_OK);
	CHECK_INT(found, 1);
	app_pump(app);
	struct order_row row;
	CHECK_INT(store_order_get(app_store(app), stuck, &row, &err), KR_OK);
	CHECK_INT(row.state, ORDER_REFUNDING);
	app_destroy(app);

	CHECK_INT(app_create(&conf, &clock, trace, &app, &err), KR_OK);
	CHECK_INT(app_recover(app, &found, &err), KR_OK);
	CHECK_INT(found, 1);
	app_pump(app);
	CHECK_INT(store_order_get(app_store(app), stuck, &row, &err), KR_OK);
	CHECK_INT(row.state, ORDER_REFUNDED);
	app_destroy(app);

	CHECK_INT(app_create(&conf, &clock, trace, &app, &err), KR_OK);
	CHECK_INT(app_recover(app, &found, &err), KR_OK);
	CHECK_INT(found, 0);
	app_destroy(app);

	/* served just before a power cut, its receipt not stored: made again from the record */
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	static const enum order_state served[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING,
	                                          ORDER_SERVED};
	int64_t lost = leave_order(s, 2000, served, 4);
	struct work_mark issued = {.step = WORK_ISSUE,
	                           .done = 1,
	                           .key_serial = "K1",
	                           .cert_serial = "5A03",
	                           .not_before_utc = 1795266000,
	                           .not_after_utc = 1826802000};
	CHECK_INT(work_mark(s, lost, &issued, 1795266000, &err), KR_OK);
	int64_t missing[8];
	int n = 0;
	CHECK_INT(receipts_missing(s, REBUILD_RECENT, missing, 8, &n, &err), KR_OK);
	CHECK_INT(n, 1);
	CHECK(missing[0] == lost);
	struct receipt_data d;
	CHECK_INT(rebuild_receipt(s, lost, &d, &err), KR_OK);
	CHECK_STR(d.cert_serial, "5A03");
	CHECK(d.not_before_utc == 1795266000 && d.not_after_utc == 1826802000);
	CHECK_INT(d.quote.nlines, 1);
	CHECK_STR(d.quote.line[0].key, "fee.cert");
	CHECK(d.quote.total_fen == 2000);
	CHECK_INT(d.keep_only, 1);
	CHECK_STR(d.next_key, "next.activate");
	CHECK_INT(rebuild_receipt(s, stuck, &d, &err), KR_CONFLICT); /* refunded: no receipt */
	int64_t receipt_id = 0;
	CHECK_INT(receipts_add(s, lost, "receipt", "%PDF-", 5, 1795266000, &receipt_id, &err),
	          KR_OK);
	CHECK_INT(receipts_missing(s, REBUILD_RECENT, missing, 8, &n, &err), KR_OK);
	CHECK_INT(n, 0);
	store_close(s);

	fclose(trace);
	unlink(db);
	char side[PATH_MAX + 8];
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
	rmdir(dir);
	return check_done();
}

/* test_staff_desk.c — staff mode through the app's loop (kiosk/staff/staff_desk.c) on
 * stand-in services: the PIN is checked off the loop thread (the loop hands the view
 * "checking" to its observer before the answer comes), a wrong PIN and a user's key are
 * refused and counted in the PIN lock, the right PIN opens staff mode, the flow takes no
 * session meanwhile, staff see the payments being settled again, and the PIN never
 * reaches the trace. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "app/app.h"
#include "app/steer.h"
#include "staff/staff.h"
#include "store/payments.h"
#include "store/stats.h"

#define PIN "20261121"

static int64_t mono = 1000;

static int64_t fake_mono(void *ctx)
{
	(void)ctx;
	return mono;
}

static int64_t fake_utc(void *ctx)
{
	(void)ctx;
	return 1795225080; /* 2026-11-21 09:38 China time */
}

struct seen {
	struct app *app;
	int checking; /* the observer saw the PIN pad with a check under way */
};

static void observe(void *ctx, const struct flow_view *v)
{
	struct seen *s = ctx;
	const struct staff_view *sv = app_staff_view(s->app);
	(void)v;
	if (sv->screen == STAFF_PIN && sv->checking &&
	    strcmp(sv->notice_key, "staff.checking") == 0)
		s->checking = 1;
}

static void staff_tap(struct app *app, enum staff_action a, const char *text)
{
	struct flow_event ev = {.kind = FEV_TAP, .intent = INTENT_STAFF, .arg = staff_arg(a, 0)};
	snprintf(ev.text, sizeof ev.text, "%s", text);
	app_post(app, &ev);
}

static void settle(struct app *app)
{
	CHECK_INT(app_settle(app, 30000), KR_OK);
}

int main(void)
{
	static struct conf conf;
	char dir[] = "/tmp/kiosk-staff-desk-XXXXXX", path[PATH_MAX];
	const char *src = getenv("KIOSK_SOURCE_DIR");
	struct kerr err = {{0}};
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/tests/staff/staff-kiosk.ini",
	         src && *src ? src : KIOSK_SOURCE_DIR);
	if (conf_load(path, &conf, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	snprintf(conf.database, sizeof conf.database, "%s/k.db", dir);
	char *trace_text = NULL;
	size_t trace_len = 0;
	FILE *trace = open_memstream(&trace_text, &trace_len);
	struct app_clock clock = {fake_mono, fake_utc, NULL};
	struct app *app = NULL;
	CHECK_INT(app_create(&conf, &clock, trace, &app, &err), KR_OK);
	if (!app)
		return check_done();
	struct seen seen = {.app = app};
	app_set_observer(app, observe, &seen);
	const struct staff_view *sv = app_staff_view(app);

	/* a payment the pay service is settling again: staff will see it */
	struct fee_quote q = {0};
	q.total_fen = 2000;
	struct order_spec spec = {"NT01", BIZ_RENEW, HOLDER_PERSON, &q, "", "", "", fake_utc(NULL)};
	struct order_row o;
	CHECK_INT(store_order_create(app_store(app), &spec, &o, &err), KR_OK);
	struct payment_row pay = {.order_id = o.id, .status = PAYMENT_CANCELLING};
	snprintf(pay.out_trade_no, sizeof pay.out_trade_no, "%s", o.out_trade_no);
	CHECK_INT(payments_record(app_store(app), &pay, "cancel", fake_utc(NULL), &err), KR_OK);

	/* the hidden gesture: the PIN pad */
	struct flow_event enter = {.kind = FEV_TAP, .intent = INTENT_STAFF_ENTER};
	app_post(app, &enter);
	settle(app);
	CHECK_INT(sv->screen, STAFF_PIN);

	/* a wrong PIN: the loop shows "checking" and goes on; the answer comes later */
	staff_tap(app, STA_PIN, "11111111");
	CHECK_INT(app_pump(app) >= 1, 1);
	CHECK_INT(seen.checking, 1);
	settle(app);
	CHECK_INT(sv->screen, STAFF_PIN);
	CHECK_INT(sv->checking, 0);
	CHECK_STR(sv->notice_key, "staff.pin_wrong");
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES - 1);

	/* a user's key at the PIN pad: refused and counted; the flow starts no key check */
	CHECK_INT(steer(app, SVC_KEYS, "insert", "unit-expiring", &err), KR_OK);
	settle(app);
	CHECK_INT(sv->screen, STAFF_PIN);
	CHECK_STR(sv->notice_key, "staff.key_refused");
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES - 2);
	CHECK_INT(app_view(app)->screen != SCREEN_STEP, 1);
	int fails = 0;
	int64_t lock_at;
	CHECK_INT(stats_staff_pin(app_store(app), &fails, &lock_at, &err), KR_OK);
	CHECK_INT(fails, 2);
	CHECK_INT(steer(app, SVC_KEYS, "remove", "", &err), KR_OK);
	settle(app);

	/* the right PIN: checked off the loop too, and staff mode opens */
	seen.checking = 0;
	staff_tap(app, STA_PIN, PIN);
	app_pump(app);
	CHECK_INT(seen.checking, 1);
	settle(app);
	CHECK_INT(sv->screen, STAFF_HOME);
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES);
	CHECK_INT(sv->data.nunsettled, 1);
	CHECK_STR(sv->data.unsettled[0].order_no, o.order_no);
	CHECK_INT(sv->data.unsettled[0].status, PAYMENT_CANCELLING);
	/* the reconciliation asked of the pay service: the stand-in has no bill */
	struct flow_event show = {
	    .kind = FEV_TAP, .intent = INTENT_STAFF, .arg = staff_arg(STA_SHOW, STAFF_ORDERS)};
	app_post(app, &show);
	settle(app);
	staff_tap(app, STA_RECONCILE, "");
	settle(app);
	CHECK_INT(sv->busy, 0);
	CHECK_STR(sv->notice_key, "staff.reconcile_failed");
	CHECK_INT(app_view(app)->screen != SCREEN_STEP, 1);
	staff_tap(app, STA_EXIT, "");
	settle(app);
	CHECK_INT(sv->screen, STAFF_OFF);

	app_destroy(app);
	fclose(trace);
	CHECK(strstr(trace_text, "[staff] pin_check") != NULL);
	CHECK(strstr(trace_text, "not a staff key") != NULL);
	CHECK(strstr(trace_text, PIN) == NULL);
	CHECK(strstr(trace_text, "11111111") == NULL);
	free(trace_text);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return check_done();
}

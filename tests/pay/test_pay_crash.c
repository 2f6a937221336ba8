/* test_pay_crash.c — the SIGKILL matrix: a kiosk (the real app, flow, store and alipay
 * service against the gateway peer of tests/rigs/alipay.sh) is killed with SIGKILL at
 * each payment step, then started again; recovery settles the order against the peer.
 * Afterwards, by the peer's own records: no order is left open, nothing is charged twice,
 * nothing is refunded twice, and every charge ends served or refunded in full. A second
 * restart changes nothing. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app.h"
#include "check.h"
#include "pay_rig.h"
#include "conf/conf.h"
#include "store/payments.h"
#include "store/store.h"

enum point {
	BEFORE_PRECREATE,  /* the payment is recorded; the precreate never reaches the gateway */
	AFTER_PRECREATE,   /* the gateway created the trade; its answer never came back */
	AFTER_SCAN,        /* the QR is shown and scanned */
	AFTER_PAYMENT,     /* the buyer paid; the kiosk has not heard yet */
	DURING_WORK,       /* paid and known, the key being written */
	REFUND_UNSENT,     /* the work failed; the refund never reaches the gateway */
	REFUND_UNANSWERED, /* the refund was carried out; its answer never came back */
	POINT_COUNT
};
static const char *const names[POINT_COUNT] = {
    "before-precreate", "after-precreate", "after-scan",       "after-payment",
    "during-work",      "refund-unsent",   "refund-unanswered"};

static struct conf conf;
static enum point kill_point;

static void on_view(void *ctx, const struct flow_view *v)
{
	(void)ctx;
	if (kill_point == DURING_WORK && v->screen == SCREEN_STEP && v->step == STEP_WORK)
		raise(SIGKILL);
}

/* The child: plays a renewal up to the point and dies there. */
static void drive(enum point p)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	char path[256];
	kill_point = p;
	if (app_create(&conf, &pay_rig_clock, stderr, &app, &err) != KR_OK) {
		fprintf(stderr, "app: %s\n", err.msg);
		_exit(3);
	}
	app_set_observer(app, on_view, NULL);
	int pid = (int)getpid();
	static const char *const fault[POINT_COUNT] = {
	    [BEFORE_PRECREATE] = "killbefore&method=alipay.trade.precreate",
	    [AFTER_PRECREATE] = "killafter&method=alipay.trade.precreate",
	    [REFUND_UNSENT] = "killbefore&method=alipay.trade.refund",
	    [REFUND_UNANSWERED] = "killafter&method=alipay.trade.refund"};
	if (fault[p]) {
		snprintf(path, sizeof path, "/fault?kind=%s&pid=%d", fault[p], pid);
		pay_rig_peer(path, NULL);
	}
	pay_rig_renew(app,
	              p == REFUND_UNSENT || p == REFUND_UNANSWERED ? "work.write_failed" : NULL);
	if (p == AFTER_SCAN) {
		pay_rig_steer(app, SVC_PAY, "scan", "");
		raise(SIGKILL);
	}
	if (p == AFTER_PAYMENT) {
		pay_rig_peer("/pay", NULL);
		raise(SIGKILL);
	}
	pay_rig_steer(app, SVC_PAY, "paid",
	              ""); /* during work / refund: the kill comes on the way */
	app_settle(app, 20000);
	fprintf(stderr, "%s: still alive\n", names[p]);
	_exit(4);
}

/* Starts the kiosk again and lets recovery settle. Returns the orders still open. */
static int restart(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	int found = 0, open = -1;
	if (app_create(&conf, &pay_rig_clock, stderr, &app, &err) != KR_OK) {
		fprintf(stderr, "restart: %s\n", err.msg);
		return -1;
	}
	app_recover(app, &found, &err);
	for (int i = 0; i < 400 && app_recovering(app); i++)
		app_settle(app, 50);
	struct order_row *rows = NULL;
	store_open_orders(app_store(app), &rows, &open, &err);
	free(rows);
	app_destroy(app);
	return open;
}

static void check_point(enum point p)
{
	/* one database for the whole matrix, as on a kiosk: order p + 1 is this point's */
	const char *db = conf.database;
	int64_t id = (int64_t)p + 1;
	fprintf(stderr, "== %s\n", names[p]);
	fflush(NULL);
	pid_t child = fork();
	if (child == 0)
		drive(p);
	int status = 0;
	waitpid(child, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	pay_rig_peer("/fault?kind=clear", NULL);

	CHECK_INT(restart(), 0);
	struct store *s = NULL;
	struct kerr err = {{0}};
	struct order_row o;
	struct payment_row pay;
	struct pay_trade t;
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	CHECK_INT(store_order_get(s, id, &o, &err), KR_OK);
	CHECK_INT(payments_get(s, id, &pay, &err), KR_OK);
	store_close(s);
	int known = pay_rig_trade(pay.out_trade_no, &t) == 0;
	fprintf(stderr, "%s: order %s, payment %s, trade %s %s charges %d refunded %ld\n", names[p],
	        order_state_id(o.state), payment_status_id(pay.status),
	        known ? pay.out_trade_no : "(none at the gateway)", t.status, t.charges,
	        t.refunded_fen);
	CHECK(t.charges <= 1);                    /* no charge twice */
	CHECK(t.refunds + t.cancel_refunds <= 1); /* no refund twice */
	if (t.charges == 1 && o.state != ORDER_SERVED) {
		CHECK_INT(t.refunded_fen, o.amount_fen); /* paid and not served: refunded in full */
		CHECK(o.state == ORDER_REFUNDED || o.state == ORDER_CLOSED);
	}
	if (t.charges == 0)
		CHECK_INT(o.state, ORDER_CLOSED);
	if (o.state == ORDER_SERVED)
		CHECK_INT(t.refunded_fen, 0);
	/* known outcome per point */
	if (p <= AFTER_SCAN)
		CHECK_INT(t.charges, 0);
	else
		CHECK_INT(t.charges, 1);
	/* a second restart finds nothing and refunds nothing more */
	CHECK_INT(restart(), 0);
	struct pay_trade again;
	pay_rig_trade(pay.out_trade_no, &again);
	CHECK_INT(again.refunds + again.cancel_refunds, t.refunds + t.cancel_refunds);
}

int main(void)
{
	if (pay_rig_init(&conf, "crash.db") != 0)
		return 1;
	for (int p = 0; p < POINT_COUNT; p++)
		check_point((enum point)p);
	return check_done();
}

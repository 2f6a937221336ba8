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

#include <curl/curl.h>

#include "app/app.h"
#include "check.h"
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
static const char *control_url;
static int64_t utc = 1795266000; /* 2026-11-21 21:00 China time */
static enum point kill_point;

static int64_t clock_mono(void *ctx)
{
	(void)ctx;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t clock_utc(void *ctx)
{
	(void)ctx;
	return utc;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	char *out = ctx;
	size_t len = strlen(out), add = size * n;
	if (len + add >= 65536)
		add = 65535 - len;
	memcpy(out + len, data, add);
	out[len + add] = '\0';
	return size * n;
}

/* GETs the peer's control path into out (64 KiB). */
static int peer(const char *path, char *out)
{
	char url[512];
	static char sink[65536];
	if (!out)
		out = sink;
	out[0] = '\0';
	snprintf(url, sizeof url, "%s%s", control_url, path);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? 0 : -1;
}

static void steer(struct app *app, enum conf_service slot, const char *verb, const char *args)
{
	struct service *s = app_service(app, slot);
	struct kerr err = {{0}};
	if (s->ops->control(s->self, verb, args, &err) != KR_OK)
		fprintf(stderr, "steer %s %s: %s\n", verb, args, err.msg);
	app_settle(app, 20000);
}

static void tap(struct app *app, enum intent in, int arg, const char *text)
{
	struct flow_event ev = {.kind = FEV_TAP, .intent = in, .arg = arg};
	if (text)
		snprintf(ev.text, sizeof ev.text, "%s", text);
	app_post(app, &ev);
	app_settle(app, 20000);
}

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
	struct app_clock clock = {clock_mono, clock_utc, NULL};
	char path[256];
	kill_point = p;
	if (app_create(&conf, &clock, stderr, &app, &err) != KR_OK) {
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
		peer(path, NULL);
	}
	steer(app, SVC_KEYS, "insert", "person-expiring");
	tap(app, INTENT_BUSINESS, catalogue_business_from_id("renew"), NULL);
	tap(app, INTENT_NEXT, 0, NULL);
	steer(app, SVC_IDREADER, "present", "11010519491231002X 张三");
	tap(app, INTENT_NEXT, 0, NULL);
	tap(app, INTENT_TEXT, 0, "13812345678");
	tap(app, INTENT_NEXT, 0, NULL); /* no e-mail for the e-invoice */
	if (p == REFUND_UNSENT || p == REFUND_UNANSWERED)
		steer(app, SVC_KEYS, "fail", "work.write_failed");
	tap(app, INTENT_NEXT, 0, NULL); /* confirm: the order, then the precreate */
	for (int i = 0; i < 200 && !app_view(app)->qr[0]; i++)
		app_settle(app, 50);
	if (p == AFTER_SCAN) {
		steer(app, SVC_PAY, "scan", "");
		raise(SIGKILL);
	}
	if (p == AFTER_PAYMENT) {
		peer("/pay", NULL);
		raise(SIGKILL);
	}
	steer(app, SVC_PAY, "paid", ""); /* during work / refund: the kill comes on the way */
	app_settle(app, 20000);
	fprintf(stderr, "%s: still alive\n", names[p]);
	_exit(4);
}

/* Starts the kiosk again and lets recovery settle. Returns the orders still open. */
static int restart(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct app_clock clock = {clock_mono, clock_utc, NULL};
	int found = 0, open = -1;
	if (app_create(&conf, &clock, stderr, &app, &err) != KR_OK) {
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

/* The peer's line for a trade: status, charges, refunded, refunds, cancel refunds. */
static int trade_of(const char *otn, char *status, long *amount, int *charges, long *refunded,
                    int *refunds, int *cancel_refunds)
{
	static char all[65536];
	peer("/trades", all);
	for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
		char name[96];
		if (sscanf(line, "%95s %15s %ld %d %ld refunds=%d cancel_refunds=%d", name, status,
		           amount, charges, refunded, refunds, cancel_refunds) == 7 &&
		    strcmp(name, otn) == 0)
			return 0;
	}
	return -1;
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
	peer("/fault?kind=clear", NULL);

	CHECK_INT(restart(), 0);
	struct store *s = NULL;
	struct kerr err = {{0}};
	struct order_row o;
	struct payment_row pay;
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	CHECK_INT(store_order_get(s, id, &o, &err), KR_OK);
	CHECK_INT(payments_get(s, id, &pay, &err), KR_OK);
	store_close(s);
	char st[16] = "";
	long amount = 0, refunded = 0;
	int charges = 0, refunds = 0, cancel_refunds = 0;
	int known = trade_of(pay.out_trade_no, st, &amount, &charges, &refunded, &refunds,
	                     &cancel_refunds) == 0;
	fprintf(stderr, "%s: order %s, payment %s, trade %s %s charges %d refunded %ld\n", names[p],
	        order_state_id(o.state), payment_status_id(pay.status),
	        known ? pay.out_trade_no : "(none at the gateway)", st, charges, refunded);
	CHECK(charges <= 1);                  /* no charge twice */
	CHECK(refunds + cancel_refunds <= 1); /* no refund twice */
	if (charges == 1 && o.state != ORDER_SERVED) {
		CHECK_INT(refunded, o.amount_fen); /* paid and not served: refunded in full */
		CHECK(o.state == ORDER_REFUNDED || o.state == ORDER_CLOSED);
	}
	if (charges == 0)
		CHECK_INT(o.state, ORDER_CLOSED);
	if (o.state == ORDER_SERVED)
		CHECK_INT(refunded, 0);
	/* known outcome per point */
	if (p <= AFTER_SCAN)
		CHECK_INT(charges, 0);
	else
		CHECK_INT(charges, 1);
	/* a second restart finds nothing and refunds nothing more */
	CHECK_INT(restart(), 0);
	int refunds2 = 0, cancel2 = 0;
	trade_of(pay.out_trade_no, st, &amount, &charges, &refunded, &refunds2, &cancel2);
	CHECK_INT(refunds2 + cancel2, refunds + cancel_refunds);
}

int main(void)
{
	struct kerr err = {{0}};
	const char *cfg = getenv("ALIPAY_CONFIG");
	control_url = getenv("ALIPAY_CONTROL");
	if (!cfg || !control_url) {
		fprintf(stderr, "run under tests/rigs/alipay.sh\n");
		return 1;
	}
	CHECK_INT(conf_load(cfg, &conf, &err), KR_OK);
	snprintf(conf.database, sizeof conf.database, "%s/crash.db", getenv("ALIPAY_RIG"));
	for (int p = 0; p < POINT_COUNT; p++)
		check_point((enum point)p);
	return check_done();
}

/* test_pay_settle.c — settling a trade against the gateway peer (tests/rigs/alipay.sh),
 * the real app, flow, store and alipay service on an injected clock:
 *   - scanned, every cancel answer unknown, the query says WAIT_BUYER_PAY: the trade is
 *     left unsettled (the order open, the user told it is being checked), and a payment
 *     landing afterwards is refunded when it is settled again;
 *   - never scanned, every cancel answer unknown: the query finds no trade, it is closed;
 *   - closed at the gateway, every cancel answer unknown: closed;
 *   - a refund whose answer is lost is confirmed by the refund query's refund_amount;
 *   - a refund answered with fund_change N counts only once the refund query confirms it;
 *   - a refund query that fails is traced, the gateway's text without control bytes;
 *   - a precreate or refund asked for another amount than the stored order's sends nothing;
 *   - an unsettled payment is settled while the kiosk runs, by the pay service's timer,
 *     its rounds backing off while the gateway does not answer;
 *   - a day reconciled with the gateway's bill names the payment whose answers were lost.
 * Every case prints its figures: the order, the payment, the peer's trade. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "check.h"
#include "pay_rig.h"
#include "store/payments.h"
#include "store/reconciles.h"
#include "store/store.h"

static struct conf conf;

struct seen {
	struct order_row order;
	struct payment_row pay;
	struct pay_trade trade;
};

/* Order id's state, its payment and the peer's trade, printed. */
static void look(struct app *app, int64_t id, const char *what, struct seen *s)
{
	struct kerr err = {{0}};
	memset(s, 0, sizeof *s);
	CHECK_INT(store_order_get(app_store(app), id, &s->order, &err), KR_OK);
	CHECK_INT(payments_get(app_store(app), id, &s->pay, &err), KR_OK);
	CHECK_INT(pay_rig_trade(s->pay.out_trade_no, &s->trade), 0);
	printf("%s: order %s %s, payment %s, trade %s %s charges %d refunded %ld (%ld fen)\n", what,
	       s->order.order_no, order_state_id(s->order.state), payment_status_id(s->pay.status),
	       s->pay.out_trade_no, s->trade.status, s->trade.charges, s->trade.refunded_fen,
	       s->trade.amount_fen);
}

/* Every cancel answer unknown: [alipay] retries + 1 of them. */
static void cancels_unanswered(struct app *app)
{
	char args[64];
	snprintf(args, sizeof args, "20000 alipay.trade.cancel %d", conf.alipay.retries + 1);
	pay_rig_steer(app, SVC_PAY, "fault", args);
}

static void test_scanned_unsettled(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	char path[128];
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, NULL));
	int64_t id = app_view(app)->order_id;
	pay_rig_steer(app, SVC_PAY, "scan", "");
	cancels_unanswered(app);
	pay_rig_tap(app, INTENT_CANCEL, 0, NULL);
	look(app, id, "scanned, cancel unanswered", &s);
	CHECK_INT(app_view(app)->screen, SCREEN_START);
	CHECK_STR(app_view(app)->notice_key, "pay.unsettled");
	CHECK_INT(s.order.state, ORDER_PAYING); /* open: not closed on the kiosk's side only */
	CHECK_INT(s.pay.status, PAYMENT_CANCELLING);
	CHECK_STR(s.trade.status, "waiting");
	/* the buyer pays the QR still open at the gateway */
	snprintf(path, sizeof path, "/pay?t=%s", s.pay.out_trade_no);
	CHECK_INT(pay_rig_peer(path, NULL), 0);
	app_destroy(app);

	/* settled again (here at the next start): the payment is noticed and goes back */
	int found = 0;
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK_INT(app_recover(app, &found, &err), KR_OK);
	CHECK_INT(found, 1);
	for (int i = 0; i < 400 && app_recovering(app); i++)
		app_settle(app, 50);
	look(app, id, "paid afterwards, settled", &s);
	CHECK_INT(s.trade.charges, 1);
	CHECK_INT(s.trade.refunded_fen, s.order.amount_fen);
	CHECK(s.order.state == ORDER_CLOSED || s.order.state == ORDER_REFUNDED);
	CHECK(s.pay.status == PAYMENT_CLOSED || s.pay.status == PAYMENT_REFUNDED);
	app_destroy(app);
}

/* The trade is closed although no cancel was answered: the gateway said so by a query. */
static void test_closed_unanswered(int scanned_then_closed)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, NULL));
	int64_t id = app_view(app)->order_id;
	cancels_unanswered(app);
	if (scanned_then_closed) {
		pay_rig_steer(app, SVC_PAY, "scan", "");
		pay_rig_steer(app, SVC_PAY, "fail",
		              ""); /* closed at the gateway: the poll sees it */
	} else {
		pay_rig_tap(app, INTENT_CANCEL, 0, NULL);
	}
	look(app, id,
	     scanned_then_closed ? "closed at the gateway, cancel unanswered"
	                         : "never scanned, cancel unanswered",
	     &s);
	CHECK_STR(app_view(app)->notice_key, "pay.closed");
	CHECK_INT(s.order.state, ORDER_CLOSED);
	CHECK_INT(s.pay.status, PAYMENT_CLOSED);
	CHECK_INT(s.trade.charges, 0);
	app_destroy(app);
}

/* Paid, the work fails, the refund is carried out but its answer is lost: the refund
 * query answers as Alipay does (refund_amount, here without refund_status) and confirms
 * it, so the refund is not asked for again. */
static void test_refund_confirmed_by_query(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, "work.write_failed"));
	int64_t id = app_view(app)->order_id;
	pay_rig_steer(app, SVC_PAY, "fault", "drop alipay.trade.refund 1");
	pay_rig_steer(app, SVC_PAY, "fault", "nostatus alipay.trade.fastpay.refund.query 1");
	pay_rig_steer(app, SVC_PAY, "paid", "");
	look(app, id, "refund answer lost, confirmed by the refund query", &s);
	printf("refund requests %d, refunds carried out %d\n", s.trade.refund_asks,
	       s.trade.refunds);
	CHECK_STR(app_view(app)->error_key, "error.work_failed_refunded");
	CHECK_INT(s.order.state, ORDER_REFUNDED);
	CHECK_INT(s.pay.status, PAYMENT_REFUNDED);
	CHECK_INT(s.trade.refunded_fen, s.order.amount_fen);
	CHECK_INT(s.trade.refunds, 1);
	CHECK_INT(s.trade.refund_asks, 1); /* confirmed: not sent again */
	app_destroy(app);
}

/* A refund answered 10000 with fund_change N counts only when the refund query confirms
 * it: not carried out (fundn) it is asked for again; carried out (fundn-done) the query
 * confirms it at once. */
static void test_refund_fund_change_n(const char *fault)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	char args[64], what[96];
	int carried_out = strcmp(fault, "fundn-done") == 0;
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, "work.write_failed"));
	int64_t id = app_view(app)->order_id;
	snprintf(args, sizeof args, "%s alipay.trade.refund 1", fault);
	pay_rig_steer(app, SVC_PAY, "fault", args);
	pay_rig_steer(app, SVC_PAY, "paid", "");
	snprintf(what, sizeof what, "refund answered fund_change N (%s)", fault);
	look(app, id, what, &s);
	printf("refund requests %d, refunds carried out %d\n", s.trade.refund_asks,
	       s.trade.refunds);
	CHECK_INT(s.order.state, ORDER_REFUNDED);
	CHECK_INT(s.pay.status, PAYMENT_REFUNDED);
	CHECK_INT(s.trade.refunded_fen, s.order.amount_fen); /* refunded at the gateway too */
	CHECK_INT(s.trade.refunds, 1);
	CHECK_INT(s.trade.refund_asks, carried_out ? 1 : 2);
	app_destroy(app);
}

/* Every refund answer unknown and every refund query failing with control bytes in the
 * gateway's text: the query's error is traced, sanitised; the refund stays pending. */
static void test_refund_query_error_traced(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	char *log = NULL, args[64];
	size_t len = 0;
	FILE *trace = open_memstream(&log, &len);
	CHECK_INT(app_create(&conf, &pay_rig_clock, trace, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, "work.write_failed"));
	int64_t id = app_view(app)->order_id;
	snprintf(args, sizeof args, "20000 alipay.trade.refund %d", conf.alipay.retries + 1);
	pay_rig_steer(app, SVC_PAY, "fault", args);
	snprintf(args, sizeof args, "ctlbytes alipay.trade.fastpay.refund.query %d",
	         conf.alipay.retries + 1);
	pay_rig_steer(app, SVC_PAY, "fault", args);
	pay_rig_steer(app, SVC_PAY, "paid", "");
	look(app, id, "refund unknown, its query failing", &s);
	CHECK_STR(app_view(app)->error_key, "error.refund_pending");
	CHECK_INT(s.order.state, ORDER_REFUNDING);
	CHECK_INT(s.pay.status, PAYMENT_REFUNDING);
	CHECK_INT(s.trade.refunded_fen, 0);
	app_destroy(app);
	fclose(trace);
	int lines = 0, raw = 0;
	for (const char *l = log; l && (l = strstr(l, "refund query failed")); l++)
		lines++;
	for (size_t i = 0; i < len; i++)
		raw += ((unsigned char)log[i] < 0x20 && log[i] != '\n') || log[i] == 0x7f;
	const char *one = strstr(log, "refund query failed");
	printf("refund query failures traced: %d, raw control bytes in the trace: %d\n%.*s\n",
	       lines, raw, one ? (int)strcspn(one, "\n") : 0, one ? one : "");
	CHECK_INT(lines, conf.alipay.retries + 1);
	CHECK_INT(raw, 0);
	CHECK(strstr(log, "20000 aop.unknow-error??[alipay] X: refunded ?[2J???系统繁忙") != NULL);
	free(log);
	pay_rig_peer("/fault?kind=clear", NULL);
}

/* Submits a payment request for order o straight to the pay service, as if the flow or
 * recovery had sent it with amount_fen; then settles the app. */
static void ask(struct app *app, enum flow_request_kind kind, const struct order_row *o,
                fen_t amount_fen)
{
	struct service *pay = app_service(app, SVC_PAY);
	struct flow_request r = {.kind = kind, .order_id = o->id, .amount_fen = amount_fen};
	snprintf(r.order_no, sizeof r.order_no, "%s", o->order_no);
	pay->ops->submit(pay->self, &r);
	app_settle(app, 20000);
}

/* The amount charged or refunded is the stored order's: a request whose amount disagrees
 * sends nothing to the gateway. */
static void test_amount_is_the_orders(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct order_row o;
	struct payment_row pay;
	struct pay_trade t;
	struct seen s;
	char *log = NULL;
	size_t len = 0;
	FILE *trace = open_memstream(&log, &len);
	CHECK_INT(app_create(&conf, &pay_rig_clock, trace, &app, &err), KR_OK);
	struct fee_quote q = {0};
	q.total_fen = 2000;
	struct order_spec spec = {conf.kiosk_id, BIZ_RENEW, HOLDER_PERSON, &q, "", "", "",
	                          pay_rig_utc};
	CHECK_INT(store_order_create(app_store(app), &spec, &o, &err), KR_OK);
	CHECK_INT(store_order_move(app_store(app), o.id, ORDER_PAYING, "test", pay_rig_utc, &err),
	          KR_OK);
	ask(app, FREQ_PAY_START, &o, 1); /* one fen, not the order's 20.00 */
	CHECK_INT(payments_get(app_store(app), o.id, &pay, &err), KR_NOT_FOUND);
	CHECK_INT(pay_rig_trade(o.out_trade_no, &t), -1); /* nothing reached the gateway */
	ask(app, FREQ_PAY_START, &o, 2000);
	CHECK_INT(pay_rig_trade(o.out_trade_no, &t), 0);
	printf("precreate asked for 1 fen: refused; for 2000 fen: trade %s of %ld fen\n",
	       o.out_trade_no, t.amount_fen);
	CHECK_INT(t.amount_fen, 2000);
	ask(app, FREQ_PAY_CANCEL, &o, 2000);

	/* a served renewal: a refund asked for with another amount sends nothing */
	CHECK(pay_rig_renew(app, NULL));
	int64_t id = app_view(app)->order_id;
	pay_rig_steer(app, SVC_PAY, "paid", "");
	CHECK_INT(store_order_get(app_store(app), id, &o, &err), KR_OK);
	CHECK_INT(o.state, ORDER_SERVED);
	ask(app, FREQ_PAY_REFUND, &o, 1);
	look(app, id, "served, a refund asked for 1 fen", &s);
	CHECK_INT(s.pay.status, PAYMENT_PAID);
	CHECK_INT(s.trade.refund_asks, 0);
	CHECK_INT(s.trade.refunded_fen, 0);
	app_destroy(app);
	fclose(trace);
	int refused = 0;
	for (const char *l = log; (l = strstr(l, "amount refused, nothing sent: asked for 1 fen, "
	                                         "the order is of 2000 fen"));
	     l++)
		refused++;
	CHECK_INT(refused, 2);
	free(log);
}

/* Lets the kiosk run (events handled, no request sent by the test) until order id is
 * settled (in a state that is not open) or timeout_ms pass. Returns the milliseconds it
 * took, or -1. */
static int64_t run_until_settled(struct app *app, int64_t id, int timeout_ms)
{
	struct kerr err = {{0}};
	struct order_row o;
	int64_t start = pay_rig_clock.mono_ms(NULL);
	for (;;) {
		app_settle(app, 1000);
		int64_t took = pay_rig_clock.mono_ms(NULL) - start;
		if (store_order_get(app_store(app), id, &o, &err) == KR_OK &&
		    !order_states[o.state].open)
			return took;
		if (took > timeout_ms)
			return -1;
		struct timespec nap = {0, 20 * 1000000};
		nanosleep(&nap, NULL);
	}
}

/* Unsettled, then paid at the gateway: the pay service's timer settles it while the
 * kiosk runs, with no restart and no one asking: the payment is noticed and refunded. */
static void test_reconciled_while_running(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	char path[128];
	conf.alipay.reconcile_min_ms = 400;
	conf.alipay.reconcile_max_ms = 3200;
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, NULL));
	int64_t id = app_view(app)->order_id;
	pay_rig_steer(app, SVC_PAY, "scan", "");
	cancels_unanswered(app);
	pay_rig_tap(app, INTENT_CANCEL, 0, NULL);
	CHECK_STR(app_view(app)->notice_key, "pay.unsettled");
	look(app, id, "unsettled", &s);
	snprintf(path, sizeof path, "/pay?t=%s", s.pay.out_trade_no);
	CHECK_INT(pay_rig_peer(path, NULL), 0);
	int64_t took = run_until_settled(app, id, 10000);
	look(app, id, "paid afterwards, settled while running", &s);
	printf("settled %lld ms after the payment landed, while running\n", (long long)took);
	CHECK(took >= 0);
	/* the cancel reversed the payment (or, queried first, it was refunded) */
	CHECK(s.order.state == ORDER_CLOSED || s.order.state == ORDER_REFUNDED);
	CHECK(s.pay.status == PAYMENT_CLOSED || s.pay.status == PAYMENT_REFUNDED);
	CHECK_INT(s.trade.charges, 1);
	CHECK_INT(s.trade.refunded_fen, s.order.amount_fen);
	CHECK_INT(app_recovering(app), 0);
	app_destroy(app);
}

/* Unsettled and never paid, every cancel unanswered for three rounds more: the rounds
 * back off (each wait between half and all of a delay doubling from reconcile_min_ms),
 * and the fourth round closes it. */
static void test_reconcile_backs_off(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	char *log = NULL, args[64];
	size_t len = 0;
	FILE *trace = open_memstream(&log, &len);
	conf.alipay.reconcile_min_ms = 200;
	conf.alipay.reconcile_max_ms = 3200;
	CHECK_INT(app_create(&conf, &pay_rig_clock, trace, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, NULL));
	int64_t id = app_view(app)->order_id;
	pay_rig_steer(app, SVC_PAY, "scan", "");
	snprintf(args, sizeof args, "20000 alipay.trade.cancel %d", 4 * (conf.alipay.retries + 1));
	pay_rig_steer(app, SVC_PAY, "fault", args);
	pay_rig_tap(app, INTENT_CANCEL, 0, NULL);
	int64_t took = run_until_settled(app, id, 20000);
	look(app, id, "never paid, settled after three failed rounds", &s);
	app_destroy(app);
	fclose(trace);
	CHECK(took >= 0);
	CHECK_INT(s.order.state, ORDER_CLOSED);
	CHECK_INT(s.pay.status, PAYMENT_CLOSED);
	CHECK_INT(s.trade.charges, 0);
	int rounds = 0;
	int64_t delay = 400; /* the first round came after reconcile_min_ms: the next doubles */
	for (const char *l = log; (l = strstr(l, "left unsettled; next round in ")); l++) {
		long long wait = atoll(l + strlen("left unsettled; next round in "));
		printf("round %d left it unsettled; next round in %lld ms (delay %lld)\n", ++rounds,
		       wait, (long long)delay);
		CHECK(wait >= delay / 2 && wait <= delay);
		delay *= 2;
	}
	printf("settled %lld ms after the first cancel, in round %d\n", (long long)took,
	       rounds + 1);
	CHECK_INT(rounds, 3);
	CHECK(strstr(log, "[alipay] reconcile: 1 settled, none left") != NULL);
	free(log);
	conf.alipay.reconcile_min_ms = 60000;
}

/* A day reconciled with the gateway's bill, after a payment whose answers were all lost
 * (the peer carries the queries out and drops their answers, and answers no cancel): the
 * kiosk left it unsettled, the gateway has it paid, and the reconciliation names it; a
 * served renewal and a refunded one agree. The figures are printed. */
static void test_reconcile_day(void)
{
	struct app *app = NULL;
	struct kerr err = {{0}};
	struct seen s;
	char path[128], day[11], why[256];
	pay_rig_utc += 86400; /* a day of its own: 2026-11-22 */
	CHECK_INT(app_create(&conf, &pay_rig_clock, stdout, &app, &err), KR_OK);
	CHECK(pay_rig_renew(app, NULL)); /* served */
	pay_rig_steer(app, SVC_PAY, "paid", "");
	CHECK_INT(app_view(app)->step, STEP_RESULT);
	pay_rig_done(app);
	CHECK(pay_rig_renew(app, "work.write_failed")); /* refunded */
	pay_rig_steer(app, SVC_PAY, "paid", "");
	CHECK_STR(app_view(app)->error_key, "error.work_failed_refunded");
	pay_rig_done(app);
	CHECK(pay_rig_renew(app, NULL)); /* its payment's answers lost */
	int64_t lost = app_view(app)->order_id;
	pay_rig_steer(app, SVC_PAY, "fault", "drop alipay.trade.query 100");
	cancels_unanswered(app);
	look(app, lost, "before the payment", &s);
	snprintf(path, sizeof path, "/pay?t=%s", s.pay.out_trade_no);
	CHECK_INT(pay_rig_peer(path, NULL), 0);
	pay_rig_tap(app, INTENT_CANCEL, 0, NULL);
	look(app, lost, "paid at the gateway, every answer lost", &s);
	CHECK_INT(s.pay.status, PAYMENT_CANCELLING);
	CHECK_INT(s.trade.charges, 1);

	struct service *pay = app_service(app, SVC_PAY);
	struct flow_request r = {.kind = FREQ_PAY_RECONCILE, .day_utc = pay_rig_utc};
	pay->ops->submit(pay->self, &r);
	app_settle(app, 20000);
	struct recon_report rep;
	int failed = -1;
	CHECK_INT(reconciles_latest(app_store(app), day, &rep, &failed, why, sizeof why, &err),
	          KR_OK);
	printf("reconciliation of %s: kiosk %d payments, paid %lld, refunded %lld fen; gateway %d "
	       "trades, paid %lld, refunded %lld fen; %d differences\n",
	       day, rep.kiosk_payments, (long long)rep.kiosk_paid_fen,
	       (long long)rep.kiosk_refunded_fen, rep.gateway_trades,
	       (long long)rep.gateway_paid_fen, (long long)rep.gateway_refunded_fen, rep.ndiff);
	for (int i = 0; i < rep.ndiff && i < RECON_DIFF_MAX; i++)
		printf("  %s: order %s, trade %s, kiosk %lld fen, gateway %lld fen\n",
		       recon_kind_id(rep.diff[i].kind), rep.diff[i].order_no,
		       rep.diff[i].out_trade_no, (long long)rep.diff[i].kiosk_fen,
		       (long long)rep.diff[i].gateway_fen);
	CHECK_INT(failed, 0);
	CHECK_STR(day, "2026-11-22");
	CHECK_INT(rep.kiosk_payments, 3);
	CHECK_INT(rep.kiosk_paid_fen, 4000);
	CHECK_INT(rep.kiosk_refunded_fen, 2000);
	CHECK_INT(rep.gateway_trades, 3);
	CHECK_INT(rep.gateway_paid_fen, 6000);
	CHECK_INT(rep.gateway_refunded_fen, 2000);
	CHECK_INT(rep.ndiff, 1);
	CHECK_INT(rep.diff[0].kind, RECON_PAID_NOT_KIOSK);
	CHECK_STR(rep.diff[0].order_no, s.order.order_no);
	CHECK_STR(rep.diff[0].out_trade_no, s.pay.out_trade_no);
	CHECK_INT(rep.diff[0].gateway_fen, 2000);
	printf("payments being settled: %d, the first %s\n", rep.unsettled, rep.unsettled_no[0]);
	CHECK_INT(rep.unsettled, 1); /* the same payment, which the kiosk settles still */
	CHECK_STR(rep.unsettled_no[0], s.order.order_no);
	pay_rig_peer("/fault?kind=clear", NULL);
	app_destroy(app);
}

int main(void)
{
	if (pay_rig_init(&conf, "settle.db") != 0)
		return 1;
	test_scanned_unsettled();
	test_closed_unanswered(0);
	test_closed_unanswered(1);
	test_refund_confirmed_by_query();
	test_refund_fund_change_n("fundn");
	test_refund_fund_change_n("fundn-done");
	test_refund_query_error_traced();
	test_amount_is_the_orders();
	test_reconciled_while_running();
	test_reconcile_backs_off();
	test_reconcile_day();
	return check_done();
}

/* test_reconcile.c — reconcile_day: a day that agrees, then every kind of difference
 * named once with both sides' figures, a trade the kiosk does not know, a payment a
 * cancel reversed (no difference), the totals, and more differences than are listed. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/reconcile.h"

static struct recon_kiosk k(const char *no, const char *otn, fen_t fen, enum payment_status st)
{
	struct recon_kiosk r = {.amount_fen = fen, .status = st};
	snprintf(r.order_no, sizeof r.order_no, "%s", no);
	snprintf(r.out_trade_no, sizeof r.out_trade_no, "%s", otn);
	return r;
}

static struct recon_trade t(const char *otn, int refund, fen_t fen)
{
	struct recon_trade r = {.refund = refund, .amount_fen = fen};
	snprintf(r.out_trade_no, sizeof r.out_trade_no, "%s", otn);
	return r;
}

static const struct recon_diff *find(const struct recon_report *r, enum recon_kind kind)
{
	for (int i = 0; i < r->ndiff && i < RECON_DIFF_MAX; i++)
		if (r->diff[i].kind == kind)
			return &r->diff[i];
	return NULL;
}

int main(void)
{
	struct recon_report r;
	/* a day that agrees: served, refunded, closed unpaid, reversed by a cancel */
	const struct recon_kiosk agree[] = {
	    k("A", "A_1", 2000, PAYMENT_PAID),
	    k("B", "B_1", 70000, PAYMENT_REFUNDED),
	    k("C", "C_1", 2000, PAYMENT_CLOSED),
	    k("D", "D_1", 2000, PAYMENT_CLOSED),
	};
	const struct recon_trade agree_bill[] = {t("A_1", 0, 2000), t("B_1", 0, 70000),
	                                         t("B_1", 1, 70000), t("D_1", 0, 2000),
	                                         t("D_1", 1, 2000)};
	reconcile_day(agree, 4, agree_bill, 5, &r);
	CHECK_INT(r.ndiff, 0);
	CHECK_INT(r.kiosk_payments, 4);
	CHECK_INT(r.kiosk_paid_fen, 72000);
	CHECK_INT(r.kiosk_refunded_fen, 70000);
	CHECK_INT(r.gateway_trades, 3);
	CHECK_INT(r.gateway_paid_fen, 74000);
	CHECK_INT(r.gateway_refunded_fen, 72000);

	/* every kind once */
	const struct recon_kiosk day[] = {
	    k("E", "E_1", 2000, PAYMENT_CANCELLING), /* its payment answer lost */
	    k("F", "F_1", 2000, PAYMENT_PAID),       /* no payment at the gateway */
	    k("G", "G_1", 2000, PAYMENT_PAID),       /* charged 20.01 */
	    k("H", "H_1", 2000, PAYMENT_REFUNDED),   /* refunded 5.00 only */
	    k("I", "I_1", 2000, PAYMENT_PAID),       /* served, refunded at the gateway */
	};
	const struct recon_trade bill[] = {t("E_1", 0, 2000), t("G_1", 0, 2001), t("H_1", 0, 2000),
	                                   t("H_1", 1, 500),  t("I_1", 0, 2000), t("I_1", 1, 2000),
	                                   t("X_1", 0, 900)};
	reconcile_day(day, 5, bill, 7, &r);
	for (int i = 0; i < r.ndiff; i++)
		printf("%s %s %s kiosk %lld gateway %lld\n", recon_kind_id(r.diff[i].kind),
		       r.diff[i].order_no, r.diff[i].out_trade_no, (long long)r.diff[i].kiosk_fen,
		       (long long)r.diff[i].gateway_fen);
	CHECK_INT(r.ndiff, 6);
	const struct recon_diff *d = find(&r, RECON_PAID_NOT_KIOSK);
	CHECK(d && strcmp(d->order_no, "E") == 0 && d->kiosk_fen == 0 && d->gateway_fen == 2000);
	d = find(&r, RECON_PAID_NOT_GATEWAY);
	CHECK(d && strcmp(d->out_trade_no, "F_1") == 0 && d->kiosk_fen == 2000 && !d->gateway_fen);
	d = find(&r, RECON_AMOUNT);
	CHECK(d && strcmp(d->order_no, "G") == 0 && d->kiosk_fen == 2000 && d->gateway_fen == 2001);
	d = find(&r, RECON_REFUND_NOT_GATEWAY);
	CHECK(d && strcmp(d->order_no, "H") == 0 && d->kiosk_fen == 2000 && d->gateway_fen == 500);
	d = find(&r, RECON_REFUND_NOT_KIOSK);
	CHECK(d && strcmp(d->order_no, "I") == 0 && d->kiosk_fen == 0 && d->gateway_fen == 2000);
	/* the bill's trade of no order of the kiosk's, last */
	CHECK_INT(r.diff[5].kind, RECON_PAID_NOT_KIOSK);
	CHECK_STR(r.diff[5].order_no, "");
	CHECK_STR(r.diff[5].out_trade_no, "X_1");
	CHECK_INT(r.diff[5].gateway_fen, 900);
	CHECK_INT(r.gateway_trades, 5);
	CHECK_INT(r.gateway_paid_fen, 8901);
	CHECK_INT(r.gateway_refunded_fen, 2500);

	/* more than are listed: all counted */
	static struct recon_trade many[RECON_DIFF_MAX + 5];
	for (int i = 0; i < RECON_DIFF_MAX + 5; i++) {
		char otn[16];
		snprintf(otn, sizeof otn, "Y%d_1", i);
		many[i] = t(otn, 0, 100);
	}
	reconcile_day(NULL, 0, many, RECON_DIFF_MAX + 5, &r);
	CHECK_INT(r.ndiff, RECON_DIFF_MAX + 5);
	CHECK_STR(r.diff[RECON_DIFF_MAX - 1].out_trade_no, "Y31_1");
	CHECK_STR(recon_kind_id(RECON_AMOUNT), "amount");
	CHECK_STR(recon_kind_id(RECON_KIND_COUNT), "?");
	return check_done();
}

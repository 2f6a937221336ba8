/* reconcile.h — one day's payments as the kiosk recorded them against the gateway's
 * trades for that day (its bill), every difference named. Pure: the pay service reads
 * both sides (kiosk/pay/bill.c, kiosk/store/payments.c) and staff print the report. */
#ifndef KIOSK_RECONCILE_H
#define KIOSK_RECONCILE_H

#include "money.h"
#include "payment.h"

#define RECON_DIFF_MAX 32 /* differences a report names; more are counted */

/* A payment of an order the kiosk created that day. */
struct recon_kiosk {
	char order_no[32];
	char out_trade_no[72];
	fen_t amount_fen; /* the order's */
	enum payment_status status;
};

/* A line of the gateway's bill: a payment, or a refund (also a payment a cancel
 * reversed). */
struct recon_trade {
	char out_trade_no[72];
	int refund;
	fen_t amount_fen; /* above zero */
};

enum recon_kind {
	RECON_PAID_NOT_KIOSK,     /* paid at the gateway (and kept), not paid on the kiosk */
	RECON_PAID_NOT_GATEWAY,   /* paid on the kiosk, no payment at the gateway */
	RECON_AMOUNT,             /* paid on both, other amounts */
	RECON_REFUND_NOT_GATEWAY, /* refunded on the kiosk, not (in full) at the gateway */
	RECON_REFUND_NOT_KIOSK,   /* refunded at the gateway, paid and not refunded on the kiosk */
	RECON_KIND_COUNT
};

struct recon_diff {
	enum recon_kind kind;
	char order_no[32]; /* "" when the kiosk has no order for the trade */
	char out_trade_no[72];
	fen_t kiosk_fen, gateway_fen; /* what each side holds for the difference */
};

struct recon_report {
	int kiosk_payments;                     /* payments of the day's orders */
	fen_t kiosk_paid_fen;                   /* paid on the kiosk (paid, refunding, refunded) */
	fen_t kiosk_refunded_fen;               /* refunded on the kiosk */
	int gateway_trades;                     /* the bill's payment lines */
	fen_t gateway_paid_fen;                 /* their amounts */
	fen_t gateway_refunded_fen;             /* the bill's refund lines' amounts */
	int ndiff;                              /* differences in all */
	struct recon_diff diff[RECON_DIFF_MAX]; /* the first: the kiosk's payments in turn, then the
	                                           bill's trades it has none for */
	/* the kiosk's payments still being settled with the gateway when the report was made
	 * (any day's; kiosk/pay fills them in): how many, and the first orders' numbers */
	int unsettled;
	char unsettled_no[RECON_DIFF_MAX][32];
};

/* Compares the kiosk's nk payments with the bill's ng lines (both borrowed) into *out.
 * A trade's lines are summed; a trade the kiosk does not know is compared with nothing. */
void reconcile_day(const struct recon_kiosk *kiosk, int nk, const struct recon_trade *bill, int ng,
                   struct recon_report *out);

/* The id of a kind ("paid_not_kiosk"), or "?". */
const char *recon_kind_id(enum recon_kind k);

#endif

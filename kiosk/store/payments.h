/* payments.h — the payment of each order (table payments, migration 2): which
 * out_trade_no was sent, what the gateway said, the stable refund request number.
 *
 * Written by the pay service on its own store handle. Every step is one transaction
 * together with a journal row of kind "payment", so that the journal tells what was
 * sent and answered in order, and a restart knows where each payment stood. */
#ifndef KIOSK_STORE_PAYMENTS_H
#define KIOSK_STORE_PAYMENTS_H

#include <stdint.h>

#include "store/store.h"

/* Where a payment stands; the names are what the database and the journal hold. */
enum payment_status {
	PAYMENT_PRECREATING, /* recorded, precreate (about to be) sent: outcome unknown */
	PAYMENT_WAITING,     /* the QR is live */
	PAYMENT_CANCELLING,  /* cancel (about to be) sent */
	PAYMENT_CLOSED,      /* ended unpaid, or reversed by the cancel */
	PAYMENT_PAID,        /* the gateway said paid; trade_no known */
	PAYMENT_REFUNDING,   /* refund (about to be) sent with refund_request_no */
	PAYMENT_REFUNDED,    /* the gateway confirmed the refund */
	PAYMENT_FAILED,      /* refused before or by the gateway; nothing charged */
	PAYMENT_STATUS_COUNT
};

struct payment_row {
	int64_t order_id;
	char out_trade_no[72];
	char trade_no[72]; /* "" until paid */
	enum payment_status status;
	char refund_request_no[72]; /* "" until a refund is first asked for; then never changes */
	int64_t updated_utc;
};

const char *payment_status_id(enum payment_status s);

/* Reads the payment of an order. KR_NOT_FOUND when none was recorded. */
int payments_get(struct store *s, int64_t order_id, struct payment_row *out, struct kerr *err);

/* Writes *row (insert or replace) and a journal row {"step": step, "status": …,
 * "out_trade_no": …} in one transaction. step: short ASCII, no personal data. A refund
 * request number once written is kept: a different non-empty one is KR_CONFLICT. */
int payments_record(struct store *s, const struct payment_row *row, const char *step,
                    int64_t now_utc, struct kerr *err);

#endif

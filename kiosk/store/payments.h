/* payments.h — the payment of each order (table payments, migration 2): which
 * out_trade_no was sent, what the gateway said, the stable refund request number.
 *
 * Written by the pay service on its own store handle. Every step is one transaction
 * together with a journal row of kind "payment", so that the journal tells what was
 * sent and answered in order, and a restart knows where each payment stood. */
#ifndef KIOSK_STORE_PAYMENTS_H
#define KIOSK_STORE_PAYMENTS_H

#include <stdint.h>

#include "core/payment.h"
#include "core/reconcile.h"
#include "store/store.h"

struct payment_row {
	int64_t order_id;
	char out_trade_no[72];
	char trade_no[72]; /* "" until paid */
	enum payment_status status;
	char refund_request_no[72]; /* "" until a refund is first asked for; then never changes */
	int64_t updated_utc;
};

/* Reads the payment of an order. KR_NOT_FOUND when none was recorded. */
int payments_get(struct store *s, int64_t order_id, struct payment_row *out, struct kerr *err);

/* A payment to settle, with its order's number. */
struct payment_unsettled {
	struct payment_row pay;
	char order_no[32];
};

/* The payments whose status is unsettled (core/payment.h) of orders after after_id,
 * oldest order first: at most max into rows, *n of them; *total (when not NULL) gets how
 * many there are after after_id in all. */
int payments_unsettled(struct store *s, int64_t after_id, struct payment_unsettled *rows, int max,
                       int *n, int *total, struct kerr *err);

/* The payments of the orders created in [from_utc, to_utc), oldest first, as the day's
 * reconciliation compares them (core/reconcile.h): at most max into rows, *n of them.
 * KR_FULL when there are more. */
int payments_of_day(struct store *s, int64_t from_utc, int64_t to_utc, struct recon_kiosk *rows,
                    int max, int *n, struct kerr *err);

/* Writes *row (insert or replace) and a journal row {"step": step, "status": …,
 * "out_trade_no": …} in one transaction. step: short ASCII, no personal data. The move
 * from the recorded status (PRECREATING when none is) must be one payment_can_move()
 * allows, and a refund request number once written is kept: KR_CONFLICT otherwise, and
 * nothing is written. */
int payments_record(struct store *s, const struct payment_row *row, const char *step,
                    int64_t now_utc, struct kerr *err);

#endif

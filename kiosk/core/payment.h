/* payment.h — where a payment stands and the moves allowed between, like order.h for
 * orders: the table is the only authority on what may follow what, and the store refuses
 * any other record (kiosk/store/payments.c).
 *
 * A payment that has no record yet stands at PRECREATING: its out_trade_no is fixed with
 * the order. A step that keeps the status (a new out_trade_no, a cancel or refund asked
 * again) is a move to the same status, allowed where the table says so. */
#ifndef KIOSK_PAYMENT_H
#define KIOSK_PAYMENT_H

/* The names are what the database and the journal hold. */
enum payment_status {
	PAYMENT_PRECREATING, /* recorded, precreate (about to be) sent: outcome unknown */
	PAYMENT_WAITING,     /* the QR is live */
	PAYMENT_CANCELLING,  /* cancel (about to be) sent; or its outcome unknown */
	PAYMENT_CLOSED,      /* ended unpaid, or reversed by the cancel (final) */
	PAYMENT_PAID,        /* the gateway said paid; trade_no known */
	PAYMENT_REFUNDING,   /* refund (about to be) sent with refund_request_no */
	PAYMENT_REFUNDED,    /* the gateway confirmed the refund (final) */
	PAYMENT_FAILED,      /* refused before or by the gateway; nothing charged (final) */
	PAYMENT_STATUS_COUNT
};

struct payment_status_info {
	const char *id; /* "waiting" */
	unsigned next;  /* bit mask of the statuses a record may write next; 0: final */
	/* the gateway may still change it or has not confirmed it: cancel, query or refund
	 * until it is settled (every status but the final ones and PAID, which is the order's
	 * business: served, or refunded through REFUNDING) */
	int unsettled;
};

extern const struct payment_status_info payment_statuses[PAYMENT_STATUS_COUNT];

/* The id of a status ("paid"), or "?". */
const char *payment_status_id(enum payment_status s);
/* The reverse; -1 when unknown. */
int payment_status_from_id(const char *id);

/* Whether a payment at `from` may be recorded at `to` (the table). */
int payment_can_move(enum payment_status from, enum payment_status to);

#endif

/* order.h — the states of an order and the transitions allowed between them.
 *
 * The table is the only authority on what may follow what; the store refuses any
 * other change. "Open" states are the ones a restart must settle (recovery). */
#ifndef KIOSK_ORDER_H
#define KIOSK_ORDER_H

#include "catalogue.h"
#include "money.h"

enum order_state {
	ORDER_NEW,       /* fees fixed, out_trade_no fixed; nothing sent yet */
	ORDER_PAYING,    /* the precreate is (about to be) sent; the QR may be live */
	ORDER_PAID,      /* the gateway said paid */
	ORDER_IN_REVIEW, /* filed for the central site's review of materials */
	ORDER_APPROVED,  /* reviewed; ready for pick-up at this kiosk */
	ORDER_WORKING,   /* key work started */
	ORDER_SERVED,    /* the work is done (final) */
	ORDER_CLOSED,    /* ended unpaid: abandoned, QR expired, cancelled (final) */
	ORDER_FAILED,    /* a free order whose work failed (final) */
	ORDER_REFUNDING, /* a refund is asked for */
	ORDER_REFUNDED,  /* the money went back (final) */
	ORDER_STATE_COUNT
};

struct order_state_info {
	const char *id; /* "paying" */
	int open;       /* must be settled after a restart */
	int final;      /* nothing follows */
	unsigned next;  /* bit mask of allowed next states */
};

extern const struct order_state_info order_states[ORDER_STATE_COUNT];

/* The id of a state ("paid"), or "?" */
const char *order_state_id(enum order_state s);
/* The reverse; -1 when unknown. */
int order_state_from_id(const char *id);

/* Whether an order for amount_fen may go from `from` to `to`: the table must allow it,
 * a charged order never ends FAILED (it is refunded) and a free one is never refunded. */
int order_can_move(enum order_state from, enum order_state to, fen_t amount_fen);

#endif

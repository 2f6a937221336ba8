/* stats.h — read-only queries over the store for staff mode and monitoring: orders and
 * takings, stranded payments, the latest receipts, the staff PIN lock (from the
 * journal). Nothing here writes. */
#ifndef KIOSK_STORE_STATS_H
#define KIOSK_STORE_STATS_H

#include <stdint.h>

#include "store/store.h"

/* Orders created in [from_utc, to_utc). takings: the amounts of those served. */
struct stats_day {
	int orders, served, refunded;
	fen_t takings_fen;
};
int stats_day(struct store *s, int64_t from_utc, int64_t to_utc, struct stats_day *out,
              struct kerr *err);

/* Every order by business and state, and the takings of all served orders. */
struct stats_orders {
	int64_t count[BIZ_COUNT][ORDER_STATE_COUNT];
	fen_t takings_fen;
};
int stats_orders(struct store *s, struct stats_orders *out, struct kerr *err);

/* Orders paid and not served (PAID or REFUNDING), oldest first, at most max into rows;
 * *n gets how many. */
int stats_stranded(struct store *s, struct order_row *rows, int max, int *n, struct kerr *err);

/* The newest receipts, newest first: id, kind, the order's number ("" for none),
 * whether printed. At most max; *n gets how many. */
struct stats_receipt {
	int64_t id;
	char kind[16];
	char order_no[32];
	int printed;
};
int stats_receipts(struct store *s, struct stats_receipt *rows, int max, int *n, struct kerr *err);

/* The staff PIN lock as the journal tells it: *failures = journal rows of kind staff.pin_bad since
 * the last staff.pin_ok or staff.lock, *last_lock_utc = when the last staff.lock was written (0:
 * never). */
int stats_staff_pin(struct store *s, int *failures, int64_t *last_lock_utc, struct kerr *err);

#endif

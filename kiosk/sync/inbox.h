/* inbox.h — acting on what the central site sent (kiosk/store/outbox.h keeps it): finding
 * the pick-up order a user asks for, applying review results to this kiosk's orders.
 * Runs on the app's loop thread, on the app's store handle. */
#ifndef KIOSK_SYNC_INBOX_H
#define KIOSK_SYNC_INBOX_H

#include <stdint.h>
#include <stdio.h>

#include "core/flow.h"
#include "store/store.h"

/* Answers a pick-up lookup for order_no: *ev becomes FEV_PICKUP with the order (and its
 * order_id and order_no when it is one of this kiosk's own orders: one still in review
 * is moved to approved first, the pick-up being the central site's approval) or
 * FEV_PICKUP_FAILED with the reason key. Returns KR_OK, or the store's error. */
int inbox_pickup_find(struct store *s, const char *order_no, int64_t now_utc, struct flow_event *ev,
                      FILE *trace, struct kerr *err);

/* Applies the oldest review result not yet acted on. "approved" moves the order from in
 * review to approved (it waits for its pick-up); "rejected" moves it to refunding —
 * *refund_id gets its id and the caller has the money refunded — or to closed when
 * nothing was paid. The item is settled accepted, or refused when the order is not one
 * of this kiosk's orders in review. KR_NOT_FOUND when no result waits. */
int inbox_review_apply(struct store *s, int64_t now_utc, int64_t *refund_id, FILE *trace,
                       struct kerr *err);

/* Applies the oldest revocation confirmation not yet acted on ({"order_no", "serial",
 * "revoked_at"}: the central site revoked what a revocation order of this kiosk asked
 * for): journaled as "revocation.confirmed" and the item settled accepted, or refused
 * when it names no revocation order of this kiosk. serial (size bytes) gets the serial
 * of the certificate it names when that is upper-case hex of at most 64 digits, else "":
 * the local issuer's suspension of it is then made final (a loss report: keyCompromise).
 * KR_NOT_FOUND when none waits. */
int inbox_revocation_apply(struct store *s, int64_t now_utc, char *serial, size_t size, FILE *trace,
                           struct kerr *err);

#endif

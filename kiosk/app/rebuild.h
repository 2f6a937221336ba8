/* rebuild.h — a served order's receipt made again from the record. A power cut between
 * an order's move to served and the printer service's store of its receipt leaves a
 * served order without one; at the next start (and when recovery serves an order whose
 * work had landed) its receipt data is read back from the store — the order, its fee
 * lines, its payment's trade number, the certificate its work journal says it issued,
 * the pick-up it handed out — and the receipt is stored to be reprinted, not printed
 * (receipt_data.keep_only): the user is long gone. */
#ifndef KIOSK_APP_REBUILD_H
#define KIOSK_APP_REBUILD_H

#include "core/flow.h"
#include "store/store.h"

#define REBUILD_RECENT 64 /* the newest orders looked at for a lost receipt */

/* The receipt of served order id, from the record, into *d. KR_CONFLICT when the order
 * is not served; store errors. */
int rebuild_receipt(struct store *s, int64_t id, struct receipt_data *d, struct kerr *err);

#endif

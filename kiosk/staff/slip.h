/* slip.h — the restock slip: rendered as PDF (kiosk/receipt) and kept in the receipts
 * table (kind "restock"); the staff desk then hands it to the printer slot as a reprint
 * ("reprint ID"). Slow (tens of ms): the staff desk runs it on its worker thread. */
#ifndef KIOSK_STAFF_SLIP_H
#define KIOSK_STAFF_SLIP_H

#include "conf/conf.h"
#include "core/result.h"
#include "staff/staff.h"

struct store;

/* Renders the slip of restock r (borrowed) at now_utc and stores it in s (a handle of
 * the calling thread). *receipt_id gets the stored slip's id (0 when not stored).
 * KR_CONFIG when there is no [printer] section; render or store errors. */
int slip_make(const struct conf *conf, struct store *s, const struct staff_request *r,
              int64_t now_utc, int64_t *receipt_id, struct kerr *err);

#endif

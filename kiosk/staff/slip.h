/* slip.h — the staff slips: the restock slip and the reconciliation slip, rendered as
 * PDF (kiosk/receipt) and kept in the receipts table (kinds "restock", "reconcile"); the
 * staff desk then hands them to the printer slot as a reprint ("reprint ID"). Slow (tens
 * of ms): the staff desk runs them on its worker thread. */
#ifndef KIOSK_STAFF_SLIP_H
#define KIOSK_STAFF_SLIP_H

#include "conf/conf.h"
#include "core/reconcile.h"
#include "core/result.h"
#include "staff/staff.h"

struct store;

/* Renders the slip of restock r (borrowed) at now_utc and stores it in s (a handle of
 * the calling thread). *receipt_id gets the stored slip's id (0 when not stored).
 * KR_CONFIG when there is no [printer] section; render or store errors. */
int slip_make(const struct conf *conf, struct store *s, const struct staff_request *r,
              int64_t now_utc, int64_t *receipt_id, struct kerr *err);

/* Renders the reconciliation slip of day ("yyyy-MM-dd") from report r (borrowed) and
 * stores it, as slip_make. */
int slip_reconcile(const struct conf *conf, struct store *s, const char *day,
                   const struct recon_report *r, int64_t now_utc, int64_t *receipt_id,
                   struct kerr *err);

#endif

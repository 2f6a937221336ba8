/* slip.h — the restock slip: rendered as PDF (kiosk/receipt), kept in the receipts
 * table (kind "restock") and handed to the printer slot as a reprint ("reprint ID"). */
#ifndef KIOSK_STAFF_SLIP_H
#define KIOSK_STAFF_SLIP_H

#include "app/service.h"
#include "staff/staff.h"

/* Renders the slip of restock r (borrowed) at now_utc, stores it in s and asks printer
 * to print it. *receipt_id gets the stored slip's id (0 when not stored). KR_CONFIG
 * when the printer slot has no [printer] section; render, store or printer errors. */
int slip_print(const struct conf *conf, struct store *s, const struct staff_request *r,
               int64_t now_utc, struct service *printer, int64_t *receipt_id, struct kerr *err);

#endif

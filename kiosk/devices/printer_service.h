/* printer_service.h — the printer slot served by a CUPS queue ([services] printer = cups,
 * section [printer]).
 *
 * On its own thread it renders each FREQ_PRINT as PDF (kiosk/receipt), stores it in the
 * receipts table, hands it to CUPS and follows the job to completion or its time-out.
 * It answers FEV_PRINTED or FEV_PRINT_FAILED (text: the status key, e.g.
 * "print.paper_out"; arg: the receipt's id in the table, 0 when it could not be
 * stored); a failure never blocks the user or touches the order, and the receipt stays
 * stored for a reprint. The printer's state (printer-state, printer-state-reasons,
 * accepting) is read before each job, while it runs and every status_poll_s while
 * idle; each change is posted as FEV_DEVICE_STATUS.
 *
 * control verbs: "paper-out" / "paper-in" (only on the test rig's capture queue: they
 * make or remove the backend's PAPER-OUT flag file), "reprint ID" (prints a stored
 * receipt again, as staff mode will). */
#ifndef KIOSK_PRINTER_SERVICE_H
#define KIOSK_PRINTER_SERVICE_H

#include <stdint.h>

#include "base/service.h"

/* The service's create for the registry. KR_CONFIG when [printer] is missing or wrong,
 * naming the file; KR_IO when the strings or the database cannot be opened. */
int printer_cups_create(const struct service_host *host, struct service *out, struct kerr *err);

/* Queues a reprint of receipt receipt_id (from the receipts table) on the service made
 * by printer_cups_create (self is its service.self). The result comes as FEV_PRINTED or
 * FEV_PRINT_FAILED with arg = receipt_id and order_id 0. KR_BUSY when the queue is full. */
int printer_cups_reprint(void *self, int64_t receipt_id, struct kerr *err);

#endif

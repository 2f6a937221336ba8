/* sam_service.h — the idreader slot's real implementation, "sam": a SAM ID card module
 * on a serial line ([idreader] in kiosk.ini), polled on the service's own thread while
 * the flow waits for a card. */
#ifndef KIOSK_SAM_SERVICE_H
#define KIOSK_SAM_SERVICE_H

#include "base/service.h"

/* Checks [idreader] and opens the module's line. KR_CONFIG when the section is missing
 * or wrong (naming the file and section), KR_IO when the line cannot be opened. */
int sam_service_create(const struct service_host *host, struct service *out, struct kerr *err);

#endif

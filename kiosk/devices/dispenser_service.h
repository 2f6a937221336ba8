/* dispenser_service.h — the dispenser slot's real implementation, "serial": a KDP/1
 * dispenser on a serial line ([dispenser] in kiosk.ini), with its stock counted in the
 * store. */
#ifndef KIOSK_DISPENSER_SERVICE_H
#define KIOSK_DISPENSER_SERVICE_H

#include "base/service.h"

/* Checks [dispenser], opens the line and its own store handle, and starts its thread,
 * which reads the stock and says at once when it is low or empty. KR_CONFIG when the
 * section is missing or wrong, KR_IO when the line or the store cannot be opened. */
int dispenser_service_create(const struct service_host *host, struct service *out,
                             struct kerr *err);

#endif

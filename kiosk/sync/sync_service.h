/* sync_service.h — the `central` implementation of the sync slot: the outbox pushed to
 * the central site and its inbox pulled, on a thread of its own (docs/central-api.md). */
#ifndef KIOSK_SYNC_SERVICE_H
#define KIOSK_SYNC_SERVICE_H

#include "base/service.h"

/* Needs [central] (KR_CONFIG naming the file otherwise); opens its own store handle on
 * conf->database and starts the thread. */
int sync_central_create(const struct service_host *host, struct service *out, struct kerr *err);

#endif

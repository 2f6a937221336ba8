/* services.h — the registry of service implementations (kiosk/base/service.h is what each
 * implements): the one place that knows every service, real and stand-in. */
#ifndef KIOSK_APP_SERVICES_H
#define KIOSK_APP_SERVICES_H

#include "base/service.h"
#include "conf/conf.h"

/* Creates the implementation named by conf->service[slot]. */
int service_create(enum conf_service slot, const struct service_host *host, struct service *out,
                   struct kerr *err);

#endif

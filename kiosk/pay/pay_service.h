/* pay_service.h — the payment service "alipay": the flow's payment requests carried out
 * against the Alipay gateway on the service's own thread (see pay_service.c). */
#ifndef KIOSK_PAY_SERVICE_H
#define KIOSK_PAY_SERVICE_H

#include "base/service.h"

/* Creates the service for [services] pay = alipay. KR_CONFIG, naming the file, when the
 * [alipay] section is absent or a key file cannot be read; KR_IO when the database
 * cannot be opened. */
int pay_service_create(const struct service_host *host, struct service *out, struct kerr *err);

#endif

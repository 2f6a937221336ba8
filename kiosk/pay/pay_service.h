/* pay_service.h — the payment service "alipay": the flow's payment requests carried out
 * against the Alipay gateway on the service's own thread (see pay_service.c). */
#ifndef KIOSK_PAY_SERVICE_H
#define KIOSK_PAY_SERVICE_H

#include <stddef.h>

#include "base/service.h"

/* Creates the service for [services] pay = alipay. KR_CONFIG, naming the file, when the
 * [alipay] section is absent or a key file cannot be read; KR_IO when the database
 * cannot be opened. */
int pay_service_create(const struct service_host *host, struct service *out, struct kerr *err);

/* The out_trade_no of the payment whose QR was shown last and is still polled, into
 * out_trade_no (size bytes): what a script's buyer scans and pays at the gateway peer
 * (app/steer.c). KR_NOT_FOUND when no payment is waiting; KR_INVALID when svc is not
 * this service. Thread-safe. */
int pay_service_waiting(const struct service *svc, char *out_trade_no, size_t size);

#endif

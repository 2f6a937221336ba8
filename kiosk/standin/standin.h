/* standin.h — clearly labelled stand-ins beside the real services: key work (PKCS#11),
 * Alipay payment, CUPS printing, the ID card reader, the key dispenser and central sync,
 * for the component tests that put fast, in-process services around the one real part
 * they test (the UI, the pay crash matrix, the app loop). Each behaves plausibly and is
 * its own simulator: a script steers it through service_ops.control. None of them is
 * used on a real kiosk: app_create() prints "STAND-IN" for every slot that runs one. */
#ifndef KIOSK_STANDIN_H
#define KIOSK_STANDIN_H

#include "base/service.h"

/* For the stand-ins themselves: allocates a zeroed stand-in of size bytes whose struct
 * begins with a struct service_host, copies host into it and makes *out serve it with
 * ops. KR_NOMEM when out of memory. */
int standin_new(size_t size, const struct service_host *host, const struct service_ops *ops,
                struct service *out, struct kerr *err);
/* Frees a stand-in made by standin_new (the destroy of those that hold nothing else). */
void standin_free(void *self);

int standin_keys_create(const struct service_host *host, struct service *out, struct kerr *err);
int standin_pay_create(const struct service_host *host, struct service *out, struct kerr *err);
int standin_printer_create(const struct service_host *host, struct service *out, struct kerr *err);
int standin_idreader_create(const struct service_host *host, struct service *out, struct kerr *err);
int standin_dispenser_create(const struct service_host *host, struct service *out,
                             struct kerr *err);
int standin_sync_create(const struct service_host *host, struct service *out, struct kerr *err);

#endif

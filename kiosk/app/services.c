/* services.c — the registry of service implementations, by slot and [services] name. */
#include "app/services.h"

#include <string.h>

#include "standin/standin.h"
#include "pki/keys_service.h"
#include "devices/printer_service.h"
#include "pay/pay_service.h"
#include "devices/dispenser_service.h"
#include "devices/sam_service.h"
#include "sync/sync_service.h"

typedef int (*service_ctor)(const struct service_host *, struct service *, struct kerr *);

static const struct {
	enum conf_service slot;
	const char *kind;
	service_ctor create;
} registry[] = {
    {SVC_KEYS, "standin", standin_keys_create},
    {SVC_KEYS, "pkcs11", pkcs11_keys_create},
    {SVC_PAY, "standin", standin_pay_create},
    {SVC_PAY, "alipay", pay_service_create},
    {SVC_PRINTER, "standin", standin_printer_create},
    {SVC_PRINTER, "cups", printer_cups_create},
    {SVC_IDREADER, "standin", standin_idreader_create},
    {SVC_IDREADER, "sam", sam_service_create},
    {SVC_DISPENSER, "standin", standin_dispenser_create},
    {SVC_DISPENSER, "serial", dispenser_service_create},
    {SVC_SYNC, "standin", standin_sync_create},
    {SVC_SYNC, "central", sync_central_create},
};

int service_create(enum conf_service slot, const struct service_host *host, struct service *out,
                   struct kerr *err)
{
	const char *kind = host->conf->service[slot];
	for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
		if (registry[i].slot == slot && strcmp(registry[i].kind, kind) == 0)
			return registry[i].create(host, out, err);
	return kerr_set(err, KR_CONFIG, "%s: [services] %s: no implementation named '%s'",
	                host->conf->file, conf_service_name(slot), kind);
}

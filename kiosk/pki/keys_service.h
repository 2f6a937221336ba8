/* keys_service.h — the real keys service ([services] keys = pkcs11): triage and key work
 * on PKCS#11 tokens on a thread of its own, hot-plug of the user's key port as events. */
#ifndef KIOSK_PKI_KEYS_SERVICE_H
#define KIOSK_PKI_KEYS_SERVICE_H

#include "base/service.h"

/* Needs [keys] in the configuration (KR_CONFIG naming the file and section when it is
 * absent) and the PKCS#11 module to load. */
int pkcs11_keys_create(const struct service_host *host, struct service *out, struct kerr *err);

#endif

/* steer.h — a script's steering of the simulated devices and peers behind the real
 * services: the scenario runner's "pay paid", "sync down", "idreader present …",
 * "dispenser take", "printer paper-out" and the demo's function keys.
 *
 * The simulators are steered here, not by the services: the rig's key port (the PKCS#11
 * shim's slot file), the Alipay gateway peer and the
 * central peer through their HTTP control URLs ([alipay] and [central] control,
 * base/peerctl), the card reader and dispenser simulators through their control sockets
 * ([idreader] and [dispenser] control, base/simctl), the test rig's capture queue through
 * its PAPER-OUT flag. A verb that is no simulator's goes to the service's own control
 * ("pay reconcile", "sync now", "dispenser refill" …), and so does every verb for a
 * stand-in, which is its own simulator. A real kiosk has control = none: there is
 * nothing to steer, only the services' own verbs. */
#ifndef KIOSK_APP_STEER_H
#define KIOSK_APP_STEER_H

#include "app/app.h"
#include "base/service.h"
#include "conf/conf.h"

/* Carries out "VERB ARGS" for the service svc (borrowed) in slot, configured by conf
 * (borrowed): on the simulator behind it when the verb is the simulator's, else through
 * the service's control. KR_INVALID for a verb neither knows, a service that takes no
 * verbs or a simulator the configuration does not name (control = none); otherwise what
 * the simulator, the peer or the service answered (KR_IO: it could not be reached). */
int steer_service(const struct conf *conf, enum conf_service slot, const struct service *svc,
                  const char *verb, const char *args, struct kerr *err);

/* steer_service for the service app runs in slot. */
int steer(struct app *app, enum conf_service slot, const char *verb, const char *args,
          struct kerr *err);

#endif

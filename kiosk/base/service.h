/* service.h — the interface every service (key work, payment, printing, card reader,
 * dispenser, sync) implements, real or stand-in.
 *
 * A service takes the flow's requests and answers later with events posted to the
 * host; it never touches the screen or changes an order's state. Slow work runs on the
 * service's own thread; a service that needs the database there opens its own
 * struct store on conf->database (SQLite allows one handle per thread, not more). Which
 * implementation runs in each slot is chosen by [services] in kiosk.ini and logged at start. */
#ifndef KIOSK_SERVICE_H
#define KIOSK_SERVICE_H

#include <stdio.h>

#include "core/flow.h"
#include "core/result.h"

struct conf;
struct store;

/* What a service gets from the application. */
struct service_host {
	/* Queues an event for the flow; thread-safe; the event is copied. */
	void (*post)(void *app, const struct flow_event *ev);
	void *app;
	const struct conf *conf;
	struct store *store;
	FILE *trace; /* where a service says what it does (no personal data) */
	int64_t (*utc_s)(void *app);
};

struct service_ops {
	const char *kind; /* the name in [services], e.g. "standin" */
	int standin;      /* 1: a stand-in (kiosk/standin), for component tests only */
	/* Starts the work a request asks for. The request is borrowed for the call; secrets
	 * in it are wiped by the caller afterwards. */
	void (*submit)(void *self, const struct flow_request *req);
	/* The service's own operations that staff and scripts ask for by name ("pay
	 * reconcile", "sync now", "dispenser refill 1 20", "printer reprint ID" …); a
	 * stand-in's verbs also steer what it simulates ("pay paid"). Steering the simulator
	 * behind a real service is app/steer.c's, not the service's (one exception left: the
	 * pkcs11 keys service's "insert" and "remove" set the rig's reader port). NULL:
	 * none. */
	int (*control)(void *self, const char *verb, const char *args, struct kerr *err);
	void (*destroy)(void *self);
	/* Whether work the service took is still in flight (it will post more events). A
	 * service that works on a thread of its own must have it; NULL: never busy. */
	int (*busy)(void *self);
};

struct service {
	const struct service_ops *ops;
	void *self;
};

/* The end of a service's create: with rc KR_OK, *out serves self with ops; otherwise self
 * (however far it got) is destroyed with ops->destroy and *out is left alone. Returns rc. */
int service_created(int rc, const struct service_ops *ops, void *self, struct service *out);

#endif

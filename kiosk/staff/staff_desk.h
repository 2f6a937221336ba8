/* staff_desk.h — staff mode wired into the kiosk: carries out the staff state machine's
 * requests (kiosk/staff/staff.h) and routes to it the app's events that concern it.
 *
 * Owns the staff state machine and a worker thread for the slow work: the staff PIN
 * check (PBKDF2) and the restock and reconciliation slips (rendered and stored through a
 * store handle of its own; the reconciliation itself is the pay service's, asked for
 * with FREQ_PAY_RECONCILE and answered FEV_PAY_RECONCILED). The worker's answers wait in the desk;
 * it wakes the loop by posting a FEV_TICK through the host, and the loop hands them to staff mode
 * first thing on its next event (staff_desk_route). Reads, journal rows, refills, refunds,
 * reprints, the key check (a FREQ_TRIAGE to the keys service, whose FEV_TRIAGE the desk then takes)
 * and a staff key's proof of possession (the same with the key's own PIN in work.pin) are started
 * on the loop thread: they are quick or answered by a service. A PIN is wiped wherever it is copied
 * and never written to the trace. */
#ifndef KIOSK_STAFF_DESK_H
#define KIOSK_STAFF_DESK_H

#include <stdio.h>

#include "base/service.h"
#include "staff/staff.h"
#include "store/store.h"

/* What the desk gets from the application (all borrowed for the desk's life). Every
 * callback but post is called on the loop thread only. */
struct staff_desk_host {
	/* Queues an event for the loop; thread-safe; the event is copied. */
	void (*post)(void *app, const struct flow_event *ev);
	void *app;
	const struct conf *conf;
	struct store *store; /* the loop thread's handle */
	struct service *svc; /* the app's services, indexed by enum conf_service */
	FILE *trace;         /* what staff do (never a PIN) */
	struct flow_time (*now)(void *app);
	/* Whether a user session is under way (the hidden gesture is ignored then). */
	int (*in_session)(void *app);
	/* Tells the flow to take no new session (closed 1) or to take them again (0). */
	void (*close_flow)(void *app, int closed);
	/* Starts settling a stranded order through recovery, which refunds it. */
	int (*recover)(void *app, const struct order_row *row, struct kerr *err);
};

struct staff_desk;

/* Creates the desk (host copied) with staff mode off and its PIN lock restored from the
 * journal, and starts its worker. KR_CONFIG when [staff] pin_hash is malformed; store
 * errors; KR_NOMEM. Without a pin_hash the hidden gesture does nothing. */
int staff_desk_create(const struct staff_desk_host *host, struct staff_desk **out,
                      struct kerr *err);
/* Stops the worker, wipes and frees. NULL is fine. */
void staff_desk_destroy(struct staff_desk *d);

/* Hands the worker's answers to staff mode, then ev (borrowed) when it concerns staff
 * mode. Returns 1 when ev is staff mode's alone (the flow must not see it). */
int staff_desk_route(struct staff_desk *d, const struct flow_event *ev);

/* Whether work the desk took is still in flight on its worker (it will post). */
int staff_desk_busy(struct staff_desk *d);

/* Staff mode's view model (STAFF_OFF while not in staff mode). */
const struct staff_view *staff_desk_view(const struct staff_desk *d);

#endif

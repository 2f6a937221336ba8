/* app.h — the application core: configuration → store → recovery → services → flow.
 *
 * Owns the event queue. Services post events from any thread; app_pump() feeds them
 * one by one to the session flow (or, for orders of earlier sessions, to recovery) and
 * carries out the requests that come back, in order: store writes first, the effects
 * after, and nothing after a store write that failed. The UI and the headless runner
 * both drive the kiosk through this. */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include <stdio.h>

#include "base/service.h"
#include "conf/conf.h"
#include "core/flow.h"

struct app;

/* The clock, injected: real time in the kiosk, virtual time in scripts and tests. */
struct app_clock {
	int64_t (*mono_ms)(void *ctx);
	int64_t (*utc_s)(void *ctx);
	void *ctx;
};

/* Called after each event that changed the view model. */
typedef void (*app_observer_fn)(void *ctx, const struct flow_view *view);

/* Opens the store named in conf (creating its folder), creates the services and the
 * flow. conf and clock are borrowed for the app's life; trace receives one line per
 * order change and per service action (no personal data). */
int app_create(const struct conf *conf, const struct app_clock *clock, FILE *trace,
               struct app **out, struct kerr *err);
void app_destroy(struct app *app);

void app_set_observer(struct app *app, app_observer_fn fn, void *ctx);

/* Queues an event (copied; thread-safe). */
void app_post(struct app *app, const struct flow_event *ev);
/* Queues a clock tick. */
void app_tick(struct app *app);
/* Handles queued events until none is left. Returns how many were handled. */
int app_pump(struct app *app);
/* Handles events until the queue is empty and no service is busy, waiting for services
 * working on their own threads, for at most timeout_ms of real time. Returns KR_OK, or
 * KR_BUSY when work is still in flight at the time-out. */
int app_settle(struct app *app, int timeout_ms);

/* Starts settling every order a previous run left open; answers arrive as events and
 * are handled by app_pump(). Returns the number of open orders found. */
int app_recover(struct app *app, int *found, struct kerr *err);
/* Orders still being settled by recovery. */
int app_recovering(const struct app *app);

const struct flow_view *app_view(const struct app *app);
/* Whether the session flow still holds anything personal (for tests of the wipe). */
int app_holds_personal_data(const struct app *app);
struct store *app_store(struct app *app);
/* Staff mode's view model (screen STAFF_OFF while not in staff mode). The observer is
 * also called when it changes. */
struct staff_view;
const struct staff_view *app_staff_view(const struct app *app);
/* The service in a slot (for its own control verbs, and app/steer.h). */
struct service *app_service(struct app *app, enum conf_service slot);
/* The configuration the app runs on (borrowed from app_create). */
const struct conf *app_conf(const struct app *app);

#endif

/* runner.h — the headless runner (kiosk --script FILE): plays a scenario through the
 * real flow, store and services on a virtual clock and prints each state. */
#ifndef KIOSK_RUNNER_H
#define KIOSK_RUNNER_H

#include <stdio.h>

#include "conf/conf.h"
#include "core/flow.h"

/* Plays the scenario at script. *failures gets the number of failed expectations.
 * Returns KR_OK when the scenario could be played (even with failed expectations), or
 * the error that stopped it (file missing, store refused, …) with a message in err. */
int runner_play(const char *script, const struct conf *conf, FILE *out, int *failures,
                struct kerr *err);

/* Called with each screen the runner prints and the virtual time (e.g. to draw it in a
 * window or save a screenshot); NULL: none. Set before runner_play. */
typedef void (*runner_view_fn)(void *ctx, const struct flow_view *view, int64_t utc_s);
void runner_set_view_hook(runner_view_fn fn, void *ctx);

#endif

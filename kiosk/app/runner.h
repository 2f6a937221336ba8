/* runner.h — the headless runner (kiosk --script FILE): plays a scenario through the
 * real flow, store and services on a virtual clock and prints each state. */
#ifndef KIOSK_RUNNER_H
#define KIOSK_RUNNER_H

#include <stdio.h>

#include "conf/conf.h"

/* Plays the scenario at script. *failures gets the number of failed expectations.
 * Returns KR_OK when the scenario could be played (even with failed expectations), or
 * the error that stopped it (file missing, store refused, …) with a message in err. */
int runner_play(const char *script, const struct conf *conf, FILE *out, int *failures,
                struct kerr *err);

#endif

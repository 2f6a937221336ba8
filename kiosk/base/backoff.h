/* backoff.h — how long a service waits before it tries again what failed: exponential,
 * capped, with equal jitter (kiosks started together do not retry together). Pure: the
 * caller keeps the count of failures in a row and the seed. */
#ifndef KIOSK_BASE_BACKOFF_H
#define KIOSK_BASE_BACKOFF_H

#include <stdint.h>

/* Counts one more failure (*failures, kept at most 30) and returns the wait after it:
 * min_ms doubled for every earlier failure in a row, at most max_ms, of which a random
 * part of up to half is taken off with rand_r(seed) — between half the delay and all of
 * it. min_ms ≥ 1, max_ms ≥ min_ms. */
int64_t backoff_wait_ms(int64_t min_ms, int64_t max_ms, int *failures, unsigned *seed);

/* A first seed for the jitter, different on every kiosk and at every start (the time and
 * the process id); the one part here that is not pure. */
unsigned backoff_seed(void);

#endif

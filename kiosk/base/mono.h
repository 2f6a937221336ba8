/* mono.h — the monotonic clock for the app loop and the services' threads: now in
 * milliseconds, an absolute deadline for pthread_cond_timedwait, and condition variables
 * that wait on that clock, so that a wall-clock jump neither stretches nor cuts a wait. */
#ifndef KIOSK_MONO_H
#define KIOSK_MONO_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t mono_ms(void);

/* The CLOCK_MONOTONIC instant ms from now (ms ≤ 0: now). */
struct timespec mono_deadline(int64_t ms);

/* Initialises c to wait on CLOCK_MONOTONIC (pair it with mono_deadline). */
void mono_cond_init(pthread_cond_t *c);

#endif

/* worker.h — the one worker of a service: a thread of its own that works off a bounded
 * queue of jobs in order, a busy state (a job runs or waits) for the app's question
 * whether work is in flight, and stop-and-join. A job is a fixed-size copy made when it
 * is queued; it is wiped once taken from the queue and again after it ran, since jobs
 * carry PINs and personal data. An idle hook, where a service has one, runs on the
 * thread when it starts, when the wait it asked for passes with no job (a device's status
 * poll, a service's timers) and when the service kicks it (something changed that the
 * hook should see). A job or the hook may pause with worker_sleep, which a stop cuts
 * short. Owns the thread, its lock and the queue; the service owns what its jobs touch. */
#ifndef KIOSK_BASE_WORKER_H
#define KIOSK_BASE_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

struct worker;

/* What an idle hook returns when it wants to run again only when kicked (or after a job,
 * with idle_after_job). */
#define WORKER_FOREVER INT64_MAX

struct worker_spec {
	const char *name; /* in messages, e.g. "printer" */
	size_t job_size;  /* bytes of one job */
	int queue_max;    /* how many jobs may wait; 0 (and run NULL): the idle hook alone */
	/* Runs one job (the thread's copy, wiped afterwards) on the worker's thread, without
	 * the worker's lock. */
	void (*run)(void *ctx, void *job);
	/* NULL, or runs on the thread at its start, then again once the milliseconds it
	 * returned pass without a job (≤ 0: at once; WORKER_FOREVER: not on time), without
	 * the worker's lock. kicked: 1 when this run answers a worker_kick. */
	int64_t (*idle)(void *ctx, int kicked);
	int idle_after_job; /* 1: also as soon as the queue is empty after a job */
};

/* Starts the thread that runs spec's jobs with ctx. spec (borrowed) and ctx must outlive
 * the worker. KR_NOMEM ("NAME: cannot start its thread") when memory or the thread
 * cannot be had. */
int worker_start(const struct worker_spec *spec, void *ctx, struct worker **out, struct kerr *err);

/* Queues a copy of job (spec->job_size bytes, borrowed). KR_BUSY ("NAME: N jobs wait
 * already") when queue_max jobs wait. Thread-safe. */
int worker_submit(struct worker *w, const void *job, struct kerr *err);

/* Has the idle hook run as soon as no job waits (at once when the thread is waiting);
 * the worker is busy until it has run. Thread-safe. */
void worker_kick(struct worker *w);

/* On the worker's thread (in run or idle): waits ms, or less once the worker is
 * stopping; jobs and kicks do not cut it short. Returns 1 when the worker is stopping
 * (at once when it was already), 0 when ms passed. */
int worker_sleep(struct worker *w, int64_t ms);

/* Whether a job runs or waits, or a kick has not been seen yet. Thread-safe. */
int worker_busy(struct worker *w);

/* Stops the thread once the job or the idle hook it runs is done (a worker_sleep in them
 * returns at once), joins it, wipes the jobs still waiting
 * (they never run) and frees w. NULL: nothing. Not from the worker's own thread. */
void worker_stop(struct worker *w);

#endif

/* worker.c — a service's thread and its bounded job queue (see worker.h). */
#include "base/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/mono.h"

struct worker {
	const struct worker_spec *spec;
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock; /* guards the queue and the flags */
	pthread_cond_t wake;
	unsigned char *queue; /* queue_max jobs, a ring from head */
	unsigned char *job;   /* the job running: the thread's */
	int head, count;
	int running, kicked, stopping;
	int64_t idle_wait_ms; /* what the idle hook asked for when it last ran */
};

/* With the lock held: waits for a job, a kick or the stop, at most idle_wait_ms when the
 * idle hook asked for a time. Returns 1 when that passed with none of them. */
static int wait_for_job(struct worker *w)
{
	if (w->idle_wait_ms == WORKER_FOREVER) {
		pthread_cond_wait(&w->wake, &w->lock);
		return 0;
	}
	struct timespec until = mono_deadline(w->idle_wait_ms);
	int rc = 0;
	while (!w->stopping && w->count == 0 && !w->kicked && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w->wake, &w->lock, &until);
	return rc == ETIMEDOUT && w->count == 0;
}

/* Runs the idle hook without the lock (held on entry and on return). */
static void run_idle(struct worker *w, int kicked)
{
	pthread_mutex_unlock(&w->lock);
	int64_t ms = w->spec->idle(w->ctx, kicked);
	pthread_mutex_lock(&w->lock);
	w->idle_wait_ms = ms;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	const struct worker_spec *sp = w->spec;
	int due = sp->idle != NULL; /* the idle hook is to run once no job waits */
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		if (w->count == 0 && (due || w->kicked)) {
			int kicked = w->kicked; /* the kick this run of the hook answers */
			run_idle(w, kicked);
			if (kicked)
				w->kicked = 0;
			due = 0;
			continue;
		}
		if (w->count == 0) {
			due = wait_for_job(w);
			continue;
		}
		unsigned char *slot = w->queue + (size_t)w->head * sp->job_size;
		memcpy(w->job, slot, sp->job_size);
		explicit_bzero(slot, sp->job_size);
		w->head = (w->head + 1) % sp->queue_max;
		w->count--;
		w->running = 1;
		pthread_mutex_unlock(&w->lock);
		sp->run(w->ctx, w->job);
		explicit_bzero(w->job, sp->job_size);
		pthread_mutex_lock(&w->lock);
		w->running = 0;
		due = sp->idle_after_job;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void worker_free(struct worker *w)
{
	if (w->queue)
		explicit_bzero(w->queue, (size_t)w->spec->queue_max * w->spec->job_size);
	free(w->queue);
	free(w->job);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int worker_start(const struct worker_spec *spec, void *ctx, struct worker **out, struct kerr *err)
{
	struct worker *w = calloc(1, sizeof *w);
	if (!w)
		return kerr_set(err, KR_NOMEM, "%s: cannot start its thread", spec->name);
	w->spec = spec;
	w->ctx = ctx;
	w->idle_wait_ms = WORKER_FOREVER;
	pthread_mutex_init(&w->lock, NULL);
	mono_cond_init(&w->wake);
	if (spec->queue_max > 0) {
		w->queue = calloc((size_t)spec->queue_max, spec->job_size);
		w->job = calloc(1, spec->job_size);
	}
	if ((spec->queue_max > 0 && (!w->queue || !w->job)) ||
	    pthread_create(&w->thread, NULL, run, w) != 0) {
		worker_free(w);
		return kerr_set(err, KR_NOMEM, "%s: cannot start its thread", spec->name);
	}
	*out = w;
	return KR_OK;
}

int worker_submit(struct worker *w, const void *job, struct kerr *err)
{
	const struct worker_spec *sp = w->spec;
	int rc = KR_OK;
	pthread_mutex_lock(&w->lock);
	if (w->count == sp->queue_max) {
		rc = kerr_set(err, KR_BUSY, "%s: %d jobs wait already", sp->name, sp->queue_max);
	} else {
		int tail = (w->head + w->count) % sp->queue_max;
		memcpy(w->queue + (size_t)tail * sp->job_size, job, sp->job_size);
		w->count++;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void worker_kick(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->kicked = w->spec->idle != NULL;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

int worker_sleep(struct worker *w, int64_t ms)
{
	struct timespec until = mono_deadline(ms);
	pthread_mutex_lock(&w->lock);
	while (!w->stopping && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
		;
	int stopping = w->stopping;
	pthread_mutex_unlock(&w->lock);
	return stopping;
}

int worker_busy(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	int b = w->running || w->count > 0 || w->kicked;
	pthread_mutex_unlock(&w->lock);
	return b;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	worker_free(w);
}

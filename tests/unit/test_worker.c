/* test_worker.c — the services' one worker: jobs run in order on its thread, busy while
 * one runs or waits, a full queue refused, the idle hook at start, after the wait it asked
 * for, after a job and when kicked (and told so), a stop that drops the jobs still
 * waiting, and a worker_sleep that a stop cuts short. */
#include <pthread.h>
#include <unistd.h>

#include "base/mono.h"
#include "base/worker.h"
#include "check.h"

struct log {
	pthread_mutex_t lock;
	pthread_cond_t go; /* a job waits for go before it ends */
	int hold, order[16], n, idles, kicks;
	int64_t idle_wait_ms; /* what idle returns */
	struct worker *w;     /* for the sleeping job */
	int slept;            /* what its worker_sleep returned */
};

static void run(void *ctx, void *job)
{
	struct log *l = ctx;
	pthread_mutex_lock(&l->lock);
	l->order[l->n++] = *(int *)job;
	while (l->hold)
		pthread_cond_wait(&l->go, &l->lock);
	pthread_mutex_unlock(&l->lock);
}

static int64_t idle(void *ctx, int kicked)
{
	struct log *l = ctx;
	pthread_mutex_lock(&l->lock);
	l->idles++;
	l->kicks += kicked;
	int64_t ms = l->idle_wait_ms;
	pthread_mutex_unlock(&l->lock);
	return ms;
}

static int count_of(struct log *l, const int *field)
{
	pthread_mutex_lock(&l->lock);
	int n = *field;
	pthread_mutex_unlock(&l->lock);
	return n;
}

static void release(struct log *l)
{
	pthread_mutex_lock(&l->lock);
	l->hold = 0;
	pthread_cond_broadcast(&l->go);
	pthread_mutex_unlock(&l->lock);
}

/* A thread that lets the held job end after 200 ms. */
static void *release_later(void *arg)
{
	usleep(200 * 1000);
	release(arg);
	return NULL;
}

static void wait_idle(struct worker *w)
{
	for (int i = 0; i < 500 && worker_busy(w); i++)
		usleep(10 * 1000);
}

/* Starts a worker of queue_max jobs on l and has job 1 running, held until released. */
static struct worker *start_holding_one(int queue_max, struct log *l)
{
	static struct worker_spec spec = {.name = "test", .job_size = sizeof(int), .run = run};
	struct worker *w = NULL;
	struct kerr err = {{0}};
	int one = 1;
	spec.queue_max = queue_max;
	l->hold = 1;
	CHECK_INT(worker_start(&spec, l, &w, &err), KR_OK);
	CHECK_INT(worker_busy(w), 0);
	CHECK_INT(worker_submit(w, &one, &err), KR_OK);
	for (int i = 0; i < 500 && count_of(l, &l->n) == 0; i++)
		usleep(10 * 1000);
	return w;
}

static void test_order_busy_full(void)
{
	struct log l = {.lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER};
	struct worker *w = start_holding_one(2, &l);
	struct kerr err = {{0}};
	int two = 2, three = 3, four = 4;
	CHECK_INT(worker_busy(w), 1);
	CHECK_INT(worker_submit(w, &two, &err), KR_OK);
	CHECK_INT(worker_submit(w, &three, &err), KR_OK);
	CHECK_INT(worker_submit(w, &four, &err), KR_BUSY); /* two wait already */
	CHECK_STR(err.msg, "test: 2 jobs wait already");
	release(&l);
	wait_idle(w);
	CHECK_INT(worker_busy(w), 0);
	CHECK_INT(l.n, 3);
	CHECK_INT(l.order[0], 1);
	CHECK_INT(l.order[1], 2);
	CHECK_INT(l.order[2], 3);
	worker_stop(w);
}

static void test_stop_drops_waiting(void)
{
	struct log l = {.lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER};
	struct worker *w = start_holding_one(4, &l);
	struct kerr err = {{0}};
	int two = 2;
	CHECK_INT(worker_submit(w, &two, &err), KR_OK);
	pthread_t t;
	/* the stop waits for the running job: let it end a moment later */
	CHECK_INT(pthread_create(&t, NULL, release_later, &l), 0);
	worker_stop(w);
	pthread_join(t, NULL);
	CHECK_INT(l.n, 1); /* two never ran */
	worker_stop(NULL);
}

static void test_idle(void)
{
	static const struct worker_spec spec = {
	    .name = "test", .job_size = sizeof(int), .queue_max = 2, .run = run, .idle = idle};
	struct log l = {
	    .lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER, .idle_wait_ms = 20};
	struct worker *w = NULL;
	struct kerr err = {{0}};
	CHECK_INT(worker_start(&spec, &l, &w, &err), KR_OK);
	for (int i = 0; i < 500 && count_of(&l, &l.idles) < 3; i++) /* at start, then each 20 ms */
		usleep(10 * 1000);
	CHECK(count_of(&l, &l.idles) >= 3);
	int one = 1;
	CHECK_INT(worker_submit(w, &one, &err), KR_OK);
	wait_idle(w);
	CHECK_INT(count_of(&l, &l.n), 1);
	worker_stop(w);
}

static void test_kick_and_after_job(void)
{
	static const struct worker_spec spec = {.name = "test",
	                                        .job_size = sizeof(int),
	                                        .queue_max = 2,
	                                        .run = run,
	                                        .idle = idle,
	                                        .idle_after_job = 1};
	struct log l = {.lock = PTHREAD_MUTEX_INITIALIZER,
	                .go = PTHREAD_COND_INITIALIZER,
	                .idle_wait_ms = WORKER_FOREVER};
	struct worker *w = NULL;
	struct kerr err = {{0}};
	CHECK_INT(worker_start(&spec, &l, &w, &err), KR_OK);
	for (int i = 0; i < 500 && count_of(&l, &l.idles) < 1; i++) /* at start */
		usleep(10 * 1000);
	CHECK_INT(count_of(&l, &l.idles), 1);
	int one = 1;
	CHECK_INT(worker_submit(w, &one, &err), KR_OK);
	for (int i = 0; i < 500 && count_of(&l, &l.idles) < 2; i++) /* after the job */
		usleep(10 * 1000);
	CHECK_INT(count_of(&l, &l.idles), 2);
	CHECK_INT(count_of(&l, &l.kicks), 0);
	worker_kick(w);
	wait_idle(w); /* busy until the kick was seen */
	CHECK_INT(count_of(&l, &l.idles), 3);
	CHECK_INT(count_of(&l, &l.kicks), 1); /* told it answers the kick */
	usleep(50 * 1000);
	CHECK_INT(count_of(&l, &l.idles), 3); /* WORKER_FOREVER: not on time */
	worker_stop(w);
}

/* The hook's own due time: it runs again once what it returned passed, and a kick
 * brings it forward; a worker of the hook alone takes no job. */
static void test_idle_due(void)
{
	static const struct worker_spec spec = {.name = "test", .idle = idle};
	struct log l = {
	    .lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER, .idle_wait_ms = 300};
	struct worker *w = NULL;
	struct kerr err = {{0}};
	int64_t t0 = mono_ms();
	CHECK_INT(worker_start(&spec, &l, &w, &err), KR_OK);
	CHECK_INT(worker_submit(w, &l, &err), KR_BUSY);
	for (int i = 0; i < 500 && count_of(&l, &l.idles) < 2; i++) /* at start, then 300 ms on */
		usleep(5 * 1000);
	CHECK_INT(count_of(&l, &l.idles), 2);
	CHECK(mono_ms() - t0 >= 300);
	pthread_mutex_lock(&l.lock);
	l.idle_wait_ms = 60 * 1000; /* not again in this test, but for a kick */
	pthread_mutex_unlock(&l.lock);
	for (int i = 0; i < 500 && count_of(&l, &l.idles) < 3; i++) /* the wait of 300 ms */
		usleep(5 * 1000);
	t0 = mono_ms();
	worker_kick(w);
	wait_idle(w);
	CHECK_INT(count_of(&l, &l.idles), 4);
	CHECK(mono_ms() - t0 < 5000); /* the kick, not the 60 s */
	worker_stop(w);
}

/* A job that sleeps 60 s: the sleep is whole when nothing stops it, and a stop cuts it
 * short and the stop returns promptly. */
static void run_sleeping(void *ctx, void *job)
{
	struct log *l = ctx;
	int64_t ms = *(int *)job;
	int slept = worker_sleep(l->w, ms);
	pthread_mutex_lock(&l->lock);
	l->slept = slept;
	l->n++;
	pthread_mutex_unlock(&l->lock);
}

static void test_sleep_cut_by_stop(void)
{
	static const struct worker_spec spec = {
	    .name = "test", .job_size = sizeof(int), .queue_max = 2, .run = run_sleeping};
	struct log l = {.lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER};
	struct kerr err = {{0}};
	int short_ms = 100, long_ms = 60 * 1000;
	CHECK_INT(worker_start(&spec, &l, &l.w, &err), KR_OK);
	int64_t t0 = mono_ms();
	CHECK_INT(worker_submit(l.w, &short_ms, &err), KR_OK);
	worker_kick(l.w); /* no idle hook: nothing, and no early end of the sleep */
	wait_idle(l.w);
	CHECK_INT(count_of(&l, &l.n), 1);
	CHECK(mono_ms() - t0 >= short_ms); /* the whole sleep */
	CHECK_INT(count_of(&l, &l.slept), 0);
	CHECK_INT(worker_submit(l.w, &long_ms, &err), KR_OK);
	for (int i = 0; i < 500 && !worker_busy(l.w); i++)
		usleep(5 * 1000);
	usleep(50 * 1000); /* let it fall asleep; a stop before that ends it at once too */
	t0 = mono_ms();
	worker_stop(l.w);
	CHECK(mono_ms() - t0 < 5000);
	CHECK_INT(l.n, 2);
	CHECK_INT(l.slept, 1);
}

int main(void)
{
	test_order_busy_full();
	test_stop_drops_waiting();
	test_idle();
	test_kick_and_after_job();
	test_idle_due();
	test_sleep_cut_by_stop();
	return check_done();
}

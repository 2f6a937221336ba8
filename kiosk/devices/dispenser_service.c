/* dispenser_service.c — the "serial" key dispenser service.
 *
 * Work runs on the service's worker (kiosk/base/worker) with its own store handle: issue
 * a blank key to the personalisation slot (from the first bin with stock), hand it out
 * (dispense, then wait take_timeout_s for the user to take it, else retain it; the
 * hand-out journaled as a step of the order's work), retain, refill, check. At start a
 * key a power cut left in the slot or at the mouth is retained.
 * The stock of each bin (consumable "key_blank.binN") and the retain bin
 * ("key_retained") are counted in the store; a bin whose stock falls to [dispenser] low
 * says "dispenser.low", to [dispenser] empty "dispenser.empty". Every outcome is a
 * FEV_DEVICE_STATUS whose text is a dispenser.* key (arg 1 while no key can be issued).
 *
 * The flow asks for a blank key, its hand-out and its retention (FREQ_KEY_ISSUE,
 * FREQ_KEY_HAND_OUT, FREQ_KEY_RETAIN); staff and a script also by control() verbs:
 * "issue", "hand-out", "retain", "refill BIN N", "check". The simulator behind it in the
 * rig ("fault jam", "no-take" …) is steered by app/steer.c, not here. */
#include "devices/dispenser_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mono.h"
#include "base/worker.h"
#include "conf/conf.h"
#include "drivers/dispenser/dispenser.h"
#include "drivers/serial/tty.h"
#include "store/store.h"
#include "store/work.h"

enum job { JOB_NONE, JOB_SWEEP, JOB_CHECK, JOB_ISSUE, JOB_HAND_OUT, JOB_RETAIN, JOB_REFILL };

#define QUEUE_MAX 8

enum level { LEVEL_OK, LEVEL_LOW, LEVEL_EMPTY };

struct disp_job {
	enum job job;
	int bin, n;
	int64_t order_id; /* the order a flow request is for; 0 for staff and scripts */
};

struct disp_service {
	struct service_host host;
	struct conf_dispenser cfg;
	struct dispenser dev;
	struct store *store; /* used on the thread only */
	struct worker *worker;
	enum level level[DISPENSER_MAX_BINS + 1]; /* [0]: all bins together */
	int said_level;                           /* levels have been said once */
};

static void say(struct disp_service *s, const char *key, int bin, int fault)
{
	struct flow_event ev = {.kind = FEV_DEVICE_STATUS, .arg = fault};
	snprintf(ev.text, sizeof ev.text, "%s", key);
	s->host.post(s->host.app, &ev);
	if (bin)
		fprintf(s->host.trace, "[dispenser] %s (bin %d)\n", key, bin);
	else
		fprintf(s->host.trace, "[dispenser] %s\n", key);
}

static void item_of(int bin, char *out, size_t size)
{
	snprintf(out, size, "key_blank.bin%d", bin);
}

static int64_t stock_of(struct disp_service *s, int bin)
{
	char item[32];
	int64_t n = 0;
	struct kerr err;
	item_of(bin, item, sizeof item);
	if (store_consumable_get(s->store, item, &n, &err) != KR_OK)
		fprintf(s->host.trace, "[dispenser] %s\n", err.msg);
	return n;
}

/* Changes a count in the store; says so when the store refuses. */
static void count_add(struct disp_service *s, const char *item, int64_t delta)
{
	struct kerr err;
	if (store_consumable_add(s->store, item, delta, s->host.utc_s(s->host.app), &err) != KR_OK)
		fprintf(s->host.trace, "[dispenser] %s: %s\n", item, err.msg);
}

static enum level level_of(const struct disp_service *s, int64_t n)
{
	return n <= s->cfg.empty ? LEVEL_EMPTY : n <= s->cfg.low ? LEVEL_LOW : LEVEL_OK;
}

/* Says each bin's level when it changed, and whether a key can be issued at all. */
static void check_levels(struct disp_service *s)
{
	static const char *const keys[] = {"dispenser.stocked", "dispenser.low", "dispenser.empty"};
	int64_t total = 0;
	enum level best = LEVEL_EMPTY;
	for (int b = 1; b <= s->cfg.bins; b++) {
		int64_t n = stock_of(s, b);
		enum level l = level_of(s, n);
		total += n;
		if (l < best)
			best = l;
		if (l != s->level[b] || !s->said_level) {
			if (l != LEVEL_OK || s->said_level)
				say(s, keys[l], b, 0);
			s->level[b] = l;
		}
	}
	/* all bins together: empty means no key can be issued */
	if (best != s->level[0] || !s->said_level) {
		if (best == LEVEL_EMPTY)
			say(s, "dispenser.out_of_keys", 0, 1);
		else if (s->said_level && s->level[0] == LEVEL_EMPTY)
			say(s, "dispenser.ready", 0, 0);
		s->level[0] = best;
	}
	s->said_level = 1;
	fprintf(s->host.trace, "[dispenser] stock %lld in %d bin%s\n", (long long)total,
	        s->cfg.bins, s->cfg.bins > 1 ? "s" : "");
}

/* Retains whatever is in the slot or at the mouth; says why with key. Returns the key
 * said ("dispenser.fault" when the retain itself failed). */
static const char *retain(struct disp_service *s, const char *key)
{
	struct kerr err = {{0}};
	enum dispenser_result r = DISP_REFUSED;
	if (s->dev.ops->retain(s->dev.dev, &r, &err) != KR_OK || r != DISP_DONE) {
		if (err.msg[0])
			fprintf(s->host.trace, "[dispenser] %s\n", err.msg);
		say(s, "dispenser.fault", 0, 1);
		return "dispenser.fault";
	}
	count_add(s, "key_retained", 1);
	say(s, key, 0, 0);
	return key;
}

/* Moves a blank key from the first bin that has one to the personalisation slot.
 * Returns "dispenser.in_slot" or the status key of what went wrong. */
static const char *issue(struct disp_service *s)
{
	struct kerr err = {{0}};
	for (int b = 1; b <= s->cfg.bins; b++) {
		int64_t n = stock_of(s, b);
		if (level_of(s, n) == LEVEL_EMPTY)
			continue;
		enum dispenser_result r = DISP_REFUSED;
		if (s->dev.ops->move_to_slot(s->dev.dev, b, &r, &err) != KR_OK) {
			fprintf(s->host.trace, "[dispenser] %s\n", err.msg);
			say(s, "dispenser.fault", 0, 1);
			return "dispenser.fault";
		}
		char item[32];
		item_of(b, item, sizeof item);
		switch (r) {
		case DISP_DONE:
			count_add(s, item, -1);
			say(s, "dispenser.in_slot", b, 0);
			check_levels(s);
			return "dispenser.in_slot";
		case DISP_EMPTY: /* the sensor knows better than the count */
			count_add(s, item, -n);
			check_levels(s);
			continue;
		case DISP_JAM:
			count_add(s, item, -1); /* the key left the bin */
			retain(s, "dispenser.jam");
			check_levels(s);
			return "dispenser.jam";
		default:
			say(s, "dispenser.fault", b, 1);
			return "dispenser.fault";
		}
	}
	check_levels(s);
	return "dispenser.out_of_keys";
}

/* Dispenses the key in the slot and waits for it to be taken, retaining it after
 * take_timeout_s. Returns "dispenser.taken" or the status key of what happened. */
static const char *hand_out(struct disp_service *s)
{
	struct kerr err = {{0}};
	enum dispenser_result r = DISP_REFUSED;
	if (s->dev.ops->dispense(s->dev.dev, &r, &err) != KR_OK) {
		fprintf(s->host.trace, "[dispenser] %s\n", err.msg);
		say(s, "dispenser.fault", 0, 1);
		return "dispenser.fault";
	}
	if (r == DISP_JAM)
		return retain(s, "dispenser.jam");
	if (r != DISP_DONE) {
		const char *key = r == DISP_NO_KEY ? "dispenser.no_key" : "dispenser.fault";
		say(s, key, 0, r != DISP_NO_KEY);
		return key;
	}
	say(s, "dispenser.presented", 0, 0);
	int64_t deadline = mono_ms() + (int64_t)s->cfg.take_timeout_s * 1000;
	for (;;) {
		struct dispenser_status st;
		if (s->dev.ops->status(s->dev.dev, &st, &err) != KR_OK) {
			fprintf(s->host.trace, "[dispenser] %s\n", err.msg);
			say(s, "dispenser.fault", 0, 1);
			return "dispenser.fault";
		}
		if (!st.mouth) {
			say(s, "dispenser.taken", 0, 0);
			return "dispenser.taken";
		}
		if (mono_ms() >= deadline)
			break;
		usleep(100 * 1000);
	}
	return retain(s, "dispenser.not_taken");
}

/* At start-up: a key left in the personalisation slot or at the mouth by a power cut goes
 * to the retain bin — the order it was made for is settled by recovery (its certificate
 * revoked, the money refunded: served means handed out), and the next order needs the
 * slot. */
static void sweep(struct disp_service *s)
{
	struct dispenser_status st;
	struct kerr err = {{0}};
	if (s->dev.ops->status(s->dev.dev, &st, &err) != KR_OK || (!st.slot && !st.mouth))
		return;
	fprintf(s->host.trace, "[dispenser] a key left %s at start-up: retained\n",
	        st.slot ? "in the personalisation slot" : "at the mouth");
	retain(s, "dispenser.retained");
}

/* Tells the flow how a job for an order ended (nothing for staff or script jobs). */
static void answer(struct disp_service *s, int64_t order_id, enum flow_event_kind kind,
                   const char *key)
{
	if (!order_id)
		return;
	struct flow_event ev = {.kind = kind, .order_id = order_id};
	snprintf(ev.text, sizeof ev.text, "%s", key);
	s->host.post(s->host.app, &ev);
}

static void run(void *ctx, void *job)
{
	struct disp_service *s = ctx;
	const struct disp_job *j = job;
	switch (j->job) {
	case JOB_SWEEP:
		sweep(s);
		break;
	case JOB_CHECK:
		check_levels(s);
		break;
	case JOB_ISSUE: {
		const char *key = issue(s);
		int ok = strcmp(key, "dispenser.in_slot") == 0;
		answer(s, j->order_id, ok ? FEV_KEY_BLANK_READY : FEV_KEY_BLANK_FAILED, key);
		break;
	}
	case JOB_HAND_OUT: {
		/* journaled as a step of the order's work (store/work.h): served means handed
		 * out; a key not journaled as going out stays in */
		struct work_mark m = {.step = WORK_HAND_OUT};
		struct kerr err = {{0}};
		int journaled =
		    !j->order_id ||
		    work_mark(s->store, j->order_id, &m, s->host.utc_s(s->host.app), &err) == KR_OK;
		if (!journaled)
			fprintf(s->host.trace, "[dispenser] hand-out not journaled: %s\n", err.msg);
		const char *key = journaled ? hand_out(s) : retain(s, "dispenser.fault");
		int ok = strcmp(key, "dispenser.taken") == 0;
		m.done = 1;
		if (ok && j->order_id &&
		    work_mark(s->store, j->order_id, &m, s->host.utc_s(s->host.app), &err) != KR_OK)
			fprintf(s->host.trace, "[dispenser] hand-out not journaled: %s\n", err.msg);
		answer(s, j->order_id, ok ? FEV_KEY_TAKEN : FEV_KEY_RETAINED, key);
		break;
	}
	case JOB_RETAIN:
		retain(s, "dispenser.retained");
		break;
	case JOB_REFILL: {
		char item[32];
		item_of(j->bin, item, sizeof item);
		count_add(s, item, j->n);
		check_levels(s);
		break;
	}
	case JOB_NONE:
		break;
	}
}

static const struct worker_spec worker_spec = {
    .name = "dispenser", .job_size = sizeof(struct disp_job), .queue_max = QUEUE_MAX, .run = run};

static int enqueue(struct disp_service *s, enum job job, int bin, int n, int64_t order_id,
                   struct kerr *err)
{
	struct disp_job j = {.job = job, .bin = bin, .n = n, .order_id = order_id};
	return worker_submit(s->worker, &j, err);
}

static void submit(void *self, const struct flow_request *req)
{
	struct disp_service *s = self;
	struct kerr err = {{0}};
	enum job job = req->kind == FREQ_KEY_ISSUE      ? JOB_ISSUE
	               : req->kind == FREQ_KEY_HAND_OUT ? JOB_HAND_OUT
	               : req->kind == FREQ_KEY_RETAIN   ? JOB_RETAIN
	                                                : JOB_NONE;
	if (job == JOB_NONE)
		return;
	if (enqueue(s, job, 0, 0, req->order_id, &err) != KR_OK) {
		fprintf(s->host.trace, "[dispenser] %s\n", err.msg);
		answer(s, req->order_id, job == JOB_ISSUE ? FEV_KEY_BLANK_FAILED : FEV_KEY_RETAINED,
		       "dispenser.fault");
	}
}

static int busy(void *self)
{
	struct disp_service *s = self;
	return worker_busy(s->worker);
}

static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct disp_service *s = self;
	if (strcmp(verb, "issue") == 0)
		return enqueue(s, JOB_ISSUE, 0, 0, 0, err);
	if (strcmp(verb, "hand-out") == 0)
		return enqueue(s, JOB_HAND_OUT, 0, 0, 0, err);
	if (strcmp(verb, "retain") == 0)
		return enqueue(s, JOB_RETAIN, 0, 0, 0, err);
	if (strcmp(verb, "check") == 0)
		return enqueue(s, JOB_CHECK, 0, 0, 0, err);
	if (strcmp(verb, "refill") == 0) {
		int bin = 0, n = 0;
		if (sscanf(args, "%d %d", &bin, &n) != 2 || bin < 1 || bin > s->cfg.bins || n < 1 ||
		    n > 10000)
			return kerr_set(err, KR_INVALID, "dispenser refill: give BIN (1..%d) and N",
			                s->cfg.bins);
		return enqueue(s, JOB_REFILL, bin, n, 0, err);
	}
	return kerr_set(
	    err, KR_INVALID,
	    "dispenser: unknown verb '%s' (issue, hand-out, retain, refill BIN N, check)", verb);
}

static void destroy(void *self)
{
	struct disp_service *s = self;
	worker_stop(s->worker);
	if (s->dev.ops)
		s->dev.ops->close(s->dev.dev);
	store_close(s->store);
	free(s);
}

static const struct service_ops ops = {"serial", 0, submit, control, destroy, busy};

int dispenser_service_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	const struct conf_dispenser *c = &host->conf->dispenser;
	const char *file = host->conf->file;
	if (!c->device[0])
		return kerr_set(err, KR_CONFIG,
		                "%s: [dispenser]: missing section (dispenser = serial)", file);
	if (!tty_baud_ok(c->baud))
		return kerr_set(err, KR_CONFIG, "%s: [dispenser] baud: %d is not supported", file,
		                c->baud);
	if (c->empty >= c->low && c->low > 0)
		return kerr_set(err, KR_CONFIG, "%s: [dispenser] empty: must be below low", file);
	if (strcmp(c->control, "none") != 0 && c->control[0] != '/')
		return kerr_set(err, KR_CONFIG,
		                "%s: [dispenser] control: 'none' or an absolute socket path", file);
	struct disp_service *s = calloc(1, sizeof *s);
	if (!s)
		return kerr_set(err, KR_NOMEM, "out of memory");
	s->host = *host;
	s->cfg = *c;
	int rc = kdp_serial_open(c->device, c->baud, c->timeout_ms, &s->dev, err);
	if (rc == KR_OK)
		rc = store_open(host->conf->database, &s->store, err);
	if (rc == KR_OK)
		rc = worker_start(&worker_spec, s, &s->worker, err);
	if (rc == KR_OK) {
		fprintf(host->trace, "[dispenser] KDP/1 on %s at %d baud\n", c->device, c->baud);
		enqueue(s, JOB_SWEEP, 0, 0, 0, err);
		enqueue(s, JOB_CHECK, 0, 0, 0, err);
	}
	return service_created(rc, &ops, s, out);
}

/* staff_desk.c — staff mode's requests carried out and its events routed (see
 * staff_desk.h); its slow jobs on the one worker, their answers held for the loop. */
#include "staff/staff_desk.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/worker.h"
#include "core/cntime.h"
#include "staff/slip.h"
#include "staff/staff_pin.h"
#include "store/outbox.h"
#include "store/payments.h"
#include "store/reconciles.h"
#include "store/stats.h"

#define DESK_JOBS 8 /* far more than staff can start at once: one check, one slip */

enum job_kind { JOB_PIN, JOB_SLIP, JOB_RECON };

struct job { /* run and answered in the order they came */
	enum job_kind kind;
	char pin[16];                 /* PIN: wiped once checked */
	struct staff_request restock; /* SLIP: what was counted */
	int64_t now_utc;
	/* the answer */
	int ok;           /* PIN: it matched; SLIP, RECON: the slip was stored */
	int64_t slip_id;  /* SLIP, RECON: the stored slip */
	char reason[160]; /* SLIP, RECON: why it failed (cut) */
};

struct staff_desk {
	struct staff_desk_host host;
	struct staff *staff;
	int flow_closed;       /* the flow was told it is out of service */
	int64_t reprint_id;    /* the receipt staff asked to print, 0: none */
	int triage_pending;    /* the key check asked the keys service for a triage (2: with
	                          the staff key's PIN, its proof of possession) */
	int reconcile_pending; /* the pay service was asked for today's reconciliation */

	struct worker *worker;
	pthread_mutex_t mu; /* guards what follows: the worker hands answers to the loop */
	int taken;          /* jobs queued, running or answered but not yet drained */
	int ndone;
	struct job done[DESK_JOBS]; /* the answers, oldest first */
	struct store *wstore;       /* the worker's own handle, opened at its first slip */
};

static void feed(struct staff_desk *d, const struct staff_event *sev, int depth);

/* ---- the worker ---------------------------------------------------------------------- */

/* The slip of the newest reconciliation, made with store s. */
static int recon_slip(struct staff_desk *d, struct store *s, struct job *j, struct kerr *err)
{
	char day[11], why[160];
	int failed = 0;
	struct recon_report *r = malloc(sizeof *r);
	int rc = r ? reconciles_latest(s, day, r, &failed, why, sizeof why, err)
	           : kerr_set(err, KR_NOMEM, "out of memory");
	if (rc == KR_OK && failed)
		rc = kerr_set(err, KR_IO, "the reconciliation of %s could not be made: %s", day,
		              why);
	if (rc == KR_OK)
		rc = slip_reconcile(d->host.conf, s, day, r, j->now_utc, &j->slip_id, err);
	free(r);
	return rc;
}

/* Does job j's slow work with store s (a handle of the calling thread). */
static void job_run(struct staff_desk *d, struct job *j, struct store *s)
{
	struct kerr err = {{0}};
	if (j->kind == JOB_PIN) {
		j->ok = staff_pin_verify(d->host.conf->staff.pin_hash, j->pin);
		explicit_bzero(j->pin, sizeof j->pin);
		return;
	}
	int rc = s ? (j->kind == JOB_RECON
	                  ? recon_slip(d, s, j, &err)
	                  : slip_make(d->host.conf, s, &j->restock, j->now_utc, &j->slip_id, &err))
	           : KR_IO;
	j->ok = rc == KR_OK;
	if (!j->ok)
		snprintf(j->reason, sizeof j->reason, "%.159s",
		         s ? err.msg : "the staff worker has no database");
}

/* The worker's job: runs it and holds its answer for the loop (at most DESK_JOBS are
 * taken, so there is room). */
static void run(void *ctx, void *job)
{
	struct staff_desk *d = ctx;
	struct job *j = job; /* wiped by the worker */
	if (j->kind != JOB_PIN && !d->wstore) {
		struct kerr err = {{0}};
		if (store_open(d->host.conf->database, &d->wstore, &err) != KR_OK)
			fprintf(d->host.trace, "[staff] worker: %s\n", err.msg);
	}
	job_run(d, j, d->wstore);
	pthread_mutex_lock(&d->mu);
	d->done[d->ndone++] = *j;
	pthread_mutex_unlock(&d->mu);
	struct flow_event ev = {.kind = FEV_TICK}; /* wakes the loop: see staff_desk.h */
	d->host.post(d->host.app, &ev);
}

static const struct worker_spec worker_spec = {
    .name = "staff", .job_size = sizeof(struct job), .queue_max = DESK_JOBS, .run = run};

/* Gives job j (copied, then wiped) to the worker. With DESK_JOBS taken already (never in
 * use) it runs here and is answered at once. */
static void job_answer(struct staff_desk *d, struct job *j, int depth);

static void job_submit(struct staff_desk *d, struct job *j, int depth)
{
	struct kerr err = {{0}};
	pthread_mutex_lock(&d->mu);
	int queued = d->taken < DESK_JOBS && worker_submit(d->worker, j, &err) == KR_OK;
	d->taken += queued;
	pthread_mutex_unlock(&d->mu);
	if (!queued) {
		job_run(d, j, d->host.store);
		job_answer(d, j, depth);
	}
	explicit_bzero(j, sizeof *j);
}

/* ---- the loop thread ------------------------------------------------------------------ */

/* Asks the printer for a stored receipt or slip. Returns KR_OK or its error. */
static int reprint(struct staff_desk *d, int64_t receipt_id, struct kerr *err)
{
	struct service *p = &d->host.svc[SVC_PRINTER];
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)receipt_id);
	if (!p->ops->control)
		return kerr_set(err, KR_INVALID, "the printer takes no reprint");
	int rc = p->ops->control(p->self, "reprint", id, err);
	if (rc == KR_OK)
		d->reprint_id = receipt_id;
	return rc;
}

/* Hands a finished job's answer to staff mode. */
static void job_answer(struct staff_desk *d, struct job *j, int depth)
{
	struct staff_event sev = {.kind = SEV_DONE};
	struct kerr err = {{0}};
	if (j->kind == JOB_PIN) {
		sev.kind = SEV_PIN_RESULT;
		sev.ok = j->ok;
	} else {
		int recon = j->kind == JOB_RECON;
		const char *what = recon ? "reconciliation slip" : "restock slip";
		const char *failed = recon ? "staff.reconcile_failed" : "staff.slip_failed";
		if (!j->ok) {
			fprintf(d->host.trace, "[staff] %s: %s\n", what, j->reason);
			snprintf(sev.text, sizeof sev.text, "%s", failed);
		} else if (reprint(d, j->slip_id, &err) != KR_OK) {
			fprintf(d->host.trace, "[staff] %s %lld: %s\n", what, (long long)j->slip_id,
			        err.msg);
			snprintf(sev.text, sizeof sev.text, "%s", failed);
		} else {
			fprintf(d->host.trace, "[staff] %s %lld sent to the printer\n", what,
			        (long long)j->slip_id);
			snprintf(sev.text, sizeof sev.text, "%s",
			         recon ? "staff.reconciled" : "staff.restocked");
		}
	}
	feed(d, &sev, depth + 1);
}

/* Hands every answer the worker finished to staff mode, oldest first. */
static void drain(struct staff_desk *d)
{
	for (;;) {
		struct job j;
		pthread_mutex_lock(&d->mu);
		int have = d->ndone > 0;
		if (have) {
			j = d->done[0];
			memmove(d->done, d->done + 1, (size_t)--d->ndone * sizeof d->done[0]);
			explicit_bzero(&d->done[d->ndone], sizeof d->done[0]);
			d->taken--;
		}
		pthread_mutex_unlock(&d->mu);
		if (!have)
			return;
		job_answer(d, &j, 0);
		explicit_bzero(&j, sizeof j);
	}
}

/* Reads what the staff screens show. */
static void load(struct staff_desk *d, struct staff_data *out)
{
	struct store *s = d->host.store;
	struct kerr err = {{0}};
	int64_t now = d->host.now(d->host.app).utc_s;
	int64_t day = cntime_midnight(now);
	struct stats_day today;
	struct order_row rows[STAFF_ROWS_MAX];
	struct stats_receipt rec[STAFF_ROWS_MAX];
	struct payment_unsettled pay[STAFF_ROWS_MAX];

	memset(out, 0, sizeof *out);
	out->bins = d->host.conf->dispenser.bins > 0 ? d->host.conf->dispenser.bins : 1;
	for (int b = 0; b < out->bins && b < STAFF_BINS_MAX; b++) {
		char item[32];
		snprintf(item, sizeof item, "key_blank.bin%d", b + 1);
		store_consumable_get(s, item, &out->blank[b], &err);
	}
	store_consumable_get(s, "key_retained", &out->retained, &err);
	if (stats_day(s, day, day + 86400, &today, &err) == KR_OK) {
		out->orders_today = today.orders;
		out->served_today = today.served;
		out->refunded_today = today.refunded;
		out->takings_today_fen = today.takings_fen;
	}
	store_outbox_pending(s, &out->outbox, &err);
	outbox_last_contact(s, &out->last_contact_utc, &err);
	if (stats_stranded(s, rows, STAFF_ROWS_MAX, &out->nstranded, &err) == KR_OK)
		for (int i = 0; i < out->nstranded; i++) {
			out->stranded[i].id = rows[i].id;
			snprintf(out->stranded[i].order_no, sizeof out->stranded[i].order_no, "%s",
			         rows[i].order_no);
			out->stranded[i].amount_fen = rows[i].amount_fen;
			out->stranded[i].state = rows[i].state;
		}
	int listed = 0;
	if (payments_unsettled(s, 0, pay, STAFF_ROWS_MAX, &listed, &out->nunsettled, &err) == KR_OK)
		for (int i = 0; i < listed; i++) {
			snprintf(out->unsettled[i].order_no, sizeof out->unsettled[i].order_no,
			         "%s", pay[i].order_no);
			out->unsettled[i].status = pay[i].pay.status;
		}
	if (stats_receipts(s, rec, STAFF_ROWS_MAX, &out->nreceipts, &err) == KR_OK)
		for (int i = 0; i < out->nreceipts; i++) {
			out->receipts[i].id = rec[i].id;
			snprintf(out->receipts[i].kind, sizeof out->receipts[i].kind, "%s",
			         rec[i].kind);
			snprintf(out->receipts[i].order_no, sizeof out->receipts[i].order_no, "%s",
			         rec[i].order_no);
			out->receipts[i].printed = rec[i].printed;
		}
}

/* Refill through the dispenser and the retain bin emptied in the store, here; the slip
 * on the worker. Returns the outcome's string key when it ends here, else NULL. */
static const char *restock(struct staff_desk *d, const struct staff_request *r, int depth)
{
	struct kerr err = {{0}};
	struct service *disp = &d->host.svc[SVC_DISPENSER];
	int64_t now = d->host.now(d->host.app).utc_s;
	int ok = 1;
	for (int b = 0; b < r->bins && b < STAFF_BINS_MAX; b++) {
		char args[32];
		if (r->loaded[b] <= 0)
			continue;
		snprintf(args, sizeof args, "%d %lld", b + 1, (long long)r->loaded[b]);
		if (!disp->ops->control ||
		    disp->ops->control(disp->self, "refill", args, &err) != KR_OK) {
			fprintf(d->host.trace, "[staff] refill bin %d: %s\n", b + 1,
			        disp->ops->control ? err.msg : "the dispenser takes no refill");
			ok = 0;
		}
	}
	if (r->removed > 0 &&
	    store_consumable_add(d->host.store, "key_retained", -r->removed, now, &err) != KR_OK) {
		fprintf(d->host.trace, "[staff] retain bin: %s\n", err.msg);
		ok = 0;
	}
	if (!ok)
		return "staff.restock_failed";
	struct job j = {.kind = JOB_SLIP, .restock = *r, .now_utc = now};
	job_submit(d, &j, depth);
	return NULL; /* the slip's answer ends it */
}

/* A stranded order goes to recovery, which refunds it through the pay service. */
static const char *refund(struct staff_desk *d, int64_t order_id)
{
	struct kerr err = {{0}};
	struct order_row row;
	if (store_order_get(d->host.store, order_id, &row, &err) != KR_OK ||
	    (row.state != ORDER_PAID && row.state != ORDER_REFUNDING) ||
	    d->host.recover(d->host.app, &row, &err) != KR_OK) {
		fprintf(d->host.trace, "[staff] refund of order %lld: %s\n", (long long)order_id,
		        err.msg[0] ? err.msg : "not a stranded payment");
		return "staff.refund_failed";
	}
	return "staff.refund_asked";
}

/* Asks the keys service to read the key in the port; its FEV_TRIAGE comes to the desk. */
static void key_check(struct staff_desk *d)
{
	struct service *keys = &d->host.svc[SVC_KEYS];
	struct flow_request r = {.kind = FREQ_TRIAGE};
	d->triage_pending = 1;
	keys->ops->submit(keys->self, &r);
}

/* Asks the keys service to have the staff key r->key prove its possession with its PIN
 * r->pin (wiped here): a triage that carries the PIN (see kiosk/pki/keys_service.c),
 * whose FEV_TRIAGE reports the staff role only when the proof verified. */
static void key_prove(struct staff_desk *d, struct staff_request *r)
{
	struct service *keys = &d->host.svc[SVC_KEYS];
	struct flow_request fr = {.kind = FREQ_TRIAGE};
	memcpy(fr.work.pin, r->pin, sizeof fr.work.pin);
	explicit_bzero(r->pin, sizeof r->pin);
	snprintf(fr.work.key_serial, sizeof fr.work.key_serial, "%s", r->key);
	d->triage_pending = 2;
	keys->ops->submit(keys->self, &fr);
	explicit_bzero(&fr, sizeof fr);
}

static void execute(struct staff_desk *d, struct staff_out *out, int depth)
{
	struct kerr err = {{0}};
	int64_t now = d->host.now(d->host.app).utc_s;
	for (int i = 0; i < out->n; i++) {
		struct staff_request *r = &out->req[i];
		struct staff_event sev = {.kind = SEV_DONE};
		const char *done = NULL;
		fprintf(d->host.trace, "[staff] %s%s%s\n", staff_request_name(r->kind),
		        r->kind == SREQ_JOURNAL ? " " : "",
		        r->kind == SREQ_JOURNAL ? r->journal_kind : "");
		switch (r->kind) {
		case SREQ_PIN_CHECK: {
			struct job j = {.kind = JOB_PIN};
			memcpy(j.pin, r->pin, sizeof j.pin);
			explicit_bzero(r->pin, sizeof r->pin);
			job_submit(d, &j, depth);
			break;
		}
		case SREQ_KEY_CHECK:
			key_check(d);
			break;
		case SREQ_KEY_PROVE:
			key_prove(d, r);
			break;
		case SREQ_LOAD:
			sev.kind = SEV_DATA;
			load(d, &sev.data);
			feed(d, &sev, depth + 1);
			break;
		case SREQ_JOURNAL:
			if (store_journal_append(d->host.store, r->journal_kind, 0, r->journal_body,
			                         now, &err) != KR_OK)
				fprintf(d->host.trace, "[staff] journal: %s\n", err.msg);
			break;
		case SREQ_RESTOCK:
			done = restock(d, r, depth);
			break;
		case SREQ_REFUND:
			done = refund(d, r->id);
			break;
		case SREQ_RECONCILE: {
			/* today's; the pay service's FEV_PAY_RECONCILED comes to the desk */
			struct service *pay = &d->host.svc[SVC_PAY];
			struct flow_request fr = {.kind = FREQ_PAY_RECONCILE, .day_utc = now};
			d->reconcile_pending = 1;
			pay->ops->submit(pay->self, &fr);
			break;
		}
		case SREQ_REPRINT:
			if (reprint(d, r->id, &err) != KR_OK) {
				fprintf(d->host.trace, "[staff] reprint %lld: %s\n",
				        (long long)r->id, err.msg);
				done = "staff.reprint_failed";
			} /* else the printer's answer ends it */
			break;
		default:
			break;
		}
		if (done) {
			snprintf(sev.text, sizeof sev.text, "%s", done);
			feed(d, &sev, depth + 1);
		}
	}
	explicit_bzero(out, sizeof *out);
}

/* The flow takes no new session while staff hold the screen or took the kiosk out of
 * service; a session under way finishes. */
static void sync_flow(struct staff_desk *d)
{
	int closed = staff_active(d->staff) || staff_view(d->staff)->out_of_service;
	if (closed == d->flow_closed)
		return;
	d->flow_closed = closed;
	d->host.close_flow(d->host.app, closed);
}

static void feed(struct staff_desk *d, const struct staff_event *sev, int depth)
{
	struct staff_out out;
	if (depth > 4)
		return; /* answers lead to at most a load: never this deep */
	staff_handle(d->staff, sev, d->host.now(d->host.app), &out);
	execute(d, &out, depth);
	sync_flow(d);
}

int staff_desk_route(struct staff_desk *d, const struct flow_event *ev)
{
	struct staff_event sev = {.kind = SEV_COUNT};
	int own = 0;
	drain(d);
	switch (ev->kind) {
	case FEV_TAP:
		if (ev->intent == INTENT_STAFF_ENTER) {
			own = 1;
			if (d->host.conf->staff.pin_hash[0] && !d->host.in_session(d->host.app))
				sev.kind = SEV_ENTER;
		} else if (staff_active(d->staff)) {
			own = 1; /* no tap reaches the flow in staff mode */
			if (ev->intent == INTENT_STAFF) {
				sev.kind = SEV_ACTION;
				sev.action = (enum staff_action)(ev->arg & 0xff);
				sev.row = ev->arg >> 8;
				snprintf(sev.text, sizeof sev.text, "%.63s", ev->text);
			}
		}
		break;
	case FEV_TICK:
		sev.kind = SEV_TICK;
		break;
	case FEV_DEVICE_STATUS:
		sev.kind = SEV_DEVICE;
		sev.ok = !ev->arg;
		snprintf(sev.text, sizeof sev.text, "%.63s", ev->text);
		break;
	case FEV_KEY_INSERTED: /* the flow sees it too: it keeps track of the port */
		if (staff_active(d->staff))
			sev.kind = SEV_KEY_INSERTED;
		break;
	case FEV_KEY_REMOVED: /* the flow sees it too */
		if (staff_active(d->staff))
			sev.kind = SEV_KEY_REMOVED;
		break;
	case FEV_TRIAGE:
	case FEV_TRIAGE_FAILED: {
		int proof = d->triage_pending == 2;
		if (!d->triage_pending)
			break;
		own = 1; /* the flow did not ask for it */
		d->triage_pending = 0;
		sev.kind = ev->kind == FEV_TRIAGE ? SEV_KEY_RESULT : SEV_KEY_FAILED;
		sev.ok = ev->kind == FEV_TRIAGE &&
		         staff_key_ok(&ev->key, d->host.now(d->host.app).utc_s);
		if (ev->kind == FEV_TRIAGE)
			snprintf(sev.text, sizeof sev.text, "%s", ev->key.serial);
		const char *what =
		    sev.ok ? "a staff certificate: the key's PIN is asked" : "not a staff key";
		if (proof)
			what = sev.ok ? "the staff key proved its possession"
			              : "the key's PIN or proof failed";
		fprintf(d->host.trace, "[staff] key check: %s\n",
		        ev->kind == FEV_TRIAGE_FAILED ? "the key did not read" : what);
		break;
	}
	case FEV_PAY_RECONCILED:
		if (!d->reconcile_pending)
			break;
		own = 1;
		d->reconcile_pending = 0;
		if (ev->arg < 0) {
			sev.kind = SEV_DONE;
			snprintf(sev.text, sizeof sev.text, "staff.reconcile_failed");
		} else {
			struct job j = {.kind = JOB_RECON,
			                .now_utc = d->host.now(d->host.app).utc_s};
			job_submit(d, &j, 0); /* the slip's answer ends it */
		}
		break;
	case FEV_PRINTED:
	case FEV_PRINT_FAILED:
		if (ev->order_id == 0 && d->reprint_id && ev->arg == d->reprint_id) {
			d->reprint_id = 0;
			sev.kind = SEV_DONE;
			snprintf(sev.text, sizeof sev.text, "%s",
			         ev->kind == FEV_PRINTED ? "staff.reprint_asked"
			                                 : "staff.reprint_failed");
		}
		break;
	default:
		break;
	}
	if (sev.kind != SEV_COUNT)
		feed(d, &sev, 0);
	explicit_bzero(&sev, sizeof sev);
	return own;
}

int staff_desk_busy(struct staff_desk *d)
{
	pthread_mutex_lock(&d->mu);
	int busy = d->taken > 0;
	pthread_mutex_unlock(&d->mu);
	return busy;
}

const struct staff_view *staff_desk_view(const struct staff_desk *d)
{
	return staff_view(d->staff);
}

int staff_desk_create(const struct staff_desk_host *host, struct staff_desk **out, struct kerr *err)
{
	const struct conf_staff *c = &host->conf->staff;
	struct staff_config cfg = {c->lock_minutes ? c->lock_minutes : 30,
	                           c->idle_timeout_s ? c->idle_timeout_s : 120};
	struct staff_lock lock;
	*out = NULL;
	if (c->pin_hash[0] && !staff_pin_hash_ok(c->pin_hash))
		return kerr_set(err, KR_CONFIG,
		                "%s: [staff] pin_hash: not pbkdf2-sha256$ITER$SALT$HASH (hex)",
		                host->conf->file);
	int rc = stats_staff_pin(host->store, &lock.failures, &lock.last_lock_utc, err);
	if (rc != KR_OK)
		return rc;
	struct staff_desk *d = calloc(1, sizeof *d);
	if (!d)
		return kerr_set(err, KR_NOMEM, "out of memory");
	d->host = *host;
	pthread_mutex_init(&d->mu, NULL);
	d->staff = staff_create(&cfg, &lock, host->now(host->app));
	if (!d->staff) {
		staff_desk_destroy(d);
		return kerr_set(err, KR_NOMEM, "out of memory");
	}
	rc = worker_start(&worker_spec, d, &d->worker, err);
	if (rc != KR_OK) {
		staff_desk_destroy(d);
		return rc;
	}
	fprintf(host->trace, "[staff] staff mode %s\n",
	        c->pin_hash[0] ? "on (hidden gesture, then the PIN or a staff key)"
	                       : "off (no [staff] pin_hash)");
	*out = d;
	return KR_OK;
}

void staff_desk_destroy(struct staff_desk *d)
{
	if (!d)
		return;
	worker_stop(d->worker);
	store_close(d->wstore); /* the worker's, now it has stopped */
	staff_destroy(d->staff);
	pthread_mutex_destroy(&d->mu);
	explicit_bzero(d, sizeof *d);
	free(d);
}

/* printer_service.c — the CUPS printer service: a queue of print jobs worked off on the
 * service's own thread, which owns the receipt maker, its database handle and the CUPS
 * connection. */
#include "devices/printer_service.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mono.h"
#include "base/worker.h"
#include "conf/conf.h"
#include "conf/strings.h"
#include "drivers/printer/cups_printer.h"
#include "receipt/receipt.h"
#include "store/receipts.h"
#include "store/store.h"

#define QUEUE_MAX      8
#define JOB_POLL_MS    100
#define FAULT_GRACE_MS 1500 /* a fault must last this long during a job to fail it */

struct job {
	int64_t reprint_id; /* 0: render d; otherwise a stored receipt */
	int64_t order_id;
	struct receipt_data d;
};

struct prn {
	struct service_host host;
	const struct conf_printer *cfg;
	struct strings *st;
	struct receipt_place place;
	struct receipt_maker *maker;
	struct store *store;
	struct cups_printer *cups; /* the thread's */

	struct worker *worker; /* idle: the status poll every [printer] status_poll_s */
	char status_key[32];   /* last posted, "" before the first */
};

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* Posts FEV_DEVICE_STATUS when the printer's status key changed. */
static void status_note(struct prn *p, const struct cups_status *st)
{
	const char *key = cups_status_key(st);
	if (strcmp(key, p->status_key) == 0)
		return;
	snprintf(p->status_key, sizeof p->status_key, "%s", key);
	fprintf(p->host.trace, "[printer] %s: %s%s%s\n", p->cfg->queue, key,
	        st->reasons_text[0] ? " — " : "", st->reasons_text);
	struct flow_event ev = {.kind = FEV_DEVICE_STATUS, .arg = cups_status_fault(st)};
	snprintf(ev.text, sizeof ev.text, "%s", key);
	p->host.post(p->host.app, &ev);
}

/* Reads the printer's status and notes it. */
static void status_poll(struct prn *p, struct cups_status *st)
{
	struct kerr err;
	if (cups_printer_status(p->cups, st, &err) != KR_OK && p->status_key[0] &&
	    strcmp(p->status_key, "print.unreachable") != 0)
		fprintf(p->host.trace, "[printer] %s\n", err.msg);
	status_note(p, st);
}

/* Hands pdf to CUPS and follows the job. Returns NULL when printed, otherwise the
 * status key of the failure. */
static const char *print_pdf(struct prn *p, const char *title, const struct receipt_pdf *pdf)
{
	struct cups_status st;
	struct kerr err;
	int job, state = CUPS_JOB_PENDING;

	status_poll(p, &st);
	if (cups_status_refuses(&st))
		return cups_status_key(&st);
	if (cups_printer_submit(p->cups, title, pdf->data, pdf->len, &job, &err) != KR_OK) {
		fprintf(p->host.trace, "[printer] %s\n", err.msg);
		status_poll(p, &st);
		return cups_status_fault(&st) ? cups_status_key(&st) : "print.error";
	}
	int64_t start = mono_ms(), fault_since = 0;
	const char *why = NULL;
	for (;;) {
		if (cups_printer_job_state(p->cups, job, &state, &err) != KR_OK) {
			fprintf(p->host.trace, "[printer] job %d: %s\n", job, err.msg);
			status_poll(p, &st);
			return cups_status_fault(&st) ? cups_status_key(&st) : "print.error";
		}
		if (state == CUPS_JOB_COMPLETED) {
			status_poll(p, &st);
			return NULL;
		}
		status_poll(p, &st);
		if (state >= CUPS_JOB_CANCELED)
			return cups_status_fault(&st) ? cups_status_key(&st) : "print.error";
		int64_t now = mono_ms();
		if (!cups_status_fault(&st))
			fault_since = 0;
		else if (!fault_since)
			fault_since = now;
		if (fault_since && now - fault_since >= FAULT_GRACE_MS)
			why = cups_status_key(&st);
		else if (now - start >= (int64_t)p->cfg->job_timeout_s * 1000)
			why = "print.timeout";
		if (why)
			break;
		sleep_ms(JOB_POLL_MS);
	}
	/* never let a receipt come out later for a user long gone: staff reprint it */
	if (cups_printer_cancel(p->cups, job, &err) != KR_OK)
		fprintf(p->host.trace, "[printer] %s\n", err.msg);
	fprintf(p->host.trace, "[printer] job %d cancelled: %s\n", job, why);
	return why;
}

static const char *kind_of(const struct receipt_data *d)
{
	return d->check_report ? "check" : "receipt";
}

/* Renders (or reads back), stores, prints and answers one job. */
static void work(struct prn *p, const struct job *j)
{
	struct receipt_pdf pdf = {0};
	struct kerr err;
	int64_t id = j->reprint_id, now = p->host.utc_s(p->host.app);
	const char *why = NULL;
	struct flow_event ev = {.kind = FEV_PRINTED, .order_id = j->order_id};

	if (id) {
		struct receipt_row row;
		if (receipts_get(p->store, id, &row, &pdf.data, &pdf.len, &err) != KR_OK) {
			fprintf(p->host.trace, "[printer] reprint: %s\n", err.msg);
			why = "print.error";
		}
	} else if (receipt_render(p->maker, &j->d, &pdf, &err) != KR_OK) {
		fprintf(p->host.trace, "[printer] %s\n", err.msg);
		why = "print.error";
	} else if (receipts_add(p->store, j->order_id, kind_of(&j->d), pdf.data, pdf.len, now, &id,
	                        &err) != KR_OK) {
		/* print it all the same: the paper is the user's proof */
		fprintf(p->host.trace, "[printer] receipt not stored: %s\n", err.msg);
		id = 0;
	}
	if (!why && j->d.keep_only) {
		/* made again after a power cut: nobody waits at the printer; staff reprint it */
		if (id && receipts_mark(p->store, id, 0, "print.kept", now, &err) != KR_OK)
			fprintf(p->host.trace, "[printer] %s\n", err.msg);
		fprintf(p->host.trace,
		        "[printer] receipt %lld of order %lld kept to be reprinted\n",
		        (long long)id, (long long)j->order_id);
		receipt_pdf_free(&pdf);
		return;
	}
	if (!why) {
		char title[64];
		snprintf(title, sizeof title, "%s-%lld", j->reprint_id ? "reprint" : kind_of(&j->d),
		         (long long)id);
		why = print_pdf(p, title, &pdf);
	}
	if (id && receipts_mark(p->store, id, why == NULL, why, p->host.utc_s(p->host.app), &err) !=
	              KR_OK)
		fprintf(p->host.trace, "[printer] %s\n", err.msg);
	receipt_pdf_free(&pdf);
	fprintf(p->host.trace, "[printer] receipt %lld %s%s\n", (long long)id,
	        why ? "not printed: " : "printed", why ? why : "");
	if (why) {
		ev.kind = FEV_PRINT_FAILED;
		snprintf(ev.text, sizeof ev.text, "%s", why);
	}
	ev.arg = (int)id;
	p->host.post(p->host.app, &ev);
}

static void run(void *ctx, void *job)
{
	work(ctx, job);
}

static int64_t idle(void *ctx, int kicked)
{
	struct prn *p = ctx;
	struct cups_status st;
	(void)kicked; /* never kicked */
	status_poll(p, &st);
	return (int64_t)p->cfg->status_poll_s * 1000;
}

static const struct worker_spec worker_spec = {.name = "printer",
                                               .job_size = sizeof(struct job),
                                               .queue_max = QUEUE_MAX,
                                               .run = run,
                                               .idle = idle};

/* Queues j. KR_BUSY when the queue is full. */
static int enqueue(struct prn *p, const struct job *j, struct kerr *err)
{
	return worker_submit(p->worker, j, err);
}

static void submit(void *self, const struct flow_request *r)
{
	struct prn *p = self;
	struct kerr err;
	if (r->kind != FREQ_PRINT)
		return;
	struct job j = {.order_id = r->order_id, .d = r->receipt};
	if (enqueue(p, &j, &err) != KR_OK) {
		fprintf(p->host.trace, "[printer] %s\n", err.msg);
		struct flow_event ev = {.kind = FEV_PRINT_FAILED, .order_id = r->order_id};
		snprintf(ev.text, sizeof ev.text, "print.error");
		p->host.post(p->host.app, &ev);
	}
	explicit_bzero(&j, sizeof j);
}

int printer_cups_reprint(void *self, int64_t receipt_id, struct kerr *err)
{
	struct job j = {.reprint_id = receipt_id};
	return enqueue(self, &j, err);
}

static int busy(void *self)
{
	struct prn *p = self;
	return worker_busy(p->worker);
}

/* The service's own verb: "reprint ID" (a stored receipt printed again). The rig's
 * paper-out is steered by app/steer.c. */
static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct prn *p = self;
	if (strcmp(verb, "reprint") != 0)
		return kerr_set(err, KR_INVALID, "printer: unknown verb '%s' (reprint ID)", verb);
	char *end;
	long long id = strtoll(args ? args : "", &end, 10);
	if (id <= 0 || *end)
		return kerr_set(err, KR_INVALID, "printer reprint: expected a receipt id");
	return printer_cups_reprint(p, id, err);
}

static void destroy(void *self)
{
	struct prn *p = self;
	if (!p)
		return;
	worker_stop(p->worker);
	cups_printer_close(p->cups);
	receipt_maker_destroy(p->maker);
	store_close(p->store);
	strings_free(p->st);
	free(p);
}

static const struct service_ops ops = {"cups", 0, submit, control, destroy, busy};

int printer_cups_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	const struct conf *c = host->conf;
	if (!c->printer.queue[0])
		return kerr_set(
		    err, KR_CONFIG,
		    "%s: [printer]: missing section (needed by [services] printer = cups)",
		    c->file);
	struct prn *p = calloc(1, sizeof *p);
	if (!p)
		return kerr_set(err, KR_NOMEM, "out of memory");
	p->host = *host;
	p->cfg = &c->printer;

	int rc = strings_load(c->assets, c->language, &p->st, err);
	if (rc == KR_OK) {
		p->place = (struct receipt_place){
		    .st = p->st,
		    .hall = c->region.name,
		    .kiosk_id = c->kiosk_id,
		    .hotline = c->region.hotline,
		    .lookup_url = c->printer.lookup_url,
		    .paper_mm = c->printer.paper_mm,
		};
		struct kerr why;
		rc = receipt_maker_create(&p->place, &p->maker, &why);
		if (rc != KR_OK)
			rc = kerr_set(err, rc == KR_INVALID ? KR_CONFIG : rc, "%s: [printer]: %s",
			              c->file, why.msg);
	}
	if (rc == KR_OK)
		rc = store_open(c->database, &p->store, err);
	if (rc == KR_OK)
		rc = cups_printer_open(c->printer.queue, c->printer.server,
		                       c->printer.submit_timeout_s, &p->cups, err);
	if (rc == KR_OK)
		rc = worker_start(&worker_spec, p, &p->worker, err);
	return service_created(rc, &ops, p, out);
}

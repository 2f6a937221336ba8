/* keys_service.c — the keys service on PKCS#11: one worker thread owns the token
 * context (libp11 is not thread-safe); it takes triage and work requests from a small
 * queue and, while idle, re-enumerates about every 0.5 s to turn a key put into or
 * pulled from the user's port into FEV_KEY_INSERTED / FEV_KEY_REMOVED. With the local
 * issuer it also keeps the CRL fresh: at start and about once a minute after, it is
 * rewritten when keywork_crl_due says so (missing, a failed write, nextUpdate near).
 *
 * A triage that carries a PIN (work.pin, work.key_serial: staff mode's key check,
 * kiosk/staff) first has the key prove its possession of the staff certificate's private
 * key with that PIN (keywork_prove) and reports staff_role only when it did; the PIN is
 * wiped with the request. A proof request (a renewal authorised by possession of the key,
 * core/authority.h) has the user's key prove it the same way (FEV_KEY_PROVEN).
 *
 * Every effect of the work on a key is journaled as a step of its order before it is done
 * and after (the service's own store handle, store/work.h). A work that fails revokes the
 * certificates it had the CA issue. FREQ_WORK_SETTLE settles an order whose work did not
 * finish (a restart, or a new key not taken from the dispenser) from that journal and the
 * world: a renewal or change landed when its new certificate is on the key (or was
 * written), an unlock when the PIN reset was done, a loss report when its revocation was,
 * a new key only once it was handed out; otherwise what it issued is revoked
 * (cessationOfOperation) and the order goes on to its refund (FEV_WORK_FAILED; a new key
 * a power cut left in the dispenser is retained by the dispenser service at its start).
 *
 * Control: "look" has the thread look at the port at once (busy until it has: the rig's
 * key port is steered by app/steer); "fail REASON" makes the next work fail with
 * REASON (a scenario's). */
#include "pki/keys_service.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/mono.h"
#include "base/worker.h"
#include "pki/keywork.h"
#include "store/store.h"
#include "store/work.h"

#define QUEUE_MAX 8
#define POLL_MS   500
#define CRL_MS    60000 /* how often the idle hook looks whether the CRL is due */

struct pk {
	struct service_host host;
	struct keywork *kw;
	struct store *store;   /* the work journal; used on the thread only */
	struct worker *worker; /* control changing the port kicks it: busy until it saw that */
	pthread_mutex_t mu;    /* guards fail_next */
	char port[40];         /* serial of the key in the port, "" when empty */
	char fail_next[48];
	int64_t order_id; /* of the work in flight, for progress events */
	char order_no[32];
	int local_crl;         /* the local issuer: this kiosk writes the CRL */
	int64_t crl_looked_ms; /* mono time the idle hook last looked, 0: not yet */
};

static void post(struct pk *p, struct flow_event *ev)
{
	p->host.post(p->host.app, ev);
}

static void progress(void *ctx, const char *step)
{
	struct pk *p = ctx;
	struct flow_event ev = {.kind = FEV_WORK_PROGRESS, .order_id = p->order_id};
	snprintf(ev.text, sizeof ev.text, "%s", step);
	fprintf(p->host.trace, "[keys] order %s: %s\n", p->order_no, step);
	post(p, &ev);
}

/* A step of the work journaled for the order in flight (keywork's mark hook). */
static int on_mark(void *ctx, const struct work_mark *m)
{
	struct pk *p = ctx;
	struct kerr err = {{0}};
	int rc = work_mark(p->store, p->order_id, m, p->host.utc_s(p->host.app), &err);
	if (rc != KR_OK)
		fprintf(p->host.trace, "[keys] order %s: %s %s not journaled: %s\n", p->order_no,
		        work_step_name(m->step), m->done ? "done" : "intent", err.msg);
	return rc != KR_OK;
}

/* The escrow copy of an encryption key journaled for the order in flight (keywork's
 * escrow hook): the central site gets it with the journal. */
static int on_escrow(void *ctx, const struct work_escrow *e)
{
	struct pk *p = ctx;
	struct kerr err = {{0}};
	int rc = work_escrow(p->store, p->order_id, e, p->host.utc_s(p->host.app), &err);
	fprintf(p->host.trace, "[keys] order %s: escrow copy of %s %s\n", p->order_no,
	        e->cert_serial, rc == KR_OK ? "journaled" : err.msg);
	return rc != KR_OK;
}

/* Whether the journal m[0..n) says the certificate serial was revoked. */
static int revoked_in(const struct work_mark *m, int n, const char *serial)
{
	for (int k = 0; k < n; k++)
		if (m[k].step == WORK_REVOKE && m[k].done && strcmp(m[k].old_serial, serial) == 0)
			return 1;
	return 0;
}

/* Revokes the certificate serial (key: the key it was for) for reason, journaled. */
static void revoke_marked(struct pk *p, const char *key, const char *serial,
                          enum revoke_reason reason)
{
	struct work_mark v = {.step = WORK_REVOKE};
	struct kerr err = {{0}};
	snprintf(v.key_serial, sizeof v.key_serial, "%s", key);
	snprintf(v.old_serial, sizeof v.old_serial, "%s", serial);
	if (on_mark(p, &v))
		return;
	int rc = keywork_revoke_serial(p->kw, serial, reason, p->host.utc_s(p->host.app), &err);
	fprintf(p->host.trace, "[keys] order %s: certificate %s %s\n", p->order_no, serial,
	        rc == KR_OK ? "revoked" : err.msg);
	if (rc == KR_OK) {
		v.done = 1;
		on_mark(p, &v);
	}
}

/* Whether the journal m[0..n) says the certificate serial was written onto its key. */
static int written_in(const struct work_mark *m, int n, const char *serial)
{
	for (int k = 0; k < n; k++)
		if ((m[k].step == WORK_WRITE_CERT || m[k].step == WORK_WRITE_ENC) && m[k].done &&
		    strcmp(m[k].cert_serial, serial) == 0)
			return 1;
	return 0;
}

/* Revokes the certificates the order's work had issued and not revoked yet: every one
 * (all 1: the work did not deliver them), or only the encryption certificates neither
 * journaled as written nor on the key (all 0: a work that landed without its encryption
 * half). A certificate the ledger does not hold is the central site's, which has the
 * refunded order. */
static void void_issued(struct pk *p, const struct work_mark *m, int n, int all)
{
	for (int k = 0; k < n; k++) {
		int enc = m[k].step == WORK_ISSUE_ENC;
		if (!(m[k].step == WORK_ISSUE || enc) || !m[k].done || !m[k].cert_serial[0] ||
		    revoked_in(m, n, m[k].cert_serial))
			continue;
		if (!all && (!enc || written_in(m, n, m[k].cert_serial) ||
		             keywork_key_holds(p->kw, m[k].key_serial, m[k].cert_serial, NULL)))
			continue;
		revoke_marked(p, m[k].key_serial, m[k].cert_serial, REVOKE_CESSATION);
	}
}

static void in_flight(struct pk *p, const struct flow_request *r)
{
	p->order_id = r->order_id;
	snprintf(p->order_no, sizeof p->order_no, "%s", r->order_no);
}

static const struct work_mark *last_of(const struct work_mark *m, int n, enum work_step step,
                                       int done)
{
	for (int k = n - 1; k >= 0; k--)
		if (m[k].step == step && m[k].done >= done)
			return &m[k];
	return NULL;
}

/* Whether the journaled work m[0..n) of an order for biz landed, from the journal and the
 * key; *ev gets the certificate that did. */
static int landed(struct pk *p, enum business biz, const char *key_serial,
                  const struct work_mark *m, int n, struct flow_event *ev)
{
	const struct work_mark *issued = last_of(m, n, WORK_ISSUE, 1);
	switch (biz) {
	case BIZ_UNLOCK:
		/* only a reset known to be done: the PIN itself is long wiped */
		return last_of(m, n, WORK_SET_PIN, 1) != NULL;
	case BIZ_REVOKE:
		return last_of(m, n, WORK_REVOKE, 1) != NULL;
	case BIZ_RENEW:
	case BIZ_CHANGE: {
		if (!issued)
			return 0;
		const struct work_mark *written = last_of(m, n, WORK_WRITE_CERT, 1);
		if (!keywork_key_holds(p->kw, key_serial, issued->cert_serial,
		                       &ev->not_after_utc) &&
		    !(written && strcmp(written->cert_serial, issued->cert_serial) == 0))
			return 0;
		snprintf(ev->cert_serial, sizeof ev->cert_serial, "%s", issued->cert_serial);
		return 1;
	}
	default: /* a new key: served once handed out */
		if (!last_of(m, n, WORK_HAND_OUT, 1) || !issued)
			return 0;
		snprintf(ev->cert_serial, sizeof ev->cert_serial, "%s", issued->cert_serial);
		return 1;
	}
}

/* A change that landed: its old certificate revoked when the journal does not say so. */
static void change_finish(struct pk *p, const struct work_mark *m, int n)
{
	const struct work_mark *issued = last_of(m, n, WORK_ISSUE, 1);
	if (issued && issued->old_serial[0] && !revoked_in(m, n, issued->old_serial))
		revoke_marked(p, issued->key_serial, issued->old_serial, REVOKE_SUPERSEDED);
}

/* Settles an order whose work did not finish, from its journal and the world. */
static void run_settle(struct pk *p, const struct flow_request *r)
{
	struct work_mark m[WORK_MARKS_MAX];
	struct flow_event ev = {.kind = FEV_WORK_DONE, .order_id = r->order_id};
	struct kerr err = {{0}};
	int n = 0;
	in_flight(p, r);
	if (work_marks(p->store, r->order_id, m, WORK_MARKS_MAX, &n, &err) != KR_OK) {
		/* nothing decided: the order stays open for the next start */
		fprintf(p->host.trace, "[keys] order %s: work journal unreadable: %s\n",
		        r->order_no, err.msg);
		return;
	}
	if (landed(p, r->work.biz, r->work.key_serial, m, n, &ev)) {
		if (r->work.biz == BIZ_CHANGE)
			change_finish(p, m, n);
		void_issued(p, m, n, 0);
		fprintf(p->host.trace, "[keys] order %s: the work had landed%s%s\n", r->order_no,
		        ev.cert_serial[0] ? ", certificate " : "", ev.cert_serial);
	} else {
		void_issued(p, m, n, 1);
		ev.kind = FEV_WORK_FAILED;
		snprintf(ev.text, sizeof ev.text, "work.not_delivered");
		fprintf(p->host.trace, "[keys] order %s: the work had not landed\n", r->order_no);
	}
	post(p, &ev);
}

/* The central site revoked a certificate after its review of a loss report: the local
 * issuer's suspension of it made final (keyCompromise, dated from the hold), the CRL
 * rewritten. One the ledger does not hold suspended (the CMP CA's, or revoked already)
 * changes nothing here. */
static void run_final(struct pk *p, const struct flow_request *r)
{
	struct kerr err = {{0}};
	int rc = keywork_revoke_serial(p->kw, r->work.cert_serial, REVOKE_KEY_COMPROMISE,
	                               p->host.utc_s(p->host.app), &err);
	fprintf(p->host.trace, "[keys] certificate %s: %s\n", r->work.cert_serial,
	        rc == KR_OK ? "revoked for good after the central review" : err.msg);
}

static void run_triage(struct pk *p, const struct flow_request *r)
{
	struct flow_event ev = {.kind = FEV_TRIAGE};
	struct kerr err = {{0}};
	const struct work_spec *w = &r->work;
	int rc = KR_OK, proven = 0;
	if (w->pin[0]) {
		rc = keywork_prove(p->kw, w->key_serial, w->pin, 1, &err);
		proven = rc == KR_OK;
		if (!proven)
			fprintf(p->host.trace, "[keys] staff key: %s\n", err.msg);
	}
	if (rc != KR_NOT_FOUND)
		rc = keywork_triage(p->kw, p->host.utc_s(p->host.app), &ev.key, &err);
	if (rc == KR_OK && w->pin[0])
		ev.key.staff_role =
		    ev.key.staff_role && proven && strcmp(ev.key.serial, w->key_serial) == 0;
	if (rc != KR_OK) {
		ev.kind = FEV_TRIAGE_FAILED;
		snprintf(ev.text, sizeof ev.text, "%s",
		         rc == KR_NOT_FOUND ? "key.none" : "key.unreadable");
		fprintf(p->host.trace, "[keys] triage failed: %s\n", err.msg);
	}
	post(p, &ev);
	explicit_bzero(&ev, sizeof ev);
}

/* A renewal authorised by possession: the key proves it with its PIN (the request's,
 * wiped with it). A failure says whether the key is now locked. */
static void run_prove(struct pk *p, const struct flow_request *r)
{
	struct flow_event ev = {.kind = FEV_KEY_PROVEN, .arg = 1};
	struct kerr err = {{0}};
	int rc = keywork_prove(p->kw, r->work.key_serial, r->work.pin, 0, &err);
	if (rc != KR_OK) {
		struct key_triage k;
		ev.arg = 0;
		snprintf(ev.text, sizeof ev.text, "%s",
		         rc == KR_NOT_FOUND  ? "key.removed"
		         : rc != KR_CONFLICT ? "auth.key_unproven"
		         : keywork_triage(p->kw, p->host.utc_s(p->host.app), &k, &err) == KR_OK &&
		                 k.pin == KEYPIN_LOCKED
		             ? "auth.key_locked"
		             : "auth.key_pin_wrong");
		fprintf(p->host.trace, "[keys] key proof: %s (%s)\n", ev.text, err.msg);
		explicit_bzero(&k, sizeof k);
	}
	post(p, &ev);
}

static void run_work(struct pk *p, struct flow_request *r)
{
	struct flow_event ev = {.kind = FEV_WORK_DONE, .order_id = r->order_id};
	struct keywork_result res;
	struct kerr err = {{0}};
	struct keywork_hooks hooks = {progress, on_mark, on_escrow, p};
	in_flight(p, r);
	pthread_mutex_lock(&p->mu);
	char fail[48];
	snprintf(fail, sizeof fail, "%s", p->fail_next);
	p->fail_next[0] = '\0';
	pthread_mutex_unlock(&p->mu);
	int rc = fail[0]
	             ? KR_IO
	             : keywork_run(p->kw, &r->work, p->host.utc_s(p->host.app), &hooks, &res, &err);
	if (rc != KR_OK) {
		struct work_mark m[WORK_MARKS_MAX];
		int n = 0;
		if (work_marks(p->store, r->order_id, m, WORK_MARKS_MAX, &n, &err) == KR_OK)
			void_issued(p, m, n, 1);
		ev.kind = FEV_WORK_FAILED;
		snprintf(ev.text, sizeof ev.text, "%s", fail[0] ? fail : res.reason_key);
		fprintf(p->host.trace, "[keys] order %s: failed (%s) %s\n", r->order_no, ev.text,
		        fail[0] ? "as scripted" : err.msg);
	} else {
		snprintf(ev.cert_serial, sizeof ev.cert_serial, "%s", res.cert_serial);
		snprintf(ev.enc_serial, sizeof ev.enc_serial, "%s", res.enc_serial);
		ev.not_before_utc = res.not_before_utc;
		ev.not_after_utc = res.not_after_utc;
		fprintf(p->host.trace, "[keys] order %s: done%s%s%s\n", r->order_no,
		        res.cert_serial[0] ? ", certificate " : "", res.cert_serial,
		        res.queued ? ", revocation queued for the central site" : "");
	}
	post(p, &ev);
}

/* The CRL rewritten when due (traced by keywork_crl; a failed write is due again). */
static void crl_keep(struct pk *p)
{
	int64_t now = mono_ms();
	struct kerr err;
	if (!p->local_crl || (p->crl_looked_ms && now - p->crl_looked_ms < CRL_MS))
		return;
	p->crl_looked_ms = now;
	int64_t utc = p->host.utc_s(p->host.app);
	if (keywork_crl_due(p->kw, utc))
		keywork_crl(p->kw, utc, &err);
}

/* Hot-plug: compares the port with what was last reported; the CRL kept fresh. */
static int64_t poll_port(void *ctx, int kicked)
{
	struct pk *p = ctx;
	(void)kicked; /* a kick only has it look at once */
	crl_keep(p);
	char serial[40];
	int present = keywork_port(p->kw, serial, sizeof serial);
	if (!present)
		serial[0] = '\0';
	if (strcmp(serial, p->port) != 0) {
		if (p->port[0]) {
			struct flow_event ev = {.kind = FEV_KEY_REMOVED};
			fprintf(p->host.trace, "[keys] key removed from the port\n");
			post(p, &ev);
		}
		if (serial[0]) {
			struct flow_event ev = {.kind = FEV_KEY_INSERTED};
			fprintf(p->host.trace, "[keys] key inserted into the port\n");
			post(p, &ev);
		}
		snprintf(p->port, sizeof p->port, "%s", serial);
	}
	return POLL_MS;
}

static void run(void *ctx, void *job)
{
	struct flow_request *r = job; /* wiped by the worker: the new user PIN */
	if (r->kind == FREQ_TRIAGE)
		run_triage(ctx, r);
	else if (r->kind == FREQ_KEY_PROVE)
		run_prove(ctx, r);
	else if (r->kind == FREQ_WORK_SETTLE)
		run_settle(ctx, r);
	else if (r->kind == FREQ_CERT_FINAL)
		run_final(ctx, r);
	else
		run_work(ctx, r);
}

static const struct worker_spec worker_spec = {.name = "keys",
                                               .job_size = sizeof(struct flow_request),
                                               .queue_max = QUEUE_MAX,
                                               .run = run,
                                               .idle = poll_port,
                                               .idle_after_job = 1};

static void submit(void *self, const struct flow_request *r)
{
	struct pk *p = self;
	struct kerr err;
	if (r->kind != FREQ_TRIAGE && r->kind != FREQ_WORK && r->kind != FREQ_KEY_PROVE &&
	    r->kind != FREQ_WORK_SETTLE && r->kind != FREQ_CERT_FINAL)
		return;
	worker_submit(p->worker, r, &err); /* a full queue drops it */
}

static int busy(void *self)
{
	struct pk *p = self;
	return worker_busy(p->worker);
}

static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct pk *p = self;
	if (strcmp(verb, "look") == 0) {
		worker_kick(p->worker);
		return KR_OK;
	}
	if (strcmp(verb, "fail") == 0) {
		pthread_mutex_lock(&p->mu);
		snprintf(p->fail_next, sizeof p->fail_next, "%s", args[0] ? args : "work.failed");
		pthread_mutex_unlock(&p->mu);
		return KR_OK;
	}
	return kerr_set(err, KR_INVALID, "keys: unknown verb '%s' (look, fail)", verb);
}

static void destroy(void *self)
{
	struct pk *p = self;
	worker_stop(p->worker);
	keywork_destroy(p->kw);
	store_close(p->store);
	pthread_mutex_destroy(&p->mu);
	explicit_bzero(p, sizeof *p);
	free(p);
}

static const struct service_ops ops = {"pkcs11", 0, submit, control, destroy, busy};

int pkcs11_keys_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	const struct conf *c = host->conf;
	if (!c->keys.module[0])
		return kerr_set(err, KR_CONFIG,
		                "%s: [keys] section missing (needed by keys = pkcs11)", c->file);
	if (strcmp(c->keys.issuer, "cmp") == 0 && !c->keys.cmp.server[0])
		return kerr_set(err, KR_CONFIG,
		                "%s: [cmp] section missing (needed by [keys] issuer = cmp)",
		                c->file);
	struct pk *p = calloc(1, sizeof *p);
	if (!p)
		return kerr_set(err, KR_NOMEM, "out of memory");
	p->host = *host;
	p->local_crl = strcmp(c->keys.issuer, "cmp") != 0;
	int rc = store_open(c->database, &p->store, err);
	if (rc == KR_OK)
		rc = keywork_create(&c->keys, host->trace, &p->kw, err);
	if (rc != KR_OK) {
		store_close(p->store);
		free(p);
		return rc;
	}
	/* the key already in the port at start counts as inserted then */
	keywork_port(p->kw, p->port, sizeof p->port);
	pthread_mutex_init(&p->mu, NULL);
	rc = worker_start(&worker_spec, p, &p->worker, err);
	if (rc != KR_OK) {
		keywork_destroy(p->kw);
		store_close(p->store);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return rc;
	}
	out->ops = &ops;
	out->self = p;
	return KR_OK;
}

/* keys.c — STAND-IN for key work, for component tests that need no tokens (the real
 * service is kiosk/pki/keys_service.c): a key port holding one of a few made-up keys,
 * triage from that, and work that only pretends. The new user PIN in a work request is
 * never copied or printed. */
#include <stdio.h>
#include <string.h>

#include "core/cntime.h"
#include "standin/standin.h"

#define DAY_S 86400

struct profile {
	const char *name;
	int has_cert;
	enum issuer_kind issuer;
	enum holder holder;
	const char *subject_name;
	const char *subject_id;
	int days_left; /* at insertion */
	enum pin_state pin;
	int has_seal;
	const char *check_fail; /* reason key, NULL when the check passes */
};

static const struct profile profiles[] = {
    {"unit-expiring", 1, ISSUER_OURS, HOLDER_UNIT, "南通示例建设工程有限公司", "91350200MA2YJ1XR9G",
     10, KEYPIN_OK, 1, NULL},
    {"unit-locked", 1, ISSUER_OURS, HOLDER_UNIT, "南通示例建设工程有限公司", "91350200MA2YJ1XR9G",
     200, KEYPIN_LOCKED, 1, NULL},
    {"person-expiring", 1, ISSUER_OURS, HOLDER_PERSON, "张三", "11010519491231002X", 5, KEYPIN_OK,
     0, NULL},
    {"person-expired-long", 1, ISSUER_OURS, HOLDER_PERSON, "张三", "11010519491231002X", -400,
     KEYPIN_OK, 0, "check.expired"},
    {"jsca-unit", 1, ISSUER_JSCA, HOLDER_UNIT, "南通示例建设工程有限公司", "91350200MA2YJ1XR9G",
     300, KEYPIN_OK, 1, NULL},
    {"foreign", 1, ISSUER_OTHER, HOLDER_PERSON, "李四", "810000199408230021", 300, KEYPIN_OK, 0,
     "check.foreign_ca"},
    {"blank", 0, ISSUER_NONE, HOLDER_UNIT, "", "", 0, KEYPIN_OK, 0, "check.no_cert"},
};

struct keys {
	struct service_host host;
	const struct profile *inserted;
	int64_t inserted_at;
	int index;
	char fail_next[48];
	unsigned serial_counter;
};

static void post(struct keys *k, struct flow_event *ev)
{
	k->host.post(k->host.app, ev);
}

static void triage(struct keys *k)
{
	struct flow_event ev = {.kind = FEV_TRIAGE};
	const struct profile *p = k->inserted;
	if (!p) {
		ev.kind = FEV_TRIAGE_FAILED;
		snprintf(ev.text, sizeof ev.text, "key.none");
		post(k, &ev);
		return;
	}
	struct key_triage *t = &ev.key;
	snprintf(t->serial, sizeof t->serial, "SIM%04d", k->index);
	snprintf(t->label, sizeof t->label, "stand-in %s", p->name);
	t->has_cert = p->has_cert;
	t->issuer = p->issuer;
	t->holder = p->holder;
	snprintf(t->subject_name, sizeof t->subject_name, "%s", p->subject_name);
	snprintf(t->subject_id, sizeof t->subject_id, "%s", p->subject_id);
	if (p->has_cert) {
		/* noon of the day days_left calendar days after the insertion */
		t->not_after_utc =
		    cntime_midnight(k->inserted_at) + (int64_t)p->days_left * DAY_S + DAY_S / 2;
		t->not_before_utc = cntime_add_years(t->not_after_utc, -1);
	}
	t->pin = p->pin;
	t->has_seal = p->has_seal;
	t->has_enc = t->has_cert; /* the stand-in's keys hold the pair */
	t->check_pass = p->check_fail == NULL;
	snprintf(t->check_reason, sizeof t->check_reason, "%s", p->check_fail ? p->check_fail : "");
	fprintf(k->host.trace, "[stand-in keys] triage of %s: %s\n", t->serial, p->name);
	post(k, &ev);
}

static void progress(struct keys *k, const struct flow_request *r, const char *step)
{
	struct flow_event ev = {.kind = FEV_WORK_PROGRESS, .order_id = r->order_id};
	snprintf(ev.text, sizeof ev.text, "%s", step);
	fprintf(k->host.trace, "[stand-in keys] order %s: %s\n", r->order_no, step);
	post(k, &ev);
}

static void work(struct keys *k, const struct flow_request *r)
{
	const struct work_spec *w = &r->work;
	static const char *const renew_steps[] = {"work.csr", "work.issue", "work.write_cert",
	                                          "work.verify", NULL};
	static const char *const new_steps[] = {
	    "work.dispense",   "work.init_key", "work.keygen",   "work.issue",
	    "work.write_cert", "work.verify",   "work.hand_out", NULL};
	static const char *const unlock_steps[] = {"work.so_login", "work.set_pin",
	                                           "work.verify_pin", NULL};
	static const char *const revoke_steps[] = {"work.revoke_request", NULL};
	const char *const *steps = w->biz == BIZ_RENEW    ? renew_steps
	                           : w->biz == BIZ_UNLOCK ? unlock_steps
	                           : w->biz == BIZ_REVOKE ? revoke_steps
	                                                  : new_steps;
	for (int i = 0; steps[i]; i++)
		progress(k, r, steps[i]);

	struct flow_event ev = {.kind = FEV_WORK_DONE, .order_id = r->order_id};
	if (k->fail_next[0]) {
		ev.kind = FEV_WORK_FAILED;
		snprintf(ev.text, sizeof ev.text, "%s", k->fail_next);
		k->fail_next[0] = '\0';
		fprintf(k->host.trace, "[stand-in keys] order %s: failed (%s)\n", r->order_no,
		        ev.text);
		post(k, &ev);
		return;
	}
	if (w->biz != BIZ_UNLOCK && w->biz != BIZ_REVOKE) {
		int64_t from = w->biz == BIZ_RENEW ? w->renew_from_utc : k->host.utc_s(k->host.app);
		int years = w->years > 0 ? w->years : 1;
		ev.not_before_utc = from;
		ev.not_after_utc = cntime_add_years(from, years);
		snprintf(ev.cert_serial, sizeof ev.cert_serial, "5A%014X", ++k->serial_counter);
	}
	fprintf(k->host.trace, "[stand-in keys] order %s: done%s%s\n", r->order_no,
	        ev.cert_serial[0] ? ", certificate " : "", ev.cert_serial);
	post(k, &ev);
}

/* Work that did not finish: the stand-in keeps no work journal, so none ever landed. */
static void settle(struct keys *k, const struct flow_request *r)
{
	struct flow_event ev = {.kind = FEV_WORK_FAILED, .order_id = r->order_id};
	snprintf(ev.text, sizeof ev.text, "work.not_delivered");
	fprintf(k->host.trace, "[stand-in keys] order %s: the work had not landed\n", r->order_no);
	post(k, &ev);
}

static void submit(void *self, const struct flow_request *r)
{
	struct keys *k = self;
	if (r->kind == FREQ_TRIAGE)
		triage(k);
	else if (r->kind == FREQ_WORK)
		work(k, r);
	else if (r->kind == FREQ_WORK_SETTLE)
		settle(k, r);
}

static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct keys *k = self;
	if (strcmp(verb, "insert") == 0) {
		for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
			if (strcmp(profiles[i].name, args) == 0) {
				k->inserted = &profiles[i];
				k->inserted_at = k->host.utc_s(k->host.app);
				k->index++;
				struct flow_event ev = {.kind = FEV_KEY_INSERTED};
				post(k, &ev);
				return KR_OK;
			}
		return kerr_set(err, KR_INVALID, "no stand-in key named '%s'", args);
	}
	if (strcmp(verb, "remove") == 0) {
		k->inserted = NULL;
		struct flow_event ev = {.kind = FEV_KEY_REMOVED};
		post(k, &ev);
		return KR_OK;
	}
	if (strcmp(verb, "fail") == 0) {
		snprintf(k->fail_next, sizeof k->fail_next, "%s", args[0] ? args : "work.failed");
		return KR_OK;
	}
	return kerr_set(err, KR_INVALID, "keys: unknown verb '%s' (insert, remove, fail)", verb);
}

static const struct service_ops ops = {"standin", 1, submit, control, standin_free};

int standin_keys_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	return standin_new(sizeof(struct keys), host, &ops, out, err);
}

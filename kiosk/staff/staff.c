/* staff.c — the staff mode state machine: screens, the PIN lock, the restock exchange.
 * Every change of screen passes through set_screen(); every action is journaled. */
#include "staff/staff.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct staff {
	struct staff_config cfg;
	struct staff_lock lock;
	int64_t last_touch_ms;
	int checking; /* a PIN or a key is being checked */
	int proving;  /* the check is the staff key's proof of possession */
	int key_in;   /* a key came into the port at the PIN pad and is still there */
	char key[40]; /* the staff key whose PIN the pad asks for (view.key_pin) */
	struct staff_view view;
};

static const char *const action_names[STA_COUNT] = {
    "show",        "pin",         "restock-start", "load-more",      "load-less",
    "remove-more", "remove-less", "restock-end",   "restock-cancel", "refund",
    "reprint",     "service",     "exit",          "reconcile",
};
static const char *const screen_names[STAFF_SCREEN_COUNT] = {
    "off", "pin", "locked", "home", "devices", "stock", "restock", "orders", "stranded", "receipts",
};
static const char *const request_names[SREQ_COUNT] = {
    "pin_check", "load",    "journal",   "restock",   "refund",
    "reprint",   "service", "key_check", "key_prove", "reconcile",
};

const char *staff_action_name(enum staff_action a)
{
	return (int)a >= 0 && a < STA_COUNT ? action_names[a] : "?";
}
int staff_action_from_name(const char *name)
{
	for (int i = 0; name && i < STA_COUNT; i++)
		if (strcmp(action_names[i], name) == 0)
			return i;
	return -1;
}
const char *staff_screen_name(enum staff_screen sc)
{
	return (int)sc >= 0 && sc < STAFF_SCREEN_COUNT ? screen_names[sc] : "?";
}
int staff_screen_from_name(const char *name)
{
	for (int i = 0; name && i < STAFF_SCREEN_COUNT; i++)
		if (strcmp(screen_names[i], name) == 0)
			return i;
	return -1;
}
const char *staff_request_name(enum staff_request_kind k)
{
	return (int)k >= 0 && k < SREQ_COUNT ? request_names[k] : "?";
}

static struct staff_request *emit(struct staff_out *out, enum staff_request_kind kind)
{
	if (out->n == STAFF_MAX_REQUESTS)
		return NULL; /* never reached: no event leads to more */
	struct staff_request *r = &out->req[out->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	return r;
}

/* Journals a staff action: kind "staff.<what>", body JSON without personal data. */
static void journal(struct staff_out *out, const char *what, const char *body)
{
	struct staff_request *r = emit(out, SREQ_JOURNAL);
	if (!r)
		return;
	snprintf(r->journal_kind, sizeof r->journal_kind, "staff.%s", what);
	snprintf(r->journal_body, sizeof r->journal_body, "%s", body ? body : "{}");
}

static int64_t lock_until(const struct staff *s)
{
	return s->lock.last_lock_utc ? s->lock.last_lock_utc + (int64_t)s->cfg.lock_minutes * 60
	                             : 0;
}

static int loads_screen(enum staff_screen sc)
{
	return sc == STAFF_HOME || sc == STAFF_STOCK || sc == STAFF_ORDERS ||
	       sc == STAFF_STRANDED || sc == STAFF_RECEIPTS || sc == STAFF_RESTOCK;
}

/* Every change of screen passes here. */
static void set_screen(struct staff *s, struct staff_out *out, enum staff_screen to)
{
	struct staff_view *v = &s->view;
	if (to != v->screen)
		v->notice_key[0] = '\0';
	if (to != STAFF_PIN) { /* the staff key's PIN is asked for on the pad only */
		v->key_pin = 0;
		s->key_in = 0;
		s->key[0] = '\0';
	}
	v->screen = to;
	if (to == STAFF_OFF) {
		memset(&v->data, 0, sizeof v->data);
		memset(v->loaded, 0, sizeof v->loaded);
		v->removed = 0;
		v->busy = 0;
	}
	if (loads_screen(to))
		emit(out, SREQ_LOAD);
}

static void enter(struct staff *s, struct staff_out *out, struct flow_time now)
{
	if (s->view.screen != STAFF_OFF)
		return;
	journal(out, "enter", "{}");
	set_screen(s, out, now.utc_s < lock_until(s) ? STAFF_LOCKED : STAFF_PIN);
}

/* Starts a check (of a PIN or a key): one at a time, on the PIN pad only. */
static int check_start(struct staff *s)
{
	if (s->checking || s->view.screen != STAFF_PIN)
		return 0;
	s->checking = 1;
	snprintf(s->view.notice_key, sizeof s->view.notice_key, "staff.checking");
	return 1;
}

/* The answer of a check: a PIN's (key NULL) or a key's (its token serial). */
static void check_result(struct staff *s, struct staff_out *out, int ok, const char *key,
                         struct flow_time now)
{
	char body[96], serial[40] = "";
	int proof = s->proving;
	if (!s->checking || s->view.screen != STAFF_PIN)
		return;
	s->checking = 0;
	s->proving = 0;
	s->view.notice_key[0] = '\0';
	/* the serial goes into JSON: only the characters serials are made of */
	for (size_t i = 0; key && key[i] && i < sizeof serial - 1; i++)
		serial[i] = isalnum((unsigned char)key[i]) || strchr("-_.:", key[i]) ? key[i] : '?';
	if (ok) {
		s->lock.failures = 0;
		if (key)
			snprintf(body, sizeof body, "{\"key\":\"%s\"}", serial);
		journal(out, "pin_ok", key ? body : "{}");
		set_screen(s, out, STAFF_HOME);
		return;
	}
	s->lock.failures++;
	if (key)
		snprintf(body, sizeof body, "{\"failures\":%d,\"key\":\"%s\"}", s->lock.failures,
		         serial);
	else
		snprintf(body, sizeof body, "{\"failures\":%d}", s->lock.failures);
	journal(out, "pin_bad", body);
	if (s->lock.failures >= STAFF_PIN_TRIES) {
		s->lock.failures = 0;
		s->lock.last_lock_utc = now.utc_s;
		snprintf(body, sizeof body, "{\"minutes\":%d}", s->cfg.lock_minutes);
		journal(out, "lock", body);
		set_screen(s, out, STAFF_LOCKED);
	} else {
		snprintf(s->view.notice_key, sizeof s->view.notice_key, "%s",
		         proof ? "staff.key_pin_wrong"
		         : key ? "staff.key_refused"
		               : "staff.pin_wrong");
	}
}

/* A key's answer: after its proof, the verdict; after the first read, a user's key is
 * refused, and a staff certificate has the pad ask for the key's own PIN (the proof). */
static void key_result(struct staff *s, struct staff_out *out, const struct staff_event *ev,
                       struct flow_time now)
{
	struct staff_view *v = &s->view;
	if (!s->checking || v->screen != STAFF_PIN)
		return;
	if (s->proving) {
		/* the serial the proof was asked for: the key may have been swapped since */
		check_result(s, out, ev->ok && strcmp(ev->text, s->key) == 0, s->key, now);
		return;
	}
	if (!ev->ok) {
		check_result(s, out, 0, ev->text, now);
		return;
	}
	s->checking = 0;
	v->notice_key[0] = '\0';
	if (!s->key_in)
		return; /* pulled out while it was read */
	v->key_pin = 1;
	snprintf(s->key, sizeof s->key, "%.39s", ev->text);
	snprintf(v->notice_key, sizeof v->notice_key, "staff.key_found");
}

static void restock_end(struct staff *s, struct staff_out *out)
{
	struct staff_view *v = &s->view;
	char body[160];
	int len = snprintf(body, sizeof body, "{\"loaded\":[");
	for (int b = 0; b < v->data.bins && len < (int)sizeof body; b++)
		len += snprintf(body + len, sizeof body - (size_t)len, "%s%lld", b ? "," : "",
		                (long long)v->loaded[b]);
	if (len < (int)sizeof body)
		snprintf(body + len, sizeof body - (size_t)len, "],\"removed\":%lld}",
		         (long long)v->removed);
	journal(out, "restock", body);
	struct staff_request *r = emit(out, SREQ_RESTOCK);
	r->bins = v->data.bins;
	for (int b = 0; b < v->data.bins; b++) {
		r->before[b] = v->data.blank[b];
		r->loaded[b] = v->loaded[b];
	}
	r->retained_before = v->data.retained;
	r->removed = v->removed;
	v->busy = 1;
	set_screen(s, out, STAFF_STOCK);
	snprintf(v->notice_key, sizeof v->notice_key, "staff.restocking");
}

/* The actions that ask a service for something, each journaled: a stranded payment's
 * refund, a receipt's reprint, today's reconciliation, the kiosk out of service or back. */
static void request_action(struct staff *s, struct staff_out *out, const struct staff_event *ev)
{
	struct staff_view *v = &s->view;
	enum staff_screen sc = v->screen;
	int row = ev->row;
	char body[96];

	switch (ev->action) {
	case STA_REFUND:
		if (sc != STAFF_STRANDED || v->busy || row < 0 || row >= v->data.nstranded)
			return;
		snprintf(body, sizeof body, "{\"order\":\"%s\"}", v->data.stranded[row].order_no);
		journal(out, "refund", body);
		emit(out, SREQ_REFUND)->id = v->data.stranded[row].id;
		v->busy = 1;
		snprintf(v->notice_key, sizeof v->notice_key, "staff.refunding");
		return;
	case STA_REPRINT:
		if (sc != STAFF_RECEIPTS || v->busy || row < 0 || row >= v->data.nreceipts)
			return;
		snprintf(body, sizeof body, "{\"receipt\":%lld}",
		         (long long)v->data.receipts[row].id);
		journal(out, "reprint", body);
		emit(out, SREQ_REPRINT)->id = v->data.receipts[row].id;
		v->busy = 1;
		snprintf(v->notice_key, sizeof v->notice_key, "staff.printing");
		return;
	case STA_RECONCILE:
		if (sc != STAFF_ORDERS || v->busy)
			return;
		journal(out, "reconcile", "{}");
		emit(out, SREQ_RECONCILE);
		v->busy = 1;
		snprintf(v->notice_key, sizeof v->notice_key, "staff.reconciling");
		return;
	case STA_SERVICE:
		if (sc != STAFF_HOME)
			return;
		v->out_of_service = !v->out_of_service;
		snprintf(body, sizeof body, "{\"out_of_service\":%d}", v->out_of_service);
		journal(out, "service", body);
		emit(out, SREQ_SERVICE)->arg = v->out_of_service;
		return;
	default:
		return;
	}
}

static void on_action(struct staff *s, struct staff_out *out, const struct staff_event *ev,
                      struct flow_time now)
{
	struct staff_view *v = &s->view;
	enum staff_screen sc = v->screen;
	int row = ev->row;

	if (ev->action == STA_EXIT) {
		if (sc == STAFF_RESTOCK)
			journal(out, "restock_cancel", "{}");
		journal(out, "exit", "{}");
		s->checking = 0;
		s->proving = 0;
		set_screen(s, out, STAFF_OFF);
		return;
	}
	if (sc == STAFF_PIN) {
		if (ev->action == STA_PIN && check_start(s)) {
			struct staff_request *r =
			    emit(out, v->key_pin ? SREQ_KEY_PROVE : SREQ_PIN_CHECK);
			snprintf(r->pin, sizeof r->pin, "%.15s", ev->text);
			if (v->key_pin) {
				s->proving = 1;
				snprintf(r->key, sizeof r->key, "%s", s->key);
			}
		}
		return;
	}
	if (sc == STAFF_LOCKED || sc == STAFF_OFF)
		return;
	(void)now;
	switch (ev->action) {
	case STA_SHOW:
		if (sc == STAFF_RESTOCK || row < STAFF_HOME || row >= STAFF_SCREEN_COUNT ||
		    row == STAFF_RESTOCK)
			return;
		set_screen(s, out, (enum staff_screen)row);
		return;
	case STA_RESTOCK_START:
		if (sc != STAFF_STOCK || v->busy)
			return;
		memset(v->loaded, 0, sizeof v->loaded);
		v->removed = 0;
		journal(out, "restock_start", "{}");
		set_screen(s, out, STAFF_RESTOCK);
		return;
	case STA_LOAD_MORE:
	case STA_LOAD_LESS:
		if (sc != STAFF_RESTOCK || row < 0 || row >= v->data.bins)
			return;
		if (ev->action == STA_LOAD_MORE && v->loaded[row] < STAFF_LOAD_MAX)
			v->loaded[row]++;
		else if (ev->action == STA_LOAD_LESS && v->loaded[row] > 0)
			v->loaded[row]--;
		return;
	case STA_REMOVE_MORE:
		if (sc == STAFF_RESTOCK && v->removed < v->data.retained)
			v->removed++;
		return;
	case STA_REMOVE_LESS:
		if (sc == STAFF_RESTOCK && v->removed > 0)
			v->removed--;
		return;
	case STA_RESTOCK_END:
		if (sc == STAFF_RESTOCK)
			restock_end(s, out);
		return;
	case STA_RESTOCK_CANCEL:
		if (sc != STAFF_RESTOCK)
			return;
		journal(out, "restock_cancel", "{}");
		set_screen(s, out, STAFF_STOCK);
		return;
	case STA_REFUND:
	case STA_REPRINT:
	case STA_RECONCILE:
	case STA_SERVICE:
		request_action(s, out, ev);
		return;
	default:
		return;
	}
}

/* Notes a device's status key under its prefix ("print.paper_out" → "print"). */
static void on_device(struct staff *s, const char *key, int faulty)
{
	struct staff_view *v = &s->view;
	char name[16];
	size_t n = strcspn(key, ".");
	snprintf(name, sizeof name, "%.15s", key);
	name[n < sizeof name ? n : sizeof name - 1] = '\0';
	int i;
	for (i = 0; i < v->ndevices && strcmp(v->device[i].name, name) != 0; i++)
		;
	if (i == v->ndevices) {
		if (v->ndevices == STAFF_DEVICES_MAX)
			return;
		v->ndevices++;
	}
	snprintf(v->device[i].name, sizeof v->device[i].name, "%s", name);
	snprintf(v->device[i].status_key, sizeof v->device[i].status_key, "%.47s", key);
	v->device[i].faulty = faulty;
}

static void on_tick(struct staff *s, struct staff_out *out, struct flow_time now)
{
	struct staff_view *v = &s->view;
	if (v->screen == STAFF_OFF)
		return;
	if (now.mono_ms - s->last_touch_ms >= (int64_t)s->cfg.idle_timeout_s * 1000 && !v->busy) {
		if (v->screen == STAFF_RESTOCK)
			journal(out, "restock_cancel", "{}");
		journal(out, "timeout", "{}");
		s->checking = 0;
		s->proving = 0;
		set_screen(s, out, STAFF_OFF);
		return;
	}
	if (v->screen == STAFF_LOCKED && now.utc_s >= lock_until(s))
		set_screen(s, out, STAFF_PIN);
	else if (loads_screen(v->screen) && v->screen != STAFF_RESTOCK)
		emit(out, SREQ_LOAD); /* counts change while staff look at them */
}

/* Recomputes the derived fields of the view. */
static void refresh(struct staff *s, struct flow_time now)
{
	struct staff_view *v = &s->view;
	int64_t until = lock_until(s);
	v->tries_left = STAFF_PIN_TRIES - s->lock.failures;
	v->locked_s = now.utc_s < until ? (int)(until - now.utc_s) : 0;
	int64_t left = (int64_t)s->cfg.idle_timeout_s * 1000 - (now.mono_ms - s->last_touch_ms);
	v->remaining_s = v->screen == STAFF_OFF || left < 0 ? 0 : (int)((left + 999) / 1000);
	v->checking = s->checking;
}

void staff_handle(struct staff *s, const struct staff_event *ev, struct flow_time now,
                  struct staff_out *out)
{
	struct staff_view before = s->view;
	out->n = 0;
	switch (ev->kind) {
	case SEV_ENTER:
		s->last_touch_ms = now.mono_ms;
		enter(s, out, now);
		break;
	case SEV_ACTION:
		s->last_touch_ms = now.mono_ms;
		on_action(s, out, ev, now);
		break;
	case SEV_TICK:
		on_tick(s, out, now);
		break;
	case SEV_PIN_RESULT:
		check_result(s, out, ev->ok, NULL, now);
		break;
	case SEV_KEY_INSERTED:
		s->key_in = s->view.screen == STAFF_PIN;
		if (check_start(s)) {
			s->last_touch_ms = now.mono_ms;
			s->view.key_pin = 0; /* a new key: read afresh */
			s->key[0] = '\0';
			emit(out, SREQ_KEY_CHECK);
		}
		break;
	case SEV_KEY_RESULT:
		key_result(s, out, ev, now);
		break;
	case SEV_KEY_FAILED:
		if (s->checking && s->view.screen == STAFF_PIN) {
			s->checking = 0;
			s->proving = 0;
			s->view.key_pin = 0;
			s->key[0] = '\0';
			snprintf(s->view.notice_key, sizeof s->view.notice_key,
			         "staff.key_unreadable");
		}
		break;
	case SEV_KEY_REMOVED:
		/* a proof under way still ends in its verdict; the pad asks no more for the
		 * key's PIN */
		s->key_in = 0;
		if (s->view.key_pin) {
			s->view.key_pin = 0;
			if (!s->checking)
				s->view.notice_key[0] = '\0';
		}
		break;
	case SEV_DEVICE:
		on_device(s, ev->text, !ev->ok);
		break;
	case SEV_DATA:
		if (s->view.screen != STAFF_OFF)
			s->view.data = ev->data;
		break;
	case SEV_DONE:
		if (s->view.screen != STAFF_OFF && s->view.busy) {
			s->view.busy = 0;
			snprintf(s->view.notice_key, sizeof s->view.notice_key, "%.47s", ev->text);
			emit(out, SREQ_LOAD);
		}
		break;
	default:
		break;
	}
	refresh(s, now);
	before.version = s->view.version;
	/* a difference in padding alone would only redraw the same screen */
	// NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
	if (memcmp(&before, &s->view, sizeof before) != 0)
		s->view.version++;
}

struct staff *staff_create(const struct staff_config *cfg, const struct staff_lock *lock,
                           struct flow_time now)
{
	struct staff *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (lock)
		s->lock = *lock;
	s->last_touch_ms = now.mono_ms;
	refresh(s, now);
	return s;
}

void staff_destroy(struct staff *s)
{
	if (!s)
		return;
	explicit_bzero(s, sizeof *s);
	free(s);
}

const struct staff_view *staff_view(const struct staff *s)
{
	return &s->view;
}

int staff_active(const struct staff *s)
{
	return s->view.screen != STAFF_OFF;
}

int staff_key_ok(const struct key_triage *t, int64_t now_utc)
{
	return t->has_cert && t->issuer == ISSUER_OURS && t->staff_role &&
	       now_utc >= t->not_before_utc && now_utc <= t->not_after_utc;
}

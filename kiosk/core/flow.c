/* flow.c — the session flow state machine: walks a business's recipe step by step.
 *
 * All session data lives in struct session (flow_internal.h), which is wiped whole when
 * the session ends. Every step is entered through flow_enter_step() (the one place a step
 * changes) and every order state change goes out through flow_move_order(). This file
 * owns the flow's life (create, handle, destroy), the names of events, requests and
 * intents, and the key rules; the session and its recipe are in flow_session.c, taps in
 * flow_taps.c, device and service events in flow_events.c, the view in flow_view.c. */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "cntime.h"
#include "flow_internal.h"

static const char *const event_names[FEV_COUNT] = {
    "tap",         "tick",          "card",           "card_error",      "key_inserted",
    "key_removed", "triage",        "triage_failed",  "order_created",   "store_failed",
    "pay_qr",      "pay_paid",      "pay_closed",     "pay_unsettled",   "pay_failed",
    "refunded",    "refund_failed", "work_progress",  "work_done",       "work_failed",
    "printed",     "print_failed",  "device_status",  "key_blank_ready", "key_blank_failed",
    "key_taken",   "key_retained",  "out_of_service", "pickup",          "pickup_failed",
    "inbox",       "agent",         "key_proven",     "pay_reconciled",
};
static const char *const request_names[FREQ_COUNT] = {
    "card_wait",   "card_stop",  "triage",       "order_create", "order_move",
    "pay_start",   "pay_cancel", "pay_refund",   "work",         "print",
    "journal",     "key_issue",  "key_hand_out", "key_retain",   "pickup_find",
    "agent_check", "key_prove",  "work_settle",  "cert_final",   "pay_reconcile",
};
static const char *const intent_names[INTENT_COUNT] = {
    "business", "holder", "next", "back",      "cancel",      "years", "seal",  "sub-keys",
    "change",   "text",   "pin",  "more-time", "staff-enter", "staff", "email", "pickup",
};

const char *flow_event_name(enum flow_event_kind k)
{
	return (int)k >= 0 && k < FEV_COUNT ? event_names[k] : "?";
}
const char *flow_request_name(enum flow_request_kind k)
{
	return (int)k >= 0 && k < FREQ_COUNT ? request_names[k] : "?";
}
const char *flow_intent_name(enum intent i)
{
	return (int)i >= 0 && i < INTENT_COUNT ? intent_names[i] : "?";
}
int flow_intent_from_name(const char *name)
{
	for (int i = 0; name && i < INTENT_COUNT; i++)
		if (strcmp(intent_names[i], name) == 0)
			return i;
	return -1;
}

/* Copies src (NULL: "") into dst, cut to fit, always terminated. */
void flow_copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; src && n + 1 < size && src[n]; n++)
		dst[n] = src[n];
	dst[n] = '\0';
}

/* ---- key rules ------------------------------------------------------------------ */

/* Calendar days (China time) from today to the day the certificate ends: 1 on the eve of
 * that day however late in the evening, negative once it has passed. */
int flow_days_left(const struct key_triage *k, int64_t utc_s)
{
	return (int)cntime_days_between(utc_s, k->not_after_utc);
}

int flow_suggest(const struct key_triage *k, const struct flow_config *cfg, int64_t utc_s)
{
	if (!k->has_cert)
		return BIZ_NEW;
	if (k->issuer == ISSUER_JSCA)
		return BIZ_EXCHANGE;
	if (k->issuer != ISSUER_OURS)
		return -1;
	if (k->pin == KEYPIN_LOCKED)
		return BIZ_UNLOCK;
	int left = flow_days_left(k, utc_s);
	if (left <= cfg->renew_window_days && left >= -cfg->renew_grace_days)
		return BIZ_RENEW;
	return -1;
}

const char *flow_key_misfit(enum business biz, const struct key_triage *k,
                            const struct flow_config *cfg, int64_t utc_s)
{
	if (biz == BIZ_CHECK)
		return NULL;
	if (!k->has_cert)
		return "fit.no_cert";
	if (biz == BIZ_EXCHANGE)
		return k->issuer == ISSUER_JSCA ? NULL : "fit.not_jsca";
	if (k->issuer != ISSUER_OURS)
		return k->issuer == ISSUER_JSCA ? "fit.jsca_exchange" : "fit.not_ours";
	int left = flow_days_left(k, utc_s);
	switch (biz) {
	case BIZ_RENEW:
		if (left < -cfg->renew_grace_days)
			return "fit.expired_too_long";
		if (left > cfg->renew_window_days)
			return "fit.not_due";
		return NULL;
	case BIZ_CHANGE:
		return left < 0 ? "fit.expired" : NULL;
	default:
		return NULL;
	}
}

/* ---- public ----------------------------------------------------------------------------- */

struct flow *flow_create(const struct flow_config *cfg, struct flow_time now)
{
	struct flow *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->cfg = cfg;
	f->now = now;
	f->s.screen = SCREEN_START;
	flow_build_view(f);
	return f;
}

void flow_destroy(struct flow *f)
{
	if (!f)
		return;
	explicit_bzero(f, sizeof *f);
	free(f);
}

void flow_handle(struct flow *f, const struct flow_event *ev, struct flow_time now,
                 struct flow_out *out)
{
	out->n = 0;
	f->now = now;
	/* a notice on the start screen stays until the next person does something */
	if ((ev->kind == FEV_TAP || ev->kind == FEV_KEY_INSERTED) && f->s.screen == SCREEN_START)
		f->s.notice_key[0] = '\0';
	flow_on_event(f, out, ev);
	if (f->s.screen != SCREEN_START && f->s.deadline_ms && now.mono_ms >= f->s.deadline_ms)
		flow_on_timeout(f, out);
	flow_build_view(f);
}

const struct flow_view *flow_view(const struct flow *f)
{
	return &f->view;
}

int flow_idle(const struct flow *f)
{
	return f->s.screen == SCREEN_START;
}

static int nonzero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 1;
	return 0;
}

int flow_holds_personal_data(const struct flow *f)
{
	const struct session *s = &f->s;
	return nonzero(&s->card, sizeof s->card) || nonzero(&s->key, sizeof s->key) ||
	       nonzero(s->unit_code, sizeof s->unit_code) || nonzero(s->phone, sizeof s->phone) ||
	       nonzero(s->email, sizeof s->email) ||
	       nonzero(&f->view.email_masked, sizeof f->view.email_masked) ||
	       nonzero(&s->order, sizeof s->order) || nonzero(s->pin, sizeof s->pin) ||
	       nonzero(s->pin_first, sizeof s->pin_first) ||
	       nonzero(&f->view.subject_masked, sizeof f->view.subject_masked) ||
	       nonzero(&f->view.card_masked, sizeof f->view.card_masked);
}

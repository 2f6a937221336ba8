/* flow.c — the session flow state machine: walks a business's recipe step by step.
 *
 * All session data lives in struct session, which is wiped whole when the session
 * ends. Every step is entered through enter_step() (the one place a step changes) and
 * every order state change goes out through move_order(). */
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cntime.h"
#include "ident.h"
#include "pin.h"

/* One user's session: everything in it is wiped when it ends. */
struct session {
	enum flow_screen screen;
	enum business biz;
	enum holder holder;
	int holder_known;
	const struct recipe *recipe;
	int idx; /* index into recipe->steps */

	struct id_card card;
	int have_card;
	struct key_triage key;
	int have_key;
	char unit_code[20];
	char phone[16];
	int contact_email;               /* the contact step asks for the e-mail now */
	char email[IDENT_EMAIL_MAX + 1]; /* for the e-invoice; "" when skipped */
	char pin[16];
	char pin_first[16];
	int pin_round;
	int pickup;                /* picking up an order reviewed centrally */
	int pickup_looking;        /* its number is being looked up */
	struct pickup_order order; /* the order found */

	int years, seal, sub_keys;
	enum change_kind change;
	struct fee_quote quote;

	int64_t order_id;
	char order_no[32];
	enum order_state order_state;
	int creating, cancelling, refunding;
	int in_slot; /* a new key is in the personalisation slot: hand out or retain */
	char qr[256];
	struct qr_matrix qr_matrix;
	char trade_no[64];

	char cert_serial[48];
	int64_t not_before_utc, not_after_utc;
	char progress_key[48];
	int work_steps;
	const char *print_key;
	char error_key[48];
	char notice_key[48];

	int card_waiting;    /* the card reader was asked to wait for a card */
	int64_t deadline_ms; /* 0: no time-out */
	int extended;
};

struct flow {
	const struct flow_config *cfg;
	struct flow_time now;
	int key_present;    /* the port, not the person: survives sessions */
	int out_of_service; /* the store failed: no new session until a restart */
	int closed;         /* staff took the kiosk out of service (FEV_OUT_OF_SERVICE) */
	struct session s;
	struct flow_view view;
};

static const char *const event_names[FEV_COUNT] = {
    "tap",
    "tick",
    "card",
    "card_error",
    "key_inserted",
    "key_removed",
    "triage",
    "triage_failed",
    "order_created",
    "store_failed",
    "pay_qr",
    "pay_paid",
    "pay_closed",
    "pay_failed",
    "refunded",
    "refund_failed",
    "work_progress",
    "work_done",
    "work_failed",
    "printed",
    "print_failed",
    "device_status",
    "key_blank_ready",
    "key_blank_failed",
    "key_taken",
    "key_retained",
    "out_of_service",
    "pickup",
    "pickup_failed",
    "inbox",
};
static const char *const request_names[FREQ_COUNT] = {
    "card_wait", "card_stop",  "triage",       "order_create", "order_move",
    "pay_start", "pay_cancel", "pay_refund",   "work",         "print",
    "journal",   "key_issue",  "key_hand_out", "key_retain",   "pickup_find",
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
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; src && n + 1 < size && src[n]; n++)
		dst[n] = src[n];
	dst[n] = '\0';
}
#define COPY(dst, src) copy((dst), sizeof(dst), (src))

/* ---- key rules ------------------------------------------------------------------ */

/* Calendar days (China time) from today to the day the certificate ends: 1 on the eve of
 * that day however late in the evening, negative once it has passed. */
static int days_left(const struct key_triage *k, int64_t utc_s)
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
	int left = days_left(k, utc_s);
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
	int left = days_left(k, utc_s);
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

/* ---- output helpers --------------------------------------------------------------- */

static struct flow_request *emit(struct flow_out *out, enum flow_request_kind kind)
{
	if (out->n >= FLOW_MAX_REQUESTS)
		abort(); /* a programming error: the flow never asks for more in one event */
	struct flow_request *r = &out->req[out->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	return r;
}

static void move_order(struct flow *f, struct flow_out *out, enum order_state to,
                       const char *reason)
{
	struct flow_request *r = emit(out, FREQ_ORDER_MOVE);
	r->order_id = f->s.order_id;
	COPY(r->order_no, f->s.order_no);
	r->to = to;
	r->reason = reason;
	r->amount_fen = f->s.quote.total_fen;
	f->s.order_state = to;
}

static void subject_masked(const struct session *s, char *out, size_t size)
{
	char id[24], name[128];
	const char *src_name = s->have_key && s->key.has_cert ? s->key.subject_name : s->card.name;
	const char *src_id = s->have_key && s->key.has_cert                ? s->key.subject_id
	                     : s->holder == HOLDER_UNIT && s->unit_code[0] ? s->unit_code
	                                                                   : s->card.id_number;
	if (s->pickup && s->order.order_no[0]) {
		src_name = s->order.subject_name;
		src_id = s->order.subject_id;
	}
	ident_mask(src_id, id, sizeof id);
	if (s->holder == HOLDER_UNIT)
		COPY(name, src_name);
	else
		ident_mask_name(src_name, name, sizeof name);
	snprintf(out, size, "%s%s%s", name, name[0] && id[0] ? " " : "", id);
}

/* ---- session life ------------------------------------------------------------------- */

static void card_wait(struct flow *f, struct flow_out *out, int on)
{
	if (f->s.card_waiting == on)
		return;
	f->s.card_waiting = on;
	emit(out, on ? FREQ_CARD_WAIT : FREQ_CARD_STOP);
}

static void end_session(struct flow *f, struct flow_out *out, const char *notice)
{
	card_wait(f, out, 0);
	explicit_bzero(&f->s, sizeof f->s);
	f->s.screen = SCREEN_START;
	COPY(f->s.notice_key, notice);
}

static void fail(struct flow *f, const char *error_key)
{
	f->s.screen = SCREEN_ERROR;
	COPY(f->s.error_key, error_key);
	f->s.deadline_ms = f->now.mono_ms + (int64_t)f->cfg->step_timeout_s * 1000;
	f->s.extended = 0;
}

static enum step cur_step(const struct flow *f)
{
	return f->s.recipe ? f->s.recipe->steps[f->s.idx].step : STEP_HOLDER;
}

static int requote(struct flow *f)
{
	struct fee_request r = {
	    .biz = f->s.biz,
	    .holder = f->s.holder,
	    .years = f->s.years,
	    .seal = f->s.seal,
	    .sub_keys = f->s.sub_keys,
	    .change = f->s.change,
	};
	return fees_quote(f->cfg->fees, &r, &f->s.quote);
}

static void set_deadline(struct flow *f, enum step step)
{
	int secs = step == STEP_PAY    ? f->cfg->pay_timeout_s
	           : step == STEP_WORK ? 0
	                               : f->cfg->step_timeout_s;
	f->s.deadline_ms = secs ? f->now.mono_ms + (int64_t)secs * 1000 : 0;
}

static void enter_step(struct flow *f, struct flow_out *out, int idx, int dir);

static void advance(struct flow *f, struct flow_out *out)
{
	enter_step(f, out, f->s.idx + 1, +1);
}

static void default_options(struct flow *f)
{
	const struct recipe *r = f->s.recipe;
	f->s.years = r->years ? 1 : 0;
	f->s.seal = r->biz == BIZ_EXCHANGE ||
	            (r->seal_option &&
	             (r->biz == BIZ_RENEW || r->biz == BIZ_CHANGE ? f->s.key.has_seal
	                                                          : f->s.holder == HOLDER_UNIT));
	f->s.sub_keys = 0;
	f->s.change = CHANGE_NAME;
	if (r->change_option)
		for (int c = 0; c < CHANGE_COUNT; c++) {
			f->s.change = (enum change_kind)c;
			if (requote(f) == KR_OK)
				break;
		}
}

static const char *next_key(const struct recipe *r)
{
	if (r->review)
		return "next.wait_review";
	switch (r->biz) {
	case BIZ_EXCHANGE:
		return "next.reencrypt_bids";
	case BIZ_UNLOCK:
		return "next.remember_pin";
	case BIZ_REVOKE:
		return "next.revoke_24h";
	case BIZ_CHECK:
		return NULL;
	default:
		return "next.activate";
	}
}

static void print_receipt(struct flow *f, struct flow_out *out)
{
	struct flow_request *r = emit(out, FREQ_PRINT);
	struct receipt_data *d = &r->receipt;
	r->order_id = f->s.order_id;
	d->check_report = f->s.biz == BIZ_CHECK;
	d->biz = f->s.biz;
	d->holder = f->s.holder;
	COPY(d->order_no, f->s.order_no);
	d->quote = f->s.quote;
	COPY(d->trade_no, f->s.trade_no);
	subject_masked(&f->s, d->subject_masked, sizeof d->subject_masked);
	if (f->s.cert_serial[0]) {
		COPY(d->cert_serial, f->s.cert_serial);
		d->not_before_utc = f->s.not_before_utc;
		d->not_after_utc = f->s.not_after_utc;
	} else if (f->s.have_key) {
		d->not_before_utc = f->s.key.not_before_utc;
		d->not_after_utc = f->s.key.not_after_utc;
	}
	d->check_pass = f->s.key.check_pass;
	COPY(d->check_reason, f->s.key.check_reason);
	d->next_key = next_key(f->s.recipe);
	d->at_utc = f->now.utc_s;
	d->pickup = f->s.pickup;
	d->paid_fen = f->s.order.paid_fen;
	COPY(d->pickup_no, f->s.order.order_no);
	f->s.print_key = "print.printing";
}

static void order_request(struct flow *f, struct flow_out *out, enum flow_request_kind kind)
{
	struct flow_request *r = emit(out, kind);
	r->order_id = f->s.order_id;
	COPY(r->order_no, f->s.order_no);
}

/* Asks the key service for the work, handing it the PIN (wiped here). */
static void request_work(struct flow *f, struct flow_out *out)
{
	struct flow_request *r = emit(out, FREQ_WORK);
	struct work_spec *w = &r->work;
	r->order_id = f->s.order_id;
	COPY(r->order_no, f->s.order_no);
	w->biz = f->s.pickup ? BIZ_NEW : f->s.biz; /* a pick-up makes a new key */
	w->holder = f->s.holder;
	w->years = f->s.years;
	w->seal = f->s.seal;
	w->sub_keys = f->s.sub_keys;
	w->change = f->s.change;
	COPY(w->key_serial, f->s.key.serial);
	if (f->s.have_key && f->s.key.has_cert) {
		COPY(w->subject_name, f->s.key.subject_name);
		COPY(w->subject_id, f->s.key.subject_id);
		/* a renewal runs on from the current expiry, or from now when expired */
		w->renew_from_utc =
		    f->s.key.not_after_utc > f->now.utc_s ? f->s.key.not_after_utc : f->now.utc_s;
	} else if (f->s.pickup) {
		COPY(w->subject_name, f->s.order.subject_name);
		COPY(w->subject_id, f->s.order.subject_id);
	} else {
		COPY(w->subject_name, f->s.card.name);
		COPY(w->subject_id,
		     f->s.holder == HOLDER_UNIT ? f->s.unit_code : f->s.card.id_number);
	}
	COPY(w->pin, f->s.pin);
	explicit_bzero(f->s.pin, sizeof f->s.pin);
}

/* The work step: a new key first comes out of the dispenser into the personalisation
 * slot; the user's own key is worked on where it is. */
static void start_work(struct flow *f, struct flow_out *out)
{
	move_order(f, out, ORDER_WORKING, "work started");
	COPY(f->s.progress_key, "work.started");
	if (f->s.recipe->new_key) {
		order_request(f, out, FREQ_KEY_ISSUE);
		COPY(f->s.progress_key, "work.dispense");
		return;
	}
	request_work(f, out);
}

/* What happens on entering a step. */
static void on_enter(struct flow *f, struct flow_out *out, enum step step)
{
	struct session *s = &f->s;
	switch (step) {
	case STEP_INSERT_KEY:
		if (f->key_present)
			emit(out, FREQ_TRIAGE);
		break;
	case STEP_ID_CARD:
		explicit_bzero(&s->card, sizeof s->card);
		s->have_card = 0;
		card_wait(f, out, 1);
		break;
	case STEP_OPTIONS:
		default_options(f);
		if (requote(f) != KR_OK)
			fail(f, "fee.not_offered");
		break;
	case STEP_CONTACT: /* asked afresh: the mobile first */
		explicit_bzero(s->phone, sizeof s->phone);
		explicit_bzero(s->email, sizeof s->email);
		s->contact_email = 0;
		break;
	case STEP_PIN:
	case STEP_KEY_PIN: /* entered once, no second round */
		s->pin_round = 1;
		explicit_bzero(s->pin, sizeof s->pin);
		explicit_bzero(s->pin_first, sizeof s->pin_first);
		break;
	case STEP_CONFIRM:
		if (s->pickup)
			break; /* what was ordered and paid for, as the order says */
		if (!s->recipe->years && !s->recipe->change_option && !s->recipe->seal_option)
			default_options(f);
		if (requote(f) != KR_OK)
			fail(f, "fee.not_offered");
		else if (s->quote.total_fen > f->cfg->pay_ceiling_fen)
			fail(f, "fee.over_ceiling");
		break;
	case STEP_PAY: {
		move_order(f, out, ORDER_PAYING, "payment started");
		struct flow_request *r = emit(out, FREQ_PAY_START);
		r->order_id = s->order_id;
		COPY(r->order_no, s->order_no);
		r->biz = s->biz;
		r->amount_fen = s->quote.total_fen;
		break;
	}
	case STEP_WORK:
		start_work(f, out);
		break;
	case STEP_RESULT:
		if (s->recipe->review && s->order_id)
			move_order(f, out, ORDER_IN_REVIEW, "filed for review");
		if (s->biz == BIZ_CHECK) {
			struct flow_request *j = emit(out, FREQ_JOURNAL);
			COPY(j->journal_kind, "key-check");
			snprintf(j->journal_body, sizeof j->journal_body,
			         "{\"serial\":\"%s\",\"pass\":%s,\"reason\":\"%s\"}", s->key.serial,
			         s->key.check_pass ? "true" : "false", s->key.check_reason);
		}
		print_receipt(f, out);
		break;
	default:
		break;
	}
}

static int step_applies(const struct flow *f, const struct recipe *r, int idx)
{
	const struct recipe_step *st = &r->steps[idx];
	if ((st->when & WHEN_FRESH_KEY) && !f->cfg->renew_fresh_key)
		return 0;
	return catalogue_step_applies(r, st, f->s.holder, f->s.quote.total_fen);
}

static void enter_step(struct flow *f, struct flow_out *out, int idx, int dir)
{
	struct session *s = &f->s;
	const struct recipe *r = s->recipe;
	while (idx >= 0 && idx < r->nsteps && !step_applies(f, r, idx))
		idx += dir;
	if (idx < 0) {
		end_session(f, out, NULL);
		return;
	}
	if (idx >= r->nsteps) {
		end_session(f, out, "session.done");
		return;
	}
	if (r->steps[idx].step != STEP_ID_CARD)
		card_wait(f, out, 0);
	s->screen = SCREEN_STEP;
	s->idx = idx;
	s->error_key[0] = '\0';
	s->extended = 0;
	set_deadline(f, r->steps[idx].step);
	on_enter(f, out, r->steps[idx].step);
}

static void start_business(struct flow *f, struct flow_out *out, int biz)
{
	struct session *s = &f->s;
	if (biz < 0 || biz >= BIZ_COUNT || f->out_of_service || f->closed)
		return;
	if (!fees_offered(f->cfg->fees, (enum business)biz, HOLDER_UNIT) &&
	    !fees_offered(f->cfg->fees, (enum business)biz, HOLDER_PERSON)) {
		COPY(s->notice_key, "biz.not_offered_here");
		return;
	}
	explicit_bzero(s, sizeof *s);
	s->biz = (enum business)biz;
	s->holder = HOLDER_UNIT; /* provisional until the holder step or the key's subject */
	s->recipe = catalogue_recipe(s->biz, s->holder);
	enter_step(f, out, 0, +1);
}

/* A pick-up session: the order's number first; business and holder come with it. */
static void start_pickup(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	if (!f->cfg->pickup_offered || f->out_of_service || f->closed)
		return;
	explicit_bzero(s, sizeof *s);
	s->pickup = 1;
	s->recipe = catalogue_pickup_recipe();
	s->biz = s->recipe->biz;
	s->holder = s->recipe->holder;
	enter_step(f, out, 0, +1);
}

/* From a check's result, go on with the business the key calls for, keeping the key. */
static void switch_business(struct flow *f, struct flow_out *out, int biz)
{
	struct session *s = &f->s;
	if (biz < 0 || biz >= BIZ_COUNT || !s->have_key || !s->key.has_cert)
		return;
	const struct recipe *r = catalogue_recipe((enum business)biz, s->holder);
	if (!r || !r->uses_own_key || !fees_offered(f->cfg->fees, r->biz, s->holder)) {
		COPY(s->notice_key, "biz.not_offered_here");
		return;
	}
	s->biz = r->biz;
	s->recipe = r;
	int i = 0;
	while (i < r->nsteps && r->steps[i].step != STEP_KEY_INFO)
		i++;
	enter_step(f, out, i, +1); /* the new recipe's key-info step, judged afresh */
}

/* ---- taps ----------------------------------------------------------------------------- */

static void close_unpaid_order(struct flow *f, struct flow_out *out)
{
	if (f->s.order_id && f->s.order_state == ORDER_NEW)
		move_order(f, out, ORDER_CLOSED, "abandoned before payment");
}

static void cancel(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	enum step step = cur_step(f);
	if (s->screen == SCREEN_STEP && step == STEP_PAY) {
		if (!s->cancelling) {
			s->cancelling = 1;
			COPY(s->notice_key, "pay.cancelling");
			struct flow_request *r = emit(out, FREQ_PAY_CANCEL);
			r->order_id = s->order_id;
			COPY(r->order_no, s->order_no);
		}
		return;
	}
	if (s->screen == SCREEN_STEP && step == STEP_WORK) {
		COPY(s->notice_key, "work.cannot_cancel");
		return;
	}
	if (s->creating)
		return; /* the order is being written: wait for it */
	close_unpaid_order(f, out);
	end_session(f, out, "session.cancelled");
}

static void back(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || s->creating || s->order_id)
		return; /* once an order exists there is no way back, only cancel */
	if (cur_step(f) == STEP_CONTACT && s->contact_email) {
		s->contact_email = 0; /* from the e-mail back to the mobile */
		s->error_key[0] = '\0';
		return;
	}
	enter_step(f, out, s->idx - 1, -1);
}

/* One PIN entry. Returns 1 when the PIN is chosen (entered twice alike). */
static int tap_pin(struct flow *f, const char *pin)
{
	struct session *s = &f->s;
	if (s->pin_round == 1) {
		enum pin_verdict v = pin_check(pin, s->card.birth);
		if (v != PIN_GOOD) {
			COPY(s->error_key, pin_verdict_key(v));
			return 0;
		}
		COPY(s->pin_first, pin);
		s->pin_round = 2;
		s->error_key[0] = '\0';
		return 0;
	}
	if (strcmp(pin, s->pin_first) != 0) {
		explicit_bzero(s->pin_first, sizeof s->pin_first);
		s->pin_round = 1;
		COPY(s->error_key, "pin.mismatch");
		return 0;
	}
	COPY(s->pin, pin);
	explicit_bzero(s->pin_first, sizeof s->pin_first);
	s->pin_round = 0;
	s->error_key[0] = '\0';
	return 1;
}

/* The key's current PIN (renewal onto a fresh key pair): its own rules are the token's;
 * here only its form. Returns 1 when taken. */
static int tap_key_pin(struct flow *f, const char *pin)
{
	struct session *s = &f->s;
	size_t n = strlen(pin);
	int digits = n >= 6 && n < sizeof s->pin;
	for (size_t i = 0; digits && i < n; i++)
		digits = pin[i] >= '0' && pin[i] <= '9';
	if (!digits) {
		COPY(s->error_key, "pin.bad_format");
		return 0;
	}
	COPY(s->pin, pin);
	s->pin_round = 0;
	s->error_key[0] = '\0';
	return 1;
}

static void tap_option(struct flow *f, enum intent in, int arg)
{
	struct session *s = &f->s;
	int years = s->years, seal = s->seal, sub = s->sub_keys;
	enum change_kind change = s->change;
	switch (in) {
	case INTENT_YEARS:
		if (!fees_years_offered(f->cfg->fees, s->biz, s->holder, arg)) {
			COPY(s->error_key, "options.years_not_offered");
			return;
		}
		s->years = arg;
		break;
	case INTENT_SEAL:
		s->seal = arg != 0;
		break;
	case INTENT_SUB_KEYS:
		s->sub_keys = arg;
		break;
	case INTENT_CHANGE:
		if (arg < 0 || arg >= CHANGE_COUNT)
			return;
		s->change = (enum change_kind)arg;
		break;
	default:
		return;
	}
	if (requote(f) != KR_OK) {
		s->years = years, s->seal = seal, s->sub_keys = sub, s->change = change;
		requote(f);
		COPY(s->error_key, "options.not_allowed");
		return;
	}
	s->error_key[0] = '\0';
}

static void create_order(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	struct flow_request *r = emit(out, FREQ_ORDER_CREATE);
	r->biz = s->biz;
	r->holder = s->holder;
	r->quote = s->quote;
	r->amount_fen = s->quote.total_fen;
	subject_masked(s, r->subject_masked, sizeof r->subject_masked);
	COPY(r->key_serial, s->key.serial);
	if (s->pickup)
		COPY(r->pickup_no, s->order.order_no);
	COPY(r->mobile, s->phone);
	COPY(r->email, s->email);
	if (s->biz == BIZ_REVOKE)
		COPY(r->revoke_id, s->holder == HOLDER_UNIT && s->unit_code[0] ? s->unit_code
		                                                               : s->card.id_number);
	s->creating = 1;
}

/* INTENT_NEXT on the current step: go on when the step is complete. */
static void next(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	switch (cur_step(f)) {
	case STEP_CONTACT:
		if (!s->contact_email)
			return; /* the mobile is not optional */
		break;          /* the e-mail is: skipped */
	case STEP_HOLDER:
	case STEP_ORDER_NO:
	case STEP_KEY_PIN:
	case STEP_INSERT_KEY:
	case STEP_ID_CARD:
	case STEP_UNIT_CODE:
	case STEP_PIN:
	case STEP_PAY:
	case STEP_WORK:
		return; /* these finish on their own input */
	case STEP_KEY_INFO:
		if (flow_key_misfit(s->biz, &s->key, f->cfg, f->now.utc_s))
			return;
		break;
	case STEP_CONFIRM:
		if (s->creating || (s->order_id && !s->pickup))
			return;
		if (s->biz == BIZ_CHECK || s->order_id)
			break; /* a pick-up of this kiosk's own order goes on with it */
		create_order(f, out);
		return; /* FEV_ORDER_CREATED goes on */
	case STEP_RESULT:
		end_session(f, out, "session.done");
		return;
	default:
		break;
	}
	advance(f, out);
}

/* An order number as typed: 6 to 31 letters and digits, made upper case into out. */
static int order_number_ok(const char *text, char *out, size_t size)
{
	size_t n = strlen(text);
	if (n < 6 || n >= size)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char c = text[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (i < n && !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z'))
			return 0;
		out[i] = c;
	}
	return 1;
}

static void tap_text(struct flow *f, struct flow_out *out, const char *text)
{
	struct session *s = &f->s;
	switch (cur_step(f)) {
	case STEP_UNIT_CODE: {
		enum ident_verdict v = ident_check_uscc(text);
		if (v != IDENT_OK) {
			COPY(s->error_key,
			     v == IDENT_BAD_LENGTH ? "uscc.bad_length" : "uscc.bad_check");
			return;
		}
		if (s->have_key && s->key.has_cert && strcmp(text, s->key.subject_id) != 0) {
			COPY(s->error_key, "uscc.not_key");
			return;
		}
		COPY(s->unit_code, text);
		advance(f, out);
		return;
	}
	case STEP_ORDER_NO: {
		if (s->pickup_looking)
			return;
		char no[sizeof s->order.order_no];
		if (!order_number_ok(text, no, sizeof no)) {
			COPY(s->error_key, "pickup.bad_number");
			return;
		}
		s->error_key[0] = '\0';
		s->pickup_looking = 1;
		struct flow_request *r = emit(out, FREQ_PICKUP_FIND);
		COPY(r->order_no, no);
		return;
	}
	case STEP_CONTACT:
		if (ident_check_mobile(text) != IDENT_OK) {
			COPY(s->error_key, "contact.bad_mobile");
			return;
		}
		COPY(s->phone, text);
		s->contact_email = 1; /* the e-mail next, on the same step */
		s->error_key[0] = '\0';
		return;
	default:
		return;
	}
}

static void on_tap(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (ev->intent == INTENT_CANCEL) {
		cancel(f, out);
		return;
	}
	if (s->screen == SCREEN_START) {
		if (ev->intent == INTENT_BUSINESS)
			start_business(f, out, ev->arg);
		else if (ev->intent == INTENT_PICKUP)
			start_pickup(f, out);
		return;
	}
	if (s->screen == SCREEN_ERROR) {
		if (ev->intent == INTENT_NEXT)
			end_session(f, out, NULL);
		return;
	}
	enum step step = cur_step(f);
	if (step != STEP_PAY && ev->intent != INTENT_MORE_TIME)
		set_deadline(f, step); /* a tap is activity; the QR's life is fixed */
	switch (ev->intent) {
	case INTENT_MORE_TIME:
		if (!s->extended && step != STEP_PAY && s->deadline_ms) {
			s->extended = 1;
			s->deadline_ms = f->now.mono_ms + (int64_t)f->cfg->step_timeout_s * 2000;
		}
		return;
	case INTENT_BACK:
		back(f, out);
		return;
	case INTENT_NEXT:
		next(f, out);
		return;
	case INTENT_HOLDER:
		if (step == STEP_HOLDER && ev->arg >= 0 && ev->arg < HOLDER_COUNT) {
			if (!fees_offered(f->cfg->fees, s->biz, (enum holder)ev->arg)) {
				COPY(s->error_key, "biz.not_offered_here");
				return;
			}
			s->holder = (enum holder)ev->arg;
			s->holder_known = 1;
			s->recipe = catalogue_recipe(s->biz, s->holder);
			advance(f, out);
		}
		return;
	case INTENT_BUSINESS:
		if (step == STEP_KEY_INFO && s->biz == BIZ_CHECK)
			switch_business(f, out, ev->arg);
		return;
	case INTENT_YEARS:
	case INTENT_SEAL:
	case INTENT_SUB_KEYS:
	case INTENT_CHANGE:
		if (step == STEP_OPTIONS)
			tap_option(f, ev->intent, ev->arg);
		return;
	case INTENT_TEXT:
		tap_text(f, out, ev->text);
		return;
	case INTENT_PIN:
		if (step == STEP_PIN && s->pin_round && tap_pin(f, ev->text))
			advance(f, out);
		else if (step == STEP_KEY_PIN && tap_key_pin(f, ev->text))
			advance(f, out);
		return;
	case INTENT_EMAIL:
		if (step != STEP_CONTACT || !s->contact_email)
			return;
		if (ident_check_email(ev->text) != IDENT_OK) {
			COPY(s->error_key, "contact.bad_email");
			return;
		}
		COPY(s->email, ev->text);
		advance(f, out);
		return;
	default:
		return;
	}
}

/* ---- device and service events ------------------------------------------------------- */

/* Whether the China-time date of utc_s is after yyyymmdd. */
static int today_after(const char *yyyymmdd, int64_t utc_s)
{
	char today[16];
	cntime_format(utc_s, "%Y%m%d", today, sizeof today);
	return strcmp(today, yyyymmdd) > 0;
}

static void on_card(struct flow *f, struct flow_out *out, const struct id_card *card)
{
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || cur_step(f) != STEP_ID_CARD)
		return; /* a card nobody asked for is not kept */
	if (card->kind != 'I' && ident_check_id_number(card->id_number) != IDENT_OK) {
		COPY(s->error_key, "card.bad_number");
		return;
	}
	if (card->valid_to[0] && today_after(card->valid_to, f->now.utc_s)) {
		COPY(s->error_key, "card.expired");
		return;
	}
	if (s->have_key && s->key.has_cert && s->holder == HOLDER_PERSON &&
	    strcmp(card->id_number, s->key.subject_id) != 0) {
		COPY(s->error_key, "card.not_holder");
		return;
	}
	if (s->pickup && strcmp(card->id_number, s->order.agent_id) != 0) {
		COPY(s->error_key, "card.not_pickup_agent");
		return;
	}
	s->card = *card;
	s->have_card = 1;
	advance(f, out);
}

static void on_triage(struct flow *f, struct flow_out *out, const struct key_triage *k)
{
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || cur_step(f) != STEP_INSERT_KEY)
		return;
	s->key = *k;
	s->have_key = 1;
	if (k->has_cert) {
		s->holder = k->holder;
		s->holder_known = 1;
		s->recipe = catalogue_recipe(s->biz, s->holder);
	}
	advance(f, out);
}

static void on_key_removed(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	f->key_present = 0;
	if (s->screen != SCREEN_STEP || !s->recipe->uses_own_key || !s->have_key)
		return;
	switch (cur_step(f)) {
	case STEP_WORK:
		COPY(s->notice_key, "work.do_not_remove");
		return;
	case STEP_PAY:
		COPY(s->notice_key, "key.put_back");
		return;
	case STEP_RESULT:
		return;
	default:
		close_unpaid_order(f, out);
		fail(f, "key.removed");
	}
}

/* The order a pick-up asked for was found: it decides what is made and for whom. */
static void on_pickup(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || cur_step(f) != STEP_ORDER_NO || !s->pickup_looking)
		return;
	s->pickup_looking = 0;
	s->order = ev->pickup;
	s->biz = s->order.biz;
	s->holder = s->order.holder;
	s->holder_known = 1;
	s->years = s->order.years;
	s->seal = s->order.seal;
	s->sub_keys = s->order.sub_keys;
	memset(&s->quote, 0, sizeof s->quote);
	if (ev->order_id) {
		/* this kiosk's own order, paid here: a failed key is refunded here */
		s->order_id = ev->order_id;
		COPY(s->order_no, ev->order_no);
		s->order_state = ORDER_APPROVED;
		s->quote.total_fen = s->order.paid_fen;
	}
	advance(f, out);
}

/* What the work did to a certificate, told with the order's move to served. */
static void served_cert(const struct flow *f, struct flow_request *move,
                        const struct flow_event *ev)
{
	int revoke = f->s.biz == BIZ_REVOKE;
	if (revoke)
		move->cert_event = ev->cert_serial[0] ? "revoked" : "revoke_queued";
	else if (ev->cert_serial[0])
		move->cert_event = "issued";
	COPY(move->cert_serial, ev->cert_serial);
	move->cert_not_after_utc = revoke ? 0 : ev->not_after_utc;
}

static int about_this_order(const struct flow *f, const struct flow_event *ev)
{
	return f->s.order_id && ev->order_id == f->s.order_id;
}

static void on_event(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	enum step step = s->screen == SCREEN_STEP ? cur_step(f) : STEP_COUNT;

	switch (ev->kind) {
	case FEV_TAP:
		on_tap(f, out, ev);
		return;
	case FEV_TICK:
		return;
	case FEV_CARD:
		on_card(f, out, &ev->card);
		return;
	case FEV_CARD_ERROR:
		if (step == STEP_ID_CARD)
			COPY(s->error_key, ev->text);
		return;
	case FEV_KEY_INSERTED:
		f->key_present = 1;
		if (s->screen == SCREEN_START)
			start_business(f, out, BIZ_CHECK);
		else if (step == STEP_INSERT_KEY)
			emit(out, FREQ_TRIAGE);
		return;
	case FEV_KEY_REMOVED:
		on_key_removed(f, out);
		return;
	case FEV_TRIAGE:
		on_triage(f, out, &ev->key);
		return;
	case FEV_TRIAGE_FAILED:
		if (step == STEP_INSERT_KEY)
			fail(f, ev->text[0] ? ev->text : "key.unreadable");
		return;
	case FEV_ORDER_CREATED:
		if (!s->creating)
			return;
		s->creating = 0;
		s->order_id = ev->order_id;
		COPY(s->order_no, ev->order_no);
		s->order_state = ORDER_NEW;
		advance(f, out);
		return;
	case FEV_OUT_OF_SERVICE:
		f->closed = ev->arg != 0;
		return;
	case FEV_PICKUP:
		on_pickup(f, out, ev);
		return;
	case FEV_PICKUP_FAILED:
		if (step == STEP_ORDER_NO && s->pickup_looking) {
			s->pickup_looking = 0;
			COPY(s->error_key, ev->text[0] ? ev->text : "pickup.unknown");
		}
		return;
	case FEV_STORE_FAILED:
		s->creating = 0;
		f->out_of_service = 1;
		fail(f, "error.store");
		return;
	case FEV_PRINTED:
	case FEV_PRINT_FAILED:
		/* a key-check report belongs to no order */
		if (step == STEP_RESULT && ev->order_id == s->order_id)
			s->print_key = ev->kind == FEV_PRINTED ? "print.done" : "print.failed";
		return;
	default:
		break;
	}

	if (!about_this_order(f, ev))
		return; /* about an order of an earlier session: recovery's business */
	switch (ev->kind) {
	case FEV_PAY_QR:
		if (step == STEP_PAY) {
			COPY(s->qr, ev->text);
			if (qr_make(s->qr, &s->qr_matrix) != KR_OK)
				COPY(s->error_key, "pay.qr_too_long");
		}
		return;
	case FEV_PAY_PAID:
		if (step != STEP_PAY)
			return;
		s->cancelling = 0;
		s->notice_key[0] = '\0';
		explicit_bzero(s->qr, sizeof s->qr);
		explicit_bzero(&s->qr_matrix, sizeof s->qr_matrix);
		COPY(s->trade_no, ev->text);
		move_order(f, out, ORDER_PAID, "paid");
		advance(f, out);
		return;
	case FEV_PAY_CLOSED:
		if (step != STEP_PAY)
			return;
		move_order(f, out, ORDER_CLOSED,
		           s->cancelling ? "payment cancelled" : "trade closed");
		end_session(f, out, "pay.closed");
		return;
	case FEV_PAY_FAILED:
		if (step != STEP_PAY)
			return;
		move_order(f, out, ORDER_CLOSED, "payment unavailable");
		fail(f, ev->text[0] ? ev->text : "pay.unavailable");
		return;
	case FEV_WORK_PROGRESS:
		if (step == STEP_WORK) {
			COPY(s->progress_key, ev->text);
			s->work_steps++;
		}
		return;
	case FEV_WORK_DONE:
		if (step != STEP_WORK || s->refunding)
			return;
		COPY(s->cert_serial, ev->cert_serial);
		s->not_before_utc = ev->not_before_utc;
		s->not_after_utc = ev->not_after_utc;
		move_order(f, out, ORDER_SERVED, "work done");
		served_cert(f, &out->req[out->n - 1], ev);
		if (s->in_slot) {
			order_request(f, out, FREQ_KEY_HAND_OUT);
			COPY(s->progress_key, "work.hand_out");
			return; /* FEV_KEY_TAKEN goes on */
		}
		advance(f, out);
		return;
	case FEV_KEY_BLANK_READY:
		if (step != STEP_WORK || s->refunding || s->in_slot)
			return;
		s->in_slot = 1;
		request_work(f, out);
		return;
	case FEV_KEY_TAKEN:
		if (step == STEP_WORK && s->in_slot && s->order_state == ORDER_SERVED) {
			s->in_slot = 0;
			advance(f, out);
		}
		return;
	case FEV_KEY_RETAINED:
		if (step == STEP_WORK && s->in_slot && s->order_state == ORDER_SERVED) {
			s->in_slot = 0;
			fail(f, ev->text[0] ? ev->text : "dispenser.not_taken");
		}
		return;
	case FEV_KEY_BLANK_FAILED:
	case FEV_WORK_FAILED:
		if (step != STEP_WORK || s->refunding)
			return;
		if (s->in_slot) {
			order_request(f, out, FREQ_KEY_RETAIN); /* a half-made key is kept inside */
			s->in_slot = 0;
		}
		COPY(s->notice_key, ev->text); /* why, beside what happens to the money */
		if (s->quote.total_fen > 0) {
			move_order(f, out, ORDER_REFUNDING, "work failed");
			struct flow_request *r = emit(out, FREQ_PAY_REFUND);
			r->order_id = s->order_id;
			COPY(r->order_no, s->order_no);
			r->amount_fen = s->quote.total_fen;
			s->refunding = 1;
			COPY(s->progress_key, "work.failed_refunding");
		} else {
			move_order(f, out, ORDER_FAILED, "work failed");
			fail(f, ev->text[0] ? ev->text : "error.work_failed");
		}
		return;
	case FEV_REFUNDED:
		if (!s->refunding)
			return;
		move_order(f, out, ORDER_REFUNDED, "refunded");
		fail(f, "error.work_failed_refunded");
		return;
	case FEV_REFUND_FAILED:
		if (s->refunding)
			fail(f, "error.refund_pending");
		return;
	default:
		return;
	}
}

static void on_timeout(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	if (s->screen == SCREEN_STEP && cur_step(f) == STEP_PAY) {
		if (!s->cancelling) {
			/* the QR expired: cancel, and the gateway's answer (closed, or paid
			 * after all) decides */
			s->cancelling = 1;
			COPY(s->notice_key, "pay.timeout");
			struct flow_request *r = emit(out, FREQ_PAY_CANCEL);
			r->order_id = s->order_id;
			COPY(r->order_no, s->order_no);
			s->deadline_ms = f->now.mono_ms + (int64_t)f->cfg->step_timeout_s * 1000;
			return;
		}
		/* no answer to the cancel: the order stays open for recovery to settle */
		end_session(f, out, "pay.unsettled");
		return;
	}
	if (s->screen == SCREEN_STEP && cur_step(f) == STEP_WORK)
		return;
	close_unpaid_order(f, out);
	end_session(f, out, "session.timeout");
}

/* ---- view ------------------------------------------------------------------------------- */

static const char *const step_prompts[STEP_COUNT] = {
    [STEP_HOLDER] = "step.holder",
    [STEP_INSERT_KEY] = "step.insert_key",
    [STEP_KEY_INFO] = "step.key_info",
    [STEP_ID_CARD] = "step.id_card",
    [STEP_UNIT_CODE] = "step.unit_code",
    [STEP_MATERIALS] = "step.materials",
    [STEP_OPTIONS] = "step.options",
    [STEP_CONTACT] = "step.contact",
    [STEP_PIN] = "step.pin",
    [STEP_CONFIRM] = "step.confirm",
    [STEP_PAY] = "step.pay",
    [STEP_WORK] = "step.work",
    [STEP_RESULT] = "step.result",
    [STEP_ORDER_NO] = "step.order_no",
    [STEP_KEY_PIN] = "step.key_pin",
};

const char *flow_step_prompt(enum step step)
{
	return (int)step >= 0 && step < STEP_COUNT ? step_prompts[step] : "?";
}

static void build_view(struct flow *f)
{
	const struct session *s = &f->s;
	struct flow_view v;
	memset(&v, 0, sizeof v);

	v.screen = s->screen;
	v.biz = s->biz;
	v.holder = s->holder;
	v.holder_known = s->holder_known;
	v.suggest = -1;
	for (int b = 0; b < BIZ_COUNT; b++)
		if (fees_offered(f->cfg->fees, (enum business)b, HOLDER_UNIT) ||
		    fees_offered(f->cfg->fees, (enum business)b, HOLDER_PERSON))
			v.offered |= 1u << b;
	COPY(v.error_key, s->error_key);
	COPY(v.notice_key, s->notice_key);
	v.key_present = f->key_present;

	if (s->screen == SCREEN_START) {
		v.prompt_key = "start.choose";
	} else {
		v.step = cur_step(f);
		v.prompt_key = s->screen == SCREEN_ERROR ? "error.title" : flow_step_prompt(v.step);
		if (s->screen == SCREEN_STEP && v.step == STEP_CONFIRM && s->pickup)
			v.prompt_key = "step.confirm_pickup";
		if (s->screen == SCREEN_STEP && v.step == STEP_CONTACT && s->contact_email) {
			v.contact_email = 1;
			v.prompt_key = "step.contact_email";
		}
		if (s->deadline_ms) {
			int64_t left = s->deadline_ms - f->now.mono_ms;
			int secs = left > 0 ? (int)((left + 999) / 1000) : 0;
			v.show_countdown = v.step == STEP_PAY || secs <= f->cfg->countdown_shown_s;
			v.remaining_s = v.show_countdown ? secs : 0;
			v.can_extend = v.show_countdown && !s->extended && v.step != STEP_PAY &&
			               s->screen == SCREEN_STEP;
		}
	}
	if (s->have_key) {
		v.have_key = 1;
		v.issuer = s->key.issuer;
		v.key_days_left = s->key.has_cert ? days_left(&s->key, f->now.utc_s) : 0;
		COPY(v.key_model, s->key.model);
		v.key_pin = s->key.pin;
		v.key_has_seal = s->key.has_seal;
		v.check_pass = s->key.check_pass;
		v.fit_key = flow_key_misfit(s->biz, &s->key, f->cfg, f->now.utc_s);
		v.suggest = flow_suggest(&s->key, f->cfg, f->now.utc_s);
	}
	if (s->have_key || s->have_card || s->unit_code[0])
		subject_masked(s, v.subject_masked, sizeof v.subject_masked);
	if (s->have_card) {
		v.have_card = 1;
		char id[24];
		ident_mask(s->card.id_number, id, sizeof id);
		COPY(v.card_masked, id);
	}
	if (s->recipe)
		v.materials = s->recipe->materials;
	v.years = s->years;
	v.seal = s->seal;
	v.sub_keys = s->sub_keys;
	v.change = s->change;
	COPY(v.unit_code, s->unit_code);
	if (s->phone[0])
		snprintf(v.phone_masked, sizeof v.phone_masked, "%.3s****%.4s", s->phone,
		         s->phone + 7);
	if (s->email[0])
		ident_mask_email(s->email, v.email_masked, sizeof v.email_masked);
	v.pin_round = s->pin_round;
	v.quote = s->quote;
	v.order_id = s->order_id;
	COPY(v.order_no, s->order_no);
	COPY(v.qr, s->qr);
	v.qr_matrix = s->qr_matrix;
	v.cancelling = s->cancelling;
	COPY(v.progress_key, s->progress_key);
	v.work_steps_done = s->work_steps;
	COPY(v.cert_serial, s->cert_serial);
	v.not_after_utc = s->not_after_utc;
	v.print_key = s->print_key;
	v.out_of_service = f->out_of_service || f->closed;
	v.pickup_offered = f->cfg->pickup_offered;
	v.pickup = s->pickup;
	v.pickup_looking = s->pickup_looking;
	COPY(v.pickup_no, s->order.order_no);
	v.pickup_paid_fen = s->order.paid_fen;
	if (v.out_of_service && s->screen == SCREEN_START) {
		/* nothing can be sold: the start screen says so instead */
		v.screen = SCREEN_ERROR;
		v.prompt_key = "error.title";
		COPY(v.error_key, f->out_of_service ? "error.store" : "error.closed");
		v.offered = 0;
		v.pickup_offered = 0;
	}

	v.version = f->view.version;
	if (memcmp(&v, &f->view, sizeof v) != 0)
		v.version++;
	f->view = v;
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
	build_view(f);
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
	on_event(f, out, ev);
	if (f->s.screen != SCREEN_START && f->s.deadline_ms && now.mono_ms >= f->s.deadline_ms)
		on_timeout(f, out);
	build_view(f);
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

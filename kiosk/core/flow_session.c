/* flow_session.c — the session and its business's recipe: entering a step (what each
 * step does on entry), starting, switching and ending a session, and the requests the
 * session sends (order moves, payment, work, receipt). Owns the session's life; taps and
 * events (flow_taps.c, flow_events.c) move it only through these functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"
#include "ident.h"

/* ---- output helpers --------------------------------------------------------------- */

struct flow_request *flow_emit(struct flow_out *out, enum flow_request_kind kind)
{
	if (out->n >= FLOW_MAX_REQUESTS)
		abort(); /* a programming error: the flow never asks for more in one event */
	struct flow_request *r = &out->req[out->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	return r;
}

void flow_move_order(struct flow *f, struct flow_out *out, enum order_state to, const char *reason)
{
	struct flow_request *r = flow_emit(out, FREQ_ORDER_MOVE);
	r->order_id = f->s.order_id;
	COPY(r->order_no, f->s.order_no);
	r->to = to;
	r->reason = reason;
	r->amount_fen = f->s.quote.total_fen;
	f->s.order_state = to;
}

void flow_subject_masked(const struct session *s, char *out, size_t size)
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
	flow_emit(out, on ? FREQ_CARD_WAIT : FREQ_CARD_STOP);
}

void flow_end_session(struct flow *f, struct flow_out *out, const char *notice)
{
	card_wait(f, out, 0);
	explicit_bzero(&f->s, sizeof f->s);
	f->s.screen = SCREEN_START;
	COPY(f->s.notice_key, notice);
}

void flow_fail(struct flow *f, const char *error_key)
{
	f->s.screen = SCREEN_ERROR;
	COPY(f->s.error_key, error_key);
	f->s.deadline_ms = f->now.mono_ms + (int64_t)f->cfg->step_timeout_s * 1000;
	f->s.extended = 0;
}

enum step flow_cur_step(const struct flow *f)
{
	return f->s.recipe ? f->s.recipe->steps[f->s.idx].step : STEP_HOLDER;
}

int flow_requote(struct flow *f)
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

void flow_set_deadline(struct flow *f, enum step step)
{
	int secs = step == STEP_PAY    ? f->cfg->pay_timeout_s
	           : step == STEP_WORK ? 0
	                               : f->cfg->step_timeout_s;
	f->s.deadline_ms = secs ? f->now.mono_ms + (int64_t)secs * 1000 : 0;
}

void flow_advance(struct flow *f, struct flow_out *out)
{
	flow_enter_step(f, out, f->s.idx + 1, +1);
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
			if (flow_requote(f) == KR_OK)
				break;
		}
}

const char *flow_next_key(const struct session *s)
{
	const struct recipe *r = s->recipe;
	return flow_next_key_for(r->biz, r->review || s->auth_review, s->cert_serial[0] != '\0');
}

const char *flow_next_key_for(enum business biz, int review, int cert)
{
	if (biz == BIZ_REVOKE)
		return review ? "next.revoke_review"
		       : cert ? "next.revoke_held" /* ours: suspended here */
		              : "next.revoke_24h"; /* filed for the central site */
	if (review)
		return "next.wait_review";
	switch (biz) {
	case BIZ_EXCHANGE:
		return "next.reencrypt_bids";
	case BIZ_UNLOCK:
		return "next.remember_pin";
	case BIZ_CHECK:
		return NULL;
	default:
		return "next.activate";
	}
}

static void print_receipt(struct flow *f, struct flow_out *out)
{
	struct flow_request *r = flow_emit(out, FREQ_PRINT);
	struct receipt_data *d = &r->receipt;
	r->order_id = f->s.order_id;
	d->check_report = f->s.biz == BIZ_CHECK;
	d->biz = f->s.biz;
	d->holder = f->s.holder;
	COPY(d->order_no, f->s.order_no);
	d->quote = f->s.quote;
	COPY(d->trade_no, f->s.trade_no);
	flow_subject_masked(&f->s, d->subject_masked, sizeof d->subject_masked);
	if (f->s.cert_serial[0]) {
		COPY(d->cert_serial, f->s.cert_serial);
		COPY(d->enc_serial, f->s.enc_serial);
		d->not_before_utc = f->s.not_before_utc;
		d->not_after_utc = f->s.not_after_utc;
	} else if (f->s.have_key) {
		d->not_before_utc = f->s.key.not_before_utc;
		d->not_after_utc = f->s.key.not_after_utc;
	}
	d->check_pass = f->s.key.check_pass;
	COPY(d->check_reason, f->s.key.check_reason);
	d->next_key = flow_next_key(&f->s);
	d->at_utc = f->now.utc_s;
	d->pickup = f->s.pickup;
	d->paid_fen = f->s.order.paid_fen;
	COPY(d->pickup_no, f->s.order.order_no);
	f->s.print_key = "print.printing";
}

void flow_order_request(struct flow *f, struct flow_out *out, enum flow_request_kind kind)
{
	struct flow_request *r = flow_emit(out, kind);
	r->order_id = f->s.order_id;
	COPY(r->order_no, f->s.order_no);
}

/* Asks the key service for the work, handing it the PIN (wiped here). */
void flow_request_work(struct flow *f, struct flow_out *out)
{
	struct flow_request *r = flow_emit(out, FREQ_WORK);
	struct work_spec *w = &r->work;
	r->order_id = f->s.order_id;
	COPY(r->order_no, f->s.order_no);
	/* a pick-up is worked as what was ordered: a new key, or a reissue (which revokes) */
	w->biz = f->s.pickup ? f->s.order.biz : f->s.biz;
	w->revoke_reason = REVOKE_HOLD; /* a loss report at the kiosk suspends */
	w->holder = f->s.holder;
	w->years = f->s.years;
	w->seal = f->s.seal;
	w->sub_keys = f->s.sub_keys;
	w->change = f->s.change;
	COPY(w->key_serial, f->s.key.serial);
	if (f->s.pickup) {
		/* what the site approved: a change's new subject goes onto the key in the port */
		COPY(w->subject_name, f->s.order.subject_name);
		COPY(w->subject_id, f->s.order.subject_id);
	} else if (f->s.have_key && f->s.key.has_cert) {
		/* whom the authority was granted for: the key work finds that subject on the key
		 * in the port, or refuses (a key swapped since) */
		COPY(w->subject_name, f->s.key.subject_name);
		COPY(w->subject_id, f->s.key_proven              ? f->s.key.subject_id
		                    : f->s.holder == HOLDER_UNIT ? f->s.unit_code
		                                                 : f->s.card.id_number);
		/* a renewal runs on from the current expiry, or from now when expired */
		w->renew_from_utc =
		    f->s.key.not_after_utc > f->now.utc_s ? f->s.key.not_after_utc : f->now.utc_s;
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
	flow_move_order(f, out, ORDER_WORKING, "work started");
	COPY(f->s.progress_key, "work.started");
	if (f->s.recipe->new_key) {
		flow_order_request(f, out, FREQ_KEY_ISSUE);
		COPY(f->s.progress_key, "work.dispense");
		return;
	}
	flow_request_work(f, out);
}

/* What happens on entering a step. */
static void on_enter(struct flow *f, struct flow_out *out, enum step step)
{
	struct session *s = &f->s;
	switch (step) {
	case STEP_INSERT_KEY:
		if (f->key_present)
			flow_emit(out, FREQ_TRIAGE);
		break;
	case STEP_ID_CARD:
		explicit_bzero(&s->card, sizeof s->card);
		s->have_card = 0;
		card_wait(f, out, 1);
		break;
	case STEP_OPTIONS:
		default_options(f);
		if (flow_requote(f) != KR_OK)
			flow_fail(f, "fee.not_offered");
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
		if (step == STEP_KEY_PIN && s->auth_by_key)
			COPY(s->notice_key, "auth.prove_by_pin");
		break;
	case STEP_CONFIRM:
		if (s->pickup)
			break; /* what was ordered and paid for, as the order says */
		if (!s->recipe->years && !s->recipe->change_option && !s->recipe->seal_option)
			default_options(f);
		if (flow_requote(f) != KR_OK)
			flow_fail(f, "fee.not_offered");
		else if (s->quote.total_fen > f->cfg->pay_ceiling_fen)
			flow_fail(f, "fee.over_ceiling");
		break;
	case STEP_PAY: {
		flow_move_order(f, out, ORDER_PAYING, "payment started");
		struct flow_request *r = flow_emit(out, FREQ_PAY_START);
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
		if ((s->recipe->review || s->auth_review) && s->order_id)
			flow_move_order(f, out, ORDER_IN_REVIEW, "filed for review");
		if (s->biz == BIZ_CHECK) {
			struct flow_request *j = flow_emit(out, FREQ_JOURNAL);
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
	if ((st->when & WHEN_KEY_PIN) && !f->cfg->renew_fresh_key && !f->s.auth_by_key)
		return 0;
	if ((st->when & WHEN_ALONE) && f->s.auth_review)
		return 0; /* filed for review: nothing is worked here */
	return catalogue_step_applies(r, st, f->s.holder, f->s.quote.total_fen);
}

/* The steps that establish who is there and on what: who may act is decided on leaving
 * them (flow_authority.c). */
static int identity_step(enum step st)
{
	return st == STEP_HOLDER || st == STEP_ORDER_NO || st == STEP_INSERT_KEY ||
	       st == STEP_KEY_INFO || st == STEP_ID_CARD || st == STEP_UNIT_CODE;
}

void flow_enter_step(struct flow *f, struct flow_out *out, int idx, int dir)
{
	struct session *s = &f->s;
	const struct recipe *r = s->recipe;
	int from = idx;
	while (idx >= 0 && idx < r->nsteps && !step_applies(f, r, idx))
		idx += dir;
	if (idx < 0) {
		flow_end_session(f, out, NULL);
		return;
	}
	if (idx >= r->nsteps) {
		flow_end_session(f, out, "session.done");
		return;
	}
	if (dir > 0 && !s->auth_decided && !s->pickup && !identity_step(r->steps[idx].step)) {
		if (!s->auth_waiting)
			flow_authorise(f, out, from);
		return;
	}
	if (r->steps[idx].step != STEP_ID_CARD)
		card_wait(f, out, 0);
	s->screen = SCREEN_STEP;
	s->idx = idx;
	s->error_key[0] = '\0';
	s->extended = 0;
	flow_set_deadline(f, r->steps[idx].step);
	on_enter(f, out, r->steps[idx].step);
}

void flow_start_business(struct flow *f, struct flow_out *out, int biz)
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
	flow_enter_step(f, out, 0, +1);
}

/* A pick-up session: the order's number first; business and holder come with it. */
void flow_start_pickup(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	if (!f->cfg->pickup_offered || f->out_of_service || f->closed)
		return;
	explicit_bzero(s, sizeof *s);
	s->pickup = 1;
	s->recipe = catalogue_pickup_recipe(BIZ_NEW);
	s->biz = s->recipe->biz;
	s->holder = s->recipe->holder;
	flow_enter_step(f, out, 0, +1);
}

/* From a check's result, go on with the business the key calls for, keeping the key. */
void flow_switch_business(struct flow *f, struct flow_out *out, int biz)
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
	s->auth_decided = s->auth_by_key = s->auth_review = 0; /* the new business's rule */
	int i = 0;
	while (i < r->nsteps && r->steps[i].step != STEP_KEY_INFO)
		i++;
	flow_enter_step(f, out, i, +1); /* the new recipe's key-info step, judged afresh */
}

void flow_close_unpaid_order(struct flow *f, struct flow_out *out)
{
	if (f->s.order_id && f->s.order_state == ORDER_NEW)
		flow_move_order(f, out, ORDER_CLOSED, "abandoned before payment");
}

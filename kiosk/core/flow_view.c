/* flow_view.c — the view model: what the screen shows, built from the session after
 * every event (personal data masked), and the prompt of each step. */
#include <stdio.h>
#include <string.h>

#include "flow_internal.h"
#include "ident.h"

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

/* The result's title: what was done. */
static const char *result_prompt(const struct session *s)
{
	if (s->biz == BIZ_REVOKE)
		return s->auth_review      ? "step.result_review"
		       : s->cert_serial[0] ? "step.result_suspended"
		                           : "step.result_filed";
	if (s->auth_review || s->recipe->review)
		return "step.result_review"; /* no key made here yet */
	return "step.result";
}

/* The step shown off the start screen: its prompt, and the countdown of its time-out. */
static void view_step(const struct flow *f, struct flow_view *v)
{
	const struct session *s = &f->s;
	v->step = flow_cur_step(f);
	v->prompt_key = s->screen == SCREEN_ERROR ? "error.title" : flow_step_prompt(v->step);
	if (s->screen == SCREEN_STEP && v->step == STEP_RESULT) {
		v->prompt_key = result_prompt(s);
		v->next_key = flow_next_key(s);
		/* the user's own key, or a new one made here (not one left for a review) */
		v->key_to_take =
		    s->have_key || (s->recipe->new_key && !s->auth_review && !s->recipe->review);
	}
	if (s->screen == SCREEN_STEP && v->step == STEP_WORK) {
		/* a key in the port or the slot is worked on, or (a loss report) none */
		v->key_to_take = s->have_key || s->recipe->new_key;
		if (!v->key_to_take)
			v->prompt_key = "step.work_no_key";
	}
	if (s->screen == SCREEN_STEP && v->step == STEP_CONFIRM && s->pickup)
		v->prompt_key =
		    s->biz == BIZ_CHANGE ? "step.confirm_change" : "step.confirm_pickup";
	if (s->screen == SCREEN_STEP && v->step == STEP_CONTACT && s->contact_email) {
		v->contact_email = 1;
		v->prompt_key = "step.contact_email";
	}
	if (s->deadline_ms) {
		int64_t left = s->deadline_ms - f->now.mono_ms;
		int secs = left > 0 ? (int)((left + 999) / 1000) : 0;
		v->show_countdown = v->step == STEP_PAY || secs <= f->cfg->countdown_shown_s;
		v->remaining_s = v->show_countdown ? secs : 0;
		v->can_extend = v->show_countdown && !s->extended && v->step != STEP_PAY &&
		                s->screen == SCREEN_STEP;
	}
}

void flow_build_view(struct flow *f)
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

	if (s->screen == SCREEN_START)
		v.prompt_key = "start.choose";
	else
		view_step(f, &v);
	if (s->have_key) {
		v.have_key = 1;
		v.issuer = s->key.issuer;
		v.key_days_left = s->key.has_cert ? flow_days_left(&s->key, f->now.utc_s) : 0;
		COPY(v.key_model, s->key.model);
		v.key_pin = s->key.pin;
		v.key_has_seal = s->key.has_seal;
		v.key_has_enc = s->key.has_enc;
		v.check_pass = s->key.check_pass;
		v.fit_key = flow_key_misfit(s->biz, &s->key, f->cfg, f->now.utc_s);
		v.suggest = flow_suggest(&s->key, f->cfg, f->now.utc_s);
	}
	if (s->have_key || s->have_card || s->unit_code[0])
		flow_subject_masked(s, v.subject_masked, sizeof v.subject_masked);
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
	/* a difference in padding alone would only redraw the same screen */
	// NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
	if (memcmp(&v, &f->view, sizeof v) != 0)
		v.version++;
	f->view = v;
}

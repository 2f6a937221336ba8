/* flow_taps.c — the user's taps on intents: cancel, back and next, the holder, the
 * options, the PIN and what is typed (the unit's code, an order number, the contact),
 * each judged against the step the session is on. */
#include <string.h>

#include "flow_internal.h"
#include "ident.h"
#include "pin.h"

static void cancel(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	enum step step = flow_cur_step(f);
	if (s->screen == SCREEN_STEP && step == STEP_PAY) {
		if (!s->cancelling) {
			s->cancelling = 1;
			COPY(s->notice_key, "pay.cancelling");
			flow_order_request(f, out, FREQ_PAY_CANCEL);
		}
		return;
	}
	if (s->screen == SCREEN_STEP && step == STEP_WORK) {
		COPY(s->notice_key, "work.cannot_cancel");
		return;
	}
	if (s->creating)
		return; /* the order is being written: wait for it */
	flow_close_unpaid_order(f, out);
	flow_end_session(f, out, "session.cancelled");
}

static void back(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || s->creating || s->order_id)
		return; /* once an order exists there is no way back, only cancel */
	if (flow_cur_step(f) == STEP_CONTACT && s->contact_email) {
		s->contact_email = 0; /* from the e-mail back to the mobile */
		s->error_key[0] = '\0';
		return;
	}
	flow_enter_step(f, out, s->idx - 1, -1);
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

/* The key proves with the PIN just taken that it holds the certificate's private key,
 * before anything is paid (FEV_KEY_PROVEN goes on); the PIN stays for the work. */
static void prove_key(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	struct flow_request *r = flow_emit(out, FREQ_KEY_PROVE);
	COPY(r->work.key_serial, s->key.serial);
	COPY(r->work.pin, s->pin);
	s->proving = 1;
	COPY(s->notice_key, "auth.proving");
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
	if (flow_requote(f) != KR_OK) {
		s->years = years, s->seal = seal, s->sub_keys = sub, s->change = change;
		flow_requote(f);
		COPY(s->error_key, "options.not_allowed");
		return;
	}
	s->error_key[0] = '\0';
}

static void create_order(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	struct flow_request *r = flow_emit(out, FREQ_ORDER_CREATE);
	r->biz = s->biz;
	r->holder = s->holder;
	r->quote = s->quote;
	r->amount_fen = s->quote.total_fen;
	flow_subject_masked(s, r->subject_masked, sizeof r->subject_masked);
	COPY(r->key_serial, s->key.serial);
	if (s->pickup)
		COPY(r->pickup_no, s->order.order_no);
	COPY(r->mobile, s->phone);
	COPY(r->email, s->email);
	if (s->biz == BIZ_REVOKE || s->biz == BIZ_REISSUE) /* whose certificates it revokes */
		flow_revoke_id(s, r->revoke_id, sizeof r->revoke_id);
	if (s->biz == BIZ_REVOKE) /* who reported: counted for the rate limit */
		COPY(r->agent_id, s->card.id_number);
	s->creating = 1;
}

/* INTENT_NEXT on the current step: go on when the step is complete. */
static void next(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	switch (flow_cur_step(f)) {
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
		flow_end_session(f, out, "session.done");
		return;
	default:
		break;
	}
	flow_advance(f, out);
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
	switch (flow_cur_step(f)) {
	case STEP_UNIT_CODE: {
		if (s->auth_waiting)
			return; /* the unit's list is being asked */
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
		flow_advance(f, out);
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
		struct flow_request *r = flow_emit(out, FREQ_PICKUP_FIND);
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

void flow_on_tap(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (ev->intent == INTENT_CANCEL) {
		cancel(f, out);
		return;
	}
	if (s->screen == SCREEN_START) {
		if (ev->intent == INTENT_BUSINESS)
			flow_start_business(f, out, ev->arg);
		else if (ev->intent == INTENT_PICKUP)
			flow_start_pickup(f, out);
		return;
	}
	if (s->screen == SCREEN_ERROR) {
		if (ev->intent == INTENT_NEXT)
			flow_end_session(f, out, NULL);
		return;
	}
	enum step step = flow_cur_step(f);
	if (step != STEP_PAY && ev->intent != INTENT_MORE_TIME)
		flow_set_deadline(f, step); /* a tap is activity; the QR's life is fixed */
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
			flow_advance(f, out);
		}
		return;
	case INTENT_BUSINESS:
		if (step == STEP_KEY_INFO && s->biz == BIZ_CHECK)
			flow_switch_business(f, out, ev->arg);
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
			flow_advance(f, out);
		else if (step == STEP_KEY_PIN && !s->proving && tap_key_pin(f, ev->text))
			prove_key(f, out);
		return;
	case INTENT_EMAIL:
		if (step != STEP_CONTACT || !s->contact_email)
			return;
		if (ident_check_email(ev->text) != IDENT_OK) {
			COPY(s->error_key, "contact.bad_email");
			return;
		}
		COPY(s->email, ev->text);
		flow_advance(f, out);
		return;
	default:
		return;
	}
}

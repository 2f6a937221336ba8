/* flow_events.c — the flow's device and service events (card reader, key port, the
 * order written, payment, key work, dispenser, printer, pick-up) and its time-outs: one
 * small handler per event kind, in a table that also says which kinds speak of the
 * session's own order. */
#include <string.h>

#include "cntime.h"
#include "flow_internal.h"
#include "ident.h"

/* The step shown, STEP_COUNT when the start or error screen is. */
static enum step shown_step(const struct flow *f)
{
	return f->s.screen == SCREEN_STEP ? flow_cur_step(f) : STEP_COUNT;
}

/* Whether the China-time date of utc_s is after yyyymmdd. */
static int today_after(const char *yyyymmdd, int64_t utc_s)
{
	char today[16];
	cntime_format(utc_s, "%Y%m%d", today, sizeof today);
	return strcmp(today, yyyymmdd) > 0;
}

static void on_card(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	const struct id_card *card = &ev->card;
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || flow_cur_step(f) != STEP_ID_CARD)
		return; /* a card nobody asked for is not kept */
	if (card->kind != 'I' && ident_check_id_number(card->id_number) != IDENT_OK) {
		COPY(s->error_key, "card.bad_number");
		return;
	}
	if (card->valid_to[0] && today_after(card->valid_to, f->now.utc_s)) {
		COPY(s->error_key, "card.expired");
		return;
	}
	if (s->pickup && strcmp(card->id_number, s->order.agent_id) != 0) {
		COPY(s->error_key, "card.not_pickup_agent");
		return;
	}
	s->card = *card;
	s->have_card = 1;
	flow_advance(f, out);
}

static void on_card_error(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out;
	if (shown_step(f) == STEP_ID_CARD)
		COPY(f->s.error_key, ev->text);
}

static void on_key_inserted(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)ev;
	f->key_present = 1;
	if (f->s.screen == SCREEN_START)
		flow_start_business(f, out, BIZ_CHECK);
	else if (shown_step(f) == STEP_INSERT_KEY)
		flow_emit(out, FREQ_TRIAGE);
}

static void on_key_removed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	(void)ev;
	f->key_present = 0;
	if (s->screen != SCREEN_STEP || !s->recipe->uses_own_key || !s->have_key)
		return;
	switch (flow_cur_step(f)) {
	case STEP_WORK:
		COPY(s->notice_key, "work.do_not_remove");
		return;
	case STEP_PAY:
		COPY(s->notice_key, "key.put_back");
		return;
	case STEP_RESULT:
		return;
	default:
		flow_close_unpaid_order(f, out);
		flow_fail(f, "key.removed");
	}
}

static void on_triage(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	const struct key_triage *k = &ev->key;
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || flow_cur_step(f) != STEP_INSERT_KEY)
		return;
	if (s->pickup && (!k->has_cert || k->issuer != ISSUER_OURS ||
	                  strcmp(k->subject_id, s->order.subject_id) != 0)) {
		COPY(s->error_key, "pickup.wrong_key"); /* another key: this one is not changed */
		return;
	}
	s->key = *k;
	s->have_key = 1;
	if (k->has_cert && !s->pickup) {
		s->holder = k->holder;
		s->holder_known = 1;
		s->recipe = catalogue_recipe(s->biz, s->holder);
	}
	flow_advance(f, out);
}

static void on_triage_failed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out;
	if (shown_step(f) == STEP_INSERT_KEY)
		flow_fail(f, ev->text[0] ? ev->text : "key.unreadable");
}

static void on_order_created(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (!s->creating)
		return;
	s->creating = 0;
	s->order_id = ev->order_id;
	COPY(s->order_no, ev->order_no);
	s->order_state = ORDER_NEW;
	flow_advance(f, out);
}

static void on_store_failed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out, (void)ev;
	f->s.creating = 0;
	f->out_of_service = 1;
	flow_fail(f, "error.store");
}

/* The order a pick-up asked for was found: it decides what is made and for whom. */
static void on_pickup(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (s->screen != SCREEN_STEP || flow_cur_step(f) != STEP_ORDER_NO || !s->pickup_looking)
		return;
	s->pickup_looking = 0;
	s->order = ev->pickup;
	s->biz = s->order.biz;
	s->recipe = catalogue_pickup_recipe(s->biz); /* a change: the user's key */
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
	flow_advance(f, out);
}

static void on_pickup_failed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	(void)out;
	if (shown_step(f) == STEP_ORDER_NO && s->pickup_looking) {
		s->pickup_looking = 0;
		COPY(s->error_key, ev->text[0] ? ev->text : "pickup.unknown");
	}
}

static void on_agent(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	flow_on_agent(f, out, (enum agent_standing)ev->arg, ev->recent_reports);
}

/* The key's proof of possession with the PIN taken on the key-PIN step. */
static void on_key_proven(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	if (shown_step(f) == STEP_KEY_PIN && f->s.proving)
		flow_on_proof(f, out, ev->arg != 0, ev->text);
}

static void on_out_of_service(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out;
	f->closed = ev->arg != 0;
}

/* FEV_PRINTED and FEV_PRINT_FAILED. */
static void on_printed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out;
	/* a key-check report belongs to no order */
	if (shown_step(f) == STEP_RESULT && ev->order_id == f->s.order_id)
		f->s.print_key = ev->kind == FEV_PRINTED ? "print.done" : "print.failed";
}

/* ---- about the session's own order ---- */

static void on_pay_qr(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	(void)out;
	if (shown_step(f) == STEP_PAY) {
		COPY(s->qr, ev->text);
		if (qr_make(s->qr, &s->qr_matrix) != KR_OK)
			COPY(s->error_key, "pay.qr_too_long");
	}
}

static void on_pay_paid(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (shown_step(f) != STEP_PAY)
		return;
	s->cancelling = 0;
	s->notice_key[0] = '\0';
	explicit_bzero(s->qr, sizeof s->qr);
	explicit_bzero(&s->qr_matrix, sizeof s->qr_matrix);
	COPY(s->trade_no, ev->text);
	flow_move_order(f, out, ORDER_PAID, "paid");
	flow_advance(f, out);
}

static void on_pay_closed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)ev;
	if (shown_step(f) != STEP_PAY)
		return;
	flow_move_order(f, out, ORDER_CLOSED,
	                f->s.cancelling ? "payment cancelled" : "trade closed");
	flow_end_session(f, out, "pay.closed");
}

/* The session ends; the order stays open (paying) until the payment is settled. */
static void on_pay_unsettled(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)ev;
	if (shown_step(f) == STEP_PAY)
		flow_end_session(f, out, "pay.unsettled");
}

static void on_pay_failed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	if (shown_step(f) != STEP_PAY)
		return;
	flow_move_order(f, out, ORDER_CLOSED, "payment unavailable");
	flow_fail(f, ev->text[0] ? ev->text : "pay.unavailable");
}

static void on_work_progress(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out;
	if (shown_step(f) == STEP_WORK) {
		COPY(f->s.progress_key, ev->text);
		f->s.work_steps++;
	}
}

/* The order served, with what the work did to a certificate for the central site. */
static void serve(struct flow *f, struct flow_out *out)
{
	const struct session *s = &f->s;
	int revoke = s->biz == BIZ_REVOKE;
	flow_move_order(f, out, ORDER_SERVED, "work done");
	struct flow_request *move = &out->req[out->n - 1];
	if (revoke)
		move->cert_event = s->cert_serial[0] ? "revoked" : "revoke_queued";
	else if (s->cert_serial[0])
		move->cert_event = "issued";
	COPY(move->cert_serial, s->cert_serial);
	move->cert_not_after_utc = revoke ? 0 : s->not_after_utc;
}

static void on_work_done(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (shown_step(f) != STEP_WORK || s->refunding)
		return;
	COPY(s->cert_serial, ev->cert_serial);
	COPY(s->enc_serial, ev->enc_serial);
	s->not_before_utc = ev->not_before_utc;
	s->not_after_utc = ev->not_after_utc;
	if (s->in_slot) {
		/* served means handed out: the order stays working until the key is taken */
		s->handing_out = 1;
		flow_order_request(f, out, FREQ_KEY_HAND_OUT);
		COPY(s->progress_key, "work.hand_out");
		return; /* FEV_KEY_TAKEN goes on */
	}
	serve(f, out);
	flow_advance(f, out);
}

/* FEV_WORK_FAILED and FEV_KEY_BLANK_FAILED: the money back, or the error. */
static void on_work_failed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	if (shown_step(f) != STEP_WORK || s->refunding)
		return;
	if (s->in_slot) {
		flow_order_request(f, out, FREQ_KEY_RETAIN); /* a half-made key is kept inside */
		s->in_slot = 0;
	}
	COPY(s->notice_key, ev->text); /* why, beside what happens to the money */
	if (s->quote.total_fen > 0) {
		flow_move_order(f, out, ORDER_REFUNDING, "work failed");
		struct flow_request *r = flow_emit(out, FREQ_PAY_REFUND);
		r->order_id = s->order_id;
		COPY(r->order_no, s->order_no);
		r->amount_fen = s->quote.total_fen;
		s->refunding = 1;
		COPY(s->progress_key, "work.failed_refunding");
	} else {
		flow_move_order(f, out, ORDER_FAILED, "work failed");
		flow_fail(f, ev->text[0] ? ev->text : "error.work_failed");
	}
}

static void on_key_blank_ready(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	(void)ev;
	if (shown_step(f) != STEP_WORK || s->refunding || s->in_slot)
		return;
	s->in_slot = 1;
	flow_request_work(f, out);
}

static void on_key_taken(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	(void)ev;
	if (shown_step(f) == STEP_WORK && s->in_slot && s->handing_out) {
		s->in_slot = s->handing_out = 0;
		serve(f, out);
		flow_advance(f, out);
	}
}

static void on_key_retained(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	struct session *s = &f->s;
	(void)ev;
	if (shown_step(f) == STEP_WORK && s->in_slot && s->handing_out) {
		/* the key went back into the retain bin: its certificate is revoked and the
		 * money goes back (FEV_WORK_FAILED follows) */
		s->in_slot = s->handing_out = 0;
		flow_order_request(f, out, FREQ_WORK_SETTLE);
		struct flow_request *r = &out->req[out->n - 1];
		r->work.biz = s->pickup ? s->order.biz : s->biz;
	}
}

static void on_refunded(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)ev;
	if (!f->s.refunding)
		return;
	flow_move_order(f, out, ORDER_REFUNDED, "refunded");
	flow_fail(f, "error.work_failed_refunded");
}

static void on_refund_failed(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	(void)out, (void)ev;
	if (f->s.refunding)
		flow_fail(f, "error.refund_pending");
}

static int about_this_order(const struct flow *f, const struct flow_event *ev)
{
	return f->s.order_id && ev->order_id == f->s.order_id;
}
typedef void handler_fn(struct flow *f, struct flow_out *out, const struct flow_event *ev);

/* Each kind's handler (none: the event changes nothing, as a tick), and whether it is
 * about the session's own order: one about an order of an earlier session is recovery's
 * business, not the flow's. */
static const struct {
	handler_fn *handle;
	int own_order;
} handlers[FEV_COUNT] = {
    [FEV_TAP] = {flow_on_tap, 0},
    [FEV_CARD] = {on_card, 0},
    [FEV_CARD_ERROR] = {on_card_error, 0},
    [FEV_KEY_INSERTED] = {on_key_inserted, 0},
    [FEV_KEY_REMOVED] = {on_key_removed, 0},
    [FEV_TRIAGE] = {on_triage, 0},
    [FEV_TRIAGE_FAILED] = {on_triage_failed, 0},
    [FEV_ORDER_CREATED] = {on_order_created, 0},
    [FEV_STORE_FAILED] = {on_store_failed, 0},
    [FEV_PAY_QR] = {on_pay_qr, 1},
    [FEV_PAY_PAID] = {on_pay_paid, 1},
    [FEV_PAY_CLOSED] = {on_pay_closed, 1},
    [FEV_PAY_UNSETTLED] = {on_pay_unsettled, 1},
    [FEV_PAY_FAILED] = {on_pay_failed, 1},
    [FEV_REFUNDED] = {on_refunded, 1},
    [FEV_REFUND_FAILED] = {on_refund_failed, 1},
    [FEV_WORK_PROGRESS] = {on_work_progress, 1},
    [FEV_WORK_DONE] = {on_work_done, 1},
    [FEV_WORK_FAILED] = {on_work_failed, 1},
    [FEV_PRINTED] = {on_printed, 0},
    [FEV_PRINT_FAILED] = {on_printed, 0},
    [FEV_KEY_BLANK_READY] = {on_key_blank_ready, 1},
    [FEV_KEY_BLANK_FAILED] = {on_work_failed, 1},
    [FEV_KEY_TAKEN] = {on_key_taken, 1},
    [FEV_KEY_RETAINED] = {on_key_retained, 1},
    [FEV_OUT_OF_SERVICE] = {on_out_of_service, 0},
    [FEV_PICKUP] = {on_pickup, 0},
    [FEV_PICKUP_FAILED] = {on_pickup_failed, 0},
    [FEV_AGENT] = {on_agent, 0},
    [FEV_KEY_PROVEN] = {on_key_proven, 0},
};

void flow_on_event(struct flow *f, struct flow_out *out, const struct flow_event *ev)
{
	if ((int)ev->kind < 0 || ev->kind >= FEV_COUNT || !handlers[ev->kind].handle)
		return;
	if (handlers[ev->kind].own_order && !about_this_order(f, ev))
		return;
	handlers[ev->kind].handle(f, out, ev);
}

/* ---- time-outs ---- */

void flow_on_timeout(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	if (s->screen == SCREEN_STEP && flow_cur_step(f) == STEP_PAY) {
		if (!s->cancelling) {
			/* the QR expired: cancel, and the gateway's answer (closed, or paid
			 * after all) decides */
			s->cancelling = 1;
			COPY(s->notice_key, "pay.timeout");
			flow_order_request(f, out, FREQ_PAY_CANCEL);
			s->deadline_ms = f->now.mono_ms + (int64_t)f->cfg->step_timeout_s * 1000;
			return;
		}
		/* no answer to the cancel: the order stays open for recovery to settle */
		flow_end_session(f, out, "pay.unsettled");
		return;
	}
	if (s->screen == SCREEN_STEP && flow_cur_step(f) == STEP_WORK)
		return;
	flow_close_unpaid_order(f, out);
	flow_end_session(f, out, "session.timeout");
}

/* recovery.c — what to do with each kind of unfinished order after a restart. */
#include "recovery.h"

#include <stdio.h>
#include <string.h>

static struct flow_request *emit(struct flow_out *out, enum flow_request_kind kind,
                                 const struct recovery_order *o)
{
	struct flow_request *r = &out->req[out->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->order_id = o->id;
	snprintf(r->order_no, sizeof r->order_no, "%s", o->order_no);
	r->amount_fen = o->amount_fen;
	return r;
}

static void move(struct recovery_order *o, struct flow_out *out, enum order_state to,
                 const char *reason)
{
	struct flow_request *r = emit(out, FREQ_ORDER_MOVE, o);
	r->to = to;
	r->reason = reason;
	o->state = to;
}

static void refund(struct recovery_order *o, struct flow_out *out, const char *reason)
{
	if (o->state != ORDER_REFUNDING)
		move(o, out, ORDER_REFUNDING, reason);
	emit(out, FREQ_PAY_REFUND, o);
}

int recovery_start(struct recovery_order *o, struct flow_out *out)
{
	out->n = 0;
	switch (o->state) {
	case ORDER_NEW:
		/* the order was written but nothing reached the gateway */
		move(o, out, ORDER_CLOSED, "recovery: never sent for payment");
		return 1;
	case ORDER_PAYING:
		/* the QR may have been paid: cancel; the answer says closed or paid */
		emit(out, FREQ_PAY_CANCEL, o);
		return 0;
	case ORDER_PAID:
		refund(o, out, "recovery: paid, not served");
		return 0;
	case ORDER_WORKING: {
		/* the work journal and the world say whether it landed */
		struct flow_request *r = emit(out, FREQ_WORK_SETTLE, o);
		r->work.biz = o->biz;
		snprintf(r->work.key_serial, sizeof r->work.key_serial, "%.39s", o->key_serial);
		return 0;
	}
	case ORDER_REFUNDING:
		refund(o, out, "recovery: refund pending");
		return 0;
	default:
		return 1; /* not open */
	}
}

int recovery_on_event(struct recovery_order *o, const struct flow_event *ev, struct flow_out *out)
{
	out->n = 0;
	if (ev->order_id != o->id)
		return 0;
	switch (ev->kind) {
	case FEV_PAY_CLOSED:
		if (o->state != ORDER_PAYING)
			return 0;
		move(o, out, ORDER_CLOSED, "recovery: trade cancelled");
		return 1;
	case FEV_PAY_PAID:
		if (o->state != ORDER_PAYING)
			return 0;
		move(o, out, ORDER_PAID, "recovery: paid after all");
		refund(o, out, "recovery: paid, not served");
		return 0;
	case FEV_WORK_DONE: {
		if (o->state != ORDER_WORKING)
			return 0;
		struct flow_request *r = emit(out, FREQ_ORDER_MOVE, o);
		r->to = ORDER_SERVED;
		r->reason = "recovery: the work had landed";
		if (ev->cert_serial[0]) {
			r->cert_event = "issued";
			snprintf(r->cert_serial, sizeof r->cert_serial, "%s", ev->cert_serial);
			r->cert_not_after_utc = ev->not_after_utc;
		}
		o->state = ORDER_SERVED;
		return 1;
	}
	case FEV_WORK_FAILED:
		if (o->state != ORDER_WORKING)
			return 0;
		if (o->amount_fen > 0) {
			refund(o, out, "recovery: the work had not landed");
			return 0;
		}
		move(o, out, ORDER_FAILED, "recovery: the work had not landed");
		return 1;
	case FEV_REFUNDED:
		if (o->state != ORDER_REFUNDING)
			return 0;
		move(o, out, ORDER_REFUNDED, "recovery: refunded");
		return 1;
	case FEV_PAY_UNSETTLED:
	case FEV_PAY_FAILED:
	case FEV_REFUND_FAILED:
		return 1; /* still open: the next start tries again */
	default:
		return 0;
	}
}

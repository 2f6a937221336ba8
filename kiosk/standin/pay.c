/* pay.c — STAND-IN for the Alipay client, for component tests that need no gateway (the
 * real service is kiosk/pay/pay_service.c): a trade per order kept in memory, a made-up
 * QR payload, and payment, failure or a failing refund when the script says so. */
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "standin/standin.h"

struct pay {
	struct service_host host;
	int64_t waiting_order; /* the trade whose QR is shown, 0 when none */
	int refund_fails;
};

static void post(struct pay *p, enum flow_event_kind kind, int64_t order_id, const char *text)
{
	struct flow_event ev = {.kind = kind, .order_id = order_id};
	snprintf(ev.text, sizeof ev.text, "%s", text ? text : "");
	p->host.post(p->host.app, &ev);
}

static void submit(void *self, const struct flow_request *r)
{
	struct pay *p = self;
	char amount[24], qr[128];
	money_format(r->amount_fen, amount, sizeof amount);
	switch (r->kind) {
	case FREQ_PAY_START:
		p->waiting_order = r->order_id;
		snprintf(qr, sizeof qr, "https://standin.invalid/pay/%s", r->order_no);
		fprintf(p->host.trace, "[stand-in pay] precreate %s: %s yuan\n", r->order_no,
		        amount);
		post(p, FEV_PAY_QR, r->order_id, qr);
		break;
	case FREQ_PAY_CANCEL:
		fprintf(p->host.trace, "[stand-in pay] cancel %s: closed\n", r->order_no);
		if (p->waiting_order == r->order_id)
			p->waiting_order = 0;
		post(p, FEV_PAY_CLOSED, r->order_id, NULL);
		break;
	case FREQ_PAY_REFUND:
		if (p->refund_fails) {
			fprintf(p->host.trace, "[stand-in pay] refund %s: gateway unavailable\n",
			        r->order_no);
			post(p, FEV_REFUND_FAILED, r->order_id, "pay.unavailable");
			break;
		}
		fprintf(p->host.trace, "[stand-in pay] refund %s: %s yuan\n", r->order_no, amount);
		post(p, FEV_REFUNDED, r->order_id, NULL);
		break;
	case FREQ_PAY_RECONCILE: {
		/* no gateway, no bill: the day cannot be reconciled */
		struct flow_event ev = {.kind = FEV_PAY_RECONCILED, .arg = -1};
		fprintf(p->host.trace, "[stand-in pay] no bill to reconcile with\n");
		p->host.post(p->host.app, &ev);
		break;
	}
	default:
		break;
	}
}

static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct pay *p = self;
	if (strcmp(verb, "refund-fails") == 0) {
		p->refund_fails = strcmp(args, "off") != 0;
		return KR_OK;
	}
	if (!p->waiting_order)
		return kerr_set(err, KR_INVALID, "pay %s: no payment is waiting", verb);
	if (strcmp(verb, "paid") == 0) {
		fprintf(p->host.trace, "[stand-in pay] the user scanned and paid\n");
		char trade_no[40];
		snprintf(trade_no, sizeof trade_no, "2026STANDIN%08lld",
		         (long long)p->waiting_order);
		post(p, FEV_PAY_PAID, p->waiting_order, trade_no);
	} else if (strcmp(verb, "fail") == 0) {
		post(p, FEV_PAY_FAILED, p->waiting_order, args[0] ? args : "pay.unavailable");
	} else {
		return kerr_set(err, KR_INVALID,
		                "pay: unknown verb '%s' (paid, fail, refund-fails)", verb);
	}
	p->waiting_order = 0;
	return KR_OK;
}

static const struct service_ops ops = {"standin", 1, submit, control, standin_free};

int standin_pay_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	return standin_new(sizeof(struct pay), host, &ops, out, err);
}

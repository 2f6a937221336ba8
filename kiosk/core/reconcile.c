/* reconcile.c — the day's comparison of reconcile.h. */
#include "reconcile.h"

#include <stdio.h>
#include <string.h>

const char *recon_kind_id(enum recon_kind k)
{
	static const char *const ids[RECON_KIND_COUNT] = {"paid_not_kiosk", "paid_not_gateway",
	                                                  "amount", "refund_not_gateway",
	                                                  "refund_not_kiosk"};
	return (int)k >= 0 && k < RECON_KIND_COUNT ? ids[k] : "?";
}

static void differ(struct recon_report *out, enum recon_kind kind, const char *order_no,
                   const char *out_trade_no, fen_t kiosk_fen, fen_t gateway_fen)
{
	if (out->ndiff++ >= RECON_DIFF_MAX)
		return;
	struct recon_diff *d = &out->diff[out->ndiff - 1];
	d->kind = kind;
	snprintf(d->order_no, sizeof d->order_no, "%s", order_no);
	snprintf(d->out_trade_no, sizeof d->out_trade_no, "%s", out_trade_no);
	d->kiosk_fen = kiosk_fen;
	d->gateway_fen = gateway_fen;
}

/* The bill's payments and refunds of one trade. */
static void bill_of(const struct recon_trade *bill, int ng, const char *otn, fen_t *paid,
                    fen_t *refunded)
{
	*paid = *refunded = 0;
	for (int i = 0; i < ng; i++)
		if (strcmp(bill[i].out_trade_no, otn) == 0)
			*(bill[i].refund ? refunded : paid) += bill[i].amount_fen;
}

static const struct recon_kiosk *kiosk_of(const struct recon_kiosk *kiosk, int nk, const char *otn)
{
	for (int i = 0; i < nk; i++)
		if (strcmp(kiosk[i].out_trade_no, otn) == 0)
			return &kiosk[i];
	return NULL;
}

/* What the kiosk holds paid and refunded of its payment k (NULL: none). */
static fen_t kiosk_paid(const struct recon_kiosk *k)
{
	return k && (k->status == PAYMENT_PAID || k->status == PAYMENT_REFUNDING ||
	             k->status == PAYMENT_REFUNDED)
	           ? k->amount_fen
	           : 0;
}

static fen_t kiosk_refunded(const struct recon_kiosk *k)
{
	return k && k->status == PAYMENT_REFUNDED ? k->amount_fen : 0;
}

/* One trade, as the kiosk has it (k, or NULL) and as the bill has it. */
static void compare(struct recon_report *out, const struct recon_kiosk *k, const char *otn,
                    fen_t gp, fen_t gr)
{
	fen_t kp = kiosk_paid(k), kr = kiosk_refunded(k);
	const char *no = k ? k->order_no : "";
	if (!kp && gp > gr)
		differ(out, RECON_PAID_NOT_KIOSK, no, otn, 0, gp - gr);
	if (kp && !gp)
		differ(out, RECON_PAID_NOT_GATEWAY, no, otn, kp, 0);
	if (kp && gp && kp != gp)
		differ(out, RECON_AMOUNT, no, otn, kp, gp);
	if (kr && gr < kr)
		differ(out, RECON_REFUND_NOT_GATEWAY, no, otn, kr, gr);
	if (kp && gr > kr)
		differ(out, RECON_REFUND_NOT_KIOSK, no, otn, kr, gr);
}

void reconcile_day(const struct recon_kiosk *kiosk, int nk, const struct recon_trade *bill, int ng,
                   struct recon_report *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < ng; i++) {
		out->gateway_trades += !bill[i].refund;
		*(bill[i].refund ? &out->gateway_refunded_fen : &out->gateway_paid_fen) +=
		    bill[i].amount_fen;
	}
	fen_t gp, gr;
	for (int i = 0; i < nk; i++) {
		const struct recon_kiosk *k = &kiosk[i];
		out->kiosk_payments++;
		out->kiosk_paid_fen += kiosk_paid(k);
		out->kiosk_refunded_fen += kiosk_refunded(k);
		bill_of(bill, ng, k->out_trade_no, &gp, &gr);
		compare(out, k, k->out_trade_no, gp, gr);
	}
	/* trades of the bill the kiosk has no payment for (each once) */
	for (int i = 0; i < ng; i++) {
		int first = 1;
		for (int j = 0; j < i && first; j++)
			first = strcmp(bill[j].out_trade_no, bill[i].out_trade_no) != 0;
		if (!first || kiosk_of(kiosk, nk, bill[i].out_trade_no))
			continue;
		bill_of(bill, ng, bill[i].out_trade_no, &gp, &gr);
		compare(out, NULL, bill[i].out_trade_no, gp, gr);
	}
}

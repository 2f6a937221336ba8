/* reconciles.c — the reconciliations' journal rows (reconciles.h), as JSON. */
#include "store/reconciles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define KIND     "reconciliation"
#define BODY_MAX 16384

/* {"payments"|"trades": n, "paid": fen, "refunded": fen} */
static cJSON *side(const char *count, int n, fen_t paid, fen_t refunded)
{
	cJSON *o = cJSON_CreateObject();
	if (o && (!cJSON_AddNumberToObject(o, count, n) ||
	          !cJSON_AddNumberToObject(o, "paid", (double)paid) ||
	          !cJSON_AddNumberToObject(o, "refunded", (double)refunded))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int reconciles_record(struct store *s, const char *day, const struct recon_report *r,
                      const char *why, int64_t now_utc, struct kerr *err)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o && cJSON_AddStringToObject(o, "day", day);
	if (ok && !r) {
		ok = cJSON_AddStringToObject(o, "error", why) != NULL;
	} else if (ok) {
		cJSON *list = cJSON_AddArrayToObject(o, "listed");
		ok = list &&
		     cJSON_AddItemToObject(o, "kiosk",
		                           side("payments", r->kiosk_payments, r->kiosk_paid_fen,
		                                r->kiosk_refunded_fen)) &&
		     cJSON_AddItemToObject(o, "gateway",
		                           side("trades", r->gateway_trades, r->gateway_paid_fen,
		                                r->gateway_refunded_fen)) &&
		     cJSON_AddNumberToObject(o, "differences", r->ndiff);
		cJSON *pending = cJSON_AddArrayToObject(o, "unsettled_orders");
		ok = ok && pending && cJSON_AddNumberToObject(o, "unsettled", r->unsettled);
		for (int i = 0; ok && i < r->unsettled && i < RECON_DIFF_MAX; i++)
			ok = cJSON_AddItemToArray(pending, cJSON_CreateString(r->unsettled_no[i]));
		for (int i = 0; ok && i < r->ndiff && i < RECON_DIFF_MAX; i++) {
			const struct recon_diff *d = &r->diff[i];
			cJSON *e = cJSON_CreateObject();
			ok = cJSON_AddItemToArray(list, e) &&
			     cJSON_AddStringToObject(e, "kind", recon_kind_id(d->kind)) &&
			     cJSON_AddStringToObject(e, "order", d->order_no) &&
			     cJSON_AddStringToObject(e, "trade", d->out_trade_no) &&
			     cJSON_AddNumberToObject(e, "kiosk", (double)d->kiosk_fen) &&
			     cJSON_AddNumberToObject(e, "gateway", (double)d->gateway_fen);
		}
	}
	char *body = ok ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!body)
		return kerr_set(err, KR_NOMEM, "out of memory for the reconciliation");
	int rc = store_journal_append(s, KIND, 0, body, now_utc, err);
	free(body);
	return rc;
}

static int64_t num(const cJSON *o, const char *name)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(n) ? (int64_t)n->valuedouble : -1;
}

static void text(const cJSON *o, const char *name, char *out, size_t size)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, name);
	snprintf(out, size, "%s", cJSON_IsString(t) ? t->valuestring : "");
}

int reconciles_latest(struct store *s, char *day, struct recon_report *r, int *failed, char *why,
                      size_t size, struct kerr *err)
{
	char *body = malloc(BODY_MAX);
	int64_t seq = 0;
	memset(r, 0, sizeof *r);
	*failed = 0;
	why[0] = day[0] = '\0';
	if (!body)
		return kerr_set(err, KR_NOMEM, "out of memory for the reconciliation");
	int rc = store_journal_latest(s, KIND, &seq, body, BODY_MAX, err);
	cJSON *o = rc == KR_OK ? cJSON_Parse(body) : NULL;
	free(body);
	if (rc != KR_OK)
		return rc;
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kiosk");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "gateway");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "listed");
	text(o, "day", day, 11);
	if (cJSON_GetObjectItemCaseSensitive(o, "error")) {
		*failed = 1;
		text(o, "error", why, size);
	} else if (cJSON_IsObject(k) && cJSON_IsObject(g) && cJSON_IsArray(list)) {
		r->kiosk_payments = (int)num(k, "payments");
		r->kiosk_paid_fen = num(k, "paid");
		r->kiosk_refunded_fen = num(k, "refunded");
		r->gateway_trades = (int)num(g, "trades");
		r->gateway_paid_fen = num(g, "paid");
		r->gateway_refunded_fen = num(g, "refunded");
		r->ndiff = (int)num(o, "differences");
		r->unsettled = (int)num(o, "unsettled");
		const cJSON *pending = cJSON_GetObjectItemCaseSensitive(o, "unsettled_orders");
		for (int i = 0; i < RECON_DIFF_MAX && i < cJSON_GetArraySize(pending); i++) {
			const cJSON *no = cJSON_GetArrayItem(pending, i);
			snprintf(r->unsettled_no[i], sizeof r->unsettled_no[i], "%s",
			         cJSON_IsString(no) ? no->valuestring : "");
		}
		int i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, list)
		{
			if (i == RECON_DIFF_MAX)
				break;
			struct recon_diff *d = &r->diff[i++];
			char kind[32];
			text(e, "kind", kind, sizeof kind);
			d->kind = RECON_KIND_COUNT;
			for (int kd = 0; kd < RECON_KIND_COUNT; kd++)
				if (strcmp(kind, recon_kind_id((enum recon_kind)kd)) == 0)
					d->kind = (enum recon_kind)kd;
			text(e, "order", d->order_no, sizeof d->order_no);
			text(e, "trade", d->out_trade_no, sizeof d->out_trade_no);
			d->kiosk_fen = num(e, "kiosk");
			d->gateway_fen = num(e, "gateway");
		}
	} else {
		rc = kerr_set(err, KR_CORRUPT, "journal row %lld: not a reconciliation",
		              (long long)seq);
	}
	cJSON_Delete(o);
	return rc;
}

/* inbox.c — pick-up lookups and review results (see inbox.h). */
#include "sync/inbox.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "store/outbox.h"
#include "sync/pickup.h"

static void failed(struct flow_event *ev, const char *key)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = FEV_PICKUP_FAILED;
	snprintf(ev->text, sizeof ev->text, "%s", key);
}

int inbox_pickup_find(struct store *s, const char *order_no, int64_t now_utc, struct flow_event *ev,
                      FILE *trace, struct kerr *err)
{
	struct inbox_row item;
	struct order_row row;
	int taken = 0;

	int rc = outbox_inbox_find(s, "pickup", order_no, INBOX_ACCEPTED, &item, err);
	if (rc == KR_NOT_FOUND) {
		fprintf(trace, "[pickup] %.31s: no such order to pick up\n", order_no);
		failed(ev, "pickup.unknown");
		return KR_OK;
	}
	if (rc != KR_OK)
		return rc;
	memset(ev, 0, sizeof *ev);
	ev->kind = FEV_PICKUP;
	rc = pickup_parse(item.payload, &ev->pickup, err);
	explicit_bzero(&item, sizeof item);
	if (rc != KR_OK) /* it was checked when it came: the database was changed */
		return kerr_set(err, KR_CORRUPT, "pick-up order %.31s: %s", order_no, err->msg);

	rc = store_order_find(s, order_no, &row, err);
	if (rc == KR_NOT_FOUND) { /* ordered online */
		rc = store_pickup_taken(s, order_no, &taken, err);
		if (rc == KR_OK && taken) {
			fprintf(trace, "[pickup] %.31s: handed out already\n", order_no);
			failed(ev, "pickup.taken");
		}
		return rc;
	}
	if (rc != KR_OK)
		return rc;
	/* one of this kiosk's orders, filed for review and paid here */
	if (row.state == ORDER_IN_REVIEW) {
		rc = store_order_move(s, row.id, ORDER_APPROVED, "approved centrally (pick-up)",
		                      now_utc, err);
		if (rc != KR_OK)
			return rc;
	} else if (row.state != ORDER_APPROVED) {
		fprintf(trace, "[pickup] %s: the order is %s\n", row.order_no,
		        order_state_id(row.state));
		failed(ev, "pickup.taken");
		return KR_OK;
	}
	ev->order_id = row.id;
	snprintf(ev->order_no, sizeof ev->order_no, "%s", row.order_no);
	ev->pickup.paid_fen = row.amount_fen;
	return KR_OK;
}

/* The order and the result of a review item; 0 when it is not one. */
static int review_read(const char *payload, char *order_no, size_t size, int *approved)
{
	cJSON *j = cJSON_Parse(payload);
	const cJSON *no = cJSON_GetObjectItemCaseSensitive(j, "order_no");
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
	int ok = cJSON_IsString(no) && strlen(no->valuestring) < size && cJSON_IsString(res) &&
	         (strcmp(res->valuestring, "approved") == 0 ||
	          strcmp(res->valuestring, "rejected") == 0);
	if (ok) {
		snprintf(order_no, size, "%s", no->valuestring);
		*approved = res->valuestring[0] == 'a';
	}
	cJSON_Delete(j);
	return ok;
}

/* Whether t is upper-case hex of 1 to 64 digits. */
static int serial_ok(const char *t)
{
	size_t n = strspn(t, "0123456789ABCDEF");
	return n > 0 && n <= 64 && t[n] == '\0';
}

int inbox_revocation_apply(struct store *s, int64_t now_utc, char *serial_out, size_t size,
                           FILE *trace, struct kerr *err)
{
	struct inbox_row item;
	struct order_row row;
	serial_out[0] = '\0';
	int rc = outbox_inbox_next(s, "revocation", &item, err);
	if (rc != KR_OK)
		return rc;
	cJSON *j = cJSON_Parse(item.payload);
	const cJSON *no = cJSON_GetObjectItemCaseSensitive(j, "order_no");
	const cJSON *serial = cJSON_GetObjectItemCaseSensitive(j, "serial");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "revoked_at");
	const char *why = NULL;
	if (!cJSON_IsString(no) || strlen(no->valuestring) >= sizeof row.order_no)
		why = "not a revocation confirmation";
	else if ((rc = store_order_find(s, no->valuestring, &row, err)) == KR_NOT_FOUND)
		why = "not an order of this kiosk";
	else if (rc != KR_OK) {
		cJSON_Delete(j);
		return rc;
	} else if (row.biz != BIZ_REVOKE)
		why = "the order is not a revocation";
	if (why) {
		cJSON_Delete(j);
		fprintf(trace, "[revocation] item %lld: %s\n", (long long)item.seq, why);
		return outbox_inbox_settle(s, item.seq, INBOX_REFUSED, why, now_utc, err);
	}
	/* the journal body is ours: the site's words go through cJSON */
	cJSON *b = cJSON_CreateObject();
	char *body = NULL;
	if (b && cJSON_AddStringToObject(b, "order_no", row.order_no) &&
	    cJSON_AddStringToObject(b, "serial",
	                            cJSON_IsString(serial) ? serial->valuestring : "") &&
	    cJSON_AddNumberToObject(b, "revoked_at", cJSON_IsNumber(at) ? at->valuedouble : 0))
		body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	if (cJSON_IsString(serial) && serial_ok(serial->valuestring))
		snprintf(serial_out, size, "%s", serial->valuestring);
	cJSON_Delete(j);
	rc = body ? store_journal_append(s, "revocation.confirmed", row.id, body, now_utc, err)
	          : kerr_set(err, KR_NOMEM, "out of memory");
	cJSON_free(body);
	if (rc != KR_OK)
		return rc;
	fprintf(trace, "[order %s] revocation confirmed by the central site\n", row.order_no);
	return outbox_inbox_settle(s, item.seq, INBOX_ACCEPTED, "", now_utc, err);
}

int inbox_review_apply(struct store *s, int64_t now_utc, int64_t *refund_id, FILE *trace,
                       struct kerr *err)
{
	struct inbox_row item;
	struct order_row row;
	char no[32];
	int approved = 0;

	*refund_id = 0;
	int rc = outbox_inbox_next(s, "review", &item, err);
	if (rc != KR_OK)
		return rc;
	const char *why = NULL;
	if (!review_read(item.payload, no, sizeof no, &approved))
		why = "not a review result";
	else if ((rc = store_order_find(s, no, &row, err)) == KR_NOT_FOUND)
		why = "not an order of this kiosk";
	else if (rc != KR_OK)
		return rc;
	else if (row.state != ORDER_IN_REVIEW)
		why = "the order is not in review";
	if (why) {
		fprintf(trace, "[review] item %lld: %s\n", (long long)item.seq, why);
		return outbox_inbox_settle(s, item.seq, INBOX_REFUSED, why, now_utc, err);
	}
	enum order_state to = approved             ? ORDER_APPROVED
	                      : row.amount_fen > 0 ? ORDER_REFUNDING
	                                           : ORDER_CLOSED;
	rc = store_order_move(s, row.id, to, approved ? "approved centrally" : "rejected centrally",
	                      now_utc, err);
	if (rc != KR_OK)
		return rc;
	if (to == ORDER_REFUNDING)
		*refund_id = row.id;
	return outbox_inbox_settle(s, item.seq, INBOX_ACCEPTED, "", now_utc, err);
}

/* orders.c — orders: creating one with its fee lines, moving it from state to state (the
 * one function that writes an order's state, store_order_move_cert), its history, reading
 * orders back, and whether a pick-up order is handed out already. Each change is one
 * transaction with its history row, journal row and outbox event. */
#include "store/store.h"
#include "store/outbox.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "core/cntime.h"
#include "core/money.h"

#define STORE_KIOSK_ID_MAX 8
#define STORE_REASON_MAX   128
#define STORE_DETAIL_MAX   512 /* an order's detail for the central site */
_Static_assert(STORE_BODY_MAX + STORE_DETAIL_MAX + 16 <= OUTBOX_BODY_MAX,
               "an outbox event is read back whole");

#define ROW_FIELD_SIZE(f) sizeof(((struct order_row *)0)->f)

/* What an order event says beyond its state change. */
struct order_extra {
	const struct order_spec *spec; /* a new order: business, holder, subject, pick-up, detail */
	const struct order_cert *cert; /* a move: what it did to a certificate */
};

/* The extra fields of an event body (",\"business\":…"), "" when none, into out. */
static void extra_fields(const struct order_extra *x, char *out, size_t size)
{
	char subject_q[6 * ROW_FIELD_SIZE(subject_masked) + 3];
	out[0] = '\0';
	if (x && x->spec) {
		const struct order_spec *sp = x->spec;
		store_json_quote(sp->subject_masked ? sp->subject_masked : "", subject_q);
		snprintf(out, size, ",\"business\":\"%s\",\"holder\":\"%s\",\"subject\":%s%s%s%s",
		         catalogue_business_id(sp->biz), catalogue_holder_id(sp->holder), subject_q,
		         sp->pickup_no && sp->pickup_no[0] ? ",\"pickup\":\"" : "",
		         sp->pickup_no && sp->pickup_no[0] ? sp->pickup_no : "",
		         sp->pickup_no && sp->pickup_no[0] ? "\"" : "");
	} else if (x && x->cert) {
		snprintf(out, size,
		         ",\"cert\":{\"event\":\"%s\",\"serial\":\"%s\",\"not_after\":%lld}",
		         x->cert->event, x->cert->serial ? x->cert->serial : "",
		         (long long)x->cert->not_after_utc);
	}
}

/* Records a state change of an order inside the open transaction: a history row, a
 * journal row and an outbox event, the last two with the same small JSON body — but
 * a new order's detail for the central site (the contact: personal) goes in the outbox
 * event only. from is -1 for a new order. Returns a SQLite code. */
static int order_record(struct store *s, int64_t id, const char *order_no, int from,
                        enum order_state to, fen_t amount, const char *reason, int64_t at,
                        const struct order_extra *x)
{
	const char *kind = from < 0 ? "order.create" : "order.move";
	const char *detail = x && x->spec ? x->spec->detail : NULL;
	char body[STORE_BODY_MAX], event_id[64], from_q[24] = "null";
	char sent[STORE_BODY_MAX + STORE_DETAIL_MAX + 16];
	char reason_q[2 * STORE_REASON_MAX + 3], extra[1024];

	/* order_no is letters and digits, state ids are fixed words */
	if (from >= 0)
		snprintf(from_q, sizeof from_q, "\"%s\"", order_state_id((enum order_state)from));
	store_json_quote(reason, reason_q);
	extra_fields(x, extra, sizeof extra);
	snprintf(body, sizeof body,
	         "{\"order_no\":\"%s\",\"from\":%s,\"to\":\"%s\",\"amount_fen\":%lld,"
	         "\"reason\":%s%s}",
	         order_no, from_q, order_state_id(to), (long long)amount, reason_q, extra);

	sqlite3_stmt *st = s->st[ST_HISTORY_INSERT];
	sqlite3_bind_int64(st, 1, id);
	if (from < 0)
		sqlite3_bind_null(st, 2);
	else
		sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, (int)to);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	int rc = store_stmt_run(st);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(event_id, sizeof event_id, "%s:%lld", order_no,
	         (long long)sqlite3_last_insert_rowid(s->db));

	rc = store_tx_journal(s, kind, id, body, at);
	if (rc != SQLITE_OK)
		return rc;

	if (detail && detail[0])
		snprintf(sent, sizeof sent, "%.*s,\"detail\":%s}", (int)strlen(body) - 1, body,
		         detail);
	else
		snprintf(sent, sizeof sent, "%s", body);
	st = s->st[ST_OUTBOX_INSERT];
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	rc = store_stmt_run(st);
	explicit_bzero(sent, sizeof sent);
	return rc;
}

/* Fills out from a row of ORDER_COLUMNS. KR_CORRUPT when a code is out of range. */
static int order_read(sqlite3_stmt *st, struct order_row *out, struct kerr *err)
{
	int64_t biz = sqlite3_column_int64(st, 3), holder = sqlite3_column_int64(st, 4);
	int64_t state = sqlite3_column_int64(st, 6);

	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	if (biz < 0 || biz >= BIZ_COUNT || holder < 0 || holder >= HOLDER_COUNT || state < 0 ||
	    state >= ORDER_STATE_COUNT)
		return kerr_set(err, KR_CORRUPT,
		                "order %lld: business, holder or state out of range",
		                (long long)out->id);
	store_column_text(st, 1, out->order_no, sizeof out->order_no);
	store_column_text(st, 2, out->out_trade_no, sizeof out->out_trade_no);
	out->biz = (enum business)biz;
	out->holder = (enum holder)holder;
	out->amount_fen = sqlite3_column_int64(st, 5);
	out->state = (enum order_state)state;
	out->created_utc = sqlite3_column_int64(st, 7);
	out->updated_utc = sqlite3_column_int64(st, 8);
	store_column_text(st, 9, out->subject_masked, sizeof out->subject_masked);
	store_column_text(st, 10, out->key_serial, sizeof out->key_serial);
	store_column_text(st, 11, out->pickup_no, sizeof out->pickup_no);
	return KR_OK;
}

int store_order_quote(struct store *s, int64_t id, struct fee_quote *q, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	memset(q, 0, sizeof *q);
	int rc = sqlite3_prepare_v2(s->db,
	                            "SELECT item, qty, years, bundle, unit_fen, total_fen FROM "
	                            "order_lines WHERE order_id = ?1 ORDER BY seq",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, id);
	int r = KR_OK;
	while (r == KR_OK && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		const unsigned char *item = sqlite3_column_text(st, 0);
		const char *key = item ? fees_item_key((const char *)item) : NULL;
		if (!key || q->nlines == FEE_MAX_LINES) {
			r = kerr_set(err, KR_CORRUPT, "order %lld: a fee line no quote makes",
			             (long long)id);
			break;
		}
		struct fee_line *l = &q->line[q->nlines++];
		l->key = key;
		l->qty = sqlite3_column_int(st, 1);
		l->years = sqlite3_column_int(st, 2);
		l->bundle = sqlite3_column_int(st, 3);
		l->unit_fen = sqlite3_column_int64(st, 4);
		l->total_fen = sqlite3_column_int64(st, 5);
		q->total_fen += l->total_fen;
	}
	sqlite3_finalize(st);
	if (r == KR_OK && rc != SQLITE_DONE)
		r = store_sqlite_err(s->db, rc, "reading an order's fee lines", err);
	return r;
}

static int alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int pickup_no_ok(const char *no)
{
	size_t n = strlen(no);
	for (size_t i = 0; i < n; i++)
		if (!alnum(no[i]))
			return 0;
	return n < ROW_FIELD_SIZE(order_no);
}

static int json_object_ok(const char *text)
{
	if (strlen(text) > STORE_DETAIL_MAX)
		return 0;
	cJSON *j = cJSON_Parse(text);
	int ok = cJSON_IsObject(j);
	cJSON_Delete(j);
	return ok;
}

/* Whether an open or served order hands out pickup_no (inside a transaction or not).
 * Returns a SQLite code; *taken 1 or 0. */
static int pickup_taken(struct store *s, const char *pickup_no, int *taken)
{
	sqlite3_stmt *st = s->st[ST_PICKUP_TAKEN];
	int64_t n = 0;
	sqlite3_bind_text(st, 1, pickup_no, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ORDER_CLOSED);
	sqlite3_bind_int(st, 3, ORDER_FAILED);
	int rc = store_stmt_int(st, 0, &n);
	*taken = n > 0;
	return rc;
}

/* Checks a spec before anything is written. */
static int spec_check(const struct order_spec *spec, struct kerr *err)
{
	const struct fee_quote *q = spec->quote;
	const char *k = spec->kiosk_id;
	size_t n = k ? strlen(k) : 0;

	if (n < 1 || n > STORE_KIOSK_ID_MAX)
		return kerr_set(err, KR_INVALID, "kiosk id must be 1 to %d letters or digits",
		                STORE_KIOSK_ID_MAX);
	for (size_t i = 0; i < n; i++)
		if (!alnum(k[i]))
			return kerr_set(err, KR_INVALID, "kiosk id must be letters or digits");
	if ((int)spec->biz < 0 || spec->biz >= BIZ_COUNT || (int)spec->holder < 0 ||
	    spec->holder >= HOLDER_COUNT)
		return kerr_set(err, KR_INVALID, "business or holder out of range");
	if (!q || q->nlines < 0 || q->nlines > FEE_MAX_LINES || q->total_fen < 0 ||
	    q->total_fen > MONEY_MAX_FEN)
		return kerr_set(err, KR_INVALID, "fee quote missing or out of range");
	for (int i = 0; i < q->nlines; i++)
		if (!q->line[i].key || q->line[i].total_fen < 0)
			return kerr_set(err, KR_INVALID, "fee line %d is incomplete", i + 1);
	if (spec->subject_masked && strlen(spec->subject_masked) >= ROW_FIELD_SIZE(subject_masked))
		return kerr_set(err, KR_INVALID, "masked subject too long");
	if (spec->key_serial && strlen(spec->key_serial) >= ROW_FIELD_SIZE(key_serial))
		return kerr_set(err, KR_INVALID, "key serial too long");
	if (spec->detail && spec->detail[0] && !json_object_ok(spec->detail))
		return kerr_set(err, KR_INVALID, "detail must be a JSON object of at most %d bytes",
		                STORE_DETAIL_MAX);
	if (spec->pickup_no && spec->pickup_no[0] && !pickup_no_ok(spec->pickup_no))
		return kerr_set(err, KR_INVALID,
		                "pick-up order number must be 1 to 31 letters or "
		                "digits");
	return KR_OK;
}

/* Inserts the order's row, new, inside the open transaction. Returns a SQLite code. */
static int order_insert(struct store *s, int64_t id, const char *order_no, const char *out_trade_no,
                        const struct order_spec *spec)
{
	const char *pickup = spec->pickup_no && spec->pickup_no[0] ? spec->pickup_no : NULL;
	sqlite3_stmt *st = s->st[ST_ORDER_INSERT];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, order_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out_trade_no, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)spec->biz);
	sqlite3_bind_int(st, 5, (int)spec->holder);
	sqlite3_bind_int64(st, 6, spec->quote->total_fen);
	sqlite3_bind_int(st, 7, ORDER_NEW);
	sqlite3_bind_int(st, 8, order_states[ORDER_NEW].open);
	sqlite3_bind_int64(st, 9, spec->now_utc);
	sqlite3_bind_text(st, 10, spec->subject_masked ? spec->subject_masked : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 11, spec->key_serial ? spec->key_serial : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, spec->detail ? spec->detail : "", -1, SQLITE_STATIC);
	if (pickup)
		sqlite3_bind_text(st, 13, pickup, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 13);
	return store_stmt_run(st);
}

/* Inserts the quote's fee lines of order id inside the open transaction. Returns a
 * SQLite code. */
static int lines_insert(struct store *s, int64_t id, const struct fee_quote *q)
{
	sqlite3_stmt *st = s->st[ST_LINE_INSERT];
	for (int i = 0; i < q->nlines; i++) {
		const struct fee_line *l = &q->line[i];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, i + 1);
		sqlite3_bind_text(st, 3, l->key, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, l->qty);
		sqlite3_bind_int(st, 5, l->years);
		sqlite3_bind_int(st, 6, l->bundle);
		sqlite3_bind_int64(st, 7, l->unit_fen);
		sqlite3_bind_int64(st, 8, l->total_fen);
		int rc = store_stmt_run(st);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* The new order as a row, into out. */
static void created_row(int64_t id, const char *order_no, const char *out_trade_no,
                        const struct order_spec *spec, struct order_row *out)
{
	*out = (struct order_row){.id = id,
	                          .biz = spec->biz,
	                          .holder = spec->holder,
	                          .amount_fen = spec->quote->total_fen,
	                          .state = ORDER_NEW,
	                          .created_utc = spec->now_utc,
	                          .updated_utc = spec->now_utc};
	snprintf(out->order_no, sizeof out->order_no, "%s", order_no);
	snprintf(out->out_trade_no, sizeof out->out_trade_no, "%s", out_trade_no);
	snprintf(out->subject_masked, sizeof out->subject_masked, "%s",
	         spec->subject_masked ? spec->subject_masked : "");
	snprintf(out->key_serial, sizeof out->key_serial, "%s",
	         spec->key_serial ? spec->key_serial : "");
	snprintf(out->pickup_no, sizeof out->pickup_no, "%s",
	         spec->pickup_no ? spec->pickup_no : "");
}

int store_order_create(struct store *s, const struct order_spec *spec, struct order_row *out,
                       struct kerr *err)
{
	int r = spec_check(spec, err);
	if (r != KR_OK)
		return r;

	const struct fee_quote *q = spec->quote;
	const char *pickup = spec->pickup_no && spec->pickup_no[0] ? spec->pickup_no : NULL;
	char order_no[sizeof out->order_no], out_trade_no[sizeof out->out_trade_no], yymmdd[8];
	int64_t id;

	if (cntime_format(spec->now_utc, "%y%m%d", yymmdd, sizeof yymmdd) != 0)
		return kerr_set(err, KR_INVALID, "creation time out of range");

	r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = store_stmt_int(s->st[ST_ORDER_NEXT_ID], 1, &id);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "next order id", err);
	if (pickup) {
		int taken = 0;
		rc = pickup_taken(s, pickup, &taken);
		if (rc != SQLITE_OK)
			return store_tx_fail(s, rc, "pick-up order", err);
		if (taken) {
			store_tx_rollback(s);
			return kerr_set(err, KR_CONFLICT, "pick-up order %s is handed out already",
			                pickup);
		}
	}
	snprintf(order_no, sizeof order_no, "%s%s%08lld", spec->kiosk_id, yymmdd, (long long)id);
	snprintf(out_trade_no, sizeof out_trade_no, "%s_1", order_no);

	rc = order_insert(s, id, order_no, out_trade_no, spec);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "insert order", err);
	rc = lines_insert(s, id, q);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "insert fee line", err);
	struct order_extra x = {.spec = spec};
	rc = order_record(s, id, order_no, -1, ORDER_NEW, q->total_fen, "created", spec->now_utc,
	                  &x);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "record new order", err);
	r = store_tx_commit(s, err);
	if (r != KR_OK)
		return r;
	if (s->trace) {
		char yuan[24];
		money_format(q->total_fen, yuan, sizeof yuan);
		fprintf(s->trace, "[order %s] created: %s %s, %s yuan\n", order_no,
		        catalogue_business_id(spec->biz), catalogue_holder_id(spec->holder), yuan);
	}
	if (out)
		created_row(id, order_no, out_trade_no, spec, out);
	return KR_OK;
}

int store_order_move(struct store *s, int64_t id, enum order_state to, const char *reason,
                     int64_t now_utc, struct kerr *err)
{
	return store_order_move_cert(s, id, to, reason, NULL, now_utc, err);
}

static int hex_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return n <= max;
}

int store_order_move_cert(struct store *s, int64_t id, enum order_state to, const char *reason,
                          const struct order_cert *cert, int64_t now_utc, struct kerr *err)
{
	if (!reason)
		reason = "";
	if (cert && (!cert->event ||
	             (strcmp(cert->event, "issued") != 0 && strcmp(cert->event, "revoked") != 0 &&
	              strcmp(cert->event, "revoke_queued") != 0) ||
	             !hex_ok(cert->serial, 64)))
		return kerr_set(err, KR_INVALID, "certificate event or serial not allowed");
	if ((int)to < 0 || to >= ORDER_STATE_COUNT)
		return kerr_set(err, KR_INVALID, "target state out of range");
	if (!store_text_ok(reason, STORE_REASON_MAX))
		return kerr_set(err, KR_INVALID, "reason must be printable ASCII, at most %d",
		                STORE_REASON_MAX);

	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;

	sqlite3_stmt *st = s->st[ST_ORDER_STATE];
	char order_no[ROW_FIELD_SIZE(order_no)];
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	int64_t from = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	fen_t amount = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	if (rc == SQLITE_ROW)
		store_column_text(st, 2, order_no, sizeof order_no);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		store_tx_rollback(s);
		return kerr_set(err, KR_NOT_FOUND, "order %lld not found", (long long)id);
	}
	if (rc != SQLITE_ROW)
		return store_tx_fail(s, rc, "read order", err);
	if (from < 0 || from >= ORDER_STATE_COUNT) {
		store_tx_rollback(s);
		return kerr_set(err, KR_CORRUPT, "order %lld: state %lld out of range",
		                (long long)id, (long long)from);
	}
	if (!order_can_move((enum order_state)from, to, amount)) {
		store_tx_rollback(s);
		return kerr_set(err, KR_CONFLICT, "order %s may not go from %s to %s", order_no,
		                order_state_id((enum order_state)from), order_state_id(to));
	}

	st = s->st[ST_ORDER_UPDATE];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, (int)to);
	sqlite3_bind_int(st, 3, order_states[to].open);
	sqlite3_bind_int64(st, 4, now_utc);
	rc = store_stmt_run(st);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "update order", err);
	struct order_extra x = {.cert = cert};
	rc = order_record(s, id, order_no, (int)from, to, amount, reason, now_utc, &x);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "record order move", err);
	r = store_tx_commit(s, err);
	if (r == KR_OK && s->trace)
		fprintf(s->trace, "[order %s] %s -> %s (%s)\n", order_no,
		        order_state_id((enum order_state)from), order_state_id(to), reason);
	return r;
}

int store_order_get(struct store *s, int64_t id, struct order_row *out, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_ORDER_GET];
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_ROW ? order_read(st, out, err)
	        : rc == SQLITE_DONE
	            ? kerr_set(err, KR_NOT_FOUND, "order %lld not found", (long long)id)
	            : store_sqlite_err(s->db, rc, "read order", err);
	sqlite3_reset(st);
	return r;
}

int store_order_find(struct store *s, const char *order_no, struct order_row *out, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_ORDER_BY_NO];
	sqlite3_bind_text(st, 1, order_no, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_ROW    ? order_read(st, out, err)
	        : rc == SQLITE_DONE ? kerr_set(err, KR_NOT_FOUND, "no order %.31s", order_no)
	                            : store_sqlite_err(s->db, rc, "read order", err);
	sqlite3_reset(st);
	return r;
}

int store_pickup_taken(struct store *s, const char *pickup_no, int *taken, struct kerr *err)
{
	int rc = pickup_taken(s, pickup_no, taken);
	return rc == SQLITE_OK ? KR_OK : store_sqlite_err(s->db, rc, "pick-up order", err);
}

int store_open_orders(struct store *s, struct order_row **rows, int *n, struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_ORDERS_OPEN];
	struct order_row *v = NULL;
	int count = 0, cap = 0, rc, r = KR_OK;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct order_row *nv = realloc(v, (size_t)ncap * sizeof *v);
			if (!nv) {
				r = kerr_set(err, KR_NOMEM, "out of memory listing open orders");
				break;
			}
			v = nv;
			cap = ncap;
		}
		r = order_read(st, &v[count++], err);
		if (r != KR_OK)
			break;
	}
	if (r == KR_OK && rc != SQLITE_DONE)
		r = store_sqlite_err(s->db, rc, "list open orders", err);
	sqlite3_reset(st);
	if (r != KR_OK || count == 0) {
		free(v);
		v = NULL;
		count = 0;
	}
	*rows = v;
	*n = count;
	return r;
}

int store_order_history(struct store *s, int64_t id, enum order_state *out, int max, int *n,
                        struct kerr *err)
{
	sqlite3_stmt *st = s->st[ST_HISTORY_LIST];
	int count = 0, rc, r = KR_OK;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t state = sqlite3_column_int64(st, 0);
		if (state < 0 || state >= ORDER_STATE_COUNT) {
			r = kerr_set(err, KR_CORRUPT, "order %lld: history state out of range",
			             (long long)id);
			break;
		}
		if (count < max)
			out[count] = (enum order_state)state;
		count++;
	}
	if (r == KR_OK && rc != SQLITE_DONE)
		r = store_sqlite_err(s->db, rc, "read order history", err);
	sqlite3_reset(st);
	*n = count;
	return r;
}

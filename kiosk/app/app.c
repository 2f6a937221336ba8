/* app.c — wiring and the event loop of the kiosk. */
#include "app.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app/metrics.h"
#include "app/rebuild.h"
#include "app/services.h"
#include "base/mono.h"
#include "core/money.h"
#include "core/recovery.h"
#include "staff/staff_desk.h"
#include "store/outbox.h"
#include "store/receipts.h"
#include "store/store.h"
#include "store/agents.h"
#include "store/reports.h"
#include "sync/feeupdate.h"
#include "sync/inbox.h"

struct queued {
	struct queued *next;
	struct flow_event ev;
};

struct app {
	const struct conf *conf;
	struct app_clock clock;
	FILE *trace;
	struct store *store;
	struct service svc[SVC_COUNT];
	struct flow_config flow_cfg;
	struct fee_table fees; /* the hall's table with the central site's updates laid over */
	int fees_pending;      /* an update waits for the current session to end */
	struct flow *flow;
	app_observer_fn observer;
	void *observer_ctx;
	unsigned seen_version;

	pthread_mutex_t lock; /* guards the queue */
	pthread_cond_t posted;
	struct queued *head, *tail;

	struct recovery_order *recovering;
	int nrecovering;

	struct staff_desk *desk; /* staff mode; the gesture is ignored without [staff] */
	unsigned staff_seen_version;
	int64_t metrics_ms; /* when the metrics file was last written ([monitor]) */
	int metrics_failed; /* a write of it failed (said once) */
};

static struct flow_time now_of(const struct app *app)
{
	struct flow_time t = {app->clock.mono_ms(app->clock.ctx), app->clock.utc_s(app->clock.ctx)};
	return t;
}

static int64_t host_utc(void *app)
{
	const struct app *a = app;
	return a->clock.utc_s(a->clock.ctx);
}

static void host_post(void *app, const struct flow_event *ev)
{
	app_post(app, ev);
}

void app_post(struct app *app, const struct flow_event *ev)
{
	struct queued *q = malloc(sizeof *q);
	if (!q) {
		fprintf(app->trace, "[app] out of memory: event %s dropped\n",
		        flow_event_name(ev->kind));
		return;
	}
	q->ev = *ev;
	q->next = NULL;
	pthread_mutex_lock(&app->lock);
	if (app->tail)
		app->tail->next = q;
	else
		app->head = q;
	app->tail = q;
	pthread_cond_signal(&app->posted);
	pthread_mutex_unlock(&app->lock);
}

void app_tick(struct app *app)
{
	struct flow_event ev = {.kind = FEV_TICK};
	app_post(app, &ev);
}

static struct queued *pop(struct app *app)
{
	pthread_mutex_lock(&app->lock);
	struct queued *q = app->head;
	if (q) {
		app->head = q->next;
		if (!app->head)
			app->tail = NULL;
	}
	pthread_mutex_unlock(&app->lock);
	return q;
}

static enum conf_service slot_of(enum flow_request_kind k)
{
	switch (k) {
	case FREQ_CARD_WAIT:
	case FREQ_CARD_STOP:
		return SVC_IDREADER;
	case FREQ_TRIAGE:
	case FREQ_WORK:
	case FREQ_KEY_PROVE:
	case FREQ_WORK_SETTLE:
	case FREQ_CERT_FINAL:
		return SVC_KEYS;
	case FREQ_PAY_START:
	case FREQ_PAY_CANCEL:
	case FREQ_PAY_REFUND:
		return SVC_PAY;
	case FREQ_PRINT:
		return SVC_PRINTER;
	case FREQ_KEY_ISSUE:
	case FREQ_KEY_HAND_OUT:
	case FREQ_KEY_RETAIN:
		return SVC_DISPENSER;
	default:
		return SVC_COUNT;
	}
}

static void post_store_failed(struct app *app, const struct kerr *err)
{
	struct flow_event ev = {.kind = FEV_STORE_FAILED};
	snprintf(ev.text, sizeof ev.text, "%.255s", err->msg);
	app_post(app, &ev);
}

/* The order's detail for the central site: the contact the user gave (SMS and the
 * e-invoice) and, for a revocation, whose certificate: {"mobile": …, "email": …,
 * "revoke_subject_id": …}, or "" when none. */
static void order_detail(const struct flow_request *r, char *out, size_t size)
{
	cJSON *j = cJSON_CreateObject();
	char *text = NULL;
	out[0] = '\0';
	if (j && (!r->mobile[0] || cJSON_AddStringToObject(j, "mobile", r->mobile)) &&
	    (!r->email[0] || cJSON_AddStringToObject(j, "email", r->email)) &&
	    (!r->revoke_id[0] || cJSON_AddStringToObject(j, "revoke_subject_id", r->revoke_id)) &&
	    (r->mobile[0] || r->email[0] || r->revoke_id[0]))
		text = cJSON_PrintUnformatted(j);
	if (text && strlen(text) < size)
		memcpy(out, text, strlen(text) + 1);
	if (text)
		explicit_bzero(text, strlen(text));
	cJSON_free(text);
	cJSON_Delete(j);
}

/* Carries out a store request. Returns KR_OK or the store's error. */
static int do_store(struct app *app, const struct flow_request *r, struct kerr *err)
{
	int64_t now = app->clock.utc_s(app->clock.ctx);
	switch (r->kind) {
	case FREQ_ORDER_CREATE: {
		char detail[256];
		order_detail(r, detail, sizeof detail);
		struct order_spec spec = {
		    .kiosk_id = app->conf->kiosk_id,
		    .biz = r->biz,
		    .holder = r->holder,
		    .quote = &r->quote,
		    .subject_masked = r->subject_masked,
		    .key_serial = r->key_serial,
		    .detail = detail,
		    .now_utc = now,
		    .pickup_no = r->pickup_no,
		};
		struct order_row row;
		int rc = store_order_create(app->store, &spec, &row, err);
		explicit_bzero(detail, sizeof detail);
		/* a loss report counts for the rate limit once its order is there */
		if (rc == KR_OK && r->biz == BIZ_REVOKE)
			rc = reports_add(app->store, r->revoke_id, r->agent_id, now, err);
		if (rc != KR_OK)
			return rc;
		struct flow_event ev = {.kind = FEV_ORDER_CREATED, .order_id = row.id};
		snprintf(ev.order_no, sizeof ev.order_no, "%s", row.order_no);
		app_post(app, &ev);
		return KR_OK;
	}
	case FREQ_ORDER_MOVE: {
		struct order_cert cert = {r->cert_event, r->cert_serial, r->cert_not_after_utc};
		return store_order_move_cert(app->store, r->order_id, r->to, r->reason,
		                             r->cert_event ? &cert : NULL, now, err);
	}
	case FREQ_JOURNAL:
		return store_journal_append(app->store, r->journal_kind, r->order_id,
		                            r->journal_body, now, err);
	case FREQ_AGENT_CHECK: {
		struct flow_event ev = {.kind = FEV_AGENT};
		enum agent_standing standing = AGENT_UNLISTED;
		int rc = KR_OK;
		if (r->unit_code[0]) {
			rc = agents_standing(app->store, r->unit_code, r->agent_id, now,
			                     (int64_t)app->conf->agent_list_max_age_h * 3600,
			                     &standing, err);
			if (rc == KR_OK)
				fprintf(app->trace, "[authority] the unit's list of agents: %s\n",
				        standing == AGENT_LISTED     ? "on it"
				        : standing == AGENT_UNLISTED ? "not on it"
				                                     : "no list young enough");
		}
		if (rc == KR_OK && r->biz == BIZ_REVOKE) {
			rc = reports_recent(app->store, r->revoke_id, r->agent_id, now,
			                    &ev.recent_reports, err);
			if (rc == KR_OK)
				fprintf(app->trace,
				        "[authority] loss reports in the last 24 h: %d\n",
				        ev.recent_reports);
		}
		if (rc != KR_OK)
			return rc;
		ev.arg = (int)standing;
		app_post(app, &ev);
		return KR_OK;
	}
	case FREQ_PICKUP_FIND: {
		struct flow_event ev;
		int rc = inbox_pickup_find(app->store, r->order_no, now, &ev, app->trace, err);
		if (rc == KR_OK)
			app_post(app, &ev);
		explicit_bzero(&ev, sizeof ev);
		return rc;
	}
	default:
		return KR_OK;
	}
}

/* Carries out requests in order; stops at the first failed store write. Returns KR_OK
 * or that write's error (already in err). Wipes the requests afterwards. */
static int execute(struct app *app, struct flow_out *out, struct kerr *err)
{
	int rc = KR_OK;
	for (int i = 0; i < out->n && rc == KR_OK; i++) {
		const struct flow_request *r = &out->req[i];
		enum conf_service slot = slot_of(r->kind);
		if (slot == SVC_COUNT) {
			rc = do_store(app, r, err);
			if (rc != KR_OK)
				fprintf(app->trace, "[store] %s failed: %s\n",
				        flow_request_name(r->kind), err->msg);
		} else {
			app->svc[slot].ops->submit(app->svc[slot].self, r);
		}
	}
	explicit_bzero(out, sizeof *out);
	return rc;
}

static struct recovery_order *recovering_of(struct app *app, int64_t order_id)
{
	for (int i = 0; order_id && i < app->nrecovering; i++)
		if (app->recovering[i].id == order_id)
			return &app->recovering[i];
	return NULL;
}

/* A served order's receipt made again from the record and stored to be reprinted. */
static void receipt_again(struct app *app, int64_t order_id)
{
	struct flow_request r = {.kind = FREQ_PRINT, .order_id = order_id};
	struct kerr err = {{0}};
	if (rebuild_receipt(app->store, order_id, &r.receipt, &err) != KR_OK) {
		fprintf(app->trace, "[recovery] order %lld: its receipt cannot be made again: %s\n",
		        (long long)order_id, err.msg);
		return;
	}
	fprintf(app->trace, "[recovery] order %s: its receipt made again\n", r.receipt.order_no);
	app->svc[SVC_PRINTER].ops->submit(app->svc[SVC_PRINTER].self, &r);
}

static void settled(struct app *app, struct recovery_order *o)
{
	fprintf(app->trace, "[recovery] order %s settled: %s\n", o->order_no,
	        order_state_id(o->state));
	if (o->state == ORDER_SERVED) /* its work had landed: the receipt never came */
		receipt_again(app, o->id);
	*o = app->recovering[--app->nrecovering];
}

static int recover_one(struct app *app, const struct order_row *row, struct kerr *err);
static struct recovery_order *adopt(struct app *app, const struct flow_event *ev);

/* Calls the observer when the flow's or staff mode's view changed. */
static void notify(struct app *app)
{
	const struct flow_view *v = flow_view(app->flow);
	unsigned staff_version = staff_desk_view(app->desk)->version;
	if (v->version == app->seen_version && staff_version == app->staff_seen_version)
		return;
	app->seen_version = v->version;
	app->staff_seen_version = staff_version;
	if (app->observer)
		app->observer(app->observer_ctx, v);
}

struct fee_lay {
	struct fee_table *table;
	char region[64];
	FILE *trace;
	char last[64]; /* the newest update laid, "" when none */
};

static int lay_update(void *ctx, const struct inbox_row *row)
{
	struct fee_lay *l = ctx;
	struct kerr err = {{0}};
	if (fee_update_apply(row->payload, l->region, l->table, &err) != KR_OK)
		fprintf(l->trace, "[fees] update %s left out: %s\n", row->item_id, err.msg);
	else
		snprintf(l->last, sizeof l->last, "%s", row->item_id);
	return 0;
}

/* Puts in use the hall's table with every accepted update laid over it, oldest version
 * first — between sessions only: a session keeps the prices it showed. */
static void fees_refresh(struct app *app)
{
	struct kerr err = {{0}};
	struct fee_table next = app->conf->region.fees;
	struct fee_lay lay = {.table = &next, .trace = app->trace};
	if (app->flow && !flow_idle(app->flow)) {
		app->fees_pending = 1;
		return;
	}
	app->fees_pending = 0;
	fee_region_of(app->conf->region.file, lay.region, sizeof lay.region);
	if (outbox_inbox_each(app->store, "fee_table", INBOX_ACCEPTED, lay_update, &lay, &err) !=
	    KR_OK) {
		fprintf(app->trace, "[fees] %s; the table in use stays\n", err.msg);
		return;
	}
	/* a difference in padding alone would only take the same table again (and say so) */
	// NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
	if (memcmp(&next, &app->fees, sizeof next) == 0)
		return;
	app->fees = next;
	fprintf(app->trace, "[fees] the hall's table with update %s is in use\n",
	        lay.last[0] ? lay.last : "(none)");
}

/* Acts on what the central site sent: review results (a rejected order is refunded
 * through recovery) and revocation confirmations. A store failure is traced; the items
 * wait for the next time. */
static void apply_inbox(struct app *app)
{
	struct kerr err = {{0}};
	int64_t refund_id = 0;
	int rc;
	while ((rc = inbox_review_apply(app->store, app->clock.utc_s(app->clock.ctx), &refund_id,
	                                app->trace, &err)) == KR_OK) {
		struct order_row row;
		if (refund_id && (store_order_get(app->store, refund_id, &row, &err) != KR_OK ||
		                  recover_one(app, &row, &err) != KR_OK))
			fprintf(app->trace, "[review] refund of order %lld: %s\n",
			        (long long)refund_id, err.msg);
	}
	if (rc != KR_NOT_FOUND)
		fprintf(app->trace, "[review] %s\n", err.msg);
	struct flow_request final = {.kind = FREQ_CERT_FINAL};
	while ((rc = inbox_revocation_apply(app->store, app->clock.utc_s(app->clock.ctx),
	                                    final.work.cert_serial, sizeof final.work.cert_serial,
	                                    app->trace, &err)) == KR_OK)
		if (final.work.cert_serial[0]) /* the local issuer's suspension made final */
			app->svc[SVC_KEYS].ops->submit(app->svc[SVC_KEYS].self, &final);
	if (rc != KR_NOT_FOUND)
		fprintf(app->trace, "[revocation] %s\n", err.msg);
}

static void handle(struct app *app, const struct flow_event *ev)
{
	struct flow_out out;
	struct kerr err = {{0}};
	struct recovery_order *o = recovering_of(app, ev->order_id);
	if (!o)
		o = adopt(app, ev);
	if (o) {
		int done = recovery_on_event(o, ev, &out);
		if (execute(app, &out, &err) != KR_OK)
			done = 1; /* the store refused: the order stays open for the next start */
		if (done)
			settled(app, o);
		return;
	}
	if (ev->kind == FEV_TICK) {
		struct flow_time t = now_of(app);
		int failed = metrics_tick(app->conf, app->store, staff_desk_view(app->desk),
		                          t.mono_ms, t.utc_s, &app->metrics_ms, &err) != KR_OK;
		if (failed && !app->metrics_failed)
			fprintf(app->trace, "[monitor] %s\n", err.msg);
		app->metrics_failed |= failed;
		err.msg[0] = '\0';
		/* the devices' states for the central heartbeat (kiosk/sync) */
		metrics_hand_devices(&app->svc[SVC_SYNC], staff_desk_view(app->desk));
	}
	if (ev->kind == FEV_INBOX) {
		apply_inbox(app);
		fees_refresh(app);
		return;
	}
	if (staff_desk_route(app->desk, ev)) {
		notify(app);
		return;
	}
	flow_handle(app->flow, ev, now_of(app), &out);
	if (execute(app, &out, &err) != KR_OK)
		post_store_failed(app, &err);
	if (app->fees_pending)
		fees_refresh(app);
	notify(app);
}

int app_pump(struct app *app)
{
	int n = 0;
	struct queued *q;
	while ((q = pop(app))) {
		handle(app, &q->ev);
		explicit_bzero(q, sizeof *q);
		free(q);
		n++;
	}
	return n;
}

static int any_busy(struct app *app)
{
	for (int s = 0; s < SVC_COUNT; s++)
		if (app->svc[s].ops->busy && app->svc[s].ops->busy(app->svc[s].self))
			return 1;
	return staff_desk_busy(app->desk);
}

int app_settle(struct app *app, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		app_pump(app);
		if (!any_busy(app)) {
			pthread_mutex_lock(&app->lock);
			int empty = app->head == NULL;
			pthread_mutex_unlock(&app->lock);
			if (empty)
				return KR_OK;
			continue;
		}
		if (mono_ms() >= deadline)
			return KR_BUSY;
		/* wait for a post, or re-check busy every 20 ms */
		struct timespec wake = mono_deadline(20);
		pthread_mutex_lock(&app->lock);
		if (!app->head)
			pthread_cond_timedwait(&app->posted, &app->lock, &wake);
		pthread_mutex_unlock(&app->lock);
	}
}

/* Puts an open order in recovery's hands, as it stands; NULL when out of memory. */
static struct recovery_order *take_up(struct app *app, const struct order_row *row, const char *why)
{
	struct recovery_order *list =
	    realloc(app->recovering, (size_t)(app->nrecovering + 1) * sizeof *list);
	if (!list)
		return NULL;
	app->recovering = list;
	struct recovery_order *o = &app->recovering[app->nrecovering++];
	o->id = row->id;
	snprintf(o->order_no, sizeof o->order_no, "%s", row->order_no);
	o->state = row->state;
	o->amount_fen = row->amount_fen;
	o->biz = row->biz;
	snprintf(o->key_serial, sizeof o->key_serial, "%s", row->key_serial);
	fprintf(app->trace, "[recovery] order %s %s %s\n", o->order_no, why,
	        order_state_id(o->state));
	return o;
}

/* A payment's outcome about an open order that neither recovery nor the session holds —
 * the session ended while the payment was unsettled, and the pay service settled it while
 * the kiosk ran: recovery takes the order up from where it stands. NULL otherwise. */
static struct recovery_order *adopt(struct app *app, const struct flow_event *ev)
{
	struct order_row row;
	struct kerr err = {{0}};
	if ((ev->kind != FEV_PAY_PAID && ev->kind != FEV_PAY_CLOSED && ev->kind != FEV_REFUNDED) ||
	    !ev->order_id || ev->order_id == flow_view(app->flow)->order_id)
		return NULL;
	if (store_order_get(app->store, ev->order_id, &row, &err) != KR_OK) {
		fprintf(app->trace, "[recovery] order %lld: %s\n", (long long)ev->order_id,
		        err.msg);
		return NULL;
	}
	/* only when recovery has a move for it (the rules are pure: asked on a copy) */
	struct recovery_order probe = {
	    .id = row.id, .state = row.state, .amount_fen = row.amount_fen};
	struct flow_out out;
	if (!order_states[row.state].open || (!recovery_on_event(&probe, ev, &out) && !out.n))
		return NULL;
	return take_up(app, &row, "settled while running:");
}

/* Starts settling one open order (recovery rules: a paid one is refunded). */
static int recover_one(struct app *app, const struct order_row *row, struct kerr *err)
{
	if (recovering_of(app, row->id))
		return KR_OK; /* already being settled */
	struct recovery_order *o = take_up(app, row, "found");
	if (!o)
		return kerr_set(err, KR_NOMEM, "out of memory for an open order");
	struct flow_out out;
	int done = recovery_start(o, &out);
	int rc = execute(app, &out, err);
	if (rc != KR_OK || done)
		settled(app, o);
	return rc;
}

int app_recover(struct app *app, int *found, struct kerr *err)
{
	struct order_row *rows = NULL;
	int n = 0;
	int rc = store_open_orders(app->store, &rows, &n, err);
	*found = n;
	if (rc != KR_OK)
		return rc;
	for (int i = 0; i < n; i++)
		recover_one(app, &rows[i], err);
	free(rows);
	/* served just before the power cut, its receipt not stored yet */
	int64_t ids[8];
	int missing = 0;
	if (receipts_missing(app->store, REBUILD_RECENT, ids, 8, &missing, err) == KR_OK)
		for (int i = 0; i < missing; i++)
			receipt_again(app, ids[i]);
	apply_inbox(app); /* review results that came before a stop */
	return KR_OK;
}

int app_recovering(const struct app *app)
{
	return app->nrecovering;
}

/* Creates the folder that will hold the database, when missing. */
static int make_parent(const char *path, struct kerr *err)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s", path);
	const char *dir = dirname(buf);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return kerr_set(err, KR_IO, "cannot create %s: %s", dir, strerror(errno));
	return KR_OK;
}

/* ---- what the staff desk gets from the app (kiosk/staff/staff_desk.h) ---- */

static struct flow_time host_now(void *app)
{
	return now_of(app);
}

static int host_in_session(void *app)
{
	return flow_view(((struct app *)app)->flow)->screen == SCREEN_STEP;
}

static void host_close_flow(void *app, int closed)
{
	struct app *a = app;
	struct flow_event ev = {.kind = FEV_OUT_OF_SERVICE, .arg = closed};
	struct flow_out out;
	struct kerr err = {{0}};
	flow_handle(a->flow, &ev, now_of(a), &out);
	if (execute(a, &out, &err) != KR_OK)
		post_store_failed(a, &err);
}

static int host_recover(void *app, const struct order_row *row, struct kerr *err)
{
	return recover_one(app, row, err);
}

/* The journal checked at start from the last start's mark (store_journal_verify_since:
 * a full walk at every start would take seconds on years of rows). Returns 1 when the
 * chain is broken, traced; the kiosk then goes out of service with the reason shown to
 * staff. Any other failure is traced only: the check comes again at the next start. */
static int journal_broken(struct app *app, struct kerr *why)
{
	int64_t bad = 0, rows = 0;
	int rc = store_journal_verify_since(app->store, &bad, &rows, why);
	if (rc == KR_CORRUPT) {
		fprintf(app->trace, "[journal] %s: out of service\n", why->msg);
		return 1;
	}
	if (rc != KR_OK)
		fprintf(app->trace, "[journal] not checked: %s\n", why->msg);
	return 0;
}

/* Out of service for a broken journal: the flow as after a store failure, the staff
 * see service.journal_broken. */
static void post_journal_broken(struct app *app, const struct kerr *why)
{
	post_store_failed(app, why);
	struct flow_event ev = {.kind = FEV_DEVICE_STATUS, .arg = 1};
	snprintf(ev.text, sizeof ev.text, "service.journal_broken");
	app_post(app, &ev);
}

int app_create(const struct conf *conf, const struct app_clock *clock, FILE *trace,
               struct app **out, struct kerr *err)
{
	struct app *app = calloc(1, sizeof *app);
	if (!app)
		return kerr_set(err, KR_NOMEM, "out of memory");
	app->conf = conf;
	app->clock = *clock;
	app->trace = trace;
	pthread_mutex_init(&app->lock, NULL);
	mono_cond_init(&app->posted);

	int rc = make_parent(conf->database, err);
	if (rc == KR_OK)
		rc = store_open(conf->database, &app->store, err);
	if (rc != KR_OK) {
		app_destroy(app);
		return rc;
	}
	store_set_trace(app->store, trace); /* every order created or moved, by whoever */
	struct kerr journal_why = {{0}};
	int broken = journal_broken(app, &journal_why);
	struct service_host host = {
	    .post = host_post,
	    .app = app,
	    .conf = conf,
	    .store = app->store,
	    .trace = trace,
	    .utc_s = host_utc,
	};
	for (int s = 0; s < SVC_COUNT; s++) {
		rc = service_create((enum conf_service)s, &host, &app->svc[s], err);
		if (rc != KR_OK) {
			app_destroy(app);
			return rc;
		}
		fprintf(trace, "[services] %-9s %s%s\n", conf_service_name((enum conf_service)s),
		        app->svc[s].ops->kind,
		        app->svc[s].ops->standin ? "  (STAND-IN: simulated, not the real service)"
		                                 : "");
	}
	app->flow_cfg = (struct flow_config){
	    .fees = &app->fees,
	    .step_timeout_s = conf->step_timeout_s,
	    .pay_timeout_s = conf->pay_timeout_s,
	    .countdown_shown_s = conf->countdown_shown_s,
	    .renew_window_days = conf->renew_window_days,
	    .renew_grace_days = conf->renew_grace_days,
	    .pay_ceiling_fen = conf->pay_ceiling_fen,
	    /* pick-up orders come from the central site */
	    .pickup_offered = strcmp(conf->service[SVC_SYNC], "central") == 0,
	    .renew_fresh_key = conf->keys.renew_fresh_key,
	};
	app->fees = conf->region.fees;
	fees_refresh(app);
	app->flow = flow_create(&app->flow_cfg, now_of(app));
	if (!app->flow) {
		app_destroy(app);
		return kerr_set(err, KR_NOMEM, "out of memory");
	}
	app->seen_version = flow_view(app->flow)->version;
	struct staff_desk_host desk = {
	    .post = host_post,
	    .app = app,
	    .conf = conf,
	    .store = app->store,
	    .svc = app->svc,
	    .trace = trace,
	    .now = host_now,
	    .in_session = host_in_session,
	    .close_flow = host_close_flow,
	    .recover = host_recover,
	};
	rc = staff_desk_create(&desk, &app->desk, err);
	if (rc != KR_OK) {
		app_destroy(app);
		return rc;
	}
	app->staff_seen_version = staff_desk_view(app->desk)->version;
	if (broken)
		post_journal_broken(app, &journal_why);
	*out = app;
	return KR_OK;
}

void app_destroy(struct app *app)
{
	if (!app)
		return;
	/* services first: their threads may still post until they are stopped */
	for (int s = 0; s < SVC_COUNT; s++)
		if (app->svc[s].ops)
			app->svc[s].ops->destroy(app->svc[s].self);
	staff_desk_destroy(app->desk); /* its worker too may post until it is stopped */
	struct queued *q;
	while ((q = pop(app))) {
		explicit_bzero(q, sizeof *q);
		free(q);
	}
	flow_destroy(app->flow);
	store_close(app->store);
	free(app->recovering);
	pthread_cond_destroy(&app->posted);
	pthread_mutex_destroy(&app->lock);
	free(app);
}

void app_set_observer(struct app *app, app_observer_fn fn, void *ctx)
{
	app->observer = fn;
	app->observer_ctx = ctx;
}

const struct flow_view *app_view(const struct app *app)
{
	return flow_view(app->flow);
}

int app_holds_personal_data(const struct app *app)
{
	return flow_holds_personal_data(app->flow);
}

const struct staff_view *app_staff_view(const struct app *app)
{
	return staff_desk_view(app->desk);
}

struct store *app_store(struct app *app)
{
	return app->store;
}

struct service *app_service(struct app *app, enum conf_service slot)
{
	return (int)slot >= 0 && slot < SVC_COUNT ? &app->svc[slot] : NULL;
}

const struct conf *app_conf(const struct app *app)
{
	return app->conf;
}

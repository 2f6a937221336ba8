/* pay_service.c — payments through the Alipay gateway, on a worker of their own.
 *
 * FREQ_PAY_START: the payment and its out_trade_no are recorded (payments table, own
 * store handle) before precreate is sent, for the stored order's amount (a request whose
 * amount disagrees is refused, and so is a refund's); the QR goes to the flow
 * (FEV_PAY_QR) and the trade is queried every poll_ms until paid, closed or cancelled.
 * FREQ_PAY_CANCEL: cancel, then one more query (a payment can land in between); a trade
 * the gateway does not say is closed is answered FEV_PAY_UNSETTLED. FREQ_PAY_REFUND:
 * refund with the order's stable out_request_no, retried identically, and counted only
 * when confirmed (fund_change Y, or the refund query).
 *
 * A payment whose outcome stays unknown (core/payment.h: unsettled) leaves its order
 * open and is settled again while the kiosk runs: rounds of reconciliation go over every
 * unsettled payment no shown QR waits for — the trade cancelled and queried, or the
 * refund asked for again — one payment per step, so that a request never waits long; a
 * round comes [alipay] reconcile_min_ms after a payment was left unsettled (and after the
 * start, for what recovery could not settle), and while some stay unsettled the next
 * comes after a back-off doubling to reconcile_max_ms. The outcomes are the usual events,
 * which the app hands to recovery for an order no session holds.
 *
 * Owns the client, the store handle and the worker: requests are its jobs, the polls of
 * watched QRs and the reconciliation its idle hook (due at the earliest watch's time or
 * round, and after each job). `busy` while a request is queued or in flight, or while a
 * poll or a round asked for by control (a kick) is owed; not while merely polling a QR
 * nobody scanned or waiting for the next round. */
#include "pay/pay_service.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "base/backoff.h"
#include "base/mono.h"
#include "base/worker.h"
#include "conf/conf.h"
#include "core/cntime.h"
#include "pay/alipay.h"
#include "pay/bill.h"
#include "store/payments.h"
#include "store/reconciles.h"
#include "store/store.h"

#define PAY_QUEUE_MAX 16
#define PAY_WATCH_MAX 4
#define PAY_GRACE_MS  5000 /* the gateway's QR outlives the screen's countdown by this */
#define PAY_DAY_MAX   4096 /* payments, and bill lines, of a day reconciled */

struct pay_job {
	enum flow_request_kind kind;
	int64_t order_id;
	char order_no[32];
	fen_t amount_fen;
	int64_t day_utc; /* FREQ_PAY_RECONCILE */
};

/* A shown QR being polled. */
struct pay_watch {
	int64_t order_id;
	char order_no[32];
	char out_trade_no[72];
	int64_t next_ms, expire_ms;
};

struct pay {
	struct service_host host;
	struct alipay *client;
	struct store *store;
	struct worker *worker;
	pthread_mutex_t lock; /* guards the watches (pay_service_waiting reads them on the
	                         loop thread) and sweep_at_ms (control asks for a round) */
	struct pay_watch watch[PAY_WATCH_MAX];
	int nwatch;
	/* the reconciliation: rounds over the unsettled payments, on the worker */
	int64_t sweep_at_ms; /* mono ms when the next round is due; INT64_MAX: none */
	int64_t sweep_after; /* in a round: the order settled last (0: none yet); -1: no round */
	int sweep_settled;   /* in a round: payments settled */
	int sweep_left;      /* in a round: payments left unsettled */
	int sweep_again;     /* in a round: a request left a payment unsettled meanwhile */
	int sweep_failures;  /* rounds in a row that left some unsettled (the back-off) */
	unsigned sweep_seed; /* the back-off's jitter */
};

static void post(struct pay *p, enum flow_event_kind kind, int64_t order_id, const char *text)
{
	struct flow_event ev = {.kind = kind, .order_id = order_id};
	snprintf(ev.text, sizeof ev.text, "%s", text ? text : "");
	p->host.post(p->host.app, &ev);
}

static void trace(struct pay *p, const char *order_no, const char *what, const struct kerr *err)
{
	fprintf(p->host.trace, "[alipay] %s: %s%s%s\n", order_no, what, err ? ": " : "",
	        err ? err->msg : "");
}

/* Records a payment step; a store failure is traced (the gateway's answer still goes to
 * the flow, whose own store write decides). */
static void record(struct pay *p, const struct payment_row *row, const char *step)
{
	struct kerr err = {{0}};
	if (payments_record(p->store, row, step, p->host.utc_s(p->host.app), &err) != KR_OK)
		trace(p, row->out_trade_no, "cannot record the payment", &err);
}

/* An order as stored (*o, when not NULL) and its payment: the recorded one, or a new
 * one on the order's out_trade_no. */
static int payment_of(struct pay *p, int64_t order_id, struct order_row *o, struct payment_row *row,
                      struct kerr *err)
{
	struct order_row own = {0};
	o = o ? o : &own;
	int rc = store_order_get(p->store, order_id, o, err);
	if (rc == KR_OK)
		rc = payments_get(p->store, order_id, row, err);
	if (rc != KR_NOT_FOUND)
		return rc;
	memset(row, 0, sizeof *row);
	row->order_id = order_id;
	row->status = PAYMENT_PRECREATING;
	snprintf(row->out_trade_no, sizeof row->out_trade_no, "%s", o->out_trade_no);
	return KR_OK;
}

/* Whether a request's amount is the stored order's: the amount charged or refunded is
 * always the order's, never a copy carried in the request. Traced when not. */
static int amount_is_the_orders(struct pay *p, const struct pay_job *job, const struct order_row *o)
{
	struct kerr err = {{0}};
	if (job->amount_fen == o->amount_fen)
		return 1;
	kerr_set(&err, KR_CONFLICT, "asked for %lld fen, the order is of %lld fen",
	         (long long)job->amount_fen, (long long)o->amount_fen);
	trace(p, job->order_no, "amount refused, nothing sent", &err);
	return 0;
}

static int64_t now_utc(struct pay *p)
{
	return p->host.utc_s(p->host.app);
}

/* What one query saw of a trade. */
enum trade_seen {
	SEEN_UNKNOWN, /* no answer that can be believed */
	SEEN_NONE,    /* no such trade: nobody scanned the QR (yet) */
	SEEN_OPEN,    /* WAIT_BUYER_PAY: scanned, still payable */
	SEEN_CLOSED,  /* TRADE_CLOSED */
	SEEN_PAID,    /* paid: row updated and recorded */
};

/* Queries once. */
static enum trade_seen query_once(struct pay *p, struct payment_row *row)
{
	struct alipay_reply r;
	struct kerr err = {{0}};
	enum alipay_action act = alipay_query(p->client, row->out_trade_no, now_utc(p), &r, &err);
	if (act == ALIPAY_NOT_EXIST)
		return SEEN_NONE;
	if (act != ALIPAY_OK) {
		trace(p, row->out_trade_no, "query: outcome unknown", &err);
		return SEEN_UNKNOWN;
	}
	if (alipay_status_paid(&r)) {
		snprintf(row->trade_no, sizeof row->trade_no, "%s", r.trade_no);
		row->status = PAYMENT_PAID;
		record(p, row, "paid");
		return SEEN_PAID;
	}
	return strcmp(r.trade_status, "TRADE_CLOSED") == 0 ? SEEN_CLOSED : SEEN_OPEN;
}

/* Has a round of reconciliation come soon, unless one is due or under way already: a
 * payment was left unsettled. */
static void reconcile_soon(struct pay *p)
{
	const struct conf_alipay *c = &p->host.conf->alipay;
	if (p->sweep_after >= 0) {
		p->sweep_again = 1; /* the round under way sets the next */
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (p->sweep_at_ms == INT64_MAX) {
		p->sweep_failures = 0;
		p->sweep_at_ms =
		    mono_ms() + backoff_wait_ms(c->reconcile_min_ms, c->reconcile_max_ms,
		                                &p->sweep_failures, &p->sweep_seed);
	}
	pthread_mutex_unlock(&p->lock);
}

static int watched(struct pay *p, int64_t order_id)
{
	int found = 0;
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->nwatch; i++)
		found |= p->watch[i].order_id == order_id;
	pthread_mutex_unlock(&p->lock);
	return found;
}

static void unwatch(struct pay *p, int64_t order_id)
{
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->nwatch; i++)
		if (p->watch[i].order_id == order_id)
			p->watch[i--] = p->watch[--p->nwatch];
	pthread_mutex_unlock(&p->lock);
}

/* Cancels the trade, then queries once more; posts PAID, CLOSED or UNSETTLED. The trade
 * is closed only when the gateway says so: a cancel that succeeded, or a query that finds
 * it closed or never scanned. Otherwise (every cancel answer unknown and the trade still
 * payable, or no answer at all) it stays unsettled, to be settled again. */
static void settle_trade(struct pay *p, int64_t order_id, const char *order_no)
{
	struct payment_row row;
	struct kerr err = {{0}};
	unwatch(p, order_id);
	if (payment_of(p, order_id, NULL, &row, &err) != KR_OK) {
		trace(p, order_no, "cancel: no payment record", &err);
		return;
	}
	if (row.status == PAYMENT_PAID) {
		/* already paid (the answer may have crossed the cancel): never reverse it here */
		post(p, FEV_PAY_PAID, order_id, row.trade_no);
		return;
	}
	if (row.status == PAYMENT_CLOSED || row.status == PAYMENT_FAILED) {
		post(p, FEV_PAY_CLOSED, order_id, NULL);
		return;
	}
	row.status = PAYMENT_CANCELLING;
	record(p, &row, "cancel");
	int cancelled = 0;
	for (int attempt = 0; attempt <= p->host.conf->alipay.retries && !cancelled; attempt++) {
		struct alipay_reply r;
		enum alipay_action act =
		    alipay_cancel(p->client, row.out_trade_no, now_utc(p), &r, &err);
		if (act == ALIPAY_OK && strcmp(r.retry_flag, "Y") != 0) {
			cancelled = 1;
			trace(p, row.out_trade_no,
			      strcmp(r.action, "refund") == 0
			          ? "cancelled: the payment was reversed"
			          : "cancelled",
			      NULL);
		} else if (act == ALIPAY_NOT_EXIST) {
			cancelled = 1;
			trace(p, row.out_trade_no, "cancel: no trade open", NULL);
		} else if (act == ALIPAY_REFUSED) {
			trace(p, row.out_trade_no, "cancel refused", &err);
			break;
		} else {
			trace(p, row.out_trade_no, "cancel: retry", act == ALIPAY_OK ? NULL : &err);
			worker_sleep(p->worker, p->host.conf->alipay.poll_ms);
		}
	}
	enum trade_seen seen = query_once(p, &row);
	if (seen == SEEN_PAID) {
		trace(p, row.out_trade_no, "paid after all", NULL);
		post(p, FEV_PAY_PAID, order_id, row.trade_no);
	} else if (cancelled || seen == SEEN_CLOSED || seen == SEEN_NONE) {
		row.status = PAYMENT_CLOSED;
		record(p, &row, "closed");
		post(p, FEV_PAY_CLOSED, order_id, NULL);
	} else {
		trace(p, row.out_trade_no,
		      seen == SEEN_OPEN ? "not cancelled and still payable: left unsettled"
		                        : "outcome unknown: left unsettled",
		      NULL);
		record(p, &row, "unsettled");
		post(p, FEV_PAY_UNSETTLED, order_id, NULL);
		reconcile_soon(p);
	}
}

static void start(struct pay *p, const struct pay_job *job)
{
	struct order_row o;
	struct payment_row row;
	struct alipay_reply r;
	struct kerr err = {{0}};
	const struct conf *c = p->host.conf;
	if (payment_of(p, job->order_id, &o, &row, &err) != KR_OK) {
		trace(p, job->order_no, "cannot read the order", &err);
		post(p, FEV_PAY_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	if (!amount_is_the_orders(p, job, &o)) {
		post(p, FEV_PAY_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	if (o.amount_fen <= 0 || o.amount_fen > c->pay_ceiling_fen) {
		trace(p, job->order_no, "amount refused, nothing sent", NULL);
		post(p, FEV_PAY_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	row.status = PAYMENT_PRECREATING;
	if (payments_record(p->store, &row, "precreate", now_utc(p), &err) != KR_OK) {
		trace(p, job->order_no, "cannot record the payment: nothing sent", &err);
		post(p, FEV_PAY_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	char subject[64];
	snprintf(subject, sizeof subject, "CA certificate service %s", job->order_no);
	int minutes = (c->pay_timeout_s + 59) / 60, renumbered = 0;
	for (int attempt = 0;; attempt++) {
		enum alipay_action act = alipay_precreate(p->client, row.out_trade_no, o.amount_fen,
		                                          subject, minutes, now_utc(p), &r, &err);
		if (act == ALIPAY_OK) {
			row.status = PAYMENT_WAITING;
			record(p, &row, "qr");
			pthread_mutex_lock(&p->lock);
			if (p->nwatch < PAY_WATCH_MAX) {
				struct pay_watch *w = &p->watch[p->nwatch++];
				w->order_id = job->order_id;
				snprintf(w->order_no, sizeof w->order_no, "%s", job->order_no);
				snprintf(w->out_trade_no, sizeof w->out_trade_no, "%s",
				         row.out_trade_no);
				w->next_ms = mono_ms() + c->alipay.poll_ms;
				w->expire_ms =
				    mono_ms() + (int64_t)c->pay_timeout_s * 1000 + PAY_GRACE_MS;
			}
			pthread_mutex_unlock(&p->lock);
			trace(p, row.out_trade_no, "QR shown", NULL);
			post(p, FEV_PAY_QR, job->order_id, r.qr_code);
			return;
		}
		if (act == ALIPAY_ALREADY_PAID) {
			if (query_once(p, &row) == SEEN_PAID) {
				post(p, FEV_PAY_PAID, job->order_id, row.trade_no);
				return;
			}
		} else if (act == ALIPAY_NEW_NUMBER && !renumbered) {
			/* the number was used with other details or closed: a new attempt */
			renumbered = 1;
			char *us = strrchr(row.out_trade_no, '_');
			int n = us ? atoi(us + 1) : 1;
			snprintf(row.out_trade_no, sizeof row.out_trade_no, "%s_%d", job->order_no,
			         n + 1);
			record(p, &row, "renumber");
			continue;
		} else if ((act == ALIPAY_UNKNOWN || act == ALIPAY_BACKOFF) &&
		           attempt < c->alipay.retries) {
			/* repeated with the same out_trade_no and identical parameters */
			trace(p, row.out_trade_no, "precreate: retry", &err);
			worker_sleep(p->worker,
			             c->alipay.poll_ms * (act == ALIPAY_BACKOFF ? 4 : 1));
			continue;
		}
		break;
	}
	trace(p, row.out_trade_no, "precreate failed", &err);
	/* whatever may have been created at the gateway is closed before saying so */
	struct alipay_reply cr;
	struct kerr cerr = {{0}};
	alipay_cancel(p->client, row.out_trade_no, now_utc(p), &cr, &cerr);
	row.status = PAYMENT_FAILED;
	record(p, &row, "precreate failed");
	post(p, FEV_PAY_FAILED, job->order_id, "pay.unavailable");
}

/* Whether the refund of row for amount_fen landed, by the refund query
 * (fastpay.refund.query); why not is traced. */
static int refund_landed(struct pay *p, const struct payment_row *row, fen_t amount_fen)
{
	struct alipay_reply r;
	struct kerr err = {{0}};
	enum alipay_action act = alipay_refund_query(p->client, row->out_trade_no,
	                                             row->refund_request_no, now_utc(p), &r, &err);
	if (act == ALIPAY_OK && alipay_refund_confirmed(&r, amount_fen))
		return 1;
	if (act == ALIPAY_OK)
		/* through kerr_set, as any text from the gateway before it reaches a log */
		kerr_set(&err, KR_NOT_FOUND, "refund_status '%s', refund_amount '%s'",
		         r.refund_status, r.refund_amount);
	trace(p, row->out_trade_no,
	      act == ALIPAY_OK ? "refund query: no such refund" : "refund query failed", &err);
	return 0;
}

static void refund(struct pay *p, const struct pay_job *job)
{
	struct order_row o;
	struct payment_row row;
	struct alipay_reply r;
	struct kerr err = {{0}};
	if (payment_of(p, job->order_id, &o, &row, &err) != KR_OK) {
		trace(p, job->order_no, "refund: no payment record", &err);
		post(p, FEV_REFUND_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	if (!amount_is_the_orders(p, job, &o)) {
		post(p, FEV_REFUND_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	if (row.status == PAYMENT_REFUNDED) {
		post(p, FEV_REFUNDED, job->order_id, NULL);
		return;
	}
	if (!row.refund_request_no[0])
		snprintf(row.refund_request_no, sizeof row.refund_request_no, "%.64s_R",
		         row.out_trade_no);
	row.status = PAYMENT_REFUNDING;
	if (payments_record(p->store, &row, "refund", now_utc(p), &err) != KR_OK) {
		trace(p, row.out_trade_no, "cannot record the refund: nothing sent", &err);
		post(p, FEV_REFUND_FAILED, job->order_id, "pay.unavailable");
		return;
	}
	for (int attempt = 0; attempt <= p->host.conf->alipay.retries; attempt++) {
		enum alipay_action act =
		    alipay_refund(p->client, row.out_trade_no, row.refund_request_no, o.amount_fen,
		                  "service not delivered", now_utc(p), &r, &err);
		/* only fund_change Y confirms a refund by itself; an unknown outcome, N or no
		 * fund_change: did it land? ask before repeating it identically */
		int confirmed = act == ALIPAY_OK && strcmp(r.fund_change, "Y") == 0;
		if (!confirmed && act != ALIPAY_REFUSED)
			confirmed = refund_landed(p, &row, o.amount_fen);
		if (confirmed) {
			row.status = PAYMENT_REFUNDED;
			record(p, &row, "refunded");
			trace(p, row.out_trade_no, "refunded", NULL);
			post(p, FEV_REFUNDED, job->order_id, NULL);
			return;
		}
		trace(p, row.out_trade_no,
		      act == ALIPAY_OK ? "refund answered without a change of funds: not confirmed"
		                       : "refund not confirmed",
		      act == ALIPAY_OK ? NULL : &err);
		if (act == ALIPAY_REFUSED)
			break;
		worker_sleep(p->worker, p->host.conf->alipay.poll_ms);
	}
	record(p, &row, "refund pending");
	post(p, FEV_REFUND_FAILED, job->order_id, "pay.unavailable");
	reconcile_soon(p);
}

/* Queries every watched QR that is due (all of them when forced). */
static void poll_due(struct pay *p, int force)
{
	struct pay_watch due[PAY_WATCH_MAX];
	int n = 0;
	int64_t now = mono_ms();
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->nwatch; i++)
		if (force || p->watch[i].next_ms <= now) {
			p->watch[i].next_ms = now + p->host.conf->alipay.poll_ms;
			due[n++] = p->watch[i];
		}
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < n; i++) {
		struct payment_row row;
		struct kerr err = {{0}};
		if (payment_of(p, due[i].order_id, NULL, &row, &err) != KR_OK)
			continue;
		enum trade_seen seen = query_once(p, &row);
		if (seen == SEEN_PAID) {
			unwatch(p, due[i].order_id);
			trace(p, row.out_trade_no, "paid", NULL);
			post(p, FEV_PAY_PAID, due[i].order_id, row.trade_no);
		} else if (seen == SEEN_CLOSED || now >= due[i].expire_ms) {
			/* the QR's life is over at the gateway: close the loop */
			settle_trade(p, due[i].order_id, due[i].order_no);
		}
	}
}

/* Settles one unsettled payment again: the refund asked for again with the order's
 * amount, or the trade cancelled and queried. Returns whether it is settled now. */
static int settle_again(struct pay *p, const struct payment_unsettled *u)
{
	struct payment_row row;
	struct order_row o;
	struct kerr err = {{0}};
	struct pay_job job = {.kind = FREQ_PAY_REFUND, .order_id = u->pay.order_id};
	char what[64];
	snprintf(job.order_no, sizeof job.order_no, "%s", u->order_no);
	snprintf(what, sizeof what, "reconcile: settling again (%s)",
	         payment_status_id(u->pay.status));
	trace(p, u->pay.out_trade_no, what, NULL);
	if (u->pay.status == PAYMENT_REFUNDING) {
		if (store_order_get(p->store, job.order_id, &o, &err) != KR_OK) {
			trace(p, u->order_no, "reconcile: cannot read the order", &err);
			return 0;
		}
		job.amount_fen = o.amount_fen;
		refund(p, &job);
	} else {
		settle_trade(p, job.order_id, job.order_no);
	}
	return payments_get(p->store, job.order_id, &row, &err) == KR_OK &&
	       !payment_statuses[row.status].unsettled;
}

/* The next unsettled payment of the round that no shown QR is waiting for, into *u.
 * Returns 1, or 0 when the round has none left (or the store cannot say: traced). */
static int next_unsettled(struct pay *p, struct payment_unsettled *u)
{
	struct kerr err = {{0}};
	int n = 0;
	do {
		if (payments_unsettled(p->store, p->sweep_after, u, 1, &n, NULL, &err) != KR_OK) {
			trace(p, "reconcile", "cannot list the unsettled payments", &err);
			p->sweep_left++; /* try again later */
			return 0;
		}
		if (n)
			p->sweep_after = u->pay.order_id;
	} while (n && watched(p, u->pay.order_id));
	return n;
}

/* The reconciliation, one step: a round begun when due, its next unsettled payment
 * settled again, or (none left) the round ended and the next one set: after the back-off
 * when some stayed unsettled, none when all are settled. whole: the whole round at once
 * (asked for by control). Returns the milliseconds until the next step. */
static int64_t reconcile(struct pay *p, int whole)
{
	const struct conf_alipay *c = &p->host.conf->alipay;
	if (p->sweep_after < 0) {
		int64_t now = mono_ms();
		pthread_mutex_lock(&p->lock);
		int64_t at = p->sweep_at_ms;
		if (at <= now)
			p->sweep_at_ms = INT64_MAX;
		pthread_mutex_unlock(&p->lock);
		if (at > now)
			return at == INT64_MAX ? WORKER_FOREVER : at - now;
		p->sweep_after = 0;
		p->sweep_settled = p->sweep_left = p->sweep_again = 0;
	}
	struct payment_unsettled u;
	while (next_unsettled(p, &u)) {
		if (settle_again(p, &u))
			p->sweep_settled++;
		else
			p->sweep_left++;
		if (!whole)
			return 0; /* the next at once, after any request waiting */
		if (worker_sleep(p->worker, 0))
			break; /* stopping */
	}
	/* the round is over */
	char what[128];
	int64_t now = mono_ms();
	p->sweep_after = -1;
	if (p->sweep_left || p->sweep_again) {
		int64_t wait = backoff_wait_ms(c->reconcile_min_ms, c->reconcile_max_ms,
		                               &p->sweep_failures, &p->sweep_seed);
		pthread_mutex_lock(&p->lock);
		if (p->sweep_at_ms > now + wait)
			p->sweep_at_ms = now + wait;
		pthread_mutex_unlock(&p->lock);
		snprintf(what, sizeof what, "%d settled, %d left unsettled; next round in %lld ms",
		         p->sweep_settled, p->sweep_left, (long long)wait);
	} else {
		p->sweep_failures = 0;
		snprintf(what, sizeof what, "%d settled, none left", p->sweep_settled);
	}
	if (p->sweep_settled || p->sweep_left)
		trace(p, "reconcile", what, NULL);
	pthread_mutex_lock(&p->lock);
	int64_t at = p->sweep_at_ms;
	pthread_mutex_unlock(&p->lock);
	return at == INT64_MAX ? WORKER_FOREVER : at > now ? at - now : 0;
}

/* The worker's idle hook: polls the watches that are due (all of them when kicked), then
 * a step of the reconciliation. Returns the milliseconds until the next is due. */
static int64_t idle(void *ctx, int kicked)
{
	struct pay *p = ctx;
	poll_due(p, kicked);
	int64_t next = reconcile(p, kicked);
	int64_t now = mono_ms();
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->nwatch; i++)
		if (p->watch[i].next_ms - now < next)
			next = p->watch[i].next_ms - now;
	pthread_mutex_unlock(&p->lock);
	return next;
}

/* The gateway's bill of the day (its trades) into bill, at most max; *n gets how many. No
 * bill (isp.bill_not_exist) is a day without trades. */
static int bill_of_day(struct pay *p, const char *day, struct recon_trade *bill, int max, int *n,
                       struct kerr *err)
{
	struct alipay_reply r;
	size_t len = 0;
	*n = 0;
	enum alipay_action act = alipay_bill_url(p->client, day, now_utc(p), &r, err);
	if (act == ALIPAY_NOT_EXIST)
		return KR_OK;
	if (act != ALIPAY_OK)
		return KR_IO; /* err says why */
	char *text = malloc(BILL_BYTES_MAX + 1);
	int rc = text
	             ? alipay_fetch(p->client, r.bill_download_url, text, BILL_BYTES_MAX, &len, err)
	             : kerr_set(err, KR_NOMEM, "out of memory for the bill");
	if (rc == KR_OK)
		rc = alipay_bill_parse(text, len, bill, max, n, err);
	free(text);
	return rc;
}

/* The payments still unsettled, into the report. */
static int unsettled_of(struct pay *p, struct recon_report *r, struct kerr *err)
{
	struct payment_unsettled u[RECON_DIFF_MAX];
	int n = 0;
	int rc = payments_unsettled(p->store, 0, u, RECON_DIFF_MAX, &n, &r->unsettled, err);
	for (int i = 0; rc == KR_OK && i < n; i++)
		snprintf(r->unsettled_no[i], sizeof r->unsettled_no[i], "%s", u[i].order_no);
	return rc;
}

/* The day's reconciliation: the kiosk's payments of the day's orders against the
 * gateway's bill, recorded (or why it could not be made), then FEV_PAY_RECONCILED. */
static void reconcile_bill(struct pay *p, int64_t day_utc)
{
	char day[16], what[160];
	struct kerr err = {{0}}, rerr = {{0}};
	int64_t from = cntime_midnight(day_utc);
	int nk = 0, ng = 0;
	cntime_format(day_utc, "%Y-%m-%d", day, sizeof day);
	struct recon_trade *bill = calloc(PAY_DAY_MAX, sizeof *bill);
	struct recon_kiosk *kiosk = calloc(PAY_DAY_MAX, sizeof *kiosk);
	struct recon_report *report = calloc(1, sizeof *report);
	int rc = bill && kiosk && report ? KR_OK : kerr_set(&err, KR_NOMEM, "out of memory");
	if (rc == KR_OK)
		rc = bill_of_day(p, day, bill, PAY_DAY_MAX, &ng, &err);
	if (rc == KR_OK)
		rc = payments_of_day(p->store, from, from + 86400, kiosk, PAY_DAY_MAX, &nk, &err);
	if (rc == KR_OK) {
		reconcile_day(kiosk, nk, bill, ng, report);
		rc = unsettled_of(p, report, &err);
	}
	if (rc == KR_OK) {
		snprintf(what, sizeof what,
		         "%d payments, %d trades at the gateway: %d differences; %d payments being "
		         "settled",
		         report->kiosk_payments, report->gateway_trades, report->ndiff,
		         report->unsettled);
	}
	if (reconciles_record(p->store, day, rc == KR_OK ? report : NULL, err.msg, now_utc(p),
	                      &rerr) != KR_OK)
		trace(p, day, "reconciliation not recorded", &rerr);
	trace(p, day, rc == KR_OK ? what : "reconciliation failed", rc == KR_OK ? NULL : &err);
	for (int i = 0; rc == KR_OK && i < report->ndiff && i < RECON_DIFF_MAX; i++) {
		const struct recon_diff *d = &report->diff[i];
		snprintf(what, sizeof what, "%s (order %s): kiosk %lld fen, gateway %lld fen",
		         recon_kind_id(d->kind), d->order_no[0] ? d->order_no : "none",
		         (long long)d->kiosk_fen, (long long)d->gateway_fen);
		trace(p, d->out_trade_no, what, NULL);
	}
	struct flow_event ev = {.kind = FEV_PAY_RECONCILED,
	                        .arg = rc == KR_OK ? report->ndiff : -1};
	p->host.post(p->host.app, &ev);
	free(bill);
	free(kiosk);
	free(report);
}

static void run(void *ctx, void *job)
{
	struct pay *p = ctx;
	const struct pay_job *j = job;
	if (j->kind == FREQ_PAY_START)
		start(p, j);
	else if (j->kind == FREQ_PAY_CANCEL)
		settle_trade(p, j->order_id, j->order_no);
	else if (j->kind == FREQ_PAY_RECONCILE)
		reconcile_bill(p, j->day_utc);
	else
		refund(p, j);
}

static const struct worker_spec worker_spec = {.name = "alipay",
                                               .job_size = sizeof(struct pay_job),
                                               .queue_max = PAY_QUEUE_MAX,
                                               .run = run,
                                               .idle = idle,
                                               .idle_after_job = 1};

static void submit(void *self, const struct flow_request *r)
{
	struct pay *p = self;
	if (r->kind != FREQ_PAY_START && r->kind != FREQ_PAY_CANCEL && r->kind != FREQ_PAY_REFUND &&
	    r->kind != FREQ_PAY_RECONCILE)
		return;
	struct pay_job job = {.kind = r->kind,
	                      .order_id = r->order_id,
	                      .amount_fen = r->amount_fen,
	                      .day_utc = r->day_utc};
	struct kerr err = {{0}};
	snprintf(job.order_no, sizeof job.order_no, "%s", r->order_no);
	if (worker_submit(p->worker, &job, &err) != KR_OK)
		/* the order stays open: the flow's time-out or recovery settles it */
		fprintf(p->host.trace, "[alipay] %s: queue full, request dropped\n", r->order_no);
}

static int busy(void *self)
{
	struct pay *p = self;
	return worker_busy(p->worker);
}

/* The service's own verbs: "reconcile" (a round of reconciliation now) and "poll" (the
 * shown QRs asked about now); busy until it is over. */
static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct pay *p = self;
	(void)args;
	if (strcmp(verb, "reconcile") == 0) {
		pthread_mutex_lock(&p->lock);
		p->sweep_at_ms = 0;
		pthread_mutex_unlock(&p->lock);
		worker_kick(p->worker);
		return KR_OK;
	}
	if (strcmp(verb, "poll") == 0) {
		worker_kick(p->worker);
		return KR_OK;
	}
	return kerr_set(err, KR_INVALID, "pay: unknown verb '%s' (reconcile, poll)", verb);
}

static void destroy(void *self)
{
	struct pay *p = self;
	worker_stop(p->worker);
	alipay_destroy(p->client);
	store_close(p->store);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct service_ops ops = {"alipay", 0, submit, control, destroy, busy};

int pay_service_waiting(const struct service *svc, char *out_trade_no, size_t size)
{
	if (svc->ops != &ops)
		return KR_INVALID;
	struct pay *p = svc->self;
	pthread_mutex_lock(&p->lock);
	int rc = p->nwatch ? KR_OK : KR_NOT_FOUND;
	if (p->nwatch)
		snprintf(out_trade_no, size, "%s", p->watch[p->nwatch - 1].out_trade_no);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int pay_service_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	const struct conf *c = host->conf;
	if (!c->alipay.gateway[0])
		return kerr_set(err, KR_CONFIG,
		                "%s: [alipay] section missing (needed by pay = alipay)", c->file);
	struct pay *p = calloc(1, sizeof *p);
	if (!p)
		return kerr_set(err, KR_NOMEM, "out of memory");
	p->host = *host;
	pthread_mutex_init(&p->lock, NULL);
	/* a first round soon after the start, for what recovery could not settle */
	p->sweep_after = -1;
	p->sweep_seed = backoff_seed();
	p->sweep_at_ms =
	    mono_ms() + backoff_wait_ms(c->alipay.reconcile_min_ms, c->alipay.reconcile_max_ms,
	                                &p->sweep_failures, &p->sweep_seed);
	struct alipay_config ac = {
	    .gateway = c->alipay.gateway,
	    .app_id = c->alipay.app_id,
	    .app_key_file = c->alipay.app_key,
	    .alipay_key_file = c->alipay.alipay_key,
	    .ca_file = c->alipay.ca_file,
	    .connect_timeout_ms = c->alipay.connect_timeout_ms,
	    .timeout_ms = c->alipay.timeout_ms,
	    .ceiling_fen = c->pay_ceiling_fen,
	    .terminal_id = c->kiosk_id,
	};
	int rc = alipay_create(&ac, &p->client, err);
	if (rc == KR_CONFIG)
		kerr_prefix(err, rc, "%s: [alipay] ", c->file);
	if (rc == KR_OK)
		rc = store_open(c->database, &p->store, err);
	if (rc == KR_OK)
		rc = worker_start(&worker_spec, p, &p->worker, err);
	return service_created(rc, &ops, p, out);
}

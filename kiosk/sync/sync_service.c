/* sync_service.c — central sync on a thread of its own.
 *
 * Push: the oldest pending outbox events, up to [central] batch_max, go as one batch; the
 * ids the central site says it holds are marked acknowledged (one transaction), and the
 * next batch starts with the oldest event still pending — so a restart, a lost answer or
 * a dropped connection only repeats events, which the site stores once. Offline, nothing
 * is dropped: the outbox grows and drains when the site is back. After a failure the
 * thread waits with exponential back-off and equal jitter (backoff_min_ms .. max_ms).
 * Pull: when the outbox is drained and every pull_s, the inbox after the highest item
 * stored. Fee tables are checked against the site's fee key and read (a bad signature, an
 * old version or a table the kiosk cannot use is refused, the reason kept); pick-up orders
 * are read and checked (kiosk/sync/pickup.c) and stored accepted or refused; review
 * results and revocation confirmations are stored. Then the app is told (FEV_INBOX): it
 * lays accepted fee tables over the hall's table between sessions, acts on review results
 * and finds pick-up orders when a user asks (kiosk/sync/inbox.c).
 * Heartbeat: every heartbeat_s (the first at start) the devices' states the app handed
 * over with control "devices", the outbox depth and the last contact go to the site; not
 * stored (a liveness signal), sent between batches so a long drain does not hold it up;
 * its failures back off on their own, so they never delay the push.
 * CRL: with a [keys] crl_file, every round looks whether the file changed (the local
 * issuer renames each new CRL over the old one) and reads it anew when it did; a CRL whose
 * crlNumber is above the one the site last acknowledged is sent (docs/central-api.md §7),
 * before the push, and until the site takes it — or answers 409, holding it or a newer
 * one: that counts as delivered. The acknowledged number is kept in the store, so a
 * restart does not send the same CRL again. A file that is missing or not a usable CRL is
 * traced once and not sent. Its failures back off on their own, like the heartbeat's.
 *
 * Owns the client, its store handle and its worker, whose idle hook is the round: it
 * returns when the next one is due. Never busy, except while a round asked for by control
 * ("sync now": a kick) runs. The UI thread only ever kicks it and hands over devices. */
#include "sync/sync_service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "base/backoff.h"
#include "base/mono.h"
#include "base/worker.h"
#include "conf/conf.h"
#include "store/outbox.h"
#include "store/store.h"
#include "sync/central.h"
#include "sync/agentlist.h"
#include "sync/crlfile.h"
#include "sync/feeupdate.h"
#include "sync/pickup.h"

#define SYNC_PULL_LIMIT  100
#define SYNC_PULL_ROUNDS 20 /* pages pulled in one go at most */

enum push_result { PUSH_EMPTY, PUSH_SENT, PUSH_FAILED };

/* Which file the CRL path named when it was read: a new CRL is a new file. */
struct crl_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
};

struct sync {
	struct service_host host;
	const struct conf_central *cfg;
	struct central *client;
	struct store *store;
	struct worker *worker;
	atomic_int stop;      /* cuts the client's transfers short */
	pthread_mutex_t lock; /* guards hb: the loop thread hands the devices over */
	int batch;            /* current batch size (halved on 413) */
	int failures;         /* in a row */
	int64_t retry_at_ms, next_pull_ms;
	int pulled;      /* items stored by the current pull */
	char region[64]; /* the hall's name in fee table updates */
	unsigned seed;
	struct outbox_event *ev; /* batch_max */
	unsigned char *held;
	const char **ids;
	/* the heartbeat: its own schedule and back-off; devices and out_of_service under lock */
	int64_t hb_next_ms; /* mono ms: due then (after a failure: when the back-off ends) */
	int hb_failures;
	struct central_heartbeat hb;
	/* the CRL ([keys] crl_file, "" without one): the file as last read, the CRL that waits
	 * to be sent (der NULL: none), the number the site holds (-1: none), the back-off */
	const char *crl_path;
	struct crl_stamp crl_seen;
	int crl_looked;
	struct crlfile crl;
	int64_t crl_acked, crl_retry_ms;
	int crl_failures;
};

static int64_t now_utc(struct sync *s)
{
	return s->host.utc_s(s->host.app);
}

static void trace(struct sync *s, const char *what, const struct kerr *err)
{
	fprintf(s->host.trace, "[central] %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
}

/* When to try again after one more failure (*failures counts them): exponential, capped,
 * equal jitter; at least the site's Retry-After; the longest wait when the site refuses. */
static int64_t backoff_until(struct sync *s, int *failures, enum central_outcome o,
                             int64_t retry_after_s)
{
	int64_t cap = s->cfg->backoff_max_ms;
	int64_t wait = backoff_wait_ms(o == CENTRAL_REFUSED ? cap : s->cfg->backoff_min_ms, cap,
	                               failures, &s->seed);
	if (retry_after_s * 1000 > wait)
		wait = retry_after_s * 1000;
	return mono_ms() + wait;
}

static void back_off(struct sync *s, enum central_outcome o, int64_t retry_after_s)
{
	s->retry_at_ms = backoff_until(s, &s->failures, o, retry_after_s);
}

static void in_contact(struct sync *s)
{
	if (s->failures) {
		int64_t n = 0;
		struct kerr err;
		store_outbox_pending(s->store, &n, &err);
		char what[96];
		snprintf(what, sizeof what, "in contact again; %lld events wait", (long long)n);
		trace(s, what, NULL);
	}
	s->failures = 0;
	s->retry_at_ms = 0;
}

static void failed(struct sync *s, const char *what, enum central_outcome o, int64_t after_s,
                   const struct kerr *err)
{
	if (s->failures == 0 || o == CENTRAL_REFUSED) /* said once per outage */
		trace(s, what, err);
	back_off(s, o, after_s);
}

/* The journal as the batch shows it: the head, and the hash now at the head the site
 * accepted last (the mark "central"). */
static int journal_of(struct sync *s, struct central_journal *j, struct kerr *err)
{
	memset(j, 0, sizeof *j);
	int rc = store_journal_head(s->store, &j->head, err);
	if (rc == KR_OK)
		rc = store_journal_mark(s->store, "central", &j->base, err);
	if (rc == KR_NOT_FOUND)
		return KR_OK; /* the site accepted none yet */
	if (rc == KR_OK && j->base.seq > 0) {
		rc = store_journal_hash_at(s->store, j->base.seq, j->base.hash, err);
		if (rc == KR_NOT_FOUND) { /* gone: a zero hash, the site sees it */
			memset(j->base.hash, 0, sizeof j->base.hash);
			rc = KR_OK;
		}
	}
	return rc;
}

/* The site refused the journal: traced by failed(), and the staff are told. */
static void journal_refused(struct sync *s)
{
	if (strcmp(central_error(s->client), "journal_fork") != 0)
		return;
	struct flow_event ev = {.kind = FEV_DEVICE_STATUS, .arg = 1};
	snprintf(ev.text, sizeof ev.text, "central.journal_fork");
	s->host.post(s->host.app, &ev);
}

static enum push_result push_batch(struct sync *s)
{
	struct kerr err = {{0}};
	struct central_journal journal;
	int n = 0;
	if (outbox_read_pending(s->store, s->batch, s->ev, &n, &err) != KR_OK) {
		failed(s, "cannot read the outbox", CENTRAL_RETRY, 0, &err);
		return PUSH_FAILED;
	}
	if (n == 0)
		return PUSH_EMPTY;
	if (journal_of(s, &journal, &err) != KR_OK) {
		failed(s, "cannot read the journal's head", CENTRAL_RETRY, 0, &err);
		return PUSH_FAILED;
	}
	int64_t after_s = 0;
	enum central_outcome o =
	    central_push(s->client, s->ev, n, &journal, s->held, &after_s, &err);
	if (o == CENTRAL_TOO_LARGE && s->batch > 1) {
		s->batch /= 2;
		trace(s, "batch too large: halved", NULL);
		return PUSH_SENT; /* again at once, smaller */
	}
	if (o != CENTRAL_OK) {
		failed(s, "push failed, events kept", o, after_s, &err);
		journal_refused(s);
		return PUSH_FAILED;
	}
	/* the site holds this head now: the next batch shows the hash at it again */
	if (store_journal_mark_set(s->store, "central", &journal.head, &err) != KR_OK)
		trace(s, "cannot record the journal's head the site holds", &err);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (s->held[i])
			s->ids[k++] = s->ev[i].event_id;
	if (outbox_ack(s->store, s->ids, k, now_utc(s), NULL, &err) != KR_OK) {
		/* sent again later: the site holds them once */
		failed(s, "cannot record the acknowledgement", CENTRAL_RETRY, 0, &err);
		return PUSH_FAILED;
	}
	in_contact(s);
	if (k < n) { /* the site did not take the oldest: do not skip ahead */
		failed(s, "the site holds only part of the batch", CENTRAL_RETRY, 0, NULL);
		return PUSH_FAILED;
	}
	return PUSH_SENT;
}

/* A unit's list of authorised agents: signed, read, and laid in the store as digests;
 * the item itself keeps no ID number (its payload becomes a summary). Refused items say
 * why in why. KR_OK, or the store's error (the pull stops and comes again). */
static int take_agents(struct sync *s, const struct central_item *it, struct inbox_item *item,
                       char *summary, size_t size, struct kerr *why)
{
	struct agent_list list;
	int rc = central_item_check(s->client, it->payload, it->sig, &item->version, why);
	if (rc == KR_OK)
		rc = agentlist_parse(it->payload, &list, why);
	if (rc == KR_OK && strcmp(list.unit, it->id) != 0)
		rc = kerr_set(why, KR_INVALID, "the item's id is not the unit's code");
	snprintf(summary, size, "{}");
	if (rc == KR_OK) {
		const char *ids[AGENTS_MAX];
		for (int i = 0; i < list.n; i++)
			ids[i] = list.ids[i];
		rc =
		    agents_replace(s->store, list.unit, list.version, ids, list.n, now_utc(s), why);
		snprintf(summary, size, "{\"unit\":\"%s\",\"version\":%lld,\"agents\":%d}",
		         list.unit, (long long)list.version, list.n);
		explicit_bzero(&list, sizeof list);
	}
	item->payload = summary;
	item->status = rc == KR_OK ? INBOX_ACCEPTED : INBOX_REFUSED;
	item->reason = rc == KR_OK ? "" : why->msg;
	return rc == KR_OK || rc == KR_INVALID || rc == KR_CONFLICT ? KR_OK : rc;
}

/* Stores one pulled item, checking a fee table first. */
static int take_item(void *ctx, const struct central_item *it, struct kerr *err)
{
	struct sync *s = ctx;
	struct inbox_item item = {.seq = it->seq,
	                          .kind = it->kind,
	                          .item_id = it->id,
	                          .payload = it->payload,
	                          .status = INBOX_STORED,
	                          .reason = ""};
	struct kerr why = {{0}};
	char what[256], summary[96];
	if (strcmp(it->kind, "fee_table") == 0) {
		struct fee_table scratch = s->host.conf->region.fees;
		int64_t have = 0;
		int rc = outbox_fee_version(s->store, &have, err);
		if (rc != KR_OK)
			return rc;
		if (central_item_check(s->client, it->payload, it->sig, &item.version, &why) !=
		    KR_OK) {
			item.status = INBOX_REFUSED;
			item.reason = why.msg;
		} else if (item.version <= have) {
			item.status = INBOX_REFUSED;
			item.reason = "not newer than the table in use";
		} else if (fee_update_apply(it->payload, s->region, &scratch, &why) != KR_OK) {
			item.status = INBOX_REFUSED; /* signed, yet not a table the kiosk can use */
			item.reason = why.msg;
		} else {
			item.status = INBOX_ACCEPTED; /* the app lays it over the hall's table */
		}
		snprintf(what, sizeof what, "fee table %.64s: %s%s%.96s", it->id,
		         inbox_status_id(item.status), item.reason[0] ? ": " : "", item.reason);
	} else if (strcmp(it->kind, "agents") == 0) {
		int rc = take_agents(s, it, &item, summary, sizeof summary, &why);
		if (rc != KR_OK)
			return kerr_set(err, rc, "%s", why.msg);
		snprintf(what, sizeof what, "agents of unit %.20s: %s%s%.96s", it->id,
		         inbox_status_id(item.status), item.reason[0] ? ": " : "", item.reason);
	} else if (strcmp(it->kind, "pickup") == 0) {
		/* checked now, so that a user is never offered an order the kiosk cannot make */
		struct pickup_order po;
		item.status = INBOX_ACCEPTED;
		if (pickup_parse(it->payload, &po, &why) != KR_OK) {
			item.status = INBOX_REFUSED;
			item.reason = why.msg;
		} else if (strcmp(po.order_no, it->id) != 0) {
			item.status = INBOX_REFUSED;
			item.reason = "the item's id is not the order's number";
		}
		explicit_bzero(&po, sizeof po);
		snprintf(what, sizeof what, "pick-up order %.64s: %s%s%.96s", it->id,
		         inbox_status_id(item.status), item.reason[0] ? ": " : "", item.reason);
	} else {
		snprintf(what, sizeof what, "%.32s %.64s: stored", it->kind, it->id);
	}
	int rc = outbox_inbox_put(s->store, &item, now_utc(s), err);
	if (rc == KR_OK) {
		trace(s, what, NULL);
		s->pulled++;
	}
	return rc;
}

static int pull_all(struct sync *s)
{
	struct kerr err = {{0}};
	int more = 1;
	s->pulled = 0;
	for (int round = 0; more && round < SYNC_PULL_ROUNDS; round++) {
		int64_t cursor = 0, after_s = 0;
		if (outbox_inbox_cursor(s->store, &cursor, &err) != KR_OK) {
			failed(s, "cannot read the inbox cursor", CENTRAL_RETRY, 0, &err);
			return -1;
		}
		enum central_outcome o = central_pull(s->client, cursor, SYNC_PULL_LIMIT, take_item,
		                                      s, &more, &after_s, &err);
		if (o != CENTRAL_OK) {
			failed(s, "pull failed", o, after_s, &err);
			return -1;
		}
	}
	if (outbox_contact_set(s->store, now_utc(s), &err) != KR_OK ||
	    agents_synced(s->store, now_utc(s), &err) != KR_OK)
		trace(s, "cannot record the contact", &err);
	in_contact(s);
	if (s->pulled) {
		/* the app acts on what came (review results, fee tables) on its own thread */
		struct flow_event ev = {.kind = FEV_INBOX};
		s->host.post(s->host.app, &ev);
	}
	return 0;
}

/* Sends the heartbeat when it is due: the devices handed over, the outbox depth, the last
 * contact. A failure backs off the heartbeat alone; the push keeps its own pace. */
static void heartbeat_tick(struct sync *s)
{
	if (mono_ms() < s->hb_next_ms)
		return;
	struct central_heartbeat hb;
	struct kerr err = {{0}};
	int64_t after_s = 0;
	pthread_mutex_lock(&s->lock);
	hb = s->hb;
	pthread_mutex_unlock(&s->lock);
	hb.at = now_utc(s);
	if (store_outbox_pending(s->store, &hb.outbox_pending, &err) != KR_OK ||
	    outbox_last_contact(s->store, &hb.last_contact, &err) != KR_OK)
		trace(s, "heartbeat: cannot read the outbox", &err);
	enum central_outcome o = central_send_heartbeat(s->client, &hb, &after_s, &err);
	if (o == CENTRAL_OK) {
		if (s->hb_failures)
			trace(s, "heartbeat delivered again", NULL);
		s->hb_failures = 0;
		s->hb_next_ms = mono_ms() + (int64_t)s->cfg->heartbeat_s * 1000;
		return;
	}
	if (s->hb_failures == 0 || o == CENTRAL_REFUSED) /* said once per outage */
		trace(s, "heartbeat failed", &err);
	s->hb_next_ms = backoff_until(s, &s->hb_failures, o, after_s);
}

/* The file at path now (all zero when there is none). */
static void crl_stamp_of(const char *path, struct crl_stamp *out)
{
	struct stat st;
	memset(out, 0, sizeof *out);
	if (stat(path, &st) != 0)
		return;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* Reads the CRL file anew: it waits to be sent when its number is above the one the site
 * holds; a file that is not there or not a usable CRL is traced and not sent. */
static void crl_look(struct sync *s)
{
	struct kerr err = {{0}};
	char what[128];
	crlfile_free(&s->crl);
	int rc = crlfile_read(s->crl_path, &s->crl, &err);
	if (rc != KR_OK) {
		trace(s, rc == KR_NOT_FOUND ? "no CRL to send yet" : "CRL not sent", &err);
		return;
	}
	if (s->crl.number < s->crl_acked) {
		snprintf(what, sizeof what, "CRL %lld not sent: the site holds %lld",
		         (long long)s->crl.number, (long long)s->crl_acked);
		trace(s, what, NULL);
	}
	if (s->crl.number <= s->crl_acked)
		crlfile_free(&s->crl);
}

/* Sends the CRL that waits. Taken, or 409 (the site holds it or a newer one): recorded as
 * what the site holds. Otherwise it waits for the CRL's own back-off. */
static void crl_send(struct sync *s)
{
	struct kerr err = {{0}};
	int64_t after_s = 0;
	char what[128];
	long long number = (long long)s->crl.number;
	enum central_outcome o =
	    central_send_crl(s->client, s->crl.der, s->crl.len, &after_s, &err);
	if (o == CENTRAL_OK || o == CENTRAL_STALE) {
		if (outbox_crl_acked_set(s->store, s->crl.number, o == CENTRAL_STALE, now_utc(s),
		                         &err) != KR_OK) {
			/* sent again after the back-off: the site then answers 409 */
			trace(s, "cannot record the CRL the site holds", &err);
			s->crl_retry_ms = backoff_until(s, &s->crl_failures, CENTRAL_RETRY, 0);
			return;
		}
		snprintf(what, sizeof what,
		         o == CENTRAL_OK ? "CRL %lld delivered"
		                         : "CRL %lld delivered: the site holds it or a newer one",
		         number);
		trace(s, what, NULL);
		s->crl_acked = s->crl.number;
		s->crl_failures = 0;
		s->crl_retry_ms = 0;
		crlfile_free(&s->crl);
		return;
	}
	if (s->crl_failures == 0 || o == CENTRAL_REFUSED) { /* said once per outage */
		snprintf(what, sizeof what, "CRL %lld not delivered, kept", number);
		trace(s, what, &err);
	}
	s->crl_retry_ms = backoff_until(s, &s->crl_failures, o, after_s);
}

/* The CRL round: the file read again when it changed, the CRL that waits sent when its
 * back-off is over or the round was asked for. */
static void crl_tick(struct sync *s, int kicked)
{
	struct crl_stamp now;
	if (!s->crl_path[0])
		return;
	crl_stamp_of(s->crl_path, &now);
	if (!s->crl_looked || memcmp(&now, &s->crl_seen, sizeof now) != 0) {
		s->crl_looked = 1;
		s->crl_seen = now;
		crl_look(s);
	}
	if (s->crl.der && (kicked || mono_ms() >= s->crl_retry_ms))
		crl_send(s);
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Milliseconds from now until at, or until the heartbeat or a waiting CRL is due. */
static int64_t wait_until(struct sync *s, int64_t at)
{
	at = earliest(at, s->hb_next_ms);
	if (s->crl.der)
		at = earliest(at, s->crl_retry_ms);
	return at - mono_ms();
}

/* The worker's idle hook, one round: the CRL when it changed or waits, the heartbeat
 * when due, batches while they go, then the pull when due; a round asked for (kicked)
 * sends the CRL and pushes through a back-off and pulls at once. Returns the
 * milliseconds until the next is due. */
static int64_t sync_round(void *ctx, int kicked)
{
	struct sync *s = ctx;
	enum push_result r;
	crl_tick(s, kicked);
	do {
		heartbeat_tick(s);
		if (!kicked && mono_ms() < s->retry_at_ms)
			return wait_until(s, s->retry_at_ms);
		r = push_batch(s);
	} while (r == PUSH_SENT && !atomic_load(&s->stop));
	if (r == PUSH_EMPTY && (kicked || mono_ms() >= s->next_pull_ms)) {
		if (pull_all(s) == 0)
			s->next_pull_ms = mono_ms() + (int64_t)s->cfg->pull_s * 1000;
	}
	int64_t next = mono_ms() + s->cfg->idle_ms;
	if (s->retry_at_ms > next)
		next = s->retry_at_ms;
	return wait_until(s, next);
}

static const struct worker_spec worker_spec = {.name = "central", .idle = sync_round};

static void submit(void *self, const struct flow_request *req)
{
	/* the flow asks nothing of sync: sync sends what the store puts in the outbox and
	 * tells the app (FEV_INBOX) when it pulled something */
	(void)self, (void)req;
}

static int busy(void *self)
{
	struct sync *s = self;
	return worker_busy(s->worker);
}

/* Takes the app's device snapshot for the heartbeat (metrics_hand_devices writes it):
 * lines "NAME 0|1 STATUS_KEY" (1: ok) and "out_of_service 0|1". */
static int devices_take(struct sync *s, const char *text, struct kerr *err)
{
	struct central_heartbeat hb = {0};
	const char *line = text;
	while (line && *line) {
		char name[16], reason[48];
		int ok = 0, n = sscanf(line, "%15s %d %47s", name, &ok, reason);
		if (n >= 2 && strcmp(name, "out_of_service") == 0) {
			hb.out_of_service = ok != 0;
		} else if (n == 3 && hb.ndevices < CENTRAL_DEVICES_MAX) {
			struct central_device *d = &hb.device[hb.ndevices++];
			memcpy(d->name, name, sizeof name);
			memcpy(d->reason, reason, sizeof reason);
			d->ok = ok != 0;
		} else if (n != 3) {
			return kerr_set(err, KR_INVALID,
			                "sync devices: '%.40s' is not NAME 0|1 KEY", line);
		}
		if ((line = strchr(line, '\n')))
			line++;
	}
	pthread_mutex_lock(&s->lock);
	s->hb = hb;
	pthread_mutex_unlock(&s->lock);
	return KR_OK;
}

/* "held": the site acknowledged every event of the outbox (read on the caller's thread,
 * through the app's store). */
static int held_check(struct sync *s, struct kerr *err)
{
	int64_t n = -1;
	struct kerr why = {{0}};
	if (!s->host.store || store_outbox_pending(s->host.store, &n, &why) != KR_OK)
		return kerr_set(err, KR_IO, "sync held: cannot read the outbox %s", why.msg);
	return n == 0 ? KR_OK
	              : kerr_set(err, KR_CONFLICT,
	                         "sync held: %lld events not acknowledged by the central site",
	                         (long long)n);
}

/* The service's own verbs: "now" (a round at once), "devices TEXT" (the heartbeat's
 * device snapshot), "held" (whether the site holds every event). */
static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct sync *s = self;
	if (strcmp(verb, "now") == 0) {
		worker_kick(s->worker);
		return KR_OK;
	}
	if (strcmp(verb, "devices") == 0)
		return devices_take(s, args, err);
	if (strcmp(verb, "held") == 0)
		return held_check(s, err);
	return kerr_set(err, KR_INVALID, "sync: unknown verb '%s' (now, held, devices TEXT)", verb);
}

static void destroy(void *self)
{
	struct sync *s = self;
	atomic_store(&s->stop, 1);
	worker_stop(s->worker);
	int64_t n = 0;
	struct kerr err;
	if (s->worker && store_outbox_pending(s->store, &n, &err) == KR_OK) {
		char what[96];
		snprintf(what, sizeof what, "stopped; %lld events wait in the outbox",
		         (long long)n);
		trace(s, what, NULL);
	}
	central_destroy(s->client);
	crlfile_free(&s->crl);
	store_close(s->store);
	pthread_mutex_destroy(&s->lock);
	free(s->ev);
	free(s->held);
	free(s->ids);
	free(s);
}

static const struct service_ops ops = {"central", 0, submit, control, destroy, busy};

int sync_central_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	const struct conf *c = host->conf;
	if (!c->central.url[0])
		return kerr_set(err, KR_CONFIG,
		                "%s: [central] section missing (needed by sync = central)",
		                c->file);
	if (c->central.backoff_min_ms > c->central.backoff_max_ms)
		return kerr_set(err, KR_CONFIG,
		                "%s: [central] backoff_min_ms is above backoff_max_ms", c->file);
	struct sync *s = calloc(1, sizeof *s);
	if (!s)
		return kerr_set(err, KR_NOMEM, "out of memory");
	s->host = *host;
	s->cfg = &c->central;
	s->crl_path = c->keys.crl_file;
	fee_region_of(c->region.file, s->region, sizeof s->region);
	s->batch = c->central.batch_max;
	s->seed = backoff_seed();
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->stop, 0);
	struct central_config cc = {
	    .url = c->central.url,
	    .kiosk_id = c->kiosk_id,
	    .ca_file = c->central.ca_file,
	    .client_cert = c->central.client_cert,
	    .client_key = c->central.client_key,
	    .key_module = c->keys.module,
	    .key_pin_file = c->keys.secure_pin_file,
	    .fee_key_file = c->central.fee_key,
	    .connect_timeout_ms = c->central.connect_timeout_ms,
	    .timeout_ms = c->central.timeout_ms,
	    .abort = &s->stop,
	};
	int rc = KR_OK;
	s->ev = calloc((size_t)s->batch, sizeof *s->ev);
	s->held = calloc((size_t)s->batch, 1);
	s->ids = calloc((size_t)s->batch, sizeof *s->ids);
	if (!s->ev || !s->held || !s->ids)
		rc = kerr_set(err, KR_NOMEM, "out of memory");
	if (rc == KR_OK)
		rc = central_create(&cc, &s->client, err);
	if (rc == KR_CONFIG)
		kerr_prefix(err, rc, "%s: [central] ", c->file);
	if (rc == KR_OK)
		rc = store_open(c->database, &s->store, err);
	if (rc == KR_OK)
		rc = outbox_crl_acked(s->store, &s->crl_acked, err);
	if (rc == KR_OK) {
		int64_t n = 0;
		struct kerr e;
		store_outbox_pending(s->store, &n, &e);
		fprintf(host->trace, "[central] syncing with %s; %lld events wait\n",
		        c->central.url, (long long)n);
		rc = worker_start(&worker_spec, s, &s->worker, err);
	}
	return service_created(rc, &ops, s, out);
}

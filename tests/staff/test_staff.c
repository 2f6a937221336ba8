/* test_staff.c — staff mode's state machine on an injected clock, the PIN hash, the PIN
 * lock kept in the journal across a restart, the staff key (what counts as one, a
 * refused key counted in the PIN lock and restored with it), and the store statistics it
 * reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "staff/staff.h"
#include "staff/staff_pin.h"
#include "store/stats.h"
#include "store/store.h"

#define SALT "00112233445566778899aabbccddeeff"

static const struct staff_config cfg = {.lock_minutes = 10, .idle_timeout_s = 120};
static struct flow_time now = {1000, 1790000000};
static char hash[STAFF_PIN_HASH_MAX];

/* Feeds ev and carries out the requests like the app does: PIN checks, journal rows
 * into store s (may be NULL), loads with a fixed data set. */
static void feed(struct staff *st, struct store *s, struct staff_event *ev, struct staff_out *all)
{
	struct staff_out out;
	staff_handle(st, ev, now, &out);
	for (int i = 0; i < out.n; i++) {
		struct staff_request *r = &out.req[i];
		struct staff_event next = {.kind = SEV_COUNT};
		struct kerr err;
		if (all && all->n < STAFF_MAX_REQUESTS)
			all->req[all->n++] = *r;
		if (r->kind == SREQ_PIN_CHECK) {
			next.kind = SEV_PIN_RESULT;
			next.ok = staff_pin_verify(hash, r->pin);
		} else if (r->kind == SREQ_JOURNAL && s) {
			CHECK_INT(store_journal_append(s, r->journal_kind, 0, r->journal_body,
			                               now.utc_s, &err),
			          KR_OK);
		} else if (r->kind == SREQ_LOAD) {
			next.kind = SEV_DATA;
			next.data.bins = 2;
			next.data.blank[0] = 3;
			next.data.blank[1] = 7;
			next.data.retained = 2;
			next.data.nstranded = 1;
			next.data.stranded[0].id = 42;
			snprintf(next.data.stranded[0].order_no, 32, "NT0126112100000042");
			next.data.nreceipts = 1;
			next.data.receipts[0].id = 9;
		}
		if (next.kind != SEV_COUNT)
			feed(st, s, &next, all);
	}
}

static void act(struct staff *st, struct store *s, enum staff_action a, int row, const char *text,
                struct staff_out *all)
{
	struct staff_event ev = {.kind = SEV_ACTION, .action = a, .row = row};
	snprintf(ev.text, sizeof ev.text, "%s", text ? text : "");
	if (all)
		all->n = 0;
	feed(st, s, &ev, all);
}

static void enter(struct staff *st, struct store *s)
{
	struct staff_event ev = {.kind = SEV_ENTER};
	feed(st, s, &ev, NULL);
}

static struct staff *restart(struct store *s)
{
	struct staff_lock lock;
	struct kerr err;
	CHECK_INT(stats_staff_pin(s, &lock.failures, &lock.last_lock_utc, &err), KR_OK);
	return staff_create(&cfg, &lock, now);
}

static void test_pin_hash(void)
{
	struct kerr err;
	CHECK(staff_pin_hash_ok(hash));
	CHECK(staff_pin_verify(hash, "13579"));
	CHECK(!staff_pin_verify(hash, "13578"));
	CHECK(!staff_pin_verify(hash, ""));
	CHECK(!staff_pin_hash_ok("13579"));
	CHECK(!staff_pin_verify("pbkdf2-sha256$1000$00$00", "13579"));
	char small[20];
	CHECK_INT(staff_pin_hash("1", SALT, 1000, small, sizeof small, &err), KR_INVALID);
	CHECK_INT(staff_pin_hash("1", "zz", 1000, hash + 0, 0, &err), KR_INVALID);
}

static void test_screens(void)
{
	struct staff *st = staff_create(&cfg, NULL, now);
	struct staff_out all = {0};
	const struct staff_view *v = staff_view(st);
	CHECK_INT(v->screen, STAFF_OFF);
	enter(st, NULL);
	CHECK_INT(v->screen, STAFF_PIN);
	act(st, NULL, STA_SHOW, STAFF_HOME, NULL, NULL); /* no way round the PIN */
	CHECK_INT(v->screen, STAFF_PIN);
	act(st, NULL, STA_PIN, 0, "13579", NULL);
	CHECK_INT(v->screen, STAFF_HOME);
	CHECK_INT((int)v->data.blank[1], 7);

	/* restock as an exchange: start, count, end */
	act(st, NULL, STA_SHOW, STAFF_STOCK, NULL, NULL);
	act(st, NULL, STA_RESTOCK_START, 0, NULL, NULL);
	CHECK_INT(v->screen, STAFF_RESTOCK);
	for (int i = 0; i < 5; i++)
		act(st, NULL, STA_LOAD_MORE, 1, NULL, NULL);
	act(st, NULL, STA_LOAD_LESS, 1, NULL, NULL);
	act(st, NULL, STA_LOAD_MORE, 5, NULL, NULL); /* no such bin */
	for (int i = 0; i < 4; i++)
		act(st, NULL, STA_REMOVE_MORE, 0, NULL, NULL); /* only 2 in the retain bin */
	CHECK_INT((int)v->loaded[1], 4);
	CHECK_INT((int)v->removed, 2);
	act(st, NULL, STA_RESTOCK_END, 0, NULL, &all);
	CHECK_INT(all.n, 3); /* and a load for the stock screen */
	CHECK_STR(all.req[0].journal_kind, "staff.restock");
	CHECK_STR(all.req[0].journal_body, "{\"loaded\":[0,4],\"removed\":2}");
	CHECK_INT(all.req[1].kind, SREQ_RESTOCK);
	CHECK_INT((int)all.req[1].loaded[1], 4);
	CHECK_INT((int)all.req[1].before[1], 7);
	CHECK_INT(v->busy, 1);
	struct staff_event done = {.kind = SEV_DONE, .text = "staff.restocked"};
	feed(st, NULL, &done, NULL);
	CHECK_INT(v->busy, 0);
	CHECK_STR(v->notice_key, "staff.restocked");

	/* a stranded payment refunded, a receipt reprinted */
	act(st, NULL, STA_SHOW, STAFF_STRANDED, NULL, NULL);
	act(st, NULL, STA_REFUND, 0, NULL, &all);
	CHECK_INT(all.n, 2);
	CHECK_STR(all.req[0].journal_body, "{\"order\":\"NT0126112100000042\"}");
	CHECK_INT(all.req[1].kind, SREQ_REFUND);
	CHECK_INT((int)all.req[1].id, 42);
	feed(st, NULL, &done, NULL);
	act(st, NULL, STA_SHOW, STAFF_RECEIPTS, NULL, NULL);
	act(st, NULL, STA_REPRINT, 3, NULL, &all); /* no such row */
	CHECK_INT(all.n, 0);
	act(st, NULL, STA_REPRINT, 0, NULL, &all);
	CHECK_INT(all.req[1].kind, SREQ_REPRINT);
	CHECK_INT((int)all.req[1].id, 9);
	feed(st, NULL, &done, NULL);
	/* today's reconciliation, asked on the orders screen only, once at a time */
	act(st, NULL, STA_RECONCILE, 0, NULL, &all); /* still on the receipts screen */
	CHECK_INT(all.n, 0);
	act(st, NULL, STA_SHOW, STAFF_ORDERS, NULL, NULL);
	act(st, NULL, STA_RECONCILE, 0, NULL, &all);
	CHECK_INT(all.n, 2);
	CHECK_STR(all.req[0].journal_kind, "staff.reconcile");
	CHECK_INT(all.req[1].kind, SREQ_RECONCILE);
	CHECK_INT(v->busy, 1);
	CHECK_STR(v->notice_key, "staff.reconciling");
	act(st, NULL, STA_RECONCILE, 0, NULL, &all);
	CHECK_INT(all.n, 0);
	struct staff_event reconciled = {.kind = SEV_DONE, .text = "staff.reconciled"};
	feed(st, NULL, &reconciled, NULL);
	CHECK_INT(v->busy, 0);
	CHECK_STR(v->notice_key, "staff.reconciled");

	/* out of service, device status */
	act(st, NULL, STA_SHOW, STAFF_HOME, NULL, NULL);
	act(st, NULL, STA_SERVICE, 0, NULL, &all);
	CHECK_INT(v->out_of_service, 1);
	CHECK_INT(all.req[1].kind, SREQ_SERVICE);
	CHECK_INT(all.req[1].arg, 1);
	struct staff_event dev = {.kind = SEV_DEVICE, .text = "print.paper_out", .ok = 0};
	feed(st, NULL, &dev, NULL);
	struct staff_event dev2 = {.kind = SEV_DEVICE, .text = "print.ready", .ok = 1};
	feed(st, NULL, &dev2, NULL);
	CHECK_INT(v->ndevices, 1);
	CHECK_STR(v->device[0].name, "print");
	CHECK_STR(v->device[0].status_key, "print.ready");
	CHECK_INT(v->device[0].faulty, 0);

	/* the idle time-out ends staff mode; out of service stays */
	now.mono_ms += 119000;
	struct staff_event tick = {.kind = SEV_TICK};
	feed(st, NULL, &tick, NULL);
	CHECK_INT(v->screen, STAFF_HOME);
	now.mono_ms += 1000;
	feed(st, NULL, &tick, NULL);
	CHECK_INT(v->screen, STAFF_OFF);
	CHECK_INT(v->out_of_service, 1);
	CHECK_INT(v->data.nstranded, 0); /* nothing kept for the next visitor */
	staff_destroy(st);
}

static void test_lock_survives_restart(struct store *s)
{
	struct staff *st = restart(s);
	const struct staff_view *v = staff_view(st);
	enter(st, s);
	for (int i = 0; i < 4; i++)
		act(st, s, STA_PIN, 0, "0000", NULL);
	CHECK_INT(v->screen, STAFF_PIN);
	CHECK_INT(v->tries_left, 1);
	staff_destroy(st);

	/* a restart keeps the four failures: one more locks */
	st = restart(s);
	v = staff_view(st);
	enter(st, s);
	CHECK_INT(v->tries_left, 1);
	act(st, s, STA_PIN, 0, "0000", NULL);
	CHECK_INT(v->screen, STAFF_LOCKED);
	act(st, s, STA_PIN, 0, "13579", NULL); /* the right PIN does not open a lock */
	CHECK_INT(v->screen, STAFF_LOCKED);
	staff_destroy(st);

	/* a restart keeps the lock */
	now.utc_s += 9 * 60;
	st = restart(s);
	v = staff_view(st);
	enter(st, s);
	CHECK_INT(v->screen, STAFF_LOCKED);
	CHECK_INT(v->locked_s, 60);
	struct staff_event ev = {.kind = SEV_ACTION, .action = STA_EXIT};
	feed(st, s, &ev, NULL);
	staff_destroy(st);

	/* after lock_minutes the PIN works again, with all tries */
	now.utc_s += 60;
	st = restart(s);
	v = staff_view(st);
	enter(st, s);
	CHECK_INT(v->screen, STAFF_PIN);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES);
	act(st, s, STA_PIN, 0, "13579", NULL);
	CHECK_INT(v->screen, STAFF_HOME);
	staff_destroy(st);
	int fails;
	int64_t at;
	struct kerr err;
	CHECK_INT(stats_staff_pin(s, &fails, &at, &err), KR_OK);
	CHECK_INT(fails, 0);
	CHECK_INT((int)at, (int)(now.utc_s - 10 * 60));
}

/* What makes a staff key: our CA, the staff role, within its validity. */
static void test_key_ok(void)
{
	struct key_triage t = {.has_cert = 1,
	                       .issuer = ISSUER_OURS,
	                       .staff_role = 1,
	                       .not_before_utc = now.utc_s - 86400,
	                       .not_after_utc = now.utc_s + 86400};
	CHECK(staff_key_ok(&t, now.utc_s));
	t.staff_role = 0; /* a user's key of ours */
	CHECK(!staff_key_ok(&t, now.utc_s));
	t.staff_role = 1;
	t.issuer = ISSUER_JSCA;
	CHECK(!staff_key_ok(&t, now.utc_s));
	t.issuer = ISSUER_OURS;
	CHECK(!staff_key_ok(&t, now.utc_s + 2 * 86400)); /* expired */
	CHECK(!staff_key_ok(&t, now.utc_s - 2 * 86400)); /* not yet valid */
	t.has_cert = 0;
	CHECK(!staff_key_ok(&t, now.utc_s));
}

/* A key put in at the PIN pad: checked (one check at a time), refused keys counted in
 * the PIN lock, journaled with their serial, restored after a restart; a staff key opens. */
static void test_key_login(struct store *s)
{
	struct staff *st = restart(s);
	const struct staff_view *v = staff_view(st);
	struct staff_out all = {0};
	struct staff_event key = {.kind = SEV_KEY_INSERTED};
	struct kerr err;
	int fails;
	int64_t at;

	feed(st, s, &key, &all); /* staff mode is off: nothing */
	CHECK_INT(all.n, 0);
	enter(st, s);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES);
	all.n = 0;
	feed(st, s, &key, &all);
	CHECK_INT(all.n, 1);
	CHECK_INT(all.req[0].kind, SREQ_KEY_CHECK);
	CHECK_INT(v->checking, 1);
	CHECK_STR(v->notice_key, "staff.checking");
	act(st, s, STA_PIN, 0, "13579", &all); /* no PIN while the key is checked */
	CHECK_INT(all.n, 0);
	CHECK_INT(v->screen, STAFF_PIN);

	/* a user's key: refused, one try gone, journaled with its serial */
	struct staff_event res = {.kind = SEV_KEY_RESULT, .ok = 0, .text = "SIM0001\"x"};
	all.n = 0;
	feed(st, s, &res, &all);
	CHECK_INT(v->screen, STAFF_PIN);
	CHECK_INT(v->checking, 0);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 1);
	CHECK_STR(v->notice_key, "staff.key_refused");
	CHECK_STR(all.req[0].journal_kind, "staff.pin_bad");
	CHECK_STR(all.req[0].journal_body, "{\"failures\":1,\"key\":\"SIM0001?x\"}");
	feed(st, s, &res, &all); /* an answer nobody waits for */
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 1);

	/* a key that does not read is not counted */
	feed(st, s, &key, NULL);
	struct staff_event unread = {.kind = SEV_KEY_FAILED};
	feed(st, s, &unread, NULL);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 1);
	CHECK_STR(v->notice_key, "staff.key_unreadable");
	CHECK_INT(v->checking, 0);
	staff_destroy(st);

	/* the refused key counts after a restart, like a wrong PIN */
	CHECK_INT(stats_staff_pin(s, &fails, &at, &err), KR_OK);
	CHECK_INT(fails, 1);
	st = restart(s);
	v = staff_view(st);
	enter(st, s);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 1);

	/* a staff key: its own PIN is asked; its proof opens staff mode, clears the count */
	feed(st, s, &key, NULL);
	struct staff_event good = {.kind = SEV_KEY_RESULT, .ok = 1, .text = "0123456789abcdef"};
	all.n = 0;
	feed(st, s, &good, &all);
	CHECK_INT(v->screen, STAFF_PIN);
	CHECK_INT(v->key_pin, 1);
	CHECK_INT(all.n, 0); /* nothing journaled: the key has proved nothing yet */
	CHECK_STR(v->notice_key, "staff.key_found");
	act(st, s, STA_PIN, 0, "135790", &all);
	CHECK_INT(all.n, 1);
	CHECK_INT(all.req[0].kind, SREQ_KEY_PROVE);
	CHECK_STR(all.req[0].pin, "135790");
	CHECK_STR(all.req[0].key, "0123456789abcdef");
	CHECK_INT(v->checking, 1);
	all.n = 0;
	feed(st, s, &good, &all);
	CHECK_INT(v->screen, STAFF_HOME);
	CHECK_INT(v->key_pin, 0);
	CHECK_STR(all.req[0].journal_kind, "staff.pin_ok");
	CHECK_STR(all.req[0].journal_body, "{\"key\":\"0123456789abcdef\"}");
	CHECK_INT(stats_staff_pin(s, &fails, &at, &err), KR_OK);
	CHECK_INT(fails, 0);
	all.n = 0;
	feed(st, s, &key, &all); /* not at the PIN pad: nothing */
	CHECK_INT(all.n, 0);
	staff_destroy(st);
}

/* The staff key's proof of possession: a wrong key PIN or a failed proof counts in the
 * PIN lock with the key's serial, so does a proof for another key; once the key is out
 * the pad takes the staff PIN again; a proof under way still ends in its verdict; five
 * failures lock. */
static void test_key_proof(struct store *s)
{
	struct staff *st = restart(s);
	const struct staff_view *v = staff_view(st);
	struct staff_out all = {0};
	struct staff_event key = {.kind = SEV_KEY_INSERTED}, out = {.kind = SEV_KEY_REMOVED};
	struct staff_event staff_cert = {.kind = SEV_KEY_RESULT, .ok = 1, .text = "STAFF001"};
	struct staff_event refused = {.kind = SEV_KEY_RESULT, .ok = 0, .text = "STAFF001"};
	struct staff_event other = {.kind = SEV_KEY_RESULT, .ok = 1, .text = "COPY0002"};
	struct kerr err;
	int fails;
	int64_t at;

	enter(st, s);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES);
	feed(st, s, &key, NULL);
	feed(st, s, &staff_cert, NULL);
	CHECK_INT(v->key_pin, 1);

	/* a wrong key PIN (or a failed proof): counted, journaled with the key */
	act(st, s, STA_PIN, 0, "000000", &all);
	CHECK_INT(all.req[0].kind, SREQ_KEY_PROVE);
	act(st, s, STA_PIN, 0, "135790", &all); /* one check at a time */
	CHECK_INT(all.n, 0);
	feed(st, s, &key, &all); /* nor a new key while the proof runs */
	CHECK_INT(all.n, 0);
	all.n = 0;
	feed(st, s, &refused, &all);
	CHECK_INT(v->screen, STAFF_PIN);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 1);
	CHECK_STR(v->notice_key, "staff.key_pin_wrong");
	CHECK_STR(all.req[0].journal_kind, "staff.pin_bad");
	CHECK_STR(all.req[0].journal_body, "{\"failures\":1,\"key\":\"STAFF001\"}");
	CHECK_INT(v->key_pin, 1); /* the key is still in: its PIN may be typed again */

	/* a proof answered for another key than the one asked for: refused */
	act(st, s, STA_PIN, 0, "135790", &all);
	all.n = 0;
	feed(st, s, &other, &all);
	CHECK_INT(v->screen, STAFF_PIN);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 2);
	CHECK_STR(all.req[0].journal_body, "{\"failures\":2,\"key\":\"STAFF001\"}");

	/* the key out: the pad takes the staff PIN again */
	feed(st, s, &out, NULL);
	CHECK_INT(v->key_pin, 0);
	act(st, s, STA_PIN, 0, "11111", &all);
	CHECK_INT(all.req[0].kind, SREQ_PIN_CHECK);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 3);
	CHECK_STR(v->notice_key, "staff.pin_wrong");

	/* a staff certificate read after its key left: no PIN asked for it */
	feed(st, s, &key, NULL);
	feed(st, s, &out, NULL);
	feed(st, s, &staff_cert, NULL);
	CHECK_INT(v->key_pin, 0);
	CHECK_INT(v->checking, 0);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 3);

	/* back in: two more failures lock, the second's key pulled out during its proof */
	feed(st, s, &key, NULL);
	feed(st, s, &staff_cert, NULL);
	act(st, s, STA_PIN, 0, "000000", &all);
	feed(st, s, &refused, NULL);
	CHECK_INT(v->tries_left, STAFF_PIN_TRIES - 4);
	act(st, s, STA_PIN, 0, "000000", &all);
	feed(st, s, &out, NULL);
	CHECK_INT(v->key_pin, 0);
	CHECK_INT(v->checking, 1);
	all.n = 0;
	feed(st, s, &refused, &all);
	CHECK_INT(v->screen, STAFF_LOCKED);
	CHECK_INT(v->key_pin, 0);
	CHECK_STR(all.req[0].journal_kind, "staff.pin_bad");
	CHECK_STR(all.req[1].journal_kind, "staff.lock");
	CHECK_INT(stats_staff_pin(s, &fails, &at, &err), KR_OK);
	CHECK_INT(fails, 0);
	CHECK_INT((int)at, (int)now.utc_s);

	/* locked: a key is not even read */
	all.n = 0;
	feed(st, s, &key, &all);
	CHECK_INT(all.n, 0);
	staff_destroy(st);
}

static void test_stats(struct store *s)
{
	struct kerr err;
	struct fee_quote q = {0};
	q.total_fen = 70000;
	struct order_spec spec = {"NT01", BIZ_RENEW, HOLDER_UNIT, &q, "", "", "", now.utc_s};
	struct order_row a, b;
	CHECK_INT(store_order_create(s, &spec, &a, &err), KR_OK);
	CHECK_INT(store_order_create(s, &spec, &b, &err), KR_OK);
	CHECK_INT(store_order_move(s, a.id, ORDER_PAYING, "t", now.utc_s, &err), KR_OK);
	CHECK_INT(store_order_move(s, a.id, ORDER_PAID, "t", now.utc_s, &err), KR_OK);
	CHECK_INT(store_order_move(s, a.id, ORDER_WORKING, "t", now.utc_s, &err), KR_OK);
	CHECK_INT(store_order_move(s, a.id, ORDER_SERVED, "t", now.utc_s, &err), KR_OK);
	CHECK_INT(store_order_move(s, b.id, ORDER_PAYING, "t", now.utc_s, &err), KR_OK);
	CHECK_INT(store_order_move(s, b.id, ORDER_PAID, "t", now.utc_s, &err), KR_OK);
	struct stats_day d;
	CHECK_INT(stats_day(s, now.utc_s - 10, now.utc_s + 10, &d, &err), KR_OK);
	CHECK_INT(d.orders, 2);
	CHECK_INT(d.served, 1);
	CHECK_INT((int)d.takings_fen, 70000);
	CHECK_INT(stats_day(s, now.utc_s + 10, now.utc_s + 20, &d, &err), KR_OK);
	CHECK_INT(d.orders, 0);
	struct stats_orders o;
	CHECK_INT(stats_orders(s, &o, &err), KR_OK);
	CHECK_INT((int)o.count[BIZ_RENEW][ORDER_SERVED], 1);
	CHECK_INT((int)o.count[BIZ_RENEW][ORDER_PAID], 1);
	struct order_row rows[4];
	int n;
	CHECK_INT(stats_stranded(s, rows, 4, &n, &err), KR_OK);
	CHECK_INT(n, 1);
	CHECK_INT((int)rows[0].id, (int)b.id);
	struct stats_receipt rec[4];
	CHECK_INT(stats_receipts(s, rec, 4, &n, &err), KR_OK);
	CHECK_INT(n, 0);
}

int main(void)
{
	struct kerr err;
	char dir[] = "/tmp/kiosk-staff-XXXXXX", path[64];
	CHECK_INT(staff_pin_hash("13579", SALT, 1000, hash, sizeof hash, &err), KR_OK);
	test_pin_hash();
	test_screens();
	test_key_ok();
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	struct store *s = NULL;
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	if (s) {
		test_lock_survives_restart(s);
		test_key_login(s);
		test_key_proof(s);
		test_stats(s);
	}
	store_close(s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return check_done();
}

/* test_sync.c — central sync against the central peer (tests/rigs/central.sh): the peer
 * down for a long outbox, a restart in the middle of a batch, acknowledgements lost after
 * the site stored the batch, 500 and garbage answers, duplicates; afterwards the site
 * holds every event exactly once and in the kiosk's order. And the pull: a tampered or
 * replayed fee table refused, pick-up orders and review results stored.
 * Usage: test_sync offline|restart|acklost|duplicates|pull (with CENTRAL_CONFIG and
 * CENTRAL_CONTROL from the rig). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "app/service.h"
#include "check.h"
#include "store/outbox.h"
#include "store/store.h"
#include "../store/store_testutil.h"

#define DRAIN_WAIT_MS 45000

static struct conf conf;
static const char *control_url;

struct text {
	char *s;
	size_t n;
};

static size_t on_text(char *data, size_t size, size_t n, void *ctx)
{
	struct text *t = ctx;
	char *s = realloc(t->s, t->n + size * n + 1);
	if (!s)
		return 0;
	memcpy(s + t->n, data, size * n);
	t->s = s;
	t->n += size * n;
	s[t->n] = '\0';
	return size * n;
}

/* GETs the peer's control path; the answer (caller frees), NULL unless 200. */
static char *ctl(const char *path)
{
	char url[512];
	struct text t = {NULL, 0};
	long status = 0;
	snprintf(url, sizeof url, "%s%s", control_url, path);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_text);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK || status != 200) {
		fprintf(stderr, "control %s: %s, HTTP %ld\n", path, curl_easy_strerror(cc), status);
		free(t.s);
		return NULL;
	}
	return t.s ? t.s : strdup("");
}

static void ctl_ok(const char *path)
{
	char *a = ctl(path);
	CHECK(a != NULL);
	free(a);
}

/* A number from the peer's /stats ("name=N"), -1 when missing. */
static long stat_of(const char *name)
{
	char *a = ctl("/stats"), key[32];
	long v = -1;
	snprintf(key, sizeof key, "%s=", name);
	const char *p = a ? strstr(a, key) : NULL;
	if (p)
		v = atol(p + strlen(key));
	free(a);
	return v;
}

static void ignore_post(void *app, const struct flow_event *ev)
{
	(void)app, (void)ev;
}

static int64_t wall_utc(void *app)
{
	(void)app;
	return (int64_t)time(NULL);
}

static const struct service_host host = {ignore_post, NULL, &conf, NULL, NULL, wall_utc};

static int sync_start(struct service *svc)
{
	struct service_host h = host;
	struct kerr err = {{0}};
	h.trace = stderr;
	int rc = service_create(SVC_SYNC, &h, svc, &err);
	if (rc != KR_OK)
		fprintf(stderr, "sync: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	return rc;
}

static void sync_stop(struct service *svc)
{
	svc->ops->destroy(svc->self);
}

/* n orders, each created and moved through paying, paid, working, served: 5 events. */
static void make_orders(int n)
{
	struct store *s = NULL;
	struct kerr err = {{0}};
	CHECK_INT(store_open(conf.database, &s, &err), KR_OK);
	struct fee_quote q = tu_quote(15000);
	static const enum order_state path[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING,
	                                        ORDER_SERVED};
	for (int i = 0; s && i < n; i++) {
		struct order_spec spec = tu_spec(&q, 1795000000 + i);
		struct order_row o;
		int rc = store_order_create(s, &spec, &o, &err);
		for (size_t k = 0; rc == KR_OK && k < sizeof path / sizeof path[0]; k++)
			rc = store_order_move(s, o.id, path[k], "test", 1795000000 + i, &err);
		if (rc != KR_OK) {
			fprintf(stderr, "make_orders: %s\n", err.msg);
			CHECK_INT(rc, KR_OK);
			break;
		}
	}
	store_close(s);
}

static int64_t pending(void)
{
	return tu_sql_int(conf.database, "SELECT count(*) FROM outbox WHERE acked_utc IS NULL");
}

/* Waits until the outbox is drained (up to DRAIN_WAIT_MS). */
static void await_drained(void)
{
	for (int ms = 0; pending() != 0 && ms < DRAIN_WAIT_MS; ms += 50)
		usleep(50000);
	CHECK_INT(pending(), 0);
}

/* The central site holds every event of the kiosk's outbox exactly once, in the
 * kiosk's order (so in order per order). */
static void check_exactly_once(void)
{
	char *got = ctl("/events?kiosk=NT01");
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	CHECK(got != NULL);
	if (!got || sqlite3_open_v2(conf.database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return;
	sqlite3_prepare_v2(db, "SELECT id, event_id FROM outbox ORDER BY id", -1, &st, NULL);
	char *line = got, *save = NULL;
	int rows = 0, same = 0, lines = 0;
	char *l = strtok_r(line, "\n", &save);
	while (sqlite3_step(st) == SQLITE_ROW) {
		rows++;
		char want[160];
		snprintf(want, sizeof want, "%lld %s", (long long)sqlite3_column_int64(st, 0),
		         (const char *)sqlite3_column_text(st, 1));
		if (l && strncmp(l, want, strlen(want)) == 0 && l[strlen(want)] == ' ')
			same++;
		else if (same + 1 == rows)
			fprintf(stderr, "first difference at row %d: central '%s', kiosk '%s'\n",
			        rows, l ? l : "(none)", want);
		if (l) {
			lines++;
			l = strtok_r(NULL, "\n", &save);
		}
	}
	while (l) {
		lines++;
		l = strtok_r(NULL, "\n", &save);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(got);
	CHECK(rows > 0);
	CHECK_INT(lines, rows);
	CHECK_INT(same, rows);
	CHECK_INT(stat_of("violations"), 0);
	CHECK_INT(stat_of("events"), rows);
}

/* The peer is down while a long outbox builds up and grows; nothing is dropped; when it
 * is back the outbox drains. */
static void case_offline(void)
{
	struct service svc;
	ctl_ok("/down");
	make_orders(120);
	if (sync_start(&svc) != KR_OK)
		return;
	make_orders(30); /* the outbox only grows meanwhile */
	usleep(500000);
	CHECK_INT(pending(), 150 * 5);
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM outbox"), 150 * 5);
	CHECK_INT(tu_sql_int(conf.database,
	                     "SELECT count(*) FROM sync_state WHERE key = 'last_contact_utc'"),
	          0);
	ctl_ok("/up");
	await_drained();
	sync_stop(&svc);
	check_exactly_once();
	CHECK(tu_sql_int(conf.database,
	                 "SELECT value FROM sync_state WHERE key = 'last_contact_utc'") > 0);
	CHECK(tu_sql_int(conf.database, "SELECT count(*) FROM journal WHERE kind = 'sync'") > 0);
}

/* A kiosk process killed by the peer during a batch (after the site stored it, and
 * before), started again: it resumes where it stopped. */
static void kill_during_batch(const char *kind, int after)
{
	int go[2];
	if (pipe(go) != 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		char c;
		struct service svc;
		close(go[1]);
		if (read(go[0], &c, 1) == 1 && sync_start(&svc) == KR_OK)
			for (;;)
				pause();
		_exit(3);
	}
	close(go[0]);
	char path[128];
	snprintf(path, sizeof path, "/fault?kind=%s&count=1&after=%d&pid=%d", kind, after,
	         (int)child);
	ctl_ok(path);
	CHECK(write(go[1], "x", 1) == 1);
	close(go[1]);
	int status = 0;
	waitpid(child, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void case_restart(void)
{
	struct service svc;
	make_orders(100);
	ctl_ok("/slow?ms=20");
	kill_during_batch("killafter", 3); /* 3 batches acknowledged, the 4th stored */
	CHECK_INT(pending(), 500 - 3 * 50);
	kill_during_batch("killbefore", 2); /* the 4th again, the 5th, the 6th not stored */
	CHECK_INT(pending(), 500 - 5 * 50);
	ctl_ok("/slow?ms=0");
	if (sync_start(&svc) != KR_OK)
		return;
	await_drained();
	sync_stop(&svc);
	check_exactly_once();
	/* the batch stored before the kill came again */
	CHECK(stat_of("duplicates") >= conf.central.batch_max);
}

/* Acknowledgements lost after the site stored the batch, 500s and garbage. */
static void case_acklost(void)
{
	struct service svc;
	make_orders(100);
	ctl_ok("/fault?kind=ackdrop&count=3");
	ctl_ok("/fault?kind=500&count=2");
	ctl_ok("/fault?kind=garbage&count=2");
	ctl_ok("/fault?kind=drop&count=1");
	if (sync_start(&svc) != KR_OK)
		return;
	await_drained();
	sync_stop(&svc);
	check_exactly_once();
	CHECK(stat_of("duplicates") >= 3 * conf.central.batch_max);
}

/* Everything sent twice (a database restored from a backup): still held once. */
static void case_duplicates(void)
{
	struct service svc;
	make_orders(60);
	if (sync_start(&svc) != KR_OK)
		return;
	await_drained();
	sync_stop(&svc);
	CHECK_INT(tu_sql(conf.database, "UPDATE outbox SET acked_utc = NULL"), SQLITE_OK);
	CHECK_INT(pending(), 300);
	make_orders(10);
	if (sync_start(&svc) != KR_OK)
		return;
	await_drained();
	sync_stop(&svc);
	check_exactly_once();
	CHECK_INT(stat_of("duplicates"), 300);
}

/* The pull: fee tables checked, the rest stored. */
static void case_pull(void)
{
	struct service svc;
	ctl_ok("/fee?kiosk=NT01&version=2&tamper=1");
	ctl_ok("/fee?kiosk=NT01&version=3&tamper=unsigned");
	ctl_ok("/fee?kiosk=NT01&version=1");
	ctl_ok("/pickup?kiosk=NT01&order=GX2026112100123");
	ctl_ok("/review?kiosk=NT01&order=NT0126112100000001&result=rejected");
	ctl_ok("/pickup?kiosk=TC01&order=GX2026112100999"); /* another kiosk's */
	if (sync_start(&svc) != KR_OK)
		return;
	struct kerr err = {{0}};
	CHECK_INT(svc.ops->control(svc.self, "now", "", &err), KR_OK);
	for (int ms = 0; svc.ops->busy(svc.self) && ms < DRAIN_WAIT_MS; ms += 20)
		usleep(20000);
	/* a replay of version 1, correctly signed, after it was accepted */
	ctl_ok("/fee?kiosk=NT01&version=1");
	CHECK_INT(svc.ops->control(svc.self, "now", "", &err), KR_OK);
	for (int ms = 0; svc.ops->busy(svc.self) && ms < DRAIN_WAIT_MS; ms += 20)
		usleep(20000);
	sync_stop(&svc);

	struct store *s = NULL;
	int64_t n = -1, v = -1;
	CHECK_INT(store_open(conf.database, &s, &err), KR_OK);
	if (!s)
		return;
	CHECK_INT(outbox_fee_version(s, &v, &err), KR_OK);
	CHECK_INT(v, 1);
	outbox_inbox_count(s, "fee_table", INBOX_REFUSED, &n, &err);
	CHECK_INT(n, 3);
	outbox_inbox_count(s, "fee_table", INBOX_ACCEPTED, &n, &err);
	CHECK_INT(n, 1);
	outbox_inbox_count(s, "pickup", INBOX_STORED, &n, &err);
	CHECK_INT(n, 1);
	outbox_inbox_count(s, "review", -1, &n, &err);
	CHECK_INT(n, 1);
	outbox_inbox_count(s, NULL, -1, &n, &err);
	CHECK_INT(n, 6);
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM central_inbox WHERE kind = "
	                                    "'fee_table' AND reason = 'bad signature'"),
	          1);
	CHECK_INT(
	    tu_sql_int(conf.database, "SELECT count(*) FROM journal WHERE kind = 'sync.inbox'"), 6);
	store_close(s);
}

int main(int argc, char **argv)
{
	const char *cfg = getenv("CENTRAL_CONFIG");
	control_url = getenv("CENTRAL_CONTROL");
	struct kerr err = {{0}};
	if (argc != 2 || !cfg || !control_url) {
		fprintf(stderr, "usage: central.sh PEER SRC test_sync CASE\n");
		return 2;
	}
	if (conf_load(cfg, &conf, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	conf.central.batch_max = 50; /* many batches from a small outbox */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(argv[1], "offline") == 0)
		case_offline();
	else if (strcmp(argv[1], "restart") == 0)
		case_restart();
	else if (strcmp(argv[1], "acklost") == 0)
		case_acklost();
	else if (strcmp(argv[1], "duplicates") == 0)
		case_duplicates();
	else if (strcmp(argv[1], "pull") == 0)
		case_pull();
	else
		CHECK(!"unknown case");
	curl_global_cleanup();
	return check_done();
}

/* test_sync.c — central sync against the central peer (tests/rigs/central.sh): the peer
 * down for a long outbox, a restart in the middle of a batch, acknowledgements lost after
 * the site stored the batch, 500 and garbage answers, duplicates; afterwards the site
 * holds every event exactly once and in the kiosk's order. And the pull: a tampered or
 * replayed fee table refused, pick-up orders and review results stored. The identity
 * key on the secure module (a SoftHSM token made by the rig, CENTRAL_P11RIG): the push
 * over mutual TLS with it, also while another user of the module in the process (as the
 * keys service is) re-enumerates its slots, logs it in and out, and stops first; a PIN
 * refused, said clearly, and the sync recovering by itself when it is right again; a
 * wrong object refused clearly with nothing lost, a client without a certificate refused
 * by the site. The heartbeat: devices, outbox depth and last contact arrive, also while
 * pushes fail, and nothing of it enters the outbox. The CRL ([keys] crl_file, signed here
 * with the rig's issuing CA): sent when its number is above the one the site holds, a
 * higher one replacing it, a stale one not sent, nor the same one after a restart; a 409
 * counted as delivered; a garbage file and a CRL of another CA refused with the reason;
 * the site down and back. "held": only the check that the site holds every event of
 * CENTRAL_CONFIG's database exactly once (after a whole-kiosk run,
 * tests/sync/module-key.sh).
 * Usage: test_sync offline|restart|acklost|duplicates|pull|module|heartbeat|crl|held
 * (with CENTRAL_CONFIG, CENTRAL_CONTROL and CENTRAL_RIG from the rig). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

#include "app/metrics.h"
#include "app/services.h"
#include "check.h"
#include "drivers/token/token.h"
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

/* A round asked for, as "sync now" does, and waited for. */
static void round_now(struct service *svc)
{
	struct kerr err = {{0}};
	CHECK_INT(svc->ops->control(svc->self, "now", "", &err), KR_OK);
	for (int ms = 0; svc->ops->busy(svc->self) && ms < DRAIN_WAIT_MS; ms += 20)
		usleep(20000);
}

/* The pull: fee tables checked, the rest stored. */
static void case_pull(void)
{
	struct service svc;
	ctl_ok("/fee?kiosk=NT01&version=2&tamper=1");
	ctl_ok("/fee?kiosk=NT01&version=3&tamper=unsigned");
	ctl_ok("/fee?kiosk=NT01&version=1");
	ctl_ok("/pickup?kiosk=NT01&order=GX2026112100123");
	ctl_ok("/pickup?kiosk=NT01&order=GX2026112100124&id=91350200MA2YJ1XR9X"); /* bad code */
	ctl_ok("/review?kiosk=NT01&order=NT0126112100000001&result=rejected");
	ctl_ok("/pickup?kiosk=TC01&order=GX2026112100999"); /* another kiosk's */
	if (sync_start(&svc) != KR_OK)
		return;
	round_now(&svc);
	/* a replay of version 1, correctly signed, after it was accepted */
	ctl_ok("/fee?kiosk=NT01&version=1");
	round_now(&svc);
	sync_stop(&svc);

	struct kerr err = {{0}};
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
	outbox_inbox_count(s, "pickup", INBOX_ACCEPTED, &n, &err);
	CHECK_INT(n, 1);
	outbox_inbox_count(s, "pickup", INBOX_REFUSED, &n, &err);
	CHECK_INT(n, 1); /* checked when it came: a credit code that is not one */
	outbox_inbox_count(s, "review", -1, &n, &err);
	CHECK_INT(n, 1);
	outbox_inbox_count(s, NULL, -1, &n, &err);
	CHECK_INT(n, 7);
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM central_inbox WHERE kind = "
	                                    "'fee_table' AND reason = 'bad signature'"),
	          1);
	CHECK_INT(
	    tu_sql_int(conf.database, "SELECT count(*) FROM journal WHERE kind = 'sync.inbox'"), 7);
	store_close(s);
}

#define SM_KEY "pkcs11:token=KIOSK-SM;object=kiosk-identity;type=private"

/* Whether file path contains text. */
static int file_has(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* Writes text as the whole of file path. */
static void file_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Waits up to 20 s for text in file path. */
static int await_text(const char *path, const char *text)
{
	for (int ms = 0; ms < 20000 && !file_has(path, text); ms += 50)
		usleep(50000);
	return file_has(path, text);
}

/* Another user of the module in this process, as the keys service is in the kiosk: it
 * re-enumerates the slots (libp11 closes every session of the process on each) and logs
 * the secure module in and out between the sync's connections; each new connection (the
 * site drops the old one) signs on the module again. A PIN the module refuses, at the
 * login after such a re-enumeration, is said and nothing is lost; when the PIN file is
 * right again the sync recovers by itself. The other user stops first (the keys service
 * is destroyed before sync): the module stays initialised for the sync. */
static void module_shared(const char *rig, const char *pin, const char *pin_path)
{
	struct token_ctx *t = NULL;
	struct kerr err = {{0}};
	struct service svc;
	char trace_path[512], wrong[64];
	int64_t before = tu_sql_int(conf.database, "SELECT count(*) FROM outbox");
	CHECK_INT(token_open(conf.keys.module, &t, &err), KR_OK);
	if (!t)
		return;
	/* the key by its CKA_ID this time */
	snprintf(conf.central.client_key, sizeof conf.central.client_key,
	         "pkcs11:token=KIOSK-SM;id=%%c1;type=private");
	snprintf(trace_path, sizeof trace_path, "%s/shared-trace.txt", rig);
	struct service_host h = host;
	h.trace = fopen(trace_path, "w");
	CHECK(h.trace != NULL);
	if (!h.trace || service_create(SVC_SYNC, &h, &svc, &err) != KR_OK) {
		fprintf(stderr, "sync: %s\n", err.msg);
		CHECK(!"the sync starts");
		if (h.trace)
			fclose(h.trace);
		token_close(t);
		return;
	}
	setvbuf(h.trace, NULL, _IONBF, 0);
	make_orders(1);
	await_drained();
	for (int round = 0; round < 3; round++) {
		int sm = token_find(t, "label:KIOSK-SM", 0);
		CHECK(sm >= 0);
		CHECK_INT(token_login(t, sm, 0, pin, &err), KR_OK);
		token_logout(t, sm); /* every session of the process on it logged out */
		CHECK_INT(token_refresh(t, &err), KR_OK); /* and closed */
		ctl_ok("/fault?kind=drop&count=1");
		make_orders(1);
		await_drained();
	}
	CHECK(!file_has(trace_path, "push failed"));

	/* the PIN refused at the login a re-enumeration made necessary */
	snprintf(wrong, sizeof wrong, "%s", pin);
	wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
	file_put(pin_path, wrong);
	CHECK_INT(token_refresh(t, &err), KR_OK);
	ctl_ok("/fault?kind=drop&count=1");
	make_orders(1);
	CHECK(await_text(trace_path, "CKR_PIN_INCORRECT"));
	CHECK(file_has(trace_path, "push failed, events kept: the identity key on the secure "
	                           "module is not usable"));
	usleep(500000); /* retries: the refused PIN is not tried again */
	CHECK_INT(pending(), 5);
	file_put(pin_path, pin);
	await_drained();
	CHECK(file_has(trace_path, "in contact again"));

	/* the other user goes first */
	token_close(t);
	ctl_ok("/fault?kind=drop&count=1");
	make_orders(1);
	await_drained();
	sync_stop(&svc);
	fclose(h.trace);
	CHECK(!file_has(trace_path, pin));
	CHECK(!file_has(trace_path, wrong));
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM outbox"), before + 6 * 5);
	check_exactly_once();
}

/* The rig's secure module (CENTRAL_RIG/p11) holds the identity key: the push over mutual
 * TLS with it; a wrong object is a clear, traced failure with nothing acknowledged or
 * lost; a TLS client without a certificate is refused by the site. */
static void case_module(const char *rig)
{
	char path[512], pin[64] = "";
	struct service svc;
	snprintf(path, sizeof path, "%s/p11/softhsm2.conf", rig);
	setenv("SOFTHSM2_CONF", path, 1);
	snprintf(path, sizeof path, "%s/client.key", rig);
	CHECK(access(path, F_OK) != 0); /* the key exists on the token only */
	snprintf(path, sizeof path, "%s/p11/secure.pin", rig);
	FILE *f = fopen(path, "r");
	CHECK(f && fgets(pin, sizeof pin, f));
	if (f)
		fclose(f);
	pin[strcspn(pin, "\n")] = '\0';
	snprintf(conf.central.client_key, sizeof conf.central.client_key, "%s", SM_KEY);
	snprintf(conf.keys.module, sizeof conf.keys.module, "/usr/lib/softhsm/libsofthsm2.so");
	snprintf(conf.keys.secure_pin_file, sizeof conf.keys.secure_pin_file, "%s", path);

	make_orders(20);
	if (sync_start(&svc) != KR_OK)
		return;
	await_drained();
	sync_stop(&svc);
	check_exactly_once();
	module_shared(rig, pin, path);

	/* a wrong object: said clearly, retried, nothing acknowledged, nothing lost */
	snprintf(conf.central.client_key, sizeof conf.central.client_key,
	         "pkcs11:token=KIOSK-SM;object=no-such-key;type=private");
	make_orders(4);
	char trace_path[512];
	snprintf(trace_path, sizeof trace_path, "%s/sync-trace.txt", rig);
	struct service_host h = host;
	struct kerr err = {{0}};
	h.trace = fopen(trace_path, "w");
	CHECK(h.trace != NULL);
	if (!h.trace)
		return;
	setvbuf(h.trace, NULL, _IONBF, 0);
	int rc = service_create(SVC_SYNC, &h, &svc, &err);
	if (rc != KR_OK) {
		fprintf(stderr, "sync: %s\n", err.msg);
		CHECK_INT(rc, KR_OK);
		fclose(h.trace);
		return;
	}
	for (int ms = 0; ms < 20000 && !file_has(trace_path, "push failed"); ms += 50)
		usleep(50000);
	usleep(300000); /* a few retries */
	sync_stop(&svc);
	fclose(h.trace);
	CHECK_INT(pending(), 20);
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM outbox"), 150);
	CHECK(file_has(trace_path, "push failed, events kept: the identity key on the secure "
	                           "module is not usable"));
	CHECK(file_has(trace_path, "no-such-key"));
	CHECK(!file_has(trace_path, pin)); /* the PIN is never said */
	CHECK_INT(stat_of("events"), 130);

	/* a PIN in the URI is refused: it comes from [keys] */
	snprintf(conf.central.client_key, sizeof conf.central.client_key, "%s;pin-value=%s", SM_KEY,
	         pin);
	h.trace = stderr;
	CHECK_INT(service_create(SVC_SYNC, &h, &svc, &err), KR_CONFIG);
	CHECK(strstr(err.msg, "no PIN in the URI") != NULL && !strstr(err.msg, pin));

	/* the site refuses a TLS client without a certificate */
	long before = stat_of("requests"), status = 0;
	CURL *c = curl_easy_init();
	snprintf(path, sizeof path, "%sv1/kiosks/NT01/events", conf.central.url);
	curl_easy_setopt(c, CURLOPT_URL, path);
	curl_easy_setopt(c, CURLOPT_CAINFO, conf.central.ca_file);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"kiosk\":\"NT01\",\"events\":[]}");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	CHECK(cc != CURLE_OK);
	CHECK_INT(status, 0);
	CHECK_INT(stat_of("requests"), before);
}

/* The peer's last heartbeat of NT01 (caller deletes), NULL when none. */
static cJSON *last_heartbeat(void)
{
	char *a = NULL;
	CURL *c = curl_easy_init();
	struct text t = {NULL, 0};
	char url[512];
	long status = 0;
	snprintf(url, sizeof url, "%s/heartbeat?kiosk=NT01", control_url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_text);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	a = status == 200 ? t.s : NULL;
	cJSON *j = a ? cJSON_Parse(a) : NULL;
	free(t.s);
	return j;
}

static double num_of(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(j, name);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Waits for a heartbeat with outbox_pending == want (up to DRAIN_WAIT_MS). */
static cJSON *await_heartbeat(int64_t want)
{
	for (int ms = 0; ms < DRAIN_WAIT_MS; ms += 100) {
		cJSON *j = last_heartbeat();
		if (j && num_of(j, "outbox_pending") == (double)want)
			return j;
		cJSON_Delete(j);
		usleep(100000);
	}
	CHECK(!"a heartbeat with the outbox depth arrived");
	return NULL;
}

/* The heartbeat: nothing while the site is down; the devices the app hands over, the
 * outbox depth and no contact while every push fails; after the drain, an empty outbox
 * and the last contact. Never in the outbox. */
static void case_heartbeat(void)
{
	struct service svc;
	struct kerr err = {{0}};
	conf.central.heartbeat_s = 1;
	make_orders(3);
	ctl_ok("/down");
	if (sync_start(&svc) != KR_OK)
		return;
	struct staff_view sv = {.ndevices = 2, .out_of_service = 1};
	snprintf(sv.device[0].name, sizeof sv.device[0].name, "print");
	snprintf(sv.device[0].status_key, sizeof sv.device[0].status_key, "print.ok");
	snprintf(sv.device[1].name, sizeof sv.device[1].name, "dispenser");
	snprintf(sv.device[1].status_key, sizeof sv.device[1].status_key, "dispenser.empty");
	sv.device[1].faulty = 1;
	metrics_hand_devices(&svc, &sv);
	CHECK_INT(svc.ops->control(svc.self, "devices", "print x\n", &err), KR_INVALID);
	usleep(1500000);
	cJSON *j = last_heartbeat();
	CHECK(j == NULL); /* the site was down */
	cJSON_Delete(j);

	ctl_ok("/fault?kind=500&count=100000"); /* every push fails; heartbeats do not */
	ctl_ok("/up");
	j = await_heartbeat(15);
	const cJSON *devs = cJSON_GetObjectItem(j, "devices");
	const cJSON *d0 = cJSON_GetArrayItem(devs, 0), *d1 = cJSON_GetArrayItem(devs, 1);
	CHECK_INT(cJSON_GetArraySize(devs), 2);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "kiosk")), "NT01");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(d0, "name")), "print");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(d0, "ok")));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(d1, "name")), "dispenser");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(d1, "ok")));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(d1, "reason")), "dispenser.empty");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "out_of_service")));
	CHECK(num_of(j, "last_contact") == 0);
	CHECK(num_of(j, "at") > 1700000000);
	cJSON_Delete(j);
	CHECK_INT(pending(), 15);

	ctl_ok("/fault?kind=clear");
	await_drained();
	j = await_heartbeat(0);
	CHECK(num_of(j, "last_contact") > 1700000000);
	cJSON_Delete(j);
	sync_stop(&svc);
	check_exactly_once();
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM outbox"), 15);
}

/* Writes a CRL numbered number, signed with the key and naming the certificate's subject
 * as issuer, to path (DER, or PEM), renamed over it as the local issuer does. */
static void crl_write(const char *path, long number, const char *key_file, const char *cert_file,
                      int pem)
{
	char tmp[600];
	FILE *f = fopen(key_file, "r");
	EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	f = fopen(cert_file, "r");
	X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *now = ASN1_TIME_set(NULL, time(NULL)),
	          *next = ASN1_TIME_set(NULL, time(NULL) + 86400);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	int ok = key && cert && crl && now && next && num && X509_CRL_set_version(crl, 1) &&
	         X509_CRL_set_issuer_name(crl, X509_get_subject_name(cert)) &&
	         X509_CRL_set1_lastUpdate(crl, now) && X509_CRL_set1_nextUpdate(crl, next) &&
	         ASN1_INTEGER_set(num, number) &&
	         X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
	         X509_CRL_sign(crl, key, EVP_sha256()) > 0;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = ok ? fopen(tmp, "wb") : NULL;
	ok = f && (pem ? PEM_write_X509_CRL(f, crl) : i2d_X509_CRL_fp(f, crl)) == 1;
	if (f)
		ok = fclose(f) == 0 && ok && rename(tmp, path) == 0;
	CHECK(ok);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	X509_free(cert);
	EVP_PKEY_free(key);
}

/* The crlNumber the site holds for NT01 (0: none). */
static long crl_held(void)
{
	char *a = ctl("/crl?kiosk=NT01");
	long n = a ? atol(a) : -1;
	free(a);
	return n;
}

static int64_t crl_acked(void)
{
	return tu_sql_int(conf.database,
	                  "SELECT value FROM sync_state WHERE key = 'crl_number_acked'");
}

/* The CRL round against the peer, which checks the CRLs against the rig's issuing CA. */
static void case_crl(const char *rig)
{
	char key[512], cert[512], other_key[512], other_cert[512], trace_path[512];
	struct service svc;
	struct service_host h = host;
	struct kerr err = {{0}};
	snprintf(key, sizeof key, "%s/issuing.key", rig);
	snprintf(cert, sizeof cert, "%s/issuing.pem", rig);
	snprintf(other_key, sizeof other_key, "%s/ca.key", rig); /* the TLS CA: not the issuer */
	snprintf(other_cert, sizeof other_cert, "%s/ca.pem", rig);
	snprintf(trace_path, sizeof trace_path, "%s/crl-trace.txt", rig);
	snprintf(conf.keys.crl_file, sizeof conf.keys.crl_file, "%s/issuing.crl", rig);
	const char *crl = conf.keys.crl_file;
	h.trace = fopen(trace_path, "w");
	CHECK(h.trace != NULL);
	if (!h.trace)
		return;
	setvbuf(h.trace, NULL, _IONBF, 0);

	/* no file yet: said, nothing sent */
	CHECK_INT(service_create(SVC_SYNC, &h, &svc, &err), KR_OK);
	round_now(&svc);
	CHECK(file_has(trace_path, "no CRL to send yet"));
	CHECK_INT(stat_of("crls"), 0);
	/* the first one, then a higher one (PEM: sent as DER) replacing it */
	crl_write(crl, 1, key, cert, 0);
	round_now(&svc);
	CHECK_INT(crl_held(), 1);
	CHECK_INT(crl_acked(), 1);
	CHECK(file_has(trace_path, "CRL 1 delivered"));
	crl_write(crl, 3, key, cert, 1);
	round_now(&svc);
	CHECK_INT(crl_held(), 3);
	CHECK_INT(stat_of("crls"), 2);
	/* a stale one is not sent */
	crl_write(crl, 2, key, cert, 0);
	round_now(&svc);
	round_now(&svc);
	CHECK_INT(stat_of("crls"), 2);
	CHECK(file_has(trace_path, "CRL 2 not sent: the site holds 3"));
	/* nor the one the site holds, after a restart */
	crl_write(crl, 3, key, cert, 0);
	sync_stop(&svc);
	CHECK_INT(service_create(SVC_SYNC, &h, &svc, &err), KR_OK);
	round_now(&svc);
	CHECK_INT(stat_of("crls"), 2);
	sync_stop(&svc);

	/* the kiosk forgot (a database restored from a backup): the site's 409 is delivery */
	CHECK_INT(
	    tu_sql(conf.database, "UPDATE sync_state SET value = 1 WHERE key = 'crl_number_acked'"),
	    SQLITE_OK);
	CHECK_INT(service_create(SVC_SYNC, &h, &svc, &err), KR_OK);
	round_now(&svc);
	CHECK_INT(stat_of("crls"), 3);
	CHECK(file_has(trace_path, "CRL 3 delivered: the site holds it or a newer one"));
	CHECK_INT(crl_acked(), 3);
	round_now(&svc);
	CHECK_INT(stat_of("crls"), 3);

	/* garbage is refused with the reason and not sent */
	file_put(crl, "<html>not a CRL</html>\n");
	round_now(&svc);
	CHECK(file_has(trace_path, "CRL not sent: "));
	CHECK(file_has(trace_path, "issuing.crl: not a CRL"));
	CHECK_INT(stat_of("crls"), 3);
	/* a CRL of another CA: the site refuses it, the reason is said, it is kept */
	crl_write(crl, 9, other_key, other_cert, 0);
	round_now(&svc);
	CHECK(file_has(trace_path, "CRL 9 not delivered, kept: HTTP 422 invalid_crl"));
	CHECK_INT(crl_held(), 3);
	CHECK_INT(crl_acked(), 3);
	/* a good one in its place goes */
	crl_write(crl, 10, key, cert, 0);
	round_now(&svc);
	CHECK_INT(crl_held(), 10);

	/* the site down: kept, and sent by the back-off when it is back */
	ctl_ok("/down");
	crl_write(crl, 11, key, cert, 0);
	round_now(&svc);
	CHECK(file_has(trace_path, "CRL 11 not delivered, kept"));
	CHECK_INT(crl_held(), 10);
	ctl_ok("/up");
	for (int ms = 0; crl_acked() != 11 && ms < DRAIN_WAIT_MS; ms += 50)
		usleep(50000);
	CHECK_INT(crl_held(), 11);
	CHECK_INT(crl_acked(), 11);
	sync_stop(&svc);
	fclose(h.trace);
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM journal WHERE kind = 'sync.crl'"),
	          5);
	CHECK_INT(tu_sql_int(conf.database, "SELECT count(*) FROM outbox"), 0);
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
	else if (strcmp(argv[1], "module") == 0 && getenv("CENTRAL_RIG"))
		case_module(getenv("CENTRAL_RIG"));
	else if (strcmp(argv[1], "heartbeat") == 0)
		case_heartbeat();
	else if (strcmp(argv[1], "crl") == 0 && getenv("CENTRAL_RIG"))
		case_crl(getenv("CENTRAL_RIG"));
	else if (strcmp(argv[1], "held") == 0)
		check_exactly_once();
	else
		CHECK(!"unknown case");
	curl_global_cleanup();
	return check_done();
}

/* bench_sync.c — draining 10,000 outbox events to the central peer over loopback
 * (mutual TLS, kept-alive connection): in batches of [central] batch_max, beside one
 * request per event (batch_max = 1) in the same run. Prints both and the ratio; the
 * goal is <= 2 s and >= 10x faster. Never fails on time; fails when an event is lost.
 * Run by tests/rigs/central.sh (CENTRAL_CONFIG, CENTRAL_CONTROL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "app/services.h"
#include "check.h"
#include "store/store.h"

#define EVENTS 10000

static struct conf conf;

static void ignore_post(void *app, const struct flow_event *ev)
{
	(void)app, (void)ev;
}

static int64_t wall_utc(void *app)
{
	(void)app;
	return (int64_t)time(NULL);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int64_t sql_int(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Adds EVENTS outbox rows like the store's, ids prefixed by tag, in one transaction. */
static void fill(sqlite3 *db, const char *tag)
{
	sqlite3_stmt *st = NULL;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(db,
	                   "INSERT INTO outbox(event_id, order_id, kind, body, created_utc) "
	                   "VALUES(?1, NULL, 'order.move', ?2, 1795000000)",
	                   -1, &st, NULL);
	for (int i = 0; i < EVENTS; i++) {
		char id[64], body[256];
		snprintf(id, sizeof id, "%s%08d:%d", tag, i / 5, i);
		snprintf(body, sizeof body,
		         "{\"order_no\":\"%s%08d\",\"from\":\"paying\",\"to\":\"paid\","
		         "\"amount_fen\":70000,\"reason\":\"paid\"}",
		         tag, i / 5);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, body, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

/* Drains the outbox with batch_max = batch; returns the seconds it took (-1: not
 * drained within 10 minutes). */
static double drain(sqlite3 *db, int batch)
{
	struct service svc;
	struct kerr err = {{0}};
	struct service_host h = {ignore_post, NULL, &conf, NULL, stderr, wall_utc};
	conf.central.batch_max = batch;
	double t0 = now_s();
	if (service_create(SVC_SYNC, &h, &svc, &err) != KR_OK) {
		fprintf(stderr, "sync: %s\n", err.msg);
		return -1;
	}
	while (sql_int(db, "SELECT count(*) FROM outbox WHERE acked_utc IS NULL") != 0 &&
	       now_s() - t0 < 600)
		usleep(2000);
	double t = now_s() - t0;
	svc.ops->destroy(svc.self);
	return sql_int(db, "SELECT count(*) FROM outbox WHERE acked_utc IS NULL") == 0 ? t : -1;
}

int main(void)
{
	const char *cfg = getenv("CENTRAL_CONFIG");
	struct kerr err = {{0}};
	struct store *s = NULL;
	sqlite3 *db = NULL;
	if (!cfg || conf_load(cfg, &conf, &err) != KR_OK) {
		fprintf(stderr, "bench_sync: %s\n", cfg ? err.msg : "run by tests/rigs/central.sh");
		return 1;
	}
	conf.central.idle_ms = 10;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CHECK_INT(store_open(conf.database, &s, &err), KR_OK); /* creates the schema */
	store_close(s);
	CHECK_INT(sqlite3_open(conf.database, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);

	fill(db, "B");
	double batched = drain(db, 500);
	fill(db, "E");
	double single = drain(db, 1);
	CHECK(batched > 0 && single > 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM outbox WHERE acked_utc IS NOT NULL"),
	          2 * EVENTS);
	printf("sync drain of %d events over loopback (mutual TLS, one connection):\n", EVENTS);
	printf("  batches of 500:     %.3f s  (%.0f events/s)  goal <= 2 s\n", batched,
	       EVENTS / batched);
	printf("  one request each:   %.3f s  (%.0f events/s)\n", single, EVENTS / single);
	printf("  ratio:              %.1fx  goal >= 10x\n", single / batched);
	sqlite3_close(db);
	curl_global_cleanup();
	return check_done();
}

/* test_printer_cups.c — the cups printer service against a private cupsd (started here,
 * on a unix socket, with the capture backend): a receipt prints and lands in the
 * capture folder; paper-out becomes a status event, fails the print without blocking
 * and recovers on a reprint; a rejecting queue, a stopped queue and no scheduler at all
 * each give a clear status; no receipt is ever lost from the receipts table. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/services.h"
#include "app/steer.h"
#include "check.h"
#include "devices/printer_service.h"
#include "prn_testutil.h"
#include "store/receipts.h"
#include "store/store.h"

#define MAX_EVENTS 64
#define WAIT_S     40 /* a guard against hanging, not a timing check */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct flow_event events[MAX_EVENTS];
static int nevents;

static void post(void *app, const struct flow_event *ev)
{
	(void)app;
	pthread_mutex_lock(&lock);
	if (nevents < MAX_EVENTS)
		events[nevents++] = *ev;
	pthread_mutex_unlock(&lock);
}

static int64_t utc(void *app)
{
	(void)app;
	return 1795266000;
}

/* Waits for the service to be idle, then returns the index of the first event of kind
 * at or after *from (and moves *from past it), or -1. */
static int next_event(struct service *svc, int *from, enum flow_event_kind kind)
{
	for (int i = 0; i < WAIT_S * 20 && svc->ops->busy(svc->self); i++)
		usleep(50000);
	pthread_mutex_lock(&lock);
	int found = -1;
	for (int i = *from; i < nevents && found < 0; i++)
		if (events[i].kind == kind)
			found = i;
	if (found >= 0)
		*from = found + 1;
	pthread_mutex_unlock(&lock);
	return found;
}

static int64_t unprinted(const char *db)
{
	struct store *s;
	struct kerr err;
	struct receipt_row rows[16];
	int n = -1;
	if (store_open(db, &s, &err) != KR_OK)
		return -1;
	receipts_unprinted(s, rows, 16, &n, &err);
	store_close(s);
	return n;
}

static int64_t order_id; /* the order the receipts are about */

static void print_one(struct service *svc)
{
	struct flow_request r = {.kind = FREQ_PRINT, .order_id = order_id};
	prn_sample_receipt(&r.receipt);
	svc->ops->submit(svc->self, &r);
}

/* Prints and expects a failure with key; the receipt stays stored. */
static void expect_failure(struct service *svc, int *seen, const char *key, const char *db,
                           int64_t before)
{
	print_one(svc);
	int i = next_event(svc, seen, FEV_PRINT_FAILED);
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_STR(events[i].text, key);
		CHECK_INT(events[i].order_id, order_id);
		CHECK(events[i].arg > 0); /* stored */
	}
	CHECK_INT(unprinted(db), before + 1);
}

int main(void)
{
	char dir[64], db[128], newest[256], cfg[512];
	struct conf conf;
	struct kerr err;
	struct service svc = {0};
	int seen = 0, i;

	if (prn_tempdir(dir, sizeof dir) != 0 || prn_rig_start(dir) != 0) {
		fprintf(stderr, "cannot start the private cupsd\n");
		return 1;
	}
	const char *src =
	    getenv("KIOSK_SOURCE_DIR") ? getenv("KIOSK_SOURCE_DIR") : KIOSK_SOURCE_DIR;
	snprintf(cfg, sizeof cfg, "%s/tests/printer/cups-kiosk.ini", src);
	CHECK_INT(conf_load(cfg, &conf, &err), KR_OK);
	snprintf(db, sizeof db, "%s/kiosk.db", dir);
	snprintf(conf.database, sizeof conf.database, "%s", db);
	conf.printer.job_timeout_s = 20;
	struct store *st;
	struct order_row row;
	struct receipt_data d;
	prn_sample_receipt(&d);
	struct order_spec spec = {"NT01", BIZ_RENEW, HOLDER_UNIT, &d.quote, "", "", "", 1795266000};
	CHECK_INT(store_open(db, &st, &err), KR_OK);
	CHECK_INT(store_order_create(st, &spec, &row, &err), KR_OK);
	order_id = row.id;
	store_close(st);

	/* without [printer] the service refuses to start, naming the file and section */
	struct conf bare = conf;
	bare.printer.queue[0] = '\0';
	struct service_host host = {.post = post, .conf = &bare, .trace = stderr, .utc_s = utc};
	CHECK_INT(service_create(SVC_PRINTER, &host, &svc, &err), KR_CONFIG);
	CHECK(strstr(err.msg, "[printer]") && strstr(err.msg, "cups-kiosk.ini"));

	host.conf = &conf;
	CHECK_INT(service_create(SVC_PRINTER, &host, &svc, &err), KR_OK);
	CHECK_STR(svc.ops->kind, "cups");
	CHECK_INT(svc.ops->standin, 0);

	/* a receipt prints: status ready, printed, the PDF in the capture folder */
	print_one(&svc);
	i = next_event(&svc, &seen, FEV_PRINTED);
	CHECK(i >= 0);
	CHECK(i >= 0 && events[i].order_id == order_id);
	CHECK_INT(prn_rig_jobs(dir, newest, sizeof newest), 1);
	char *t = prn_run("pdftotext -enc UTF-8 '%s' - | tr -d ' \\n'", newest);
	CHECK(t && strstr(t, "NT0126112100000001") && strstr(t, "南通市公共资源交易中心"));
	free(t);
	CHECK_INT(unprinted(db), 0);
	int s0 = 0;
	i = next_event(&svc, &s0, FEV_DEVICE_STATUS);
	CHECK(i >= 0 && strcmp(events[i].text, "print.ready") == 0 && events[i].arg == 0);

	/* paper out: a status event, the print fails (not blocked), nothing printed */
	CHECK_INT(steer_service(&conf, SVC_PRINTER, &svc, "paper-out", "", &err), KR_OK);
	int status_from = seen;
	expect_failure(&svc, &seen, "print.paper_out", db, 0);
	i = next_event(&svc, &status_from, FEV_DEVICE_STATUS);
	CHECK(i >= 0 && strcmp(events[i].text, "print.paper_out") == 0 && events[i].arg == 1);
	CHECK_INT(prn_rig_jobs(dir, NULL, 0), 1);
	int64_t lost = events[seen - 1].arg;
	/* paper in: staff reprint the stored receipt, the printer is ready again */
	CHECK_INT(steer_service(&conf, SVC_PRINTER, &svc, "paper-in", "", &err), KR_OK);
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)lost);
	CHECK_INT(svc.ops->control(svc.self, "reprint", id, &err), KR_OK);
	i = next_event(&svc, &seen, FEV_PRINTED);
	CHECK(i >= 0 && events[i].arg == lost && events[i].order_id == 0);
	i = next_event(&svc, &status_from, FEV_DEVICE_STATUS);
	CHECK(i >= 0 && strcmp(events[i].text, "print.ready") == 0 && events[i].arg == 0);
	CHECK_INT(prn_rig_jobs(dir, NULL, 0), 2);
	CHECK_INT(unprinted(db), 0);
	CHECK_INT(svc.ops->control(svc.self, "reprint", "x", &err), KR_INVALID);
	CHECK_INT(steer_service(&conf, SVC_PRINTER, &svc, "jam", "", &err), KR_INVALID);

	/* a rejecting queue */
	CHECK_INT(prn_rig_admin("cupsreject receipt"), 0);
	expect_failure(&svc, &seen, "print.not_accepting", db, 0);
	CHECK_INT(prn_rig_admin("cupsaccept receipt"), 0);
	/* a stopped queue */
	CHECK_INT(prn_rig_admin("cupsdisable receipt"), 0);
	expect_failure(&svc, &seen, "print.paused", db, 1);
	CHECK_INT(prn_rig_admin("cupsenable receipt"), 0);
	CHECK_INT(prn_rig_jobs(dir, NULL, 0), 2);
	/* no scheduler at all */
	prn_rig_stop(dir);
	status_from = seen;
	expect_failure(&svc, &seen, "print.unreachable", db, 2);
	i = next_event(&svc, &status_from, FEV_DEVICE_STATUS);
	CHECK(i >= 0 && strcmp(events[i].text, "print.unreachable") == 0 && events[i].arg == 1);
	CHECK_INT(steer_service(&conf, SVC_PRINTER, &svc, "paper-out", "", &err), KR_IO);

	svc.ops->destroy(svc.self);
	CHECK_INT(unprinted(db), 3); /* every failed receipt kept for a reprint */
	free(prn_run("rm -rf '%s'", dir));
	return check_done();
}

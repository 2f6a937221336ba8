/* test_dispenser.c — the KDP/1 codec, and the "serial" dispenser service through a real
 * pty against the dispenser simulator (tests/peers/dispenser_sim.c): stock falling to
 * the low threshold, an empty bin, a jam, an untaken key, a restart keeping the counts. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/steer.h"
#include "check.h"
#include "conf/conf.h"
#include "devices/dispenser_service.h"
#include "drivers/dispenser/kdp_codec.h"
#include "rig.h"
#include "store/store.h"

static char dir[256];

static void test_codec(void)
{
	static const uint8_t check[] = "123456789";
	CHECK_INT(kdp_crc16(check, 9), 0x29B1); /* the CRC-16/CCITT-FALSE check value */
	uint8_t f[KDP_FRAME_MAX + 8], bin = 2;
	size_t n = kdp_frame_build(7, KDP_MOVE, &bin, 1, f, sizeof f);
	CHECK_INT(n, 7);
	CHECK_INT(f[0], KDP_STX);
	CHECK_INT(f[1], 3);
	size_t skip = 0, flen = 0;
	struct kdp_frame fr;
	CHECK_INT(kdp_frame_scan(f, n, &skip, &flen, &fr), KDP_SCAN_FRAME);
	CHECK_INT(fr.seq, 7);
	CHECK_INT(fr.cmd, KDP_MOVE);
	CHECK_INT(fr.ndata, 1);
	CHECK_INT(fr.data[0], 2);
	/* garbage and a false STX in front; a damaged frame is skipped */
	uint8_t buf[64] = {0x55, 0x02, 0x70, 0x02, 0x02};
	memcpy(buf + 5, f, n);
	buf[5 + n - 1] ^= 1;
	memcpy(buf + 5 + n, f, n);
	CHECK_INT(kdp_frame_scan(buf, 5 + 2 * n, &skip, &flen, &fr), KDP_SCAN_FRAME);
	CHECK_INT(skip, 5 + n);
	/* every prefix of a frame asks for more */
	for (size_t k = 0; k < n; k++)
		CHECK_INT(kdp_frame_scan(f, k, &skip, &flen, &fr), KDP_SCAN_MORE);
	uint8_t big[KDP_LEN_MAX];
	CHECK_INT(kdp_frame_build(1, KDP_STATUS, big, KDP_LEN_MAX - 2, f, sizeof f), KDP_FRAME_MAX);
	CHECK_INT(kdp_frame_build(1, KDP_STATUS, big, KDP_LEN_MAX - 1, f, sizeof f), 0);
	CHECK_STR(kdp_result_name(KDP_JAM), "jammed");
}

static pthread_mutex_t evlock = PTHREAD_MUTEX_INITIALIZER;
static char said[4096];

static void host_post(void *app, const struct flow_event *ev)
{
	(void)app;
	pthread_mutex_lock(&evlock);
	if (ev->kind == FEV_DEVICE_STATUS && strlen(said) + strlen(ev->text) + 8 < sizeof said)
		sprintf(said + strlen(said), "%s%s%s", said[0] ? " " : "", ev->text + 10,
		        ev->arg ? "!" : "");
	pthread_mutex_unlock(&evlock);
}

static int64_t host_utc(void *app)
{
	(void)app;
	return 1795266000;
}

static void forget_said(void)
{
	pthread_mutex_lock(&evlock);
	said[0] = '\0';
	pthread_mutex_unlock(&evlock);
}

static const struct conf *steering; /* test_service's, for steer_service */

/* Runs a verb (NULL: none, to hear what a service just created says) on the service or
 * the simulator behind it (app/steer.h) and returns what
 * the service said meanwhile (dispenser.* keys without their prefix, '!' when no key can
 * be issued). */
static const char *run(struct service *s, const char *verb, const char *args)
{
	static char out[4096];
	struct kerr err = {{0}};
	if (verb)
		forget_said();
	if (verb && steer_service(steering, SVC_DISPENSER, s, verb, args, &err) != KR_OK)
		fprintf(stderr, "steer %s: %s\n", verb, err.msg);
	for (int i = 0; i < 3000 && s->ops->busy(s->self); i++)
		usleep(10000);
	pthread_mutex_lock(&evlock);
	snprintf(out, sizeof out, "%s", said);
	pthread_mutex_unlock(&evlock);
	return out;
}

static int64_t count(const struct conf *conf, const char *item)
{
	struct store *st = NULL;
	struct kerr err;
	int64_t n = -1;
	if (store_open(conf->database, &st, &err) == KR_OK)
		store_consumable_get(st, item, &n, &err);
	store_close(st);
	return n;
}

static void test_service(void)
{
	static struct conf conf;
	steering = &conf;
	struct service_host host = {host_post, NULL, &conf, NULL, stderr, host_utc};
	struct service s = {0};
	struct kerr err = {{0}};
	char reply[128];

	snprintf(conf.file, sizeof conf.file, "test.ini");
	CHECK_INT(dispenser_service_create(&host, &s, &err), KR_CONFIG);
	CHECK(strstr(err.msg, "[dispenser]") != NULL);
	snprintf(conf.database, sizeof conf.database, "%s/kiosk.db", dir);
	snprintf(conf.dispenser.device, sizeof conf.dispenser.device, "%s/disp.tty", dir);
	snprintf(conf.dispenser.control, sizeof conf.dispenser.control, "%s/disp.ctl", dir);
	conf.dispenser.baud = 115200;
	conf.dispenser.timeout_ms = 1000;
	conf.dispenser.bins = 2;
	conf.dispenser.low = 3;
	conf.dispenser.empty = 0;
	conf.dispenser.take_timeout_s = 1;
	forget_said();
	CHECK_INT(dispenser_service_create(&host, &s, &err), KR_OK);
	if (!s.ops)
		return;
	/* a new kiosk: no stock */
	CHECK_STR(run(&s, NULL, NULL), "empty empty out_of_keys!");
	CHECK_STR(run(&s, "issue", ""), "");
	CHECK_STR(run(&s, "refill", "1 5"), "stocked ready");
	CHECK_STR(run(&s, "refill", "3 5"), ""); /* no bin 3 here */
	/* issue and hand out: 5 → 4 → 3 (low) */
	CHECK_STR(run(&s, "issue", ""), "in_slot");
	CHECK_STR(run(&s, "hand-out", ""), "presented taken");
	CHECK_STR(run(&s, "issue", ""), "in_slot low");
	CHECK_INT(count(&conf, "key_blank.bin1"), 3);
	CHECK_STR(run(&s, "hand-out", ""), "presented taken");
	CHECK_STR(run(&s, "hand-out", ""), "no_key");
	/* a jam: the key is retained and the stock still falls */
	CHECK_STR(run(&s, "fault", "jam"), "");
	CHECK_STR(run(&s, "issue", ""), "jam");
	CHECK_INT(count(&conf, "key_blank.bin1"), 2);
	CHECK_INT(count(&conf, "key_retained"), 1);
	/* a key not taken is retained after take_timeout_s */
	CHECK_STR(run(&s, "no-take", ""), "");
	CHECK_STR(run(&s, "issue", ""), "in_slot");
	CHECK_STR(run(&s, "hand-out", ""), "presented not_taken");
	CHECK_INT(count(&conf, "key_retained"), 2);
	CHECK_STR(run(&s, "take", ""), "");
	/* the bin runs empty */
	CHECK_STR(run(&s, "issue", ""), "in_slot empty out_of_keys!");
	CHECK_STR(run(&s, "retain", ""), "retained");
	CHECK_STR(run(&s, "issue", ""), "");
	CHECK_INT(count(&conf, "key_blank.bin1"), 0);
	CHECK_STR(run(&s, "refill", "2 10"), "stocked ready");
	CHECK_INT(steer_service(&conf, SVC_DISPENSER, &s, "shake", "", &err), KR_INVALID);
	s.ops->destroy(s.self);

	/* a restart keeps the counts and says the levels again */
	CHECK_INT(count(&conf, "key_retained"), 3);
	forget_said();
	CHECK_INT(dispenser_service_create(&host, &s, &err), KR_OK);
	if (!s.ops)
		return;
	CHECK_STR(run(&s, NULL, NULL), "empty");
	CHECK_INT(count(&conf, "key_blank.bin2"), 10);
	/* the bin's sensor knows better: an empty bin is counted empty */
	CHECK_INT(rig_ctl(dir, "disp", "empty 2", reply, sizeof reply), 0);
	CHECK_STR(run(&s, "issue", ""), "empty out_of_keys!");
	CHECK_INT(count(&conf, "key_blank.bin2"), 0);
	/* the line dead */
	CHECK_STR(run(&s, "refill", "1 20"), "stocked ready");
	CHECK_INT(rig_ctl(dir, "disp", "fault mute", reply, sizeof reply), 0);
	CHECK_STR(run(&s, "issue", ""), "fault!");
	CHECK_INT(count(&conf, "key_blank.bin1"), 20);
	s.ops->destroy(s.self);
}

int main(void)
{
	const char *sim = getenv("DISPENSER_SIM");
	if (!sim || rig_dir(dir, sizeof dir) != 0) {
		fprintf(stderr, "DISPENSER_SIM not set or no temporary folder\n");
		return 1;
	}
	test_codec();
	pid_t pid = rig_start(sim, dir, "disp", "--stock", "1000", (char *)NULL);
	CHECK(pid > 0);
	if (pid > 0)
		test_service();
	rig_stop(pid);
	rig_clean(dir);
	return check_done();
}

/* test_idreader.c — the SAM reader driver and the "sam" service through a real pty,
 * against the ID card simulator (tests/peers/idcard_sim.c): every scripted card and
 * every fault. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/steer.h"
#include "check.h"
#include "conf/conf.h"
#include "devices/sam_service.h"
#include "drivers/idreader/sam_reader.h"
#include "rig.h"

static char dir[256], tty[512], ctl[512];

static void ctl_line(const char *line)
{
	char reply[128];
	CHECK_INT(rig_ctl(dir, "idcard", line, reply, sizeof reply), 0);
}

static int reads_seen(void)
{
	char reply[128];
	int f = 0, s = 0, r = 0;
	rig_ctl(dir, "idcard", "stats", reply, sizeof reply);
	sscanf(reply, "ok finds=%d selects=%d reads=%d", &f, &s, &r);
	return r;
}

static enum sam_poll poll_card(struct sam_reader *r, const char *script, struct sam_card *c)
{
	struct kerr err = {{0}};
	if (script)
		ctl_line(script);
	enum sam_poll p = sam_reader_poll(r, c, &err);
	if (p != SAM_POLL_CARD && p != SAM_POLL_NONE && p != SAM_POLL_SAME)
		fprintf(stderr, "  poll: %d %s\n", (int)p, err.msg);
	return p;
}

static void test_reader(void)
{
	struct sam_reader_config cfg = {tty, 115200, 500, 1500};
	struct sam_reader *r = NULL;
	struct kerr err = {{0}};
	struct sam_card *c = calloc(1, sizeof *c);
	CHECK_INT(sam_reader_open(&cfg, &r, &err), KR_OK);
	if (!r || !c)
		return;

	CHECK_INT(poll_card(r, NULL, c), SAM_POLL_NONE);
	CHECK_INT(poll_card(r, "card zhang", c), SAM_POLL_CARD);
	CHECK_STR(c->person.name, "张三");
	CHECK_STR(c->person.id_number, "11010519491231002X");
	CHECK_STR(c->person.birth, "19491231");
	CHECK_STR(c->person.valid_to, "20400101");
	CHECK_STR(sam_nation_name(c->person.nation), "汉");
	CHECK_STR(sam_sex_name(c->person.sex), "女");
	CHECK_INT(c->nphoto, 1024);
	CHECK_INT(c->photo[0], 0x57); /* the blob as it came */
	CHECK_INT(c->photo[1], 0x5E);

	/* left on the reader: not read twice; taken off and put back: read again */
	CHECK_INT(poll_card(r, NULL, c), SAM_POLL_SAME);
	CHECK_STR(c->person.name, "");
	CHECK_INT(poll_card(r, "remove", c), SAM_POLL_NONE);
	CHECK_INT(poll_card(r, NULL, c), SAM_POLL_NONE);
	CHECK_INT(poll_card(r, "card zhang", c), SAM_POLL_CARD);
	sam_reader_forget(r);
	CHECK_INT(poll_card(r, NULL, c), SAM_POLL_CARD); /* a new wait reads it again */

	CHECK_INT(poll_card(r, "card li", c), SAM_POLL_CARD);
	CHECK_STR(c->person.valid_to, ""); /* 长期 */
	CHECK_INT(poll_card(r, "card permit", c), SAM_POLL_CARD);
	CHECK_INT(c->person.kind, 'J');
	CHECK_STR(c->person.id_number, "810000199408230021");
	CHECK_INT(poll_card(r, "card foreign", c), SAM_POLL_CARD);
	CHECK_INT(c->person.kind, 'I');
	CHECK_STR(c->person.name, "史密斯");
	CHECK_STR(c->person.name_en, "SMITH, JOHN");
	CHECK_INT(poll_card(r, "card expired", c), SAM_POLL_CARD);
	CHECK_STR(c->person.valid_to, "20200101");
	CHECK_INT(poll_card(r, "card badcheck", c), SAM_POLL_CARD);
	CHECK_INT(poll_card(r, "card unknown", c), SAM_POLL_UNKNOWN);

	/* SAM 0x41: three attempts, then failed */
	ctl_line("card zhang");
	int before = reads_seen();
	CHECK_INT(poll_card(r, "fault sam41", c), SAM_POLL_FAILED);
	CHECK_INT(reads_seen() - before, SAM_READ_ATTEMPTS);
	/* SAM 0x80: the module finds no card */
	/* a card that could not be read is read once the fault is gone */
	CHECK_INT(poll_card(r, "fault none", c), SAM_POLL_CARD);
	ctl_line("remove");
	poll_card(r, NULL, c);
	CHECK_INT(poll_card(r, "fault sam80", c), SAM_POLL_NONE);
	CHECK_INT(poll_card(r, "card zhang", c), SAM_POLL_NONE);
	CHECK_INT(poll_card(r, "fault sam60", c), SAM_POLL_FAULT);
	ctl_line("fault none");

	/* garbage, split and slow answers still read; a pulled card is read again */
	static const char *const faults[] = {"fault garbage", "fault split", "fault slow",
	                                     "fault badchk", "fault pull"};
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		ctl_line("fault none");
		ctl_line(i % 2 ? "card zhang" : "card li");
		sam_reader_forget(r);
		before = reads_seen();
		CHECK_INT(poll_card(r, faults[i], c), SAM_POLL_CARD);
		CHECK_INT(c->person.id_number[0] != '\0', 1);
		if (strcmp(faults[i], "fault pull") == 0)
			CHECK_INT(reads_seen() - before, 2);
	}
	ctl_line("fault none");
	/* a mute module */
	CHECK_INT(poll_card(r, "fault mute", c), SAM_POLL_FAULT);
	ctl_line("fault none");

	/* exchange: SAM ID answers 16 bytes */
	uint8_t id[16];
	size_t n = 0;
	int sw3 = 0;
	CHECK_INT(sam_reader_exchange(r, SAM_CMD_SAM_ID, 500, &sw3, id, sizeof id, &n, &err),
	          KR_OK);
	CHECK_INT(sw3, 0x90);
	CHECK_INT(n, 16);
	CHECK_INT(sam_reader_exchange(r, SAM_CMD_SAM_ID, 500, &sw3, id, 8, &n, &err), KR_INVALID);
	free(c);
	sam_reader_close(r);
}

/* ---- the service, with a host that records events ---- */

static pthread_mutex_t evlock = PTHREAD_MUTEX_INITIALIZER;
static struct flow_event events[64];
static int nevents;

static void host_post(void *app, const struct flow_event *ev)
{
	(void)app;
	pthread_mutex_lock(&evlock);
	if (nevents < 64)
		events[nevents++] = *ev;
	pthread_mutex_unlock(&evlock);
}

static int64_t host_utc(void *app)
{
	(void)app;
	return 1795266000; /* 2026-11-21 09:00 UTC */
}

static void settle(struct service *s)
{
	for (int i = 0; i < 2000 && s->ops->busy(s->self); i++)
		usleep(10000);
}

static const struct conf *steering; /* test_service's, for steer_service */

/* Steers the simulator behind the service (app/steer.h), lets it poll, and returns the events that
 * came (count), the last in *last. */
static int step(struct service *s, const char *verb, const char *args, struct flow_event *last)
{
	struct kerr err = {{0}};
	pthread_mutex_lock(&evlock);
	int from = nevents;
	pthread_mutex_unlock(&evlock);
	if (verb)
		CHECK_INT(steer_service(steering, SVC_IDREADER, s, verb, args, &err), KR_OK);
	settle(s);
	pthread_mutex_lock(&evlock);
	int n = nevents - from;
	if (n > 0)
		*last = events[nevents - 1];
	pthread_mutex_unlock(&evlock);
	return n;
}

static void test_service(void)
{
	static struct conf conf;
	steering = &conf;
	snprintf(conf.file, sizeof conf.file, "test.ini");
	struct service_host host = {host_post, NULL, &conf, NULL, stderr, host_utc};
	struct service s = {0};
	struct kerr err = {{0}};
	struct flow_event ev;

	/* no [idreader] section */
	CHECK_INT(sam_service_create(&host, &s, &err), KR_CONFIG);
	CHECK(strstr(err.msg, "[idreader]") != NULL);
	snprintf(conf.idreader.device, sizeof conf.idreader.device, "%s", tty);
	snprintf(conf.idreader.control, sizeof conf.idreader.control, "%s", ctl);
	conf.idreader.baud = 1200;
	conf.idreader.find_timeout_ms = 500;
	conf.idreader.read_timeout_ms = 1500;
	conf.idreader.poll_ms = 1000;
	CHECK_INT(sam_service_create(&host, &s, &err), KR_CONFIG);
	conf.idreader.baud = 115200;
	CHECK_INT(sam_service_create(&host, &s, &err), KR_OK);
	if (!s.ops)
		return;
	CHECK_STR(s.ops->kind, "sam");
	CHECK_INT(s.ops->standin, 0);

	ctl_line("remove");
	struct flow_request wait = {.kind = FREQ_CARD_WAIT}, stop = {.kind = FREQ_CARD_STOP};
	s.ops->submit(s.self, &wait);
	CHECK_INT(step(&s, NULL, NULL, &ev), 0);

	CHECK_INT(step(&s, "card", "zhang", &ev), 1);
	CHECK_INT(ev.kind, FEV_CARD);
	CHECK_STR(ev.card.name, "张三");
	CHECK_STR(ev.card.id_number, "11010519491231002X");
	CHECK_STR(ev.card.birth, "19491231");
	CHECK_STR(ev.card.valid_to, "20400101");
	CHECK_INT(ev.card.kind, ' ');
	/* the same card left there: nothing more */
	CHECK_INT(step(&s, "fault", "none", &ev), 0);

	static const struct {
		const char *verb, *args, *key; /* key NULL: a card */
		char kind;
	} cases[] = {
	    {"card", "li", NULL, ' '},
	    {"card", "permit", NULL, 'J'},
	    {"card", "foreign", NULL, 'I'},
	    {"card", "expired", "card.expired", 0},
	    {"card", "badcheck", "card.bad_number", 0},
	    {"card", "unknown", "card.unknown_kind", 0},
	    {"error", "card.read_failed", "card.read_failed", 0},
	    {"error", "card.expired", "card.expired", 0},
	    {"error", "card.bad_number", "card.bad_number", 0},
	    {"error", "card.unknown_kind", "card.unknown_kind", 0},
	    {"present", "320602198001011235 王五", NULL, ' '},
	    {"present", "830000199201300022 林小美 20300101", NULL, 'J'},
	    {"error", "card.reader_fault", "card.reader_fault", 0},
	    {"card", "zhang", NULL, ' '}, /* the module back: the line is opened afresh */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ctl_line("fault none");
		ctl_line("remove");
		step(&s, NULL, NULL, &ev);
		memset(&ev, 0, sizeof ev);
		int n = step(&s, cases[i].verb, cases[i].args, &ev);
		CHECK_INT(n, 1);
		if (n != 1)
			fprintf(stderr, "  case %zu: %s %s: %d events\n", i, cases[i].verb,
			        cases[i].args, n);
		if (cases[i].key) {
			CHECK_INT(ev.kind, FEV_CARD_ERROR);
			CHECK_STR(ev.text, cases[i].key);
		} else {
			CHECK_INT(ev.kind, FEV_CARD);
			CHECK_INT(ev.card.kind, cases[i].kind);
		}
		/* an error is said once while the card stays */
		CHECK_INT(step(&s, NULL, NULL, &ev), 0);
	}
	/* a present card is taken back once read: a new wait finds nothing */
	ctl_line("fault none");
	CHECK_INT(step(&s, "present", "11010519491231002X 张三", &ev), 1);
	s.ops->submit(s.self, &wait);
	CHECK_INT(step(&s, NULL, NULL, &ev), 0);
	/* a left card is read again on a new wait (within a few polls: on a loaded machine
	 * one read may time out and the next regular poll reads it) */
	CHECK_INT(step(&s, "card", "li", &ev), 1);
	pthread_mutex_lock(&evlock);
	int before = nevents;
	pthread_mutex_unlock(&evlock);
	s.ops->submit(s.self, &wait);
	int again = 0;
	for (int tries = 0; tries < 4; tries++) {
		step(&s, NULL, NULL, &ev);
		pthread_mutex_lock(&evlock);
		again = nevents - before;
		if (again > 0)
			ev = events[before];
		pthread_mutex_unlock(&evlock);
		if (again > 0)
			break;
		usleep(1100 * 1000); /* the next regular poll */
	}
	CHECK_INT(again, 1);
	CHECK_INT(ev.kind, FEV_CARD);
	/* not waiting: nothing is read */
	s.ops->submit(s.self, &stop);
	CHECK_INT(step(&s, "card", "zhang", &ev), 0);
	CHECK(!s.ops->busy(s.self));
	CHECK_INT(steer_service(&conf, SVC_IDREADER, &s, "shake", "", &err), KR_INVALID);
	s.ops->destroy(s.self);
	explicit_bzero(events, sizeof events);
}

int main(void)
{
	const char *sim = getenv("IDCARD_SIM");
	if (!sim || rig_dir(dir, sizeof dir) != 0) {
		fprintf(stderr, "IDCARD_SIM not set or no temporary folder\n");
		return 1;
	}
	snprintf(tty, sizeof tty, "%s/idcard.tty", dir);
	snprintf(ctl, sizeof ctl, "%s/idcard.ctl", dir);
	pid_t pid = rig_start(sim, dir, "idcard", "--today", "20261121",
	                      (char *)NULL); /* the dates below */
	CHECK(pid > 0);
	if (pid > 0) {
		test_reader();
		test_service();
	}
	rig_stop(pid);
	rig_clean(dir);
	return check_done();
}

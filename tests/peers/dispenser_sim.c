/* dispenser_sim.c — a simulated KDP/1 key dispenser (drivers/dispenser/PROTOCOL.md) on a
 * pseudo-terminal, for tests and the demo. Prints the pty's slave path (the kiosk's
 * [dispenser] device); --link PATH makes PATH a symlink to it.
 *
 *   dispenser_sim [--link PATH] [--control SOCKET] [--stock N] [--hook CMD]
 *
 * Each bin holds N blank keys (default 1000). A key at the mouth is taken by the user at
 * the next STATUS unless "no-take" was said.
 *
 * The hook is how the SoftHSM test rig can follow the keys: after each movement the
 * simulator runs `CMD EVENT` through /bin/sh, EVENT being "move" (a fresh blank key is
 * now in the personalisation slot: the rig makes a new blank token appear there),
 * "dispense" (presented to the user), "taken" or "retain" (gone from the slot: the rig
 * takes the token away). Its exit status is ignored.
 *
 * Control lines (one per connection; answers "ok …" or "error …"):
 *   fault jam        the next MOVE or DISPENSE jams (RETAIN clears it)
 *   fault mute       answer nothing;   fault none   clear every fault
 *   empty BIN        bin BIN's sensor reads empty;   load BIN N   put N keys in it
 *   no-take | take   the user does not take keys / takes the one at the mouth now
 *   stats            "ok moved=N dispensed=N retained=N slot=0|1 mouth=0|1"
 *   quit */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/peers/simloop.h"
#include "drivers/dispenser/kdp_codec.h"

#define BINS 4

static int stock[BINS + 1];
static int slot, mouth, jammed, jam_next, mute, no_take;
static uint32_t moved, dispensed, retained;
static const char *hook;

static void run_hook(const char *event)
{
	if (!hook)
		return;
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s", hook, event);
	if (system(cmd) == -1)
		fprintf(stderr, "dispenser_sim: hook failed\n");
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}

static void reply(int fd, const struct kdp_frame *req, uint8_t result, const uint8_t *d, size_t n)
{
	uint8_t data[KDP_LEN_MAX], f[KDP_FRAME_MAX];
	if (mute)
		return;
	data[0] = result;
	if (n)
		memcpy(data + 1, d, n);
	size_t len = kdp_frame_build(req->seq, req->cmd | KDP_ANSWER, data, n + 1, f, sizeof f);
	if (write(fd, f, len) != (ssize_t)len)
		fprintf(stderr, "dispenser_sim: short write\n");
}

static void answer(int fd, const struct kdp_frame *req)
{
	uint8_t d[12];
	switch (req->cmd) {
	case KDP_STATUS:
		if (mouth && !no_take) {
			mouth = 0;
			run_hook("taken");
		}
		d[0] = (uint8_t)((slot ? KDP_FLAG_SLOT : 0) | (mouth ? KDP_FLAG_MOUTH : 0) |
		                 (jammed ? KDP_FLAG_JAM : 0));
		d[1] = 0;
		for (int b = 1; b <= BINS; b++)
			if (stock[b] <= 0)
				d[1] |= (uint8_t)(1u << (b - 1));
		reply(fd, req, KDP_OK, d, 2);
		return;
	case KDP_MOVE: {
		int b = req->ndata == 1 ? req->data[0] : 0;
		if (b < 1 || b > BINS)
			reply(fd, req, KDP_BAD_BIN, NULL, 0);
		else if (slot)
			reply(fd, req, KDP_OCCUPIED, NULL, 0);
		else if (stock[b] <= 0)
			reply(fd, req, KDP_EMPTY, NULL, 0);
		else {
			stock[b]--;
			slot = 1;
			if (jam_next) {
				jam_next = 0;
				jammed = 1;
				reply(fd, req, KDP_JAM, NULL, 0);
				return;
			}
			moved++;
			run_hook("move");
			reply(fd, req, KDP_OK, NULL, 0);
		}
		return;
	}
	case KDP_DISPENSE:
		if (!slot) {
			reply(fd, req, KDP_NO_KEY, NULL, 0);
		} else if (jam_next) {
			jam_next = 0;
			jammed = 1;
			reply(fd, req, KDP_JAM, NULL, 0);
		} else {
			slot = 0;
			mouth = 1;
			dispensed++;
			run_hook("dispense");
			reply(fd, req, KDP_OK, NULL, 0);
		}
		return;
	case KDP_RETAIN:
		if (!slot && !mouth) {
			reply(fd, req, KDP_NO_KEY, NULL, 0);
			return;
		}
		slot = mouth = jammed = 0;
		retained++;
		run_hook("retain");
		reply(fd, req, KDP_OK, NULL, 0);
		return;
	case KDP_COUNTS:
		put32(d, moved), put32(d + 4, dispensed), put32(d + 8, retained);
		reply(fd, req, KDP_OK, d, 12);
		return;
	case KDP_RESET:
		jammed = 0;
		reply(fd, req, KDP_OK, NULL, 0);
		return;
	default:
		reply(fd, req, KDP_BAD_COMMAND, NULL, 0);
	}
}

static void control(char *line, char *out, size_t size)
{
	char *verb = strtok(line, " \t\r\n"), *a1 = strtok(NULL, " \t\r\n"),
	     *a2 = strtok(NULL, " \t\r\n");
	int bin = a1 ? atoi(a1) : 0;
	snprintf(out, size, "ok");
	if (!verb)
		snprintf(out, size, "error empty line");
	else if (strcmp(verb, "fault") == 0 && a1 && strcmp(a1, "jam") == 0)
		jam_next = 1;
	else if (strcmp(verb, "fault") == 0 && a1 && strcmp(a1, "mute") == 0)
		mute = 1;
	else if (strcmp(verb, "fault") == 0 && a1 && strcmp(a1, "none") == 0)
		jam_next = mute = jammed = 0;
	else if (strcmp(verb, "empty") == 0 && bin >= 1 && bin <= BINS)
		stock[bin] = 0;
	else if (strcmp(verb, "load") == 0 && bin >= 1 && bin <= BINS && a2)
		stock[bin] = atoi(a2);
	else if (strcmp(verb, "no-take") == 0)
		no_take = 1;
	else if (strcmp(verb, "take") == 0) {
		no_take = 0;
		if (mouth)
			run_hook("taken");
		mouth = 0;
	} else if (strcmp(verb, "stats") == 0)
		snprintf(out, size, "ok moved=%u dispensed=%u retained=%u slot=%d mouth=%d", moved,
		         dispensed, retained, slot, mouth);
	else if (strcmp(verb, "quit") == 0)
		exit(0);
	else
		snprintf(out, size, "error unknown command %s", verb);
}

/* Answers a whole frame at the start of rx; returns the bytes used (0: more needed). */
static size_t consume(int master, const uint8_t *rx, size_t n)
{
	size_t skip = 0, flen = 0;
	struct kdp_frame f;
	if (kdp_frame_scan(rx, n, &skip, &flen, &f) != KDP_SCAN_FRAME)
		return skip;
	answer(master, &f);
	return skip + flen;
}

int main(int argc, char **argv)
{
	const char *link_path = NULL, *ctl_path = NULL;
	int n = 1000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--link") == 0 && i + 1 < argc)
			link_path = argv[++i];
		else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc)
			ctl_path = argv[++i];
		else if (strcmp(argv[i], "--stock") == 0 && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (strcmp(argv[i], "--hook") == 0 && i + 1 < argc)
			hook = argv[++i];
		else {
			fprintf(stderr, "usage: dispenser_sim [--link PATH] [--control SOCKET] "
			                "[--stock N] [--hook CMD]\n");
			return 2;
		}
	}
	for (int b = 1; b <= BINS; b++)
		stock[b] = n;
	struct simloop loop;
	simloop_open(&loop, link_path, ctl_path);
	static uint8_t rx[4 * KDP_FRAME_MAX];
	return simloop_run(&loop, rx, sizeof rx, consume, control);
}

/* idcard_sim.c — a simulated SAM ID card module on a pseudo-terminal, for tests and the
 * demo. It speaks the module's side of the protocol (drivers/idreader/sam_codec.h) on
 * the master of an openpty() pair and prints the slave's path (the kiosk's [idreader]
 * device) on stdout; --link PATH also makes PATH a symlink to it.
 *
 *   idcard_sim [--link PATH] [--control SOCKET] [--today YYYYMMDD]
 *
 * The cards' dates are years around --today (default: today, China time), so a card
 * valid or expired on that day stays so whatever the real date is: the whole-kiosk rig
 * passes the day its scenario plays (tests/rigs/kiosk-rig).
 * The control socket takes one line per connection and answers "ok …" or "error …":
 *   present ID NAME [VALID_TO]  a resident ID (or residence permit, by its number) that
 *                               its holder takes back once it has been read; clears faults
 *   card NAME                   a scripted card that stays until "remove": zhang (resident
 *                               ID), li (long-term), permit (HK/Macau/Taiwan 'J'), foreign
 *                               ('I'), expired, badcheck, unknown (kind 'Z')
 *   remove                      take the card off
 *   error KEY                   what the runner's "idreader error KEY" means: a card that
 *                               gives card.read_failed, card.expired, card.bad_number,
 *                               card.unknown_kind, or card.reader_fault (the module mute)
 *   fault NAME                  sam41 (reads fail), sam80 (finds fail), sam60 (self-test
 *                               fault), garbage (junk before every answer), split (answers
 *                               in 7-byte pieces), slow (answers 300 ms late), pull (the
 *                               next read is cut off: card pulled and put back), badchk (the
 *                               next answer's checksum is wrong), mute, none
 *   stats                       "ok finds=N selects=N reads=N"
 *   quit
 * Card data is test data: the names and numbers are the reference's samples. */
#define _GNU_SOURCE
#include <errno.h>
#include <iconv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/peers/simloop.h"
#include "core/cntime.h"
#include "core/ident.h"
#include "drivers/idreader/sam_codec.h"
#include "drivers/idreader/sam_text.h"

struct card {
	int on;   /* a card lies on the reader */
	int once; /* taken back after one read */
	int selected;
	int failing; /* every read of it fails (SAM 0x41) */
	uint8_t text[SAM_TEXT_LEN];
};

static struct card card;
static int fault_sam41, fault_sam80, fault_sam60, fault_garbage, fault_split, fault_slow,
    fault_mute, fault_pull, fault_badchk;
static int finds, selects, reads;
static int this_year; /* the year of --today */

/* 1 January of this year + delta, as the card prints it (YYYYMMDD). */
static const char *jan1(int delta)
{
	static char ring[4][16]; /* YYYYMMDD, with room for any int the compiler imagines */
	static int next;
	char *d = ring[next++ % 4];
	snprintf(d, sizeof ring[0], "%04d0101", this_year + delta);
	return d;
}

/* Writes s (UTF-8) as UTF-16LE into the text block at off, len bytes, space padded. */
static void put(uint8_t *text, size_t off, size_t len, const char *s)
{
	for (size_t i = 0; i + 1 < len; i += 2) {
		text[off + i] = ' ';
		text[off + i + 1] = 0;
	}
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	char *ip = (char *)s, *op = (char *)text + off;
	size_t il = strlen(s), ol = len;
	iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
}

/* A resident ID card (or residence permit, 'J'). */
static void make_resident(uint8_t *t, char kind, const char *name, const char *sex, const char *id,
                          const char *from, const char *to)
{
	char birth[9];
	snprintf(birth, sizeof birth, "%.8s", strlen(id) >= 14 ? id + 6 : "19900101");
	put(t, 0, SAM_TEXT_LEN, "");
	put(t, 0, 30, name);
	put(t, 30, 2, sex);
	put(t, 32, 4, kind == 'J' ? "" : "01");
	put(t, 36, 16, birth);
	put(t, 52, 70, "江苏省南通市崇川区工农路1号");
	put(t, 122, 36, id);
	put(t, 158, 30, "南通市公安局崇川分局");
	put(t, 188, 16, from);
	put(t, 204, 16, to);
	if (kind == 'J') {
		put(t, 220, 18, "H12345678");
		put(t, 238, 4, "01");
	}
	char k[2] = {kind, 0};
	put(t, 248, 2, k);
}

static void make_foreign(uint8_t *t)
{
	put(t, 0, SAM_TEXT_LEN, "");
	put(t, 0, 120, "SMITH, JOHN");
	put(t, 120, 2, "1");
	put(t, 122, 30, "USA320180101015");
	put(t, 152, 6, "USA");
	put(t, 158, 30, "史密斯");
	put(t, 188, 16, jan1(-6));
	put(t, 204, 16, jan1(4));
	put(t, 220, 16, "19800101");
	put(t, 236, 12, "");
	put(t, 248, 2, "I");
}

/* Completes 17 digits with their check character (a valid number). */
static const char *valid_id(const char *first17)
{
	static char id[19];
	snprintf(id, sizeof id, "%s%c", first17, ident_id_check_char(first17));
	return id;
}

static int scripted(const char *name)
{
	memset(&card, 0, sizeof card);
	if (strcmp(name, "zhang") == 0)
		make_resident(card.text, ' ', "张三", "2", "11010519491231002X", jan1(-6),
		              jan1(14));
	else if (strcmp(name, "li") == 0)
		make_resident(card.text, ' ', "李四", "1", valid_id("32060219700101123"), jan1(-16),
		              "长期");
	else if (strcmp(name, "permit") == 0)
		make_resident(card.text, 'J', "陈大文", "2", "810000199408230021", jan1(-6),
		              jan1(4));
	else if (strcmp(name, "foreign") == 0)
		make_foreign(card.text);
	else if (strcmp(name, "expired") == 0)
		make_resident(card.text, ' ', "王五", "1", valid_id("32060219800101123"), jan1(-26),
		              jan1(-6));
	else if (strcmp(name, "badcheck") == 0)
		make_resident(card.text, ' ', "赵六", "1", "110105194912310021", jan1(-6),
		              jan1(14));
	else if (strcmp(name, "unknown") == 0)
		make_resident(card.text, 'Z', "钱七", "1", valid_id("32060219800101123"), jan1(-6),
		              jan1(14));
	else
		return 0;
	card.on = 1;
	return 1;
}

static int set_fault(const char *name)
{
	int *f = strcmp(name, "sam41") == 0     ? &fault_sam41
	         : strcmp(name, "sam80") == 0   ? &fault_sam80
	         : strcmp(name, "sam60") == 0   ? &fault_sam60
	         : strcmp(name, "garbage") == 0 ? &fault_garbage
	         : strcmp(name, "split") == 0   ? &fault_split
	         : strcmp(name, "slow") == 0    ? &fault_slow
	         : strcmp(name, "mute") == 0    ? &fault_mute
	         : strcmp(name, "pull") == 0    ? &fault_pull
	         : strcmp(name, "badchk") == 0  ? &fault_badchk
	                                        : NULL;
	if (strcmp(name, "none") == 0) {
		fault_sam41 = fault_sam80 = fault_sam60 = fault_garbage = fault_split = fault_slow =
		    fault_mute = fault_pull = fault_badchk = 0;
		return 1;
	}
	if (!f)
		return 0;
	*f = 1;
	return 1;
}

/* Answers one control line into reply. */
static void control(char *line, char *reply, size_t size)
{
	char *verb = strtok(line, " \t\r\n");
	char *a1 = strtok(NULL, " \t\r\n"), *a2 = strtok(NULL, " \t\r\n"),
	     *a3 = strtok(NULL, " \t\r\n");
	snprintf(reply, size, "ok");
	if (!verb) {
		snprintf(reply, size, "error empty line");
	} else if (strcmp(verb, "present") == 0 && a1 && a2) {
		set_fault("none"); /* a new card laid down well */
		memset(&card, 0, sizeof card);
		make_resident(card.text, ident_is_residence_permit(a1) ? 'J' : ' ', a2, "1", a1,
		              jan1(-6), a3 ? a3 : "长期");
		card.on = card.once = 1;
	} else if (strcmp(verb, "card") == 0 && a1) {
		if (!scripted(a1))
			snprintf(reply, size, "error no card called %s", a1);
	} else if (strcmp(verb, "remove") == 0) {
		memset(&card, 0, sizeof card);
	} else if (strcmp(verb, "error") == 0) {
		const char *key = a1 ? a1 : "card.read_failed";
		if (strcmp(key, "card.read_failed") == 0)
			scripted("zhang"), card.failing = 1;
		else if (strcmp(key, "card.expired") == 0)
			scripted("expired");
		else if (strcmp(key, "card.bad_number") == 0)
			scripted("badcheck");
		else if (strcmp(key, "card.unknown_kind") == 0)
			scripted("unknown");
		else if (strcmp(key, "card.reader_fault") == 0)
			fault_mute = 1;
		else
			snprintf(reply, size, "error no fault gives %s", key);
		card.once = 1;
	} else if (strcmp(verb, "fault") == 0 && a1) {
		if (!set_fault(a1))
			snprintf(reply, size, "error no fault called %s", a1);
	} else if (strcmp(verb, "stats") == 0) {
		snprintf(reply, size, "ok finds=%d selects=%d reads=%d", finds, selects, reads);
	} else if (strcmp(verb, "quit") == 0) {
		exit(0);
	} else {
		snprintf(reply, size, "error unknown command %s", verb);
	}
}

static void write_out(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

static void send_frame(int fd, uint8_t sw3, const uint8_t *data, size_t n)
{
	static uint8_t f[SAM_FRAME_MAX];
	size_t len = sam_frame_response(sw3, data, n, f, sizeof f);
	if (fault_mute)
		return;
	if (fault_slow)
		usleep(300 * 1000);
	if (fault_garbage) {
		static const uint8_t junk[] = {0x00, 0xFF, 0xAA, 0xAA, 0xAA, 0x96, 0x69,
		                               0xFF, 0xFF, 0x13, 0xAA, 0x96, 0x42};
		write_out(fd, junk, sizeof junk);
	}
	if (fault_badchk) {
		f[len - 1] ^= 0x5A;
		fault_badchk = 0;
	}
	if (fault_pull && sw3 == SAM_SW_OK && n > 100) {
		write_out(fd, f, 100); /* the card left the field mid-read */
		fault_pull = 0;
		return;
	}
	if (fault_split) {
		for (size_t at = 0; at < len; at += 7) {
			write_out(fd, f + at, len - at < 7 ? len - at : 7);
			usleep(2000);
		}
		return;
	}
	write_out(fd, f, len);
}

static void answer(int fd, const struct sam_frame *req)
{
	static const uint8_t zeros[16];
	if (req->nbody < 2)
		return;
	unsigned cmd = (unsigned)req->body[0] << 8 | req->body[1];
	switch (cmd) {
	case SAM_CMD_FIND:
		finds++;
		if (fault_sam60)
			send_frame(fd, SAM_SW_SELF_TEST, NULL, 0);
		else if (card.on && !fault_sam80)
			send_frame(fd, SAM_SW_FIND_OK, zeros, 4);
		else
			send_frame(fd, SAM_SW_NO_CARD, NULL, 0);
		return;
	case SAM_CMD_SELECT:
		selects++;
		card.selected = card.on;
		send_frame(fd, card.on ? SAM_SW_OK : SAM_SW_SELECT_FAILED, zeros, card.on ? 8 : 0);
		return;
	case SAM_CMD_READ: {
		reads++;
		if (!card.on || !card.selected || card.failing || fault_sam41) {
			send_frame(fd, SAM_SW_READ_FAILED, NULL, 0);
			return;
		}
		static uint8_t data[4 + SAM_TEXT_LEN + SAM_PHOTO_LEN];
		data[0] = SAM_TEXT_LEN >> 8, data[1] = SAM_TEXT_LEN & 0xFF;
		data[2] = SAM_PHOTO_LEN >> 8, data[3] = SAM_PHOTO_LEN & 0xFF;
		memcpy(data + 4, card.text, SAM_TEXT_LEN);
		for (size_t i = 0; i < SAM_PHOTO_LEN; i++) /* a stand-in for the WLT blob */
			data[4 + SAM_TEXT_LEN + i] = (uint8_t)(i * 7 + 0x57);
		int pulled = fault_pull;
		card.selected = 0;
		send_frame(fd, SAM_SW_OK, data, sizeof data);
		if (card.once && !pulled)
			memset(&card, 0, sizeof card); /* its holder takes it back */
		return;
	}
	case SAM_CMD_RESET:
	case SAM_CMD_STATUS:
		send_frame(fd, SAM_SW_OK, NULL, 0);
		return;
	case SAM_CMD_SAM_ID:
		send_frame(fd, SAM_SW_OK, zeros, 16);
		return;
	default:
		send_frame(fd, SAM_SW_BAD_COMMAND, NULL, 0);
	}
}

/* Answers a whole frame at the start of rx; returns the bytes used (0: more needed). */
static size_t consume(int master, const uint8_t *rx, size_t n)
{
	size_t skip = 0, flen = 0;
	struct sam_frame f;
	if (sam_frame_scan(rx, n, &skip, &flen, &f) != SAM_SCAN_FRAME)
		return skip;
	answer(master, &f);
	return skip + flen;
}

int main(int argc, char **argv)
{
	const char *link_path = NULL, *ctl_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--link") == 0 && i + 1 < argc)
			link_path = argv[++i];
		else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc)
			ctl_path = argv[++i];
		else if (strcmp(argv[i], "--today") == 0 && i + 1 < argc &&
		         sscanf(argv[++i], "%4d", &this_year) == 1 && this_year >= 1970)
			continue;
		else {
			fprintf(stderr, "usage: idcard_sim [--link PATH] [--control SOCKET] "
			                "[--today YYYYMMDD]\n");
			return 2;
		}
	}
	if (!this_year) {
		char year[16];
		cntime_format((int64_t)time(NULL), "%Y", year, sizeof year);
		this_year = atoi(year);
	}
	struct simloop loop;
	simloop_open(&loop, link_path, ctl_path);
	static uint8_t rx[2 * SAM_FRAME_MAX];
	return simloop_run(&loop, rx, sizeof rx, consume, control);
}

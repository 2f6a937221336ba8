/* sam_service.c — the "sam" ID card reader service.
 *
 * FREQ_CARD_WAIT starts polling (find → select → read, every poll_ms) on the service's
 * worker, whose idle hook the poll is; FREQ_CARD_STOP ends it. A card read becomes FEV_CARD, or
 * FEV_CARD_ERROR when its number fails the check (card.bad_number), it has expired (card.expired),
 * its kind is unknown (card.unknown_kind), it cannot be read (card.read_failed) or the module fails
 * (card.reader_fault). An error is said once until the card is taken off; the same card left on the
 * reader is not read twice. Card data lives only in the thread's stack while the event is built and
 * is wiped after the post.
 *
 * Its one control verb, "look", kicks the worker to poll at once: the service is busy
 * until that poll is done. A script that lays a card on the simulated reader (app/steer.c,
 * through [idreader] control) asks for it, so a scenario sees the card read on its next
 * line. */
#include "devices/sam_service.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/worker.h"
#include "conf/conf.h"
#include "core/cntime.h"
#include "core/ident.h"
#include "drivers/idreader/sam_reader.h"
#include "drivers/serial/tty.h"

struct sam_service {
	struct service_host host;
	struct conf_idreader cfg;
	struct worker *worker; /* kicked by a new wait and by "look" */
	/* guards waiting and gen, and is held while a card or error is posted, so that none
	 * is posted once submit has taken the wait back */
	pthread_mutex_t lock;
	int waiting;  /* the flow waits for a card */
	unsigned gen; /* bumped by every wait and stop */
	/* the worker's own */
	struct sam_reader *reader;
	char said[48];     /* the error key said last, until no card is seen */
	unsigned seen_gen; /* the wait the last poll was for */
};

static void post_error(struct sam_service *s, unsigned gen, const char *key)
{
	if (strcmp(s->said, key) == 0)
		return;
	snprintf(s->said, sizeof s->said, "%s", key);
	struct flow_event ev = {.kind = FEV_CARD_ERROR};
	snprintf(ev.text, sizeof ev.text, "%s", key);
	pthread_mutex_lock(&s->lock);
	if (s->waiting && s->gen == gen)
		s->host.post(s->host.app, &ev);
	pthread_mutex_unlock(&s->lock);
	fprintf(s->host.trace, "[idreader] %s\n", key);
}

/* Today's date in China time as YYYYMMDD. */
static void today(const struct sam_service *s, char *out, size_t size)
{
	cntime_format(s->host.utc_s(s->host.app), "%Y%m%d", out, size);
}

/* Whether the number of a card is well formed: GB 11643 with its check character for
 * resident IDs and permits (and the 18-character foreign card of 2023); three letters
 * and twelve digits for the older foreign card. */
static int number_ok(const struct sam_person *p)
{
	const char *n = p->id_number;
	if (strlen(n) == 18)
		return ident_check_id_number(n) == IDENT_OK;
	if (p->kind != SAM_KIND_FOREIGN || strlen(n) != 15)
		return 0;
	for (int i = 0; i < 15; i++)
		if (i < 3 ? n[i] < 'A' || n[i] > 'Z' : n[i] < '0' || n[i] > '9')
			return 0;
	return 1;
}

/* Judges a card read and posts it or the reason it is refused. */
static void post_card(struct sam_service *s, unsigned gen, const struct sam_card *c)
{
	const struct sam_person *p = &c->person;
	char day[16];
	today(s, day, sizeof day);
	if (!number_ok(p)) {
		post_error(s, gen, "card.bad_number");
		return;
	}
	if (p->valid_to[0] && strcmp(day, p->valid_to) > 0) {
		post_error(s, gen, "card.expired");
		return;
	}
	struct flow_event ev = {.kind = FEV_CARD};
	ev.card.kind = p->kind;
	const char *name = p->name[0] ? p->name : p->name_en;
	size_t n = strlen(name);
	while (n >= sizeof ev.card.name) /* a long English name: cut at a character */
		while (n > 0 && ((unsigned char)name[--n] & 0xC0) == 0x80)
			;
	memcpy(ev.card.name, name, n);
	memcpy(ev.card.id_number, p->id_number, strlen(p->id_number)); /* 15 or 18 */
	memcpy(ev.card.birth, p->birth, sizeof ev.card.birth);
	memcpy(ev.card.valid_to, p->valid_to, sizeof ev.card.valid_to);
	pthread_mutex_lock(&s->lock);
	int wanted = s->waiting && s->gen == gen;
	if (wanted)
		s->host.post(s->host.app, &ev);
	pthread_mutex_unlock(&s->lock);
	explicit_bzero(&ev, sizeof ev);
	s->said[0] = '\0';
	fprintf(s->host.trace, "[idreader] card read (%s)%s\n",
	        p->kind == SAM_KIND_PERMIT    ? "residence permit"
	        : p->kind == SAM_KIND_FOREIGN ? "foreign permanent resident card"
	                                      : "resident ID card",
	        wanted ? "" : ", no longer awaited: dropped");
}

/* One poll: opens the line when needed, reads, posts. */
static void poll_once(struct sam_service *s, unsigned gen, int forget)
{
	struct kerr err = {{0}};
	if (!s->reader) {
		struct sam_reader_config rc = {s->cfg.device, s->cfg.baud, s->cfg.find_timeout_ms,
		                               s->cfg.read_timeout_ms};
		if (sam_reader_open(&rc, &s->reader, &err) != KR_OK) {
			if (strcmp(s->said, "card.reader_fault") != 0)
				fprintf(s->host.trace, "[idreader] %s\n", err.msg);
			post_error(s, gen, "card.reader_fault");
			return;
		}
	}
	if (forget) {
		sam_reader_forget(s->reader);
		s->said[0] = '\0';
	}
	struct sam_card *card = malloc(sizeof *card);
	if (!card) {
		post_error(s, gen, "card.read_failed");
		return;
	}
	enum sam_poll p = sam_reader_poll(s->reader, card, &err);
	switch (p) {
	case SAM_POLL_NONE:
		s->said[0] = '\0';
		break;
	case SAM_POLL_SAME:
		break;
	case SAM_POLL_CARD:
		post_card(s, gen, card);
		break;
	case SAM_POLL_UNKNOWN:
		post_error(s, gen, "card.unknown_kind");
		break;
	case SAM_POLL_FAILED:
	case SAM_POLL_BAD_DATA:
		if (strcmp(s->said, "card.read_failed") != 0)
			fprintf(s->host.trace, "[idreader] %s\n", err.msg);
		post_error(s, gen, "card.read_failed");
		break;
	case SAM_POLL_FAULT:
		if (strcmp(s->said, "card.reader_fault") != 0)
			fprintf(s->host.trace, "[idreader] %s\n", err.msg);
		post_error(s, gen, "card.reader_fault");
		sam_reader_close(s->reader); /* opened afresh at the next poll */
		s->reader = NULL;
		break;
	}
	explicit_bzero(card, sizeof *card);
	free(card);
}

/* The worker's idle hook: a poll while a card is awaited, the next poll_ms later. */
static int64_t poll_if_waiting(void *ctx, int kicked)
{
	struct sam_service *s = ctx;
	(void)kicked; /* a kick only has it look at once */
	pthread_mutex_lock(&s->lock);
	int waiting = s->waiting;
	unsigned gen = s->gen;
	pthread_mutex_unlock(&s->lock);
	if (!waiting)
		return WORKER_FOREVER;
	poll_once(s, gen, gen != s->seen_gen);
	s->seen_gen = gen;
	return s->cfg.poll_ms;
}

static const struct worker_spec worker_spec = {.name = "idreader", .idle = poll_if_waiting};

static void submit(void *self, const struct flow_request *req)
{
	struct sam_service *s = self;
	if (req->kind != FREQ_CARD_WAIT && req->kind != FREQ_CARD_STOP)
		return;
	pthread_mutex_lock(&s->lock);
	s->waiting = req->kind == FREQ_CARD_WAIT;
	s->gen++;
	pthread_mutex_unlock(&s->lock);
	if (req->kind == FREQ_CARD_WAIT)
		worker_kick(s->worker); /* look at once: a card may be lying there */
}

static int busy(void *self)
{
	struct sam_service *s = self;
	return worker_busy(s->worker);
}

/* The service's own verb: "look" (at the reader at once, as a new wait does; busy until
 * it has). */
static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct sam_service *s = self;
	(void)args;
	if (strcmp(verb, "look") != 0)
		return kerr_set(err, KR_INVALID, "idreader: unknown verb '%s' (look)", verb);
	worker_kick(s->worker);
	return KR_OK;
}

static void destroy(void *self)
{
	struct sam_service *s = self;
	worker_stop(s->worker);
	sam_reader_close(s->reader);
	pthread_mutex_destroy(&s->lock);
	explicit_bzero(s, sizeof *s);
	free(s);
}

static const struct service_ops ops = {"sam", 0, submit, control, destroy, busy};

int sam_service_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	const struct conf_idreader *c = &host->conf->idreader;
	const char *file = host->conf->file;
	if (!c->device[0])
		return kerr_set(err, KR_CONFIG, "%s: [idreader]: missing section (idreader = sam)",
		                file);
	if (!tty_baud_ok(c->baud))
		return kerr_set(
		    err, KR_CONFIG,
		    "%s: [idreader] baud: %d is not 9600, 19200, 38400, 57600 or 115200", file,
		    c->baud);
	if (strcmp(c->control, "none") != 0 && c->control[0] != '/')
		return kerr_set(err, KR_CONFIG,
		                "%s: [idreader] control: 'none' or an absolute socket path", file);
	struct sam_service *s = calloc(1, sizeof *s);
	if (!s)
		return kerr_set(err, KR_NOMEM, "out of memory");
	s->host = *host;
	s->cfg = *c;
	pthread_mutex_init(&s->lock, NULL);
	struct sam_reader_config rc = {c->device, c->baud, c->find_timeout_ms, c->read_timeout_ms};
	int r = sam_reader_open(&rc, &s->reader, err);
	if (r == KR_OK)
		r = worker_start(&worker_spec, s, &s->worker, err);
	if (r == KR_OK)
		fprintf(host->trace, "[idreader] SAM module on %s at %d baud\n", c->device,
		        c->baud);
	return service_created(r, &ops, s, out);
}

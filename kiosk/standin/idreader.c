/* idreader.c — STAND-IN for the SAM ID card reader, for component tests that need no
 * serial line (the real service is kiosk/devices/sam_service.c): the script puts a card
 * on the reader ("card present ID NAME [VALID_TO]"); it is read when the flow waits for
 * one. Card data is wiped once posted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ident.h"
#include "standin/standin.h"

struct idreader {
	struct service_host host;
	int waiting;
	int have_card;
	struct id_card card;
};

static void read_card(struct idreader *r)
{
	if (!r->waiting || !r->have_card)
		return;
	struct flow_event ev = {.kind = FEV_CARD};
	ev.card = r->card;
	fprintf(r->host.trace, "[stand-in idreader] card read\n");
	r->host.post(r->host.app, &ev);
	explicit_bzero(&ev, sizeof ev);
	explicit_bzero(&r->card, sizeof r->card);
	r->have_card = 0;
}

static void submit(void *self, const struct flow_request *req)
{
	struct idreader *r = self;
	if (req->kind == FREQ_CARD_WAIT) {
		r->waiting = 1;
		read_card(r);
	} else if (req->kind == FREQ_CARD_STOP) {
		r->waiting = 0;
	}
}

/* "ID NAME [VALID_TO]": the birth date comes from the ID number. */
static int present(struct idreader *r, const char *args, struct kerr *err)
{
	struct id_card c = {.kind = ' '};
	char id[20] = "", name[96] = "", valid[9] = "";
	if (sscanf(args, "%19s %95s %8s", id, name, valid) < 2)
		return kerr_set(err, KR_INVALID, "card present: give ID-NUMBER NAME [VALID-TO]");
	snprintf(c.id_number, sizeof c.id_number, "%s", id);
	snprintf(c.name, sizeof c.name, "%s", name);
	snprintf(c.valid_to, sizeof c.valid_to, "%s", valid);
	if (strlen(id) == 18)
		snprintf(c.birth, sizeof c.birth, "%.8s", id + 6);
	if (ident_is_residence_permit(id))
		c.kind = 'J';
	r->card = c;
	r->have_card = 1;
	explicit_bzero(&c, sizeof c);
	explicit_bzero(id, sizeof id);
	explicit_bzero(name, sizeof name);
	read_card(r);
	return KR_OK;
}

static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct idreader *r = self;
	if (strcmp(verb, "present") == 0)
		return present(r, args, err);
	if (strcmp(verb, "error") == 0) {
		struct flow_event ev = {.kind = FEV_CARD_ERROR};
		snprintf(ev.text, sizeof ev.text, "%s", args[0] ? args : "card.read_failed");
		r->host.post(r->host.app, &ev);
		return KR_OK;
	}
	return kerr_set(err, KR_INVALID, "card: unknown verb '%s' (present, error)", verb);
}

static void destroy(void *self)
{
	struct idreader *r = self;
	explicit_bzero(r, sizeof *r);
	free(r);
}

static const struct service_ops ops = {"standin", 1, submit, control, destroy};

int standin_idreader_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	return standin_new(sizeof(struct idreader), host, &ops, out, err);
}

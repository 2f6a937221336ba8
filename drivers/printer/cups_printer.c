/* cups_printer.c — IPP exchanges with the CUPS scheduler for one queue (libcups). Owns
 * the connection of its handle. */
#include "drivers/printer/cups_printer.h"

#include <cups/cups.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cups_printer {
	char queue[128];
	char server[1024];
	char uri[HTTP_MAX_URI]; /* ipp://localhost/printers/<queue> */
	int timeout_s;
	http_t *http;
};

int cups_printer_open(const char *queue, const char *server, int timeout_s,
                      struct cups_printer **out, struct kerr *err)
{
	*out = NULL;
	struct cups_printer *p = calloc(1, sizeof *p);
	if (!p)
		return kerr_set(err, KR_NOMEM, "out of memory");
	if (snprintf(p->queue, sizeof p->queue, "%s", queue) >= (int)sizeof p->queue ||
	    snprintf(p->server, sizeof p->server, "%s", server) >= (int)sizeof p->server) {
		free(p);
		return kerr_set(err, KR_INVALID, "printer: queue or server name too long");
	}
	p->timeout_s = timeout_s;
	*out = p;
	return KR_OK;
}

static void disconnect(struct cups_printer *p)
{
	if (p->http)
		httpClose(p->http);
	p->http = NULL;
}

void cups_printer_close(struct cups_printer *p)
{
	if (!p)
		return;
	disconnect(p);
	free(p);
}

/* Opens the connection when there is none. KR_IO when the scheduler does not answer. */
static int connect_scheduler(struct cups_printer *p, struct kerr *err)
{
	if (p->http)
		return KR_OK;
	const char *host = strcmp(p->server, "default") == 0 ? cupsServer() : p->server;
	p->http = httpConnect2(host, ippPort(), NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1,
	                       p->timeout_s * 1000, NULL);
	if (!p->http)
		return kerr_set(err, KR_IO, "printer: no CUPS scheduler at %s", host);
	httpSetTimeout(p->http, p->timeout_s, NULL, NULL);
	httpAssembleURIf(HTTP_URI_CODING_ALL, p->uri, sizeof p->uri, "ipp", NULL, "localhost",
	                 ippPort(), "/printers/%s", p->queue);
	return KR_OK;
}

/* A request about the queue. */
static ipp_t *request_of(struct cups_printer *p, ipp_op_t op)
{
	ipp_t *req = ippNewRequest(op);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
	             cupsUser());
	return req;
}

/* Sends req (consumed) and returns the answer, or NULL with err set (KR_IO or
 * KR_NOT_FOUND); a connection that failed is dropped. */
static ipp_t *exchange(struct cups_printer *p, ipp_t *req, int *rc, struct kerr *err)
{
	ipp_t *resp = cupsDoRequest(p->http, req, "/");
	ipp_status_t st = cupsLastError();
	if (resp && st <= IPP_STATUS_OK_EVENTS_COMPLETE) {
		*rc = KR_OK;
		return resp;
	}
	ippDelete(resp);
	if (st == IPP_STATUS_ERROR_NOT_FOUND) {
		*rc = kerr_set(err, KR_NOT_FOUND, "printer: CUPS has no queue '%s'", p->queue);
		return NULL;
	}
	*rc = kerr_set(err, KR_IO, "printer: %s: %s", p->queue, cupsLastErrorString());
	if (st == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || st == IPP_STATUS_ERROR_INTERNAL)
		disconnect(p);
	return NULL;
}

static unsigned reason_of(const char *kw)
{
	char base[64];
	size_t n = strlen(kw);
	int error = 0;
	static const char *const suffixes[] = {"-error", "-warning", "-report"};
	snprintf(base, sizeof base, "%s", kw);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t s = strlen(suffixes[i]);
		if (n > s && n < sizeof base && strcmp(base + n - s, suffixes[i]) == 0) {
			base[n - s] = '\0';
			error = i == 0;
			break;
		}
	}
	if (strcmp(base, "media-empty") == 0 || strcmp(base, "media-needed") == 0)
		return CUPS_R_MEDIA_EMPTY;
	if (strcmp(base, "media-low") == 0)
		return CUPS_R_MEDIA_LOW;
	if (strcmp(base, "offline") == 0)
		return CUPS_R_OFFLINE;
	if (strcmp(base, "paused") == 0)
		return CUPS_R_PAUSED;
	if (strcmp(base, "media-jam") == 0)
		return CUPS_R_JAMMED;
	return error ? CUPS_R_OTHER : 0;
}

int cups_printer_status(struct cups_printer *p, struct cups_status *st, struct kerr *err)
{
	static const char *const wanted[] = {"printer-state", "printer-state-reasons",
	                                     "printer-is-accepting-jobs", "device-uri"};
	int rc;
	memset(st, 0, sizeof *st);
	if ((rc = connect_scheduler(p, err)) != KR_OK)
		return rc;
	ipp_t *req = request_of(p, IPP_OP_GET_PRINTER_ATTRIBUTES);
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	              (int)(sizeof wanted / sizeof wanted[0]), NULL, wanted);
	ipp_t *resp = exchange(p, req, &rc, err);
	if (!resp) {
		st->reachable = rc == KR_NOT_FOUND;
		return rc;
	}
	st->reachable = st->found = 1;
	ipp_attribute_t *a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM);
	st->state = a ? ippGetInteger(a, 0) : CUPS_STATE_IDLE;
	a = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
	st->accepting = a ? ippGetBoolean(a, 0) : 1;
	a = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD);
	size_t used = 0;
	for (int i = 0; a && i < ippGetCount(a); i++) {
		const char *kw = ippGetString(a, i, NULL);
		if (!kw)
			continue;
		st->reasons |= reason_of(kw);
		int n = snprintf(st->reasons_text + used, sizeof st->reasons_text - used, "%s%s",
		                 used ? "," : "", kw);
		if (n > 0 && (size_t)n < sizeof st->reasons_text - used)
			used += (size_t)n;
	}
	a = ippFindAttribute(resp, "device-uri", IPP_TAG_URI);
	if (a && ippGetString(a, 0, NULL))
		snprintf(st->device_uri, sizeof st->device_uri, "%s", ippGetString(a, 0, NULL));
	ippDelete(resp);
	return KR_OK;
}

int cups_printer_submit(struct cups_printer *p, const char *title, const void *pdf, size_t len,
                        int *job_id, struct kerr *err)
{
	int rc;
	*job_id = 0;
	if ((rc = connect_scheduler(p, err)) != KR_OK)
		return rc;
	int id = cupsCreateJob(p->http, p->queue, title, 0, NULL);
	if (id <= 0) {
		rc = kerr_set(err, KR_IO, "printer: %s refused the job: %s", p->queue,
		              cupsLastErrorString());
		disconnect(p);
		return rc;
	}
	if (cupsStartDocument(p->http, p->queue, id, title, CUPS_FORMAT_PDF, 1) !=
	        HTTP_STATUS_CONTINUE ||
	    cupsWriteRequestData(p->http, pdf, len) != HTTP_STATUS_CONTINUE ||
	    cupsFinishDocument(p->http, p->queue) > IPP_STATUS_OK_CONFLICTING) {
		rc = kerr_set(err, KR_IO, "printer: %s: sending job %d: %s", p->queue, id,
		              cupsLastErrorString());
		disconnect(p);
		return rc;
	}
	*job_id = id;
	return KR_OK;
}

int cups_printer_job_state(struct cups_printer *p, int job_id, int *state, struct kerr *err)
{
	int rc;
	if ((rc = connect_scheduler(p, err)) != KR_OK)
		return rc;
	ipp_t *req = request_of(p, IPP_OP_GET_JOB_ATTRIBUTES);
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", NULL,
	             "job-state");
	ipp_t *resp = exchange(p, req, &rc, err);
	if (!resp)
		return rc;
	ipp_attribute_t *a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM);
	*state = a ? ippGetInteger(a, 0) : CUPS_JOB_PENDING;
	ippDelete(resp);
	return KR_OK;
}

int cups_printer_cancel(struct cups_printer *p, int job_id, struct kerr *err)
{
	int rc;
	if ((rc = connect_scheduler(p, err)) != KR_OK)
		return rc;
	ipp_status_t st = cupsCancelJob2(p->http, p->queue, job_id, 0);
	if (st > IPP_STATUS_OK_CONFLICTING && st != IPP_STATUS_ERROR_NOT_POSSIBLE &&
	    st != IPP_STATUS_ERROR_NOT_FOUND)
		return kerr_set(err, KR_IO, "printer: cancelling job %d: %s", job_id,
		                cupsLastErrorString());
	return KR_OK;
}

const char *cups_status_key(const struct cups_status *st)
{
	if (!st->reachable || !st->found)
		return "print.unreachable";
	if (!st->accepting)
		return "print.not_accepting";
	if (st->state == CUPS_STATE_STOPPED || (st->reasons & CUPS_R_PAUSED))
		return "print.paused";
	if (st->reasons & CUPS_R_MEDIA_EMPTY)
		return "print.paper_out";
	if (st->reasons & CUPS_R_JAMMED)
		return "print.jammed";
	if (st->reasons & CUPS_R_OFFLINE)
		return "print.offline";
	if (st->reasons & CUPS_R_OTHER)
		return "print.error";
	if (st->reasons & CUPS_R_MEDIA_LOW)
		return "print.paper_low";
	return "print.ready";
}

int cups_status_fault(const struct cups_status *st)
{
	const char *k = cups_status_key(st);
	return strcmp(k, "print.ready") != 0 && strcmp(k, "print.paper_low") != 0;
}

int cups_status_refuses(const struct cups_status *st)
{
	return !st->reachable || !st->found || !st->accepting || st->state == CUPS_STATE_STOPPED ||
	       (st->reasons & CUPS_R_PAUSED);
}

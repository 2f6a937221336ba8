/* cups_printer.h — one CUPS queue through libcups: submit a PDF, follow the job, read
 * the printer's state and why it cannot print.
 *
 * A handle keeps one connection to the scheduler (a unix socket or host) and is used by
 * one thread; a lost connection is opened again on the next call. Every exchange is
 * bounded by the handle's time-out. */
#ifndef KIOSK_CUPS_PRINTER_H
#define KIOSK_CUPS_PRINTER_H

#include <stddef.h>

#include "core/result.h"

/* Why a printer cannot print (printer-state-reasons, severity suffix stripped). */
enum cups_reason {
	CUPS_R_MEDIA_EMPTY = 1 << 0, /* media-empty, media-needed */
	CUPS_R_MEDIA_LOW = 1 << 1,
	CUPS_R_OFFLINE = 1 << 2,
	CUPS_R_PAUSED = 1 << 3,
	CUPS_R_JAMMED = 1 << 4, /* media-jam */
	CUPS_R_OTHER = 1 << 5,  /* any other reason of severity error */
};

/* IPP printer-state values. */
enum { CUPS_STATE_IDLE = 3, CUPS_STATE_PROCESSING = 4, CUPS_STATE_STOPPED = 5 };

/* IPP job-state values. */
enum {
	CUPS_JOB_PENDING = 3,
	CUPS_JOB_HELD = 4,
	CUPS_JOB_PROCESSING = 5,
	CUPS_JOB_STOPPED = 6,
	CUPS_JOB_CANCELED = 7,
	CUPS_JOB_ABORTED = 8,
	CUPS_JOB_COMPLETED = 9
};

struct cups_status {
	int reachable; /* the scheduler answered */
	int found;     /* it knows the queue */
	int state;     /* CUPS_STATE_* */
	int accepting; /* printer-is-accepting-jobs */
	unsigned reasons;
	char reasons_text[256]; /* printer-state-reasons as sent, comma-separated, capped */
	char device_uri[512];   /* when the scheduler tells it (to local root) */
};

struct cups_printer;

/* Opens a handle on queue at server ("default": libcups' choice, CUPS_SERVER or
 * client.conf; otherwise a socket path or host). Both strings are copied. No
 * connection is made yet. KR_INVALID for a name too long, KR_NOMEM. */
int cups_printer_open(const char *queue, const char *server, int timeout_s,
                      struct cups_printer **out, struct kerr *err);
/* Closes the connection and frees; NULL does nothing. */
void cups_printer_close(struct cups_printer *p);

/* Reads the queue's state into *st. KR_IO with st->reachable = 0 when the scheduler does
 * not answer, KR_NOT_FOUND with st->found = 0 when it has no such queue. */
int cups_printer_status(struct cups_printer *p, struct cups_status *st, struct kerr *err);

/* Submits len bytes of PDF (borrowed) as one job titled title. *job_id gets its id.
 * KR_IO when the scheduler cannot be reached or refuses the job (the reason in err). */
int cups_printer_submit(struct cups_printer *p, const char *title, const void *pdf, size_t len,
                        int *job_id, struct kerr *err);

/* Reads the job's state (CUPS_JOB_*) into *state. KR_IO, KR_NOT_FOUND. */
int cups_printer_job_state(struct cups_printer *p, int job_id, int *state, struct kerr *err);

/* Cancels the job (a job already ended is not an error). KR_IO. */
int cups_printer_cancel(struct cups_printer *p, int job_id, struct kerr *err);

/* The status key that tells what st means to the kiosk, the first that applies of
 * "print.unreachable" (no scheduler or no queue), "print.not_accepting",
 * "print.paused" (stopped), "print.paper_out", "print.jammed", "print.offline",
 * "print.error" (another error reason), "print.paper_low" and "print.ready". */
const char *cups_status_key(const struct cups_status *st);
/* Whether st keeps the printer from printing (anything but ready and paper low). */
int cups_status_fault(const struct cups_status *st);
/* Whether no job can be handed over at all (no scheduler, no queue, not accepting,
 * stopped): then nothing is submitted. */
int cups_status_refuses(const struct cups_status *st);

#endif

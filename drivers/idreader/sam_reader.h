/* sam_reader.h — one SAM ID card module on a serial line: command/response exchanges
 * over drivers/serial/tty.h with the frames of sam_codec.h, and the find → select →
 * read cycle with retries. No thread and no policy on dates: the service
 * (kiosk/devices/sam_service.c) polls it and decides what the flow hears.
 *
 * Owns the line and the receive buffer. A card's data leaves only through
 * sam_reader_poll's *out, which the caller wipes. */
#ifndef KIOSK_SAM_READER_H
#define KIOSK_SAM_READER_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "drivers/idreader/sam_codec.h"
#include "drivers/idreader/sam_text.h"

struct sam_reader;

struct sam_reader_config {
	const char *device; /* borrowed during sam_reader_open */
	int baud;
	int find_timeout_ms; /* find and select */
	int read_timeout_ms; /* read text + photo */
};

/* What one poll found. */
enum sam_poll {
	SAM_POLL_NONE,     /* no card on the reader (or it was pulled) */
	SAM_POLL_CARD,     /* a card read: *out holds it */
	SAM_POLL_SAME,     /* the card read last is still there: not read again */
	SAM_POLL_FAILED,   /* a card is there but could not be read (after retries) */
	SAM_POLL_UNKNOWN,  /* a card of a kind we do not know */
	SAM_POLL_BAD_DATA, /* the card's text block is malformed */
	SAM_POLL_FAULT,    /* the module does not answer, or reports a SAM fault */
};

/* A card as read. Personal: wiped by whoever holds one. */
struct sam_card {
	struct sam_person person;
	uint8_t photo[SAM_PHOTO_LEN]; /* WLT as read, not decoded */
	size_t nphoto;
};

/* Read attempts of one card before SAM_POLL_FAILED. */
#define SAM_READ_ATTEMPTS 3

/* Opens the module's line. The module is not spoken to yet. Caller frees with
 * sam_reader_close. KR_IO / KR_INVALID with the reason in err; KR_NOMEM. */
int sam_reader_open(const struct sam_reader_config *cfg, struct sam_reader **out, struct kerr *err);
/* Closes the line and wipes what the reader remembers. NULL is ignored. */
void sam_reader_close(struct sam_reader *r);

/* Sends cmd and waits up to timeout_ms for a whole, valid response frame, skipping
 * garbage. On KR_OK *sw3 is its SW3 and data[0..*ndata) its data (cut at cap: KR_INVALID
 * when it does not fit). KR_IO when nothing valid came back in time or the line failed. */
int sam_reader_exchange(struct sam_reader *r, enum sam_cmd cmd, int timeout_ms, int *sw3,
                        uint8_t *data, size_t cap, size_t *ndata, struct kerr *err);

/* One find → select → read cycle, retried up to SAM_READ_ATTEMPTS times while a card
 * stays on the reader. A card read before and not taken off since (no card seen on two
 * polls in a row) gives SAM_POLL_SAME. *out is filled for SAM_POLL_CARD only, and
 * wiped otherwise; detail (no personal data) goes to err for FAILED, BAD_DATA, FAULT. */
enum sam_poll sam_reader_poll(struct sam_reader *r, struct sam_card *out, struct kerr *err);

/* Forgets the card read last, so that it is read again (a new wait for a card). */
void sam_reader_forget(struct sam_reader *r);

#endif

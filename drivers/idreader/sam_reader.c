/* sam_reader.c — exchanges with a SAM module and the read cycle. */
#include "drivers/idreader/sam_reader.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mono.h"
#include "drivers/idreader/sam_codec.h"
#include "drivers/serial/tty.h"

#define DIGEST_LEN 32

struct sam_reader {
	int fd;
	struct sam_reader_config cfg;
	uint8_t rx[2 * SAM_FRAME_MAX]; /* bytes received and not yet consumed */
	size_t nrx;
	uint8_t salt[16];         /* makes the remembered digest useless outside */
	uint8_t last[DIGEST_LEN]; /* digest of the card read last */
	int have_last;
	int absent; /* polls in a row that found no card */
};

int sam_reader_open(const struct sam_reader_config *cfg, struct sam_reader **out, struct kerr *err)
{
	struct sam_reader *r = calloc(1, sizeof *r);
	if (!r)
		return kerr_set(err, KR_NOMEM, "out of memory");
	r->cfg = *cfg;
	r->cfg.device = NULL;
	r->fd = -1;
	int rc = tty_open(cfg->device, cfg->baud, &r->fd, err);
	if (rc == KR_OK && RAND_bytes(r->salt, sizeof r->salt) != 1)
		rc = kerr_set(err, KR_IO, "no random bytes for the card digest");
	if (rc != KR_OK) {
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return rc;
	}
	*out = r;
	return KR_OK;
}

void sam_reader_close(struct sam_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	explicit_bzero(r, sizeof *r);
	free(r);
}

void sam_reader_forget(struct sam_reader *r)
{
	explicit_bzero(r->last, sizeof r->last);
	r->have_last = 0;
}

/* Waits until deadline for a whole frame in r->rx; on success the frame is copied out
 * (sw3, data) and consumed. After the deadline a half frame in front is given up as
 * garbage and the rest scanned once more. */
static int receive(struct sam_reader *r, int64_t deadline, int *sw3, uint8_t *data, size_t cap,
                   size_t *ndata, struct kerr *err)
{
	for (;;) {
		size_t skip = 0, flen = 0;
		struct sam_frame f;
		enum sam_scan s = sam_frame_scan(r->rx, r->nrx, &skip, &flen, &f);
		if (s == SAM_SCAN_FRAME) {
			int rc = KR_OK;
			*sw3 = sam_frame_sw3(&f);
			size_t n = f.nbody >= 3 ? f.nbody - 3 : 0;
			if (*sw3 < 0)
				rc = kerr_set(err, KR_IO, "a response without SW3");
			else if (n > cap)
				rc = kerr_set(err, KR_INVALID,
				              "a response of %zu bytes (at most %zu)", n, cap);
			else
				memcpy(data, f.body + 3, n);
			*ndata = rc == KR_OK ? n : 0;
			skip += flen;
			memmove(r->rx, r->rx + skip, r->nrx - skip);
			r->nrx -= skip;
			explicit_bzero(r->rx + r->nrx, skip);
			return rc;
		}
		memmove(r->rx, r->rx + skip, r->nrx - skip);
		r->nrx -= skip;
		if (r->nrx == sizeof r->rx) { /* a full buffer with no frame: all garbage */
			explicit_bzero(r->rx, sizeof r->rx);
			r->nrx = 0;
		}
		long got = tty_read_some(r->fd, r->rx + r->nrx, sizeof r->rx - r->nrx, deadline);
		if (got < 0)
			return kerr_set(err, KR_IO, "the line failed (module gone?)");
		if (got == 0) {
			/* time is up: a frame that never completed may hide a whole one behind */
			if (r->nrx > 1 && sam_frame_scan(r->rx + 1, r->nrx - 1, &skip, &flen, &f) ==
			                      SAM_SCAN_FRAME) {
				memmove(r->rx, r->rx + 1, r->nrx - 1);
				r->nrx--;
				continue;
			}
			return kerr_set(err, KR_IO, "no answer within the time-out");
		}
		r->nrx += (size_t)got;
	}
}

int sam_reader_exchange(struct sam_reader *r, enum sam_cmd cmd, int timeout_ms, int *sw3,
                        uint8_t *data, size_t cap, size_t *ndata, struct kerr *err)
{
	uint8_t req[16];
	size_t n = sam_frame_request(cmd, req, sizeof req);
	/* whatever is left of an earlier answer is stale now */
	tty_drop_input(r->fd);
	explicit_bzero(r->rx, r->nrx);
	r->nrx = 0;
	int64_t deadline = mono_ms() + timeout_ms;
	int rc = tty_write_all(r->fd, req, n, timeout_ms, err);
	if (rc == KR_OK)
		rc = receive(r, deadline, sw3, data, cap, ndata, err);
	return rc;
}

static void digest_of(const struct sam_reader *r, const uint8_t *text, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0;
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, r->salt, sizeof r->salt) != 1 ||
	    EVP_DigestUpdate(ctx, text, SAM_TEXT_LEN) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1)
		memset(out, 0, DIGEST_LEN); /* no digest: every card reads as new */
	EVP_MD_CTX_free(ctx);
}

/* The data of a read response: TextLen PhotoLen text photo. */
#define READ_DATA_LEN (4 + SAM_TEXT_LEN + SAM_PHOTO_LEN)

/* One attempt at find → select → read. Returns SAM_POLL_NONE when no card, the
 * outcome otherwise; *retry says whether another attempt may help. */
static enum sam_poll attempt(struct sam_reader *r, uint8_t *buf, size_t cap, size_t *n, int *retry,
                             struct kerr *err)
{
	int sw3 = 0;
	*retry = 1; /* one lost or garbled answer is not yet a fault */
	if (sam_reader_exchange(r, SAM_CMD_FIND, r->cfg.find_timeout_ms, &sw3, buf, cap, n, err) !=
	    KR_OK)
		return SAM_POLL_FAULT;
	*retry = 0;
	if (sw3 == SAM_SW_NO_CARD)
		return SAM_POLL_NONE;
	if (sw3 != SAM_SW_FIND_OK) {
		kerr_set(err, KR_IO, "find card: %s (SW3 %02X)", sam_sw3_name(sw3), sw3);
		return SAM_POLL_FAULT;
	}
	*retry = 1;
	if (sam_reader_exchange(r, SAM_CMD_SELECT, r->cfg.find_timeout_ms, &sw3, buf, cap, n,
	                        err) != KR_OK)
		return SAM_POLL_FAILED;
	if (sw3 != SAM_SW_OK) {
		kerr_set(err, KR_IO, "select card: %s (SW3 %02X)", sam_sw3_name(sw3), sw3);
		return SAM_POLL_FAILED;
	}
	if (sam_reader_exchange(r, SAM_CMD_READ, r->cfg.read_timeout_ms, &sw3, buf, cap, n, err) !=
	    KR_OK)
		return SAM_POLL_FAILED; /* e.g. the card was pulled mid-read */
	if (sw3 == SAM_SW_UNKNOWN_CARD) {
		*retry = 0;
		return SAM_POLL_UNKNOWN;
	}
	if (sw3 != SAM_SW_OK) {
		kerr_set(err, KR_IO, "read card: %s (SW3 %02X)", sam_sw3_name(sw3), sw3);
		return SAM_POLL_FAILED;
	}
	size_t tlen = (size_t)buf[0] << 8 | buf[1], plen = (size_t)buf[2] << 8 | buf[3];
	if (*n != READ_DATA_LEN || tlen != SAM_TEXT_LEN || plen != SAM_PHOTO_LEN) {
		kerr_set(err, KR_IO, "read card: %zu bytes of data (text %zu, photo %zu)", *n, tlen,
		         plen);
		return SAM_POLL_FAILED;
	}
	*retry = 0;
	return SAM_POLL_CARD;
}

enum sam_poll sam_reader_poll(struct sam_reader *r, struct sam_card *out, struct kerr *err)
{
	uint8_t buf[READ_DATA_LEN];
	size_t n = 0;
	int retry = 0;
	enum sam_poll p = SAM_POLL_NONE;

	memset(out, 0, sizeof *out);
	for (int i = 0; i < SAM_READ_ATTEMPTS; i++) {
		p = attempt(r, buf, sizeof buf, &n, &retry, err);
		if (!retry)
			break;
	}
	if (p == SAM_POLL_NONE) {
		if (++r->absent >= 2)
			sam_reader_forget(r);
	} else if (p != SAM_POLL_FAULT) {
		r->absent = 0;
	}
	if (p == SAM_POLL_CARD) {
		uint8_t d[DIGEST_LEN];
		const uint8_t *text = buf + 4;
		digest_of(r, text, d);
		if (r->have_last && memcmp(d, r->last, sizeof d) == 0) {
			p = SAM_POLL_SAME;
		} else {
			enum sam_text_result t = sam_text_parse(text, &out->person);
			if (t == SAM_TEXT_UNKNOWN_KIND) {
				p = SAM_POLL_UNKNOWN;
			} else if (t != SAM_TEXT_OK) {
				kerr_set(err, KR_CORRUPT, "the card's text block is malformed");
				p = SAM_POLL_BAD_DATA;
			} else {
				memcpy(out->photo, text + SAM_TEXT_LEN, SAM_PHOTO_LEN);
				out->nphoto = SAM_PHOTO_LEN;
			}
			/* a card that was refused is not read over and over either */
			memcpy(r->last, d, sizeof d);
			r->have_last = 1;
		}
		explicit_bzero(d, sizeof d);
	}
	if (p != SAM_POLL_CARD)
		explicit_bzero(out, sizeof *out);
	explicit_bzero(buf, sizeof buf);
	return p;
}

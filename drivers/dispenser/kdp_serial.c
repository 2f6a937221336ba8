/* kdp_serial.c — the KDP/1 dispenser on a serial line: the dispenser ops over
 * drivers/serial/tty.h with the frames of kdp_codec.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/dispenser/dispenser.h"
#include "base/mono.h"
#include "drivers/dispenser/kdp_codec.h"
#include "drivers/serial/tty.h"

struct kdp_serial {
	int fd;
	int timeout_ms;
	uint8_t seq;
	uint8_t rx[4 * KDP_FRAME_MAX];
	size_t nrx;
};

/* Sends cmd with data and waits for its answer: result code in *result and the data
 * after it (at most cap bytes) in out. KR_IO when no matching answer comes in time. */
static int exchange(struct kdp_serial *k, enum kdp_cmd cmd, const uint8_t *data, size_t n,
                    int *result, uint8_t *out, size_t cap, struct kerr *err)
{
	uint8_t f[KDP_FRAME_MAX];
	uint8_t seq = ++k->seq;
	size_t len = kdp_frame_build(seq, (uint8_t)cmd, data, n, f, sizeof f);
	tty_drop_input(k->fd);
	k->nrx = 0;
	int64_t deadline = mono_ms() + k->timeout_ms;
	int rc = tty_write_all(k->fd, f, len, k->timeout_ms, err);
	while (rc == KR_OK) {
		size_t skip = 0, flen = 0;
		struct kdp_frame fr;
		enum kdp_scan s = kdp_frame_scan(k->rx, k->nrx, &skip, &flen, &fr);
		if (s == KDP_SCAN_FRAME) {
			int match = fr.seq == seq && fr.cmd == (cmd | KDP_ANSWER) && fr.ndata >= 1;
			if (match) {
				*result = fr.data[0];
				size_t m = fr.ndata - 1 < cap ? fr.ndata - 1 : cap;
				if (out)
					memcpy(out, fr.data + 1, m);
				if (out && m < cap)
					memset(out + m, 0, cap - m);
			}
			skip += flen; /* a stale answer is dropped */
			memmove(k->rx, k->rx + skip, k->nrx - skip);
			k->nrx -= skip;
			if (match)
				return KR_OK;
			continue;
		}
		memmove(k->rx, k->rx + skip, k->nrx - skip);
		k->nrx -= skip;
		if (k->nrx == sizeof k->rx)
			k->nrx = 0;
		long got = tty_read_some(k->fd, k->rx + k->nrx, sizeof k->rx - k->nrx, deadline);
		if (got < 0)
			rc = kerr_set(err, KR_IO, "dispenser: the line failed");
		else if (got == 0)
			rc = kerr_set(err, KR_IO, "dispenser: no answer to command %02X", cmd);
		else
			k->nrx += (size_t)got;
	}
	return rc;
}

static enum dispenser_result result_of(int r)
{
	switch (r) {
	case KDP_OK:
		return DISP_DONE;
	case KDP_EMPTY:
		return DISP_EMPTY;
	case KDP_JAM:
		return DISP_JAM;
	case KDP_NO_KEY:
		return DISP_NO_KEY;
	case KDP_OCCUPIED:
		return DISP_OCCUPIED;
	default:
		return DISP_REFUSED;
	}
}

static int k_status(void *dev, struct dispenser_status *st, struct kerr *err)
{
	uint8_t d[2];
	int r = 0;
	int rc = exchange(dev, KDP_STATUS, NULL, 0, &r, d, sizeof d, err);
	if (rc == KR_OK && r != KDP_OK)
		rc = kerr_set(err, KR_IO, "dispenser: status: %s", kdp_result_name(r));
	if (rc != KR_OK)
		return rc;
	st->slot = !!(d[0] & KDP_FLAG_SLOT);
	st->mouth = !!(d[0] & KDP_FLAG_MOUTH);
	st->jammed = !!(d[0] & KDP_FLAG_JAM);
	st->retain_full = !!(d[0] & KDP_FLAG_RETAIN);
	st->empty = d[1];
	return KR_OK;
}

static int movement(void *dev, enum kdp_cmd cmd, const uint8_t *data, size_t n,
                    enum dispenser_result *res, struct kerr *err)
{
	int r = 0;
	int rc = exchange(dev, cmd, data, n, &r, NULL, 0, err);
	if (rc == KR_OK)
		*res = result_of(r);
	return rc;
}

static int k_move(void *dev, int bin, enum dispenser_result *res, struct kerr *err)
{
	uint8_t b = (uint8_t)bin;
	return movement(dev, KDP_MOVE, &b, 1, res, err);
}

static int k_dispense(void *dev, enum dispenser_result *res, struct kerr *err)
{
	return movement(dev, KDP_DISPENSE, NULL, 0, res, err);
}

static int k_retain(void *dev, enum dispenser_result *res, struct kerr *err)
{
	return movement(dev, KDP_RETAIN, NULL, 0, res, err);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int k_counts(void *dev, struct dispenser_counts *c, struct kerr *err)
{
	uint8_t d[12];
	int r = 0;
	int rc = exchange(dev, KDP_COUNTS, NULL, 0, &r, d, sizeof d, err);
	if (rc == KR_OK && r != KDP_OK)
		rc = kerr_set(err, KR_IO, "dispenser: counts: %s", kdp_result_name(r));
	if (rc == KR_OK)
		*c = (struct dispenser_counts){be32(d), be32(d + 4), be32(d + 8)};
	return rc;
}

static void k_close(void *dev)
{
	struct kdp_serial *k = dev;
	if (!k)
		return;
	close(k->fd);
	free(k);
}

static const struct dispenser_ops kdp_ops = {
    "kdp", k_status, k_move, k_dispense, k_retain, k_counts, k_close,
};

int kdp_serial_open(const char *device, int baud, int timeout_ms, struct dispenser *d,
                    struct kerr *err)
{
	struct kdp_serial *k = calloc(1, sizeof *k);
	if (!k)
		return kerr_set(err, KR_NOMEM, "out of memory");
	int rc = tty_open(device, baud, &k->fd, err);
	if (rc != KR_OK) {
		free(k);
		return rc;
	}
	k->timeout_ms = timeout_ms;
	d->ops = &kdp_ops;
	d->dev = k;
	return KR_OK;
}

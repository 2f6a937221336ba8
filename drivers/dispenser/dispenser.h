/* dispenser.h — a blank-key dispenser as an ops table behind a handle, so that a vendor's
 * protocol can be added beside ours (KDP/1 over a serial line: kdp_serial.c). The ops
 * drive the mechanism only; stock counting, thresholds and time-outs are the service's
 * (kiosk/devices/dispenser_service.c). */
#ifndef KIOSK_DISPENSER_H
#define KIOSK_DISPENSER_H

#include <stdint.h>

#include "core/result.h"

#define DISPENSER_MAX_BINS 4

/* What the device answered to a movement. */
enum dispenser_result {
	DISP_DONE,
	DISP_EMPTY,    /* the bin is empty */
	DISP_JAM,      /* the key is stuck */
	DISP_NO_KEY,   /* nothing to dispense or retain */
	DISP_OCCUPIED, /* the personalisation slot already holds a key */
	DISP_REFUSED,  /* anything else the device refused */
};

struct dispenser_status {
	int slot;  /* a key in the personalisation slot */
	int mouth; /* a key presented at the mouth, not yet taken */
	int jammed;
	int retain_full;
	unsigned empty; /* bit n-1: bin n's empty sensor */
};

struct dispenser_counts { /* the device's life counters */
	uint32_t moved, dispensed, retained;
};

/* Every op returns KR_OK when the device answered (a movement's outcome in *res), or
 * KR_IO with the reason in err when it did not (line down, time-out, bad answers). */
struct dispenser_ops {
	const char *name;
	int (*status)(void *dev, struct dispenser_status *st, struct kerr *err);
	/* A blank key from bin (1..DISPENSER_MAX_BINS) to the personalisation slot. */
	int (*move_to_slot)(void *dev, int bin, enum dispenser_result *res, struct kerr *err);
	/* The key in the slot to the mouth, for the user to take. */
	int (*dispense)(void *dev, enum dispenser_result *res, struct kerr *err);
	/* The key in the slot or at the mouth into the retain bin. */
	int (*retain)(void *dev, enum dispenser_result *res, struct kerr *err);
	int (*counts)(void *dev, struct dispenser_counts *c, struct kerr *err);
	void (*close)(void *dev);
};

struct dispenser {
	const struct dispenser_ops *ops;
	void *dev;
};

/* Opens a KDP/1 dispenser on a serial line (kdp_serial.c). The caller closes it with
 * d->ops->close(d->dev). KR_IO / KR_INVALID / KR_NOMEM with the reason in err. */
int kdp_serial_open(const char *device, int baud, int timeout_ms, struct dispenser *d,
                    struct kerr *err);

#endif

/* conf.h — the kiosk's configuration: kiosk.ini and the hall's region file, read with
 * inih.
 *
 * Loading is strict: an unknown key, a missing section or key, a negative or malformed
 * amount, a bad time or a value given twice stops start-up with a message naming the
 * file, the line and the key. Money never gets a default. */
#ifndef KIOSK_CONF_H
#define KIOSK_CONF_H

#include <limits.h>
#include <stdint.h>

#include "core/fees.h"
#include "core/result.h"

#define CONF_MAX_SPANS   4
#define CONF_MAX_OUTLETS 32

/* Opening hours of one kind of day, as minutes after midnight China time. */
struct conf_spans {
	int n; /* 0: closed all day */
	struct {
		int from_min, to_min; /* from < to, 0..1440 */
	} span[CONF_MAX_SPANS];
};

struct conf_outlet {
	char id[32]; /* the part after "outlet." in the section name */
	char name[128];
	char address[256];
	char phone[32];
	char hours[128]; /* as written, for display */
};

struct conf_region {
	char file[PATH_MAX];
	char name[128];                       /* [hall] name */
	char city[64];                        /* [hall] city */
	char hotline[32];                     /* [hall] hotline: the CA's province-wide line */
	char phone[32];                       /* [hall] phone: this hall's own line */
	struct conf_spans workdays, weekends; /* [hours] */
	struct conf_outlet outlet[CONF_MAX_OUTLETS];
	int noutlets;
	struct fee_table fees; /* [fees] years_max and [fees.<holder>.<business>] */
};

/* The service implementations, each chosen by name in [services]. */
enum conf_service {
	SVC_KEYS,
	SVC_PAY,
	SVC_PRINTER,
	SVC_IDREADER,
	SVC_DISPENSER,
	SVC_SYNC,
	SVC_COUNT
};

struct conf {
	char file[PATH_MAX];
	char kiosk_id[16];         /* [kiosk] id: 2–8 letters or digits */
	char database[PATH_MAX];   /* [kiosk] database, resolved against the file's folder */
	char assets[PATH_MAX];     /* [kiosk] assets folder, resolved likewise */
	char language[8];          /* [kiosk] language: zh-CN or en */
	struct conf_region region; /* [kiosk] region names the hall's file, resolved likewise */

	int step_timeout_s;    /* [flow] inactivity time-out of a step, 10..600 */
	int pay_timeout_s;     /* [flow] life of a payment QR and its screen, 60..7200 */
	int countdown_shown_s; /* [flow] the countdown shows during the last N s, 1..60 */
	int renew_window_days; /* [flow] renewal offered this many days before expiry, 0..365 */
	int renew_grace_days;  /* [flow] and this many days after, 0..365 */

	fen_t pay_ceiling_fen; /* [pay] ceiling, in yuan: the most one order may cost */

	char service[SVC_COUNT][16]; /* [services] keys, pay, printer, idreader, dispenser, sync */
};

/* Loads path (kiosk.ini) and the region file it names into *out.
 * Returns KR_OK; or KR_CONFIG / KR_IO with "file:line: [section] key: reason" in err,
 * in which case *out is unspecified. */
int conf_load(const char *path, struct conf *out, struct kerr *err);

/* Loads one region file alone (used by conf_load and by tests). */
int conf_load_region(const char *path, struct conf_region *out, struct kerr *err);

/* Parses "HH:MM-HH:MM[,HH:MM-HH:MM…]" or "closed". Returns KR_OK or KR_INVALID. */
int conf_parse_spans(const char *s, struct conf_spans *out);

/* Whether the hall is open at utc_s (seconds since the epoch, UTC), judged in China
 * time (UTC+8): workdays are Monday to Friday. */
int conf_hall_open(const struct conf_region *r, int64_t utc_s);

/* The name of a service slot ("keys") and its reverse (-1 when unknown). */
const char *conf_service_name(enum conf_service s);
int conf_service_from_name(const char *name);

#endif

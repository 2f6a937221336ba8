/* result.h — the one result type of the kiosk.
 *
 * Every fallible function returns an int from enum kr; values come back through
 * out-parameters and a readable detail, where there is one, in a caller-supplied
 * struct kerr. A device or network failure is an ordinary result, never an abort. */
#ifndef KIOSK_RESULT_H
#define KIOSK_RESULT_H

#include <stddef.h>

enum kr {
	KR_OK = 0,
	KR_INVALID,     /* bad input: a value outside what is allowed */
	KR_NOT_OFFERED, /* the business or option is not offered here */
	KR_NOMEM,
	KR_IO,       /* a read or write failed */
	KR_CORRUPT,  /* a file or record is damaged */
	KR_FOREIGN,  /* a file that is not ours */
	KR_FULL,     /* no space left */
	KR_READONLY, /* the medium refuses writes */
	KR_CONFLICT, /* a state change that is not allowed from here */
	KR_NOT_FOUND,
	KR_CONFIG, /* a configuration file is wrong */
	KR_BUSY,
	KR_COUNT
};

/* A readable reason for a failed call, filled by the callee. */
struct kerr {
	char msg[512];
};

/* The name of a result code ("ok", "invalid", ...). Never NULL. */
const char *kr_name(int rc);

/* Formats a message into err (if not NULL) and returns rc, so that callers can write
 * `return kerr_set(err, KR_INVALID, "bad %s", x);`. The message is one line for a log:
 * control bytes (below 0x20, and 0x7f) are replaced by '?', whatever text from outside
 * (a gateway, a device) went into it. */
int kerr_set(struct kerr *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Puts the formatted text before the message err holds (e.g. "kiosk.ini: [alipay] "
 * before a client's "app_key: cannot read …") and returns rc; err may be NULL. */
int kerr_prefix(struct kerr *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

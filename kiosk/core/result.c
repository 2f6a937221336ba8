/* result.c — names of result codes and the error-message helper. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[KR_COUNT] = {
    [KR_OK] = "ok",
    [KR_INVALID] = "invalid",
    [KR_NOT_OFFERED] = "not offered",
    [KR_NOMEM] = "out of memory",
    [KR_IO] = "i/o error",
    [KR_CORRUPT] = "corrupt",
    [KR_FOREIGN] = "foreign file",
    [KR_FULL] = "disk full",
    [KR_READONLY] = "read-only",
    [KR_CONFLICT] = "conflict",
    [KR_NOT_FOUND] = "not found",
    [KR_CONFIG] = "configuration error",
    [KR_BUSY] = "busy",
};

const char *kr_name(int rc)
{
	if (rc < 0 || rc >= KR_COUNT || !names[rc])
		return "unknown";
	return names[rc];
}

int kerr_set(struct kerr *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		/* one line of text for a log, whatever came from outside */
		for (char *c = err->msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	return rc;
}

/* result.c — names of result codes and the error-message helpers. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* One line of text for a log, whatever came from outside. */
static void one_line(char *msg)
{
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

int kerr_set(struct kerr *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		one_line(err->msg);
	}
	return rc;
}

int kerr_prefix(struct kerr *err, int rc, const char *fmt, ...)
{
	if (err) {
		char was[sizeof err->msg];
		memcpy(was, err->msg, sizeof was);
		was[sizeof was - 1] = '\0';
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < sizeof err->msg)
			snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%s", was);
		one_line(err->msg);
	}
	return rc;
}

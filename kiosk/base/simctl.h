/* simctl.h — the client side of a device simulator's control channel: one line sent on
 * a unix stream socket, one line back ("ok …" or "error …"). app/steer.c uses it to let
 * a scenario steer the simulator behind a real service (runner verbs such as
 * "idreader present ID NAME"); tests use it to script cards and faults. */
#ifndef KIOSK_SIMCTL_H
#define KIOSK_SIMCTL_H

#include <stddef.h>

#include "core/result.h"

/* Sends line (no newline) to the simulator listening on path and waits up to
 * timeout_ms for its answer, copied without the newline into reply (size bytes, may be
 * NULL). KR_OK for "ok…", KR_INVALID for "error…" (the message in err), KR_IO when the
 * simulator cannot be reached or does not answer. */
int simctl_send(const char *path, const char *line, char *reply, size_t size, int timeout_ms,
                struct kerr *err);

#endif

/* notify.h — the systemd notification protocol (sd_notify) without libsystemd: one
 * datagram per state ("READY=1", "WATCHDOG=1", "STOPPING=1") to the unix socket named by
 * $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name. Without
 * $NOTIFY_SOCKET (not started by systemd) nothing is sent. Owns no state. */
#ifndef KIOSK_BASE_NOTIFY_H
#define KIOSK_BASE_NOTIFY_H

#include "core/result.h"

/* Sends state (borrowed, e.g. "READY=1") to $NOTIFY_SOCKET. KR_OK when sent or when the
 * variable is unset; KR_INVALID for a malformed socket name; KR_IO when sending failed. */
int notify_send(const char *state, struct kerr *err);

#endif

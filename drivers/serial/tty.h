/* tty.h — a serial line for the device drivers: opened raw (termios, 8N1, no flow
 * control) at a configured baud rate, written whole and read with poll() time-outs.
 * Knows nothing of any protocol; the codecs sit above it. */
#ifndef KIOSK_TTY_H
#define KIOSK_TTY_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* Opens path (a tty, USB-serial bridge or pty) raw at baud (9600, 19200, 38400, 57600,
 * 115200) into *fd; the caller closes it with close(). KR_INVALID for another baud
 * rate, KR_IO when it cannot be opened or set up. */
int tty_open(const char *path, int baud, int *fd, struct kerr *err);

/* Whether baud is a rate tty_open accepts. */
int tty_baud_ok(int baud);

/* Drops whatever was received and not read yet. */
void tty_drop_input(int fd);

/* Writes all n bytes within timeout_ms. KR_OK, or KR_IO (a write error or the time-out). */
int tty_write_all(int fd, const uint8_t *buf, size_t n, int timeout_ms, struct kerr *err);

/* Waits until the monotonic deadline_ms (see mono_ms in base/mono.h) for bytes and reads at most
 * cap of them into buf. Returns the count read (> 0), 0 at the deadline, or -1 on an error or a
 * hang-up (the device gone). */
long tty_read_some(int fd, uint8_t *buf, size_t cap, int64_t deadline_ms);

#endif

/* simloop.h — what the device simulators share: a pseudo-terminal whose slave side the
 * kiosk opens as its serial line, a unix control socket for tests and the demo, and the
 * loop serving both. */
#ifndef KIOSK_SIMLOOP_H
#define KIOSK_SIMLOOP_H

#include <stddef.h>
#include <stdint.h>

struct simloop {
	int master;     /* the device's side of the pty */
	int slave;      /* kept open so that the master never sees a hang-up */
	int control;    /* listening control socket, -1 when none */
	char name[128]; /* the slave's path */
};

/* Opens a raw pty (symlinked at link_path when not NULL) and the control socket at
 * ctl_path (when not NULL), and prints the slave's path on stdout. Exits on failure. */
void simloop_open(struct simloop *s, const char *link_path, const char *ctl_path);

/* Serves forever. Bytes from the kiosk are gathered in rx (cap bytes) and handed to
 * consume(), which answers every whole frame at the start and returns how many bytes
 * it used (0: it needs more); a full buffer of garbage is dropped. A control line is
 * handed to control(), whose reply (a line) goes back. Returns 1 when poll() fails. */
int simloop_run(struct simloop *s, uint8_t *rx, size_t cap,
                size_t (*consume)(int master, const uint8_t *rx, size_t n),
                void (*control)(char *line, char *reply, size_t size));

#endif

/* prn_testutil.h — for the printer tests: a sample receipt, running the tools that read
 * PDFs (pdftotext, pdftoppm, zbarimg), and the private cupsd rig (tests/rigs/cupsd.sh). */
#ifndef KIOSK_PRN_TESTUTIL_H
#define KIOSK_PRN_TESTUTIL_H

#include <stddef.h>

#include "core/flow.h"

/* The renewal receipt of the demo scenario (NT0126112100000001, 700.00 yuan). */
void prn_sample_receipt(struct receipt_data *d);

/* Runs a shell command and returns what it printed on stdout (malloc'd, NUL-ended, at
 * most 256 KiB, the caller frees), or NULL when it exits non-zero. */
char *prn_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes len bytes to path. 0 on success. */
int prn_write_file(const char *path, const void *data, size_t len);

/* Makes a fresh temporary folder (mode 0755) into dir (at least 64 bytes). 0 on success. */
int prn_tempdir(char *dir, size_t size);

/* Starts the private cupsd in dir (queue "receipt", capture folder dir/out) and sets
 * CUPS_SERVER to its socket. 0 on success. */
int prn_rig_start(const char *dir);
/* Stops it (also when already stopped). */
void prn_rig_stop(const char *dir);
/* Runs a CUPS admin command against the rig ("cupsreject receipt"). 0 on success. */
int prn_rig_admin(const char *cmd);
/* The number of jobs in dir/out and the path of the newest into newest (may be NULL). */
int prn_rig_jobs(const char *dir, char *newest, size_t size);

#endif

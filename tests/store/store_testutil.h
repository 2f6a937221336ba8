/* store_testutil.h — helpers shared by the store tests and the store benchmark: a
 * temporary directory, a file digest, raw SQL on a database file, and order specs. */
#ifndef KIOSK_TEST_STORE_TESTUTIL_H
#define KIOSK_TEST_STORE_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Makes a fresh directory under $TMPDIR (or /tmp) into dir. Returns 0 or -1. */
int tu_tmpdir(char *dir, size_t size);

/* Removes every file in dir (not recursive), then dir itself. */
void tu_rmdir(const char *dir);

/* Joins dir and name into out (size PATH_MAX is plenty). */
void tu_path(char *out, size_t size, const char *dir, const char *name);

/* SHA-256 of a whole file into out[32]. Returns 0, or -1 when it cannot be read. */
int tu_sha256_file(const char *path, unsigned char *out);

/* Runs sql on the file through a raw SQLite connection of its own. Returns the SQLite
 * result code. */
int tu_sql(const char *path, const char *sql);

/* One integer from a query on the file through a raw connection (-1 on error). */
int64_t tu_sql_int(const char *path, const char *sql);

/* A one-line certificate quote of total fen (an empty quote when total is 0). */
struct fee_quote tu_quote(fen_t total);

/* A spec for kiosk "K01", a new certificate for a unit, at now_utc. q is borrowed. */
struct order_spec tu_spec(const struct fee_quote *q, int64_t now_utc);

#endif

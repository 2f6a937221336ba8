/* crlfile.h — reads the local issuer's CRL file ([keys] crl_file) for the central site:
 * bounded, DER or PEM, and hostile input refused with a reason, never a crash. Gives the
 * CRL's DER (what is sent, docs/central-api.md §7) and its crlNumber. */
#ifndef KIOSK_SYNC_CRLFILE_H
#define KIOSK_SYNC_CRLFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

#define CRLFILE_MAX (16 * 1024 * 1024) /* a larger file is refused */

struct crlfile {
	unsigned char *der; /* OpenSSL's heap: a DER file's bytes, a PEM file's CRL re-encoded */
	size_t len;
	int64_t number; /* crlNumber, 0 .. INT64_MAX */
};

/* Reads data[0..size) (borrowed) as one CRL: DER with nothing after it, or else the
 * first PEM block "-----BEGIN X509 CRL-----" (text may come before it). On KR_OK *out holds its DER
 * and number, the caller's to crlfile_free(); otherwise KR_CORRUPT (not a CRL, trailing bytes, no
 * or a negative or too large crlNumber) or KR_NOMEM with the reason in err, and *out is zeroed. */
int crlfile_parse(const unsigned char *data, size_t size, struct crlfile *out, struct kerr *err);

/* Reads the file at path as crlfile_parse does, refusing one above CRLFILE_MAX bytes
 * (KR_INVALID). KR_NOT_FOUND when there is no file, KR_IO when it cannot be read; the
 * reason names path. */
int crlfile_read(const char *path, struct crlfile *out, struct kerr *err);

/* Frees what crlfile_parse or crlfile_read gave and zeroes *c; NULL or zeroed is fine. */
void crlfile_free(struct crlfile *c);

#endif

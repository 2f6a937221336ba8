/* curlbuf.h — a bounded buffer for what a libcurl transfer answers (the Alipay gateway,
 * the central site): filled by curlbuf_write as CURLOPT_WRITEFUNCTION, a transfer that
 * answers more than the buffer holds is aborted and marked. */
#ifndef KIOSK_CURLBUF_H
#define KIOSK_CURLBUF_H

#include <stddef.h>

struct curlbuf {
	char *data; /* cap + 1 bytes, the caller's: always terminated at len */
	size_t cap;
	size_t len;
	int overflow; /* the answer was longer than cap: the transfer was aborted */
};

/* Empties b for the next transfer. */
void curlbuf_reset(struct curlbuf *b);

/* CURLOPT_WRITEFUNCTION with a struct curlbuf as CURLOPT_WRITEDATA: appends, or sets
 * overflow and returns 0 (libcurl aborts) when the answer would pass cap. */
size_t curlbuf_write(char *data, size_t size, size_t n, void *ctx);

#endif

/* curlbuf.c — a bounded answer buffer for libcurl (see curlbuf.h). */
#include "base/curlbuf.h"

#include <string.h>

void curlbuf_reset(struct curlbuf *b)
{
	b->len = 0;
	b->overflow = 0;
	b->data[0] = '\0';
}

size_t curlbuf_write(char *data, size_t size, size_t n, void *ctx)
{
	struct curlbuf *b = ctx;
	size_t len = size * n;
	if (len > b->cap - b->len) {
		b->overflow = 1;
		return 0; /* aborts the transfer */
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

/* httpd.h — a tiny HTTP/1.1 server side for the test peers: listen on 127.0.0.1, read one
 * request (with a size cap), answer it, keep the connection alive when asked. Plain or
 * TLS (an OpenSSL SSL* set up by the caller). Blocking, one request at a time. */
#ifndef KIOSK_TEST_HTTPD_H
#define KIOSK_TEST_HTTPD_H

#include <stddef.h>

#include <openssl/ssl.h>

struct httpd_conn {
	int fd;
	SSL *ssl; /* NULL: plain */
};

struct httpd_request {
	char method[8];
	char path[512]; /* without the query */
	char query[512];
	char *body; /* inside the caller's buffer, NUL-terminated */
	size_t body_len;
	int close; /* the client asked to close (or spoke HTTP/1.0) */
};

/* Listens on 127.0.0.1:*port (0: the system picks) and sets *port. Exits on failure. */
int httpd_listen(int *port, const char *who);

/* Reads one request into buf (size bytes at most). 0 on success, -1 when the connection
 * closed, timed out or sent something too long or malformed. */
int httpd_read(struct httpd_conn *c, char *buf, size_t size, struct httpd_request *req);

/* Writes an answer; extra: more header lines ending in "\r\n", or NULL. */
void httpd_respond(struct httpd_conn *c, int status, const char *type, const char *body,
                   int keep_alive, const char *extra);

/* The value of query parameter name into out ("" when absent); returns out. */
const char *httpd_param(const char *query, const char *name, char *out, size_t size);

#endif

/* httpd.c — the tiny HTTP/1.1 server side of the test peers. */
#define _GNU_SOURCE
#include "httpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int httpd_listen(int *port, const char *who)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)*port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		fprintf(stderr, "%s: listen on 127.0.0.1:%d: ", who, *port);
		perror(NULL);
		exit(2);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int conn_read(struct httpd_conn *c, char *buf, size_t n)
{
	return c->ssl ? SSL_read(c->ssl, buf, (int)n) : (int)read(c->fd, buf, n);
}

static void conn_write(struct httpd_conn *c, const char *buf, size_t n)
{
	if (c->ssl)
		SSL_write(c->ssl, buf, (int)n);
	else if (write(c->fd, buf, n) < 0)
		perror("httpd: write");
}

int httpd_read(struct httpd_conn *c, char *buf, size_t size, struct httpd_request *req)
{
	size_t used = 0;
	char *end;
	memset(req, 0, sizeof *req);
	buf[0] = '\0';
	while (!(end = strstr(buf, "\r\n\r\n"))) {
		if (used + 1 >= size)
			return -1;
		int r = conn_read(c, buf + used, size - used - 1);
		if (r <= 0)
			return -1;
		used += (size_t)r;
		buf[used] = '\0';
	}
	char target[1100], version[16] = "";
	if (sscanf(buf, "%7s %1023s %15s", req->method, target, version) < 2)
		return -1;
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	snprintf(req->path, sizeof req->path, "%.511s", target);
	snprintf(req->query, sizeof req->query, "%.511s", q ? q : "");
	*end = '\0'; /* headers only, for the searches below */
	req->close = strcmp(version, "HTTP/1.1") != 0 || strcasestr(buf, "connection: close");
	const char *cl = strcasestr(buf, "content-length:");
	long len = cl ? atol(cl + 15) : 0;
	char *body = end + 4;
	if (len < 0 || (size_t)(body - buf) + (size_t)len >= size)
		return -1;
	while ((size_t)(buf + used - body) < (size_t)len) {
		int r = conn_read(c, buf + used, size - used - 1);
		if (r <= 0)
			return -1;
		used += (size_t)r;
	}
	body[len] = '\0';
	req->body = body;
	req->body_len = (size_t)len;
	return 0;
}

void httpd_respond(struct httpd_conn *c, int status, const char *type, const char *body,
                   int keep_alive, const char *extra)
{
	char head[512];
	size_t blen = strlen(body);
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
	                 status, status == 200 ? "OK" : "Error", type, blen,
	                 keep_alive ? "" : "Connection: close\r\n", extra ? extra : "");
	/* one write: head and body together */
	char *all = malloc((size_t)n + blen);
	if (!all)
		return;
	memcpy(all, head, (size_t)n);
	memcpy(all + n, body, blen);
	conn_write(c, all, (size_t)n + blen);
	free(all);
}

const char *httpd_param(const char *query, const char *name, char *out, size_t size)
{
	size_t len = strlen(name);
	out[0] = '\0';
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (strncmp(p, name, len) == 0 && p[len] == '=') {
			snprintf(out, size, "%.*s", (int)strcspn(p + len + 1, "& "), p + len + 1);
			return out;
		}
	return out;
}

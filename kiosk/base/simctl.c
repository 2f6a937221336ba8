/* simctl.c — one request/answer line on a simulator's control socket. */
#include "base/simctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/mono.h"

int simctl_send(const char *path, const char *line, char *reply, size_t size, int timeout_ms,
                struct kerr *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[512];
	if (strlen(path) >= sizeof a.sun_path)
		return kerr_set(err, KR_INVALID, "%s: socket path too long", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kerr_set(err, KR_IO, "socket: %s", strerror(errno));
	int rc = KR_OK;
	int n = snprintf(buf, sizeof buf, "%s\n", line);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		rc = kerr_set(err, KR_IO, "simulator at %s: %s", path, strerror(errno));
	else if (n < 0 || (size_t)n >= sizeof buf || write(fd, buf, (size_t)n) != n)
		rc = kerr_set(err, KR_IO, "simulator at %s: cannot send", path);
	size_t got = 0;
	int64_t deadline = mono_ms() + timeout_ms;
	while (rc == KR_OK && !memchr(buf, '\n', got)) {
		int64_t left = deadline - mono_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			rc = kerr_set(err, KR_IO, "simulator at %s: no answer", path);
			break;
		}
		ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
		if (r <= 0 || (got += (size_t)r) == sizeof buf - 1) {
			rc = kerr_set(err, KR_IO, "simulator at %s: bad answer", path);
			break;
		}
		buf[got] = '\0';
	}
	close(fd);
	if (rc != KR_OK)
		return rc;
	buf[strcspn(buf, "\n")] = '\0';
	if (reply)
		snprintf(reply, size, "%s", buf);
	if (strncmp(buf, "ok", 2) != 0)
		rc = kerr_set(err, KR_INVALID, "simulator: %s", buf);
	explicit_bzero(buf, sizeof buf);
	return rc;
}

/* notify.c — sd_notify over a unix datagram socket (see notify.h). */
#include "base/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int notify_send(const char *state, struct kerr *err)
{
	const char *name = getenv("NOTIFY_SOCKET");
	if (!name || !*name)
		return KR_OK;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len < 2 || len >= sizeof sa.sun_path)
		return kerr_set(err, KR_INVALID,
		                "NOTIFY_SOCKET '%.100s': not a socket path or @name", name);
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: no terminating NUL in the address */
	socklen_t salen =
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/' ? 1 : 0));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kerr_set(err, KR_IO, "notify socket: %s", strerror(errno));
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	int e = errno;
	close(fd);
	if (n != (ssize_t)strlen(state))
		return kerr_set(err, KR_IO, "notify %s: %s", name, n < 0 ? strerror(e) : "short");
	return KR_OK;
}

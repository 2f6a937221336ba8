/* test_notify.c — sd_notify: READY=1, WATCHDOG=1 and STOPPING=1 arrive as datagrams on a
 * unix datagram socket made here, by path and by abstract name; nothing is sent and
 * nothing fails without $NOTIFY_SOCKET; a malformed name is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/notify.h"
#include "check.h"

/* Binds a datagram socket at name ("/path" or "@abstract"). */
static int listen_at(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	CHECK_INT(bind(fd, (struct sockaddr *)&sa, salen), 0);
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[64] = "";
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, want);
}

static void round_trip(const char *name)
{
	struct kerr err = {{0}};
	int fd = listen_at(name);
	setenv("NOTIFY_SOCKET", name, 1);
	static const char *const states[] = {"READY=1", "WATCHDOG=1", "STOPPING=1"};
	for (int i = 0; i < 3; i++) {
		CHECK_INT(notify_send(states[i], &err), KR_OK);
		expect_datagram(fd, states[i]);
	}
	close(fd);
}

int main(void)
{
	struct kerr err = {{0}};
	char dir[] = "/tmp/kiosk-notify-XXXXXX", path[128], abstract[64];
	CHECK(mkdtemp(dir) != NULL);
	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(notify_send("READY=1", &err), KR_OK); /* not under systemd */

	snprintf(path, sizeof path, "%s/notify", dir);
	round_trip(path);
	snprintf(abstract, sizeof abstract, "@kiosk-notify-test-%d", (int)getpid());
	round_trip(abstract);

	setenv("NOTIFY_SOCKET", "relative/name", 1);
	CHECK_INT(notify_send("READY=1", &err), KR_INVALID);
	setenv("NOTIFY_SOCKET", path, 1); /* nobody listens any more */
	unlink(path);
	CHECK_INT(notify_send("READY=1", &err), KR_IO);
	rmdir(dir);
	return check_done();
}

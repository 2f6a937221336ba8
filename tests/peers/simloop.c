/* simloop.c — the pty, control socket and serve loop of the device simulators. */
#include "simloop.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

void simloop_open(struct simloop *s, const char *link_path, const char *ctl_path)
{
	struct termios raw;
	memset(&raw, 0, sizeof raw);
	cfmakeraw(&raw);
	signal(SIGPIPE, SIG_IGN);
	if (openpty(&s->master, &s->slave, s->name, &raw, NULL) != 0) {
		perror("openpty");
		exit(1);
	}
	if (link_path) {
		unlink(link_path);
		if (symlink(s->name, link_path) != 0) {
			perror(link_path);
			exit(1);
		}
	}
	s->control = -1;
	if (ctl_path) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof a.sun_path, "%s", ctl_path);
		unlink(ctl_path);
		s->control = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s->control < 0 || bind(s->control, (struct sockaddr *)&a, sizeof a) != 0 ||
		    listen(s->control, 8) != 0) {
			perror(ctl_path);
			exit(1);
		}
	}
	printf("%s\n", s->name);
	fflush(stdout);
}

int simloop_run(struct simloop *s, uint8_t *rx, size_t cap,
                size_t (*consume)(int master, const uint8_t *rx, size_t n),
                void (*control)(char *line, char *reply, size_t size))
{
	size_t nrx = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = s->master, .events = POLLIN},
		                      {.fd = s->control, .events = POLLIN}};
		if (poll(p, s->control >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			ssize_t r = read(s->master, rx + nrx, cap - nrx);
			if (r > 0)
				nrx += (size_t)r;
			size_t used;
			while (nrx && (used = consume(s->master, rx, nrx)) > 0) {
				memmove(rx, rx + used, nrx - used);
				nrx -= used;
			}
			if (nrx == cap)
				nrx = 0;
		}
		if (s->control >= 0 && (p[1].revents & POLLIN)) {
			int c = accept(s->control, NULL, NULL);
			char line[512], reply[256];
			ssize_t n = c >= 0 ? read(c, line, sizeof line - 1) : -1;
			if (n > 0) {
				line[n] = '\0';
				control(line, reply, sizeof reply);
				dprintf(c, "%s\n", reply);
			}
			if (c >= 0)
				close(c);
		}
	}
}

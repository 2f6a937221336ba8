/* tty.c — raw serial lines with poll() time-outs. */
#include "drivers/serial/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/mono.h"

static speed_t speed_of(int baud)
{
	switch (baud) {
	case 9600:
		return B9600;
	case 19200:
		return B19200;
	case 38400:
		return B38400;
	case 57600:
		return B57600;
	case 115200:
		return B115200;
	default:
		return 0;
	}
}

int tty_baud_ok(int baud)
{
	return speed_of(baud) != 0;
}

int tty_open(const char *path, int baud, int *fd, struct kerr *err)
{
	speed_t sp = speed_of(baud);
	if (!sp)
		return kerr_set(err, KR_INVALID, "%d baud is not supported", baud);
	int f = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return kerr_set(err, KR_IO, "%s: cannot open: %s", path, strerror(errno));
	struct termios t;
	if (tcgetattr(f, &t) != 0) {
		int e = errno;
		close(f);
		return kerr_set(err, KR_IO, "%s: not a serial line: %s", path, strerror(e));
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	if (tcsetattr(f, TCSANOW, &t) != 0) {
		int e = errno;
		close(f);
		return kerr_set(err, KR_IO, "%s: cannot set %d baud raw: %s", path, baud,
		                strerror(e));
	}
	*fd = f;
	return KR_OK;
}

void tty_drop_input(int fd)
{
	tcflush(fd, TCIFLUSH);
}

int tty_write_all(int fd, const uint8_t *buf, size_t n, int timeout_ms, struct kerr *err)
{
	int64_t deadline = mono_ms() + timeout_ms;
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return kerr_set(err, KR_IO, "write: %s", strerror(errno));
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return kerr_set(err, KR_IO, "write: timed out");
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		poll(&p, 1, (int)left);
	}
	return KR_OK;
}

long tty_read_some(int fd, uint8_t *buf, size_t cap, int64_t deadline_ms)
{
	for (;;) {
		ssize_t r = read(fd, buf, cap);
		if (r > 0)
			return (long)r;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -1; /* EIO: the other end of a pty closed */
		int64_t left = deadline_ms - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, (int)left);
		if (n > 0 && (p.revents & (POLLERR | POLLNVAL)))
			return -1;
		if (n > 0 && (p.revents & POLLHUP) && !(p.revents & POLLIN))
			return -1;
	}
}

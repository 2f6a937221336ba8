/* rig.c — simulator processes for the device tests. */
#include "rig.h"

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/simctl.h"

int rig_dir(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, size, "%s/kiosk-rig-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

pid_t rig_start(const char *prog, const char *dir, const char *name, ...)
{
	char tty[512], ctl[512];
	const char *argv[24] = {prog, "--link", tty, "--control", ctl};
	int argc = 5;
	va_list ap;
	va_start(ap, name);
	for (const char *a; argc < 23 && (a = va_arg(ap, const char *));)
		argv[argc++] = a;
	va_end(ap);
	snprintf(tty, sizeof tty, "%s/%s.tty", dir, name);
	snprintf(ctl, sizeof ctl, "%s/%s.ctl", dir, name);
	int out[2];
	if (pipe(out) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	char c;
	/* ready once it has printed its pty's name */
	while (pid > 0 && read(out[0], &c, 1) == 1 && c != '\n')
		;
	close(out[0]);
	if (pid > 0 && access(ctl, F_OK) != 0) {
		rig_stop(pid);
		return -1;
	}
	return pid;
}

void rig_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int rig_ctl(const char *dir, const char *name, const char *line, char *reply, size_t size)
{
	char ctl[512];
	struct kerr err;
	snprintf(ctl, sizeof ctl, "%s/%s.ctl", dir, name);
	int rc = simctl_send(ctl, line, reply, size, 5000, &err);
	if (rc != 0)
		fprintf(stderr, "rig: %s: %s\n", line, err.msg);
	return rc;
}

void rig_clean(const char *dir)
{
	DIR *d = opendir(dir);
	char path[1024];
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* prn_testutil.c — helpers of the printer tests (see prn_testutil.h). */
#include "prn_testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define RUN_MAX (256 * 1024)

void prn_sample_receipt(struct receipt_data *d)
{
	memset(d, 0, sizeof *d);
	d->biz = BIZ_RENEW;
	d->holder = HOLDER_UNIT;
	snprintf(d->order_no, sizeof d->order_no, "NT0126112100000001");
	d->quote.nlines = 2;
	d->quote.line[0] = (struct fee_line){"fee.cert", 1, 4, 1, 56000, 56000};
	d->quote.line[1] = (struct fee_line){"fee.seal", 1, 4, 1, 14000, 14000};
	d->quote.total_fen = 70000;
	snprintf(d->trade_no, sizeof d->trade_no, "2026112122001400000000000042");
	snprintf(d->subject_masked, sizeof d->subject_masked,
	         "国信科技有限公司（南通）工程招标投标代理部 9135**********1XR9G");
	snprintf(d->cert_serial, sizeof d->cert_serial, "5A3F0000000000000000000000C0FFEE");
	d->not_before_utc = 1795276800; /* 2026-11-22 00:00 China time */
	d->not_after_utc = 1921507199;  /* 2030-11-21 23:59:59 China time */
	d->next_key = "next.activate";
	d->at_utc = 1795266000; /* 2026-11-21 21:00 China time */
}

char *prn_run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *f = popen(cmd, "r");
	if (!f)
		return NULL;
	char *out = malloc(RUN_MAX + 1);
	size_t n = out ? fread(out, 1, RUN_MAX, f) : 0;
	int status = pclose(f);
	if (!out)
		return NULL;
	out[n] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		free(out);
		return NULL;
	}
	return out;
}

int prn_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

int prn_tempdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/kiosk-prn.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return chmod(dir, 0755);
}

static const char *source_dir(void)
{
	const char *s = getenv("KIOSK_SOURCE_DIR");
	return s ? s : KIOSK_SOURCE_DIR;
}

int prn_rig_start(const char *dir)
{
	char cmd[1024], sock[512];
	snprintf(cmd, sizeof cmd, "sh '%s/tests/rigs/cupsd.sh' start '%s'", source_dir(), dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(sock, sizeof sock, "%s/cups.sock", dir);
	return setenv("CUPS_SERVER", sock, 1);
}

void prn_rig_stop(const char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh '%s/tests/rigs/cupsd.sh' stop '%s'", source_dir(), dir);
	if (system(cmd) != 0)
		fprintf(stderr, "stopping the rig in %s failed\n", dir);
}

int prn_rig_admin(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

int prn_rig_jobs(const char *dir, char *newest, size_t size)
{
	char out[512];
	snprintf(out, sizeof out, "%s/out", dir);
	DIR *d = opendir(out);
	int n = 0, best = -1;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int id;
		char tail[8];
		if (sscanf(e->d_name, "job-%d.%7s", &id, tail) == 2 && strcmp(tail, "pdf") == 0) {
			n++;
			if (id > best) {
				best = id;
				if (newest)
					snprintf(newest, size, "%s/job-%d.pdf", out, id);
			}
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* bench_ui.c — the touch UI's figures (printed, never failing on time): frame time
 * p50/p99/max over a renewal tapped through at 1080×1920 with the software renderer;
 * process start to first frame (the kiosk binary, --window --frames 1); CPU use while
 * idle on the start screen (KIOSK_BENCH_IDLE_S seconds, 3 by default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../ui/ui_testutil.h"
#include "ui/run.h"

#define MAX_FRAMES 4096

static double frames_ms[MAX_FRAMES];
static int nframes;

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Draws the screen now shown as a fresh frame (layout and all) a few times, timing each. */
static void frames(struct rig *r, int n)
{
	for (int i = 0; i < n && nframes < MAX_FRAMES; i++) {
		int64_t t0 = ui_mono_ns();
		ui_set_display(r->ui, 0, 0, 0); /* forces layout and drawing */
		ui_frame(r->ui, (uint32_t)(i * 16));
		frames_ms[nframes++] = (double)(ui_mono_ns() - t0) / 1e6;
	}
}

static void renewal(void)
{
	struct rig r;
	rig_start(&r, "tests/ui/ui-kiosk.ini", "2026-11-21 21:00");
	frames(&r, 10);
	rig_steer(&r, SVC_KEYS, "insert", "unit-expiring");
	frames(&r, 10);
	rig_tap(&r, ACT_INTENT, INTENT_BUSINESS, BIZ_RENEW);
	rig_tap(&r, ACT_INTENT, INTENT_NEXT, 0);
	frames(&r, 30); /* the ID card animation */
	rig_steer(&r, SVC_IDREADER, "present", "11010519491231002X 张三");
	for (const char *c = "91350200MA2YJ1XR9G"; *c; c++) {
		rig_tap(&r, ACT_CHAR, 0, (unsigned char)*c);
		frames(&r, 1);
	}
	rig_tap(&r, ACT_ENTER, 0, 0);
	rig_tap(&r, ACT_INTENT, INTENT_YEARS, 4);
	rig_tap(&r, ACT_INTENT, INTENT_SEAL, 1);
	frames(&r, 10);
	rig_tap(&r, ACT_INTENT, INTENT_NEXT, 0);
	rig_type(&r, "13812345678");
	frames(&r, 10);
	rig_tap(&r, ACT_INTENT, INTENT_NEXT, 0); /* no e-mail for the e-invoice */
	frames(&r, 10);
	rig_tap(&r, ACT_INTENT, INTENT_NEXT, 0);
	frames(&r, 10); /* the QR code */
	rig_steer(&r, SVC_PAY, "paid", "");
	frames(&r, 30);
	rig_tap(&r, ACT_INTENT, INTENT_NEXT, 0);
	frames(&r, 10);
	rig_stop(&r);
	qsort(frames_ms, (size_t)nframes, sizeof frames_ms[0], by_value);
	printf("ui frame time over a renewal (%d frames, 1080x1920, software): p50 %.2f ms, "
	       "p99 %.2f ms, max %.2f ms\n",
	       nframes, frames_ms[nframes / 2], frames_ms[nframes * 99 / 100],
	       frames_ms[nframes - 1]);
}

static void first_frame(void)
{
	const char *bin = getenv("KIOSK_BINARY"), *src = getenv("KIOSK_SOURCE_DIR");
	char cmd[2048], line[256];
	snprintf(
	    cmd, sizeof cmd,
	    "d=$(mktemp -d) && SDL_VIDEODRIVER=dummy SDL_RENDER_DRIVER=software "
	    "SDL_AUDIODRIVER=dummy '%s' --config '%s/tests/ui/ui-kiosk.ini' --database \"$d/k.db\" "
	    "--window --frames 1 2>&1 >/dev/null; rm -rf \"$d\"",
	    bin, src);
	int64_t t0 = ui_mono_ns();
	FILE *p = popen(cmd, "r");
	double ms = -1;
	while (p && fgets(line, sizeof line, p))
		sscanf(line, "first frame after %lf ms", &ms);
	if (p)
		pclose(p);
	printf("ui process start to first frame: %.1f ms (the whole run, start to exit: %.1f ms)\n",
	       ms, (double)(ui_mono_ns() - t0) / 1e6);
}

static void idle(void)
{
	const char *s = getenv("KIOSK_BENCH_IDLE_S");
	int secs = s && atoi(s) > 0 ? atoi(s) : 3;
	struct rig r;
	rig_start(&r, "tests/ui/ui-kiosk.ini", "2026-11-21 10:00");
	struct ui_run_options o = {.idle_ms = 200};
	ui_run(r.ui, r.app, &o); /* the first frame */
	struct rusage a, b;
	getrusage(RUSAGE_SELF, &a);
	o.idle_ms = secs * 1000;
	int64_t t0 = ui_mono_ns();
	ui_run(r.ui, r.app, &o);
	double wall = (double)(ui_mono_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &b);
	double cpu = (double)(b.ru_utime.tv_sec - a.ru_utime.tv_sec) +
	             (double)(b.ru_stime.tv_sec - a.ru_stime.tv_sec) +
	             (double)(b.ru_utime.tv_usec - a.ru_utime.tv_usec) / 1e6 +
	             (double)(b.ru_stime.tv_usec - a.ru_stime.tv_usec) / 1e6;
	printf("ui idle on the start screen: %.2f %% of one CPU over %.1f s\n", 100 * cpu / wall,
	       wall);
	rig_stop(&r);
}

int main(void)
{
	renewal();
	first_frame();
	idle();
	return 0;
}

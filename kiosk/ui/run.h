/* run.h — the kiosk's UI loop: the window, the application's event queue and the
 * clock on one thread, never blocking; slow work runs on the services' threads. */
#ifndef KIOSK_UI_RUN_H
#define KIOSK_UI_RUN_H

#include <stdint.h>

#include "app/app.h"
#include "ui/ui.h"

struct ui_run_options {
	int frames;            /* stop after drawing this many frames (0: run until told to stop) */
	int idle_ms;           /* stop after this long (0: no limit) */
	int demo_keys;         /* F1… steer the stand-in devices (a demo on a desktop) */
	int64_t start_mono_ns; /* when the process started (CLOCK_MONOTONIC), or 0 */
};

/* Runs until SIGTERM/SIGINT, a quit in staff mode, or a limit in o. Sets the app's
 * observer to the UI and sends taps to the app. Ticks the app every second of real
 * time. Prints "first frame after N ms" to stderr when o->start_mono_ns is set. */
void ui_run(struct ui *ui, struct app *app, const struct ui_run_options *o);

/* kiosk --window: the application on the real clock, recovery of unfinished orders,
 * then the UI loop. Returns KR_OK after a stop, or the error that prevented the start. */
int ui_kiosk(const struct conf *conf, const struct ui_options *uo, const struct ui_run_options *ro,
             struct kerr *err);

/* Pictures of a scripted run: each screen the headless runner prints is drawn (in a
 * window when there is a display) and, when dir is set, saved as dir/NNN-<screen>.png. */
struct ui_shots;
int ui_shots_create(const struct conf *conf, const char *dir, int window, struct ui_shots **out,
                    struct kerr *err);
/* The runner's view hook (runner_view_fn); ctx is the struct ui_shots. */
void ui_shots_hook(void *ctx, const struct flow_view *v, int64_t utc_s);
/* Number of pictures written. */
int ui_shots_count(const struct ui_shots *s);
void ui_shots_destroy(struct ui_shots *s);

/* Monotonic nanoseconds (CLOCK_MONOTONIC). */
int64_t ui_mono_ns(void);

#endif

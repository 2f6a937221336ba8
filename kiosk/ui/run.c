/* run.c — the UI loop (see run.h). Sleeps between frames: ~30 ms when idle, a frame's
 * time while an animation runs, so an idle kiosk uses next to no CPU. */
#include "run.h"

#include <SDL.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/steer.h"
#include "base/notify.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	(void)sig;
	stop_signal = 1;
}

int64_t ui_mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void on_view(void *ctx, const struct flow_view *v)
{
	ui_show(ctx, v, (int64_t)time(NULL));
}

static void post(void *ctx, const struct flow_event *ev)
{
	app_post(ctx, ev);
}

/* Tells systemd (when it started the kiosk) a state; a failure is said once. */
static void notify(const char *state)
{
	static int said;
	struct kerr err = {{0}};
	if (notify_send(state, &err) != KR_OK && !said++)
		fprintf(stderr, "kiosk: %s\n", err.msg);
}

/* In the demo, a function key steers a simulated device or peer, as a scenario line
 * would. */
static void demo_key(struct app *app, SDL_Keycode key)
{
	static const struct {
		SDL_Keycode key;
		enum conf_service slot;
		const char *verb, *args;
	} keys[] = {
	    {SDLK_F1, SVC_KEYS, "insert", "unit-expiring"},
	    {SDLK_F2, SVC_KEYS, "insert", "unit-locked"},
	    {SDLK_F3, SVC_KEYS, "remove", ""},
	    {SDLK_F4, SVC_IDREADER, "present", "11010519491231002X 张三"},
	    {SDLK_F5, SVC_PAY, "paid", ""},
	    /* the central site approves an order placed online for pick-up here */
	    {SDLK_F6, SVC_SYNC, "pickup", "GX2026112100123 seal=1 paid=70000"},
	    {SDLK_F6, SVC_SYNC, "now", ""},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (keys[i].key != key)
			continue;
		struct kerr err = {{0}};
		steer(app, keys[i].slot, keys[i].verb, keys[i].args, &err);
	}
}

void ui_run(struct ui *ui, struct app *app, const struct ui_run_options *o)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	app_set_observer(app, on_view, ui);
	ui_attach(ui, post, app);
	ui_set_staff(ui, app_staff_view(app));
	ui_show(ui, app_view(app), (int64_t)time(NULL));

	int64_t t0 = ui_mono_ns(), next_tick = t0 + 1000000000;
	int frames = 0;
	while (!stop_signal && !ui_quit_requested(ui)) {
		if (o->demo_keys) {
			SDL_Event e;
			SDL_PumpEvents();
			while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, SDL_KEYDOWN, SDL_KEYDOWN) == 1)
				demo_key(app, e.key.keysym.sym);
		}
		ui_pump_events(ui);
		int64_t now = ui_mono_ns();
		if (now >= next_tick) {
			app_tick(app);
			notify("WATCHDOG=1"); /* the loop runs: [Service] WatchdogSec */
			next_tick += 1000000000;
			if (next_tick < now)
				next_tick = now + 1000000000;
		}
		app_pump(app);
		int drew = ui_frame(ui, (uint32_t)((now - t0) / 1000000));
		if (drew && ++frames == 1) {
			notify("READY=1");
			if (o->start_mono_ns)
				fprintf(stderr, "first frame after %.1f ms\n",
				        (double)(ui_mono_ns() - o->start_mono_ns) / 1e6);
		}
		if (o->frames && frames >= o->frames)
			break;
		if (o->idle_ms && ui_mono_ns() - t0 >= (int64_t)o->idle_ms * 1000000)
			break;
		SDL_Delay(ui_screen(ui)->animated ? 16 : 30);
	}
	notify("STOPPING=1");
	app_set_observer(app, NULL, NULL);
	ui_attach(ui, NULL, NULL);
}

static int64_t real_mono_ms(void *ctx)
{
	(void)ctx;
	return ui_mono_ns() / 1000000;
}

static int64_t real_utc_s(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

int ui_kiosk(const struct conf *conf, const struct ui_options *uo, const struct ui_run_options *ro,
             struct kerr *err)
{
	struct app_clock clock = {real_mono_ms, real_utc_s, NULL};
	struct app *app = NULL;
	struct ui *ui = NULL;
	int found = 0;
	int rc = app_create(conf, &clock, stdout, &app, err);
	if (rc == KR_OK)
		rc = app_recover(app, &found, err);
	if (rc == KR_OK)
		rc = ui_create(conf, uo, &ui, err);
	if (rc == KR_OK) {
		printf("[recovery] %d unfinished order%s\n", found, found == 1 ? "" : "s");
		ui_run(ui, app, ro);
	}
	ui_destroy(ui);
	app_destroy(app);
	return rc;
}

struct ui_shots {
	struct ui *ui;
	char dir[PATH_MAX];
	int window;
	int n;
	int failed; /* a picture could not be written (said once) */
};

int ui_shots_create(const struct conf *conf, const char *dir, int window, struct ui_shots **out,
                    struct kerr *err)
{
	struct ui_shots *s = calloc(1, sizeof *s);
	if (!s)
		return kerr_set(err, KR_NOMEM, "out of memory");
	if (dir) {
		snprintf(s->dir, sizeof s->dir, "%s", dir);
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			free(s);
			return kerr_set(err, KR_IO, "cannot create %s: %s", dir, strerror(errno));
		}
	}
	s->window = window;
	struct ui_options uo = {.fullscreen = 0};
	int rc = ui_create(conf, &uo, &s->ui, err);
	if (rc != KR_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return KR_OK;
}

void ui_shots_hook(void *ctx, const struct flow_view *v, int64_t utc_s)
{
	struct ui_shots *s = ctx;
	ui_show(s->ui, v, utc_s);
	if (s->dir[0]) {
		char path[PATH_MAX + 64];
		const char *name = v->screen == SCREEN_START   ? "start"
		                   : v->screen == SCREEN_ERROR ? "error"
		                                               : catalogue_step_id(v->step);
		snprintf(path, sizeof path, "%s/%03d-%s.png", s->dir, ++s->n, name);
		struct kerr err = {{0}};
		if (ui_save_png(s->ui, path, &err) != KR_OK && !s->failed++)
			fprintf(stderr, "kiosk: %s\n", err.msg);
	} else {
		ui_frame(s->ui, 0);
	}
	if (s->window) {
		ui_pump_events(s->ui);
		SDL_Delay(700); /* long enough to read along */
	}
}

int ui_shots_count(const struct ui_shots *s)
{
	return s->n;
}

void ui_shots_destroy(struct ui_shots *s)
{
	if (!s)
		return;
	ui_destroy(s->ui);
	free(s);
}

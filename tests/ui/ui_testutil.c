/* ui_testutil.c — see ui_testutil.h. */
#include "ui_testutil.h"

#include <SDL.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/steer.h"
#include "core/cntime.h"
#include "store/agents.h"

static int64_t rig_mono(void *ctx)
{
	return ((struct rig *)ctx)->mono_ms;
}

static int64_t rig_utc(void *ctx)
{
	return ((struct rig *)ctx)->utc_s;
}

static void on_view(void *ctx, const struct flow_view *v)
{
	struct rig *r = ctx;
	ui_show(r->ui, v, r->utc_s);
}

static void post(void *ctx, const struct flow_event *ev)
{
	struct rig *r = ctx;
	r->posted++;
	app_post(r->app, ev);
}

void rig_start(struct rig *r, const char *config, const char *china_time)
{
	memset(r, 0, sizeof *r);
	setenv("SDL_VIDEODRIVER", "dummy", 0);
	setenv("SDL_RENDER_DRIVER", "software", 0);
	setenv("SDL_AUDIODRIVER", "dummy", 0);
	const char *src = getenv("KIOSK_SOURCE_DIR");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", src && *src ? src : KIOSK_SOURCE_DIR, config);
	struct kerr err = {{0}};
	if (conf_load(path, &r->conf, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	snprintf(r->dir, sizeof r->dir, "/tmp/kiosk-ui-XXXXXX");
	if (!mkdtemp(r->dir))
		exit(1);
	snprintf(r->conf.database, sizeof r->conf.database, "%s/k.db", r->dir);
	int y = 0, mo = 0, d = 0, h = 0, mi = 0;
	sscanf(china_time, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi);
	r->utc_s = cntime_utc(y, mo, d, h * 3600 + mi * 60);
	r->mono_ms = 1000;
	/* the rig's unit lists its agent (the rig's ID card), as pulled from the site just now */
	struct store *st = NULL;
	const char *agent[] = {RIG_AGENT_ID};
	if (store_open(r->conf.database, &st, &err) != KR_OK ||
	    agents_replace(st, RIG_UNIT_CODE, 1, agent, 1, r->utc_s, &err) != KR_OK ||
	    agents_synced(st, r->utc_s, &err) != KR_OK) {
		fprintf(stderr, "rig: %s\n", err.msg);
		exit(1);
	}
	store_close(st);
	struct app_clock clock = {rig_mono, rig_utc, r};
	FILE *trace = fopen("/dev/null", "w");
	struct ui_options uo = {0};
	if (app_create(&r->conf, &clock, trace, &r->app, &err) != KR_OK ||
	    ui_create(&r->conf, &uo, &r->ui, &err) != KR_OK) {
		fprintf(stderr, "rig: %s\n", err.msg);
		exit(1);
	}
	app_set_observer(r->app, on_view, r);
	ui_attach(r->ui, post, r);
	ui_set_staff(r->ui, app_staff_view(r->app));
	ui_show(r->ui, app_view(r->app), r->utc_s);
}

void rig_stop(struct rig *r)
{
	ui_destroy(r->ui);
	app_destroy(r->app);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "rig: cannot remove %s\n", r->dir);
}

void rig_settle(struct rig *r)
{
	if (app_settle(r->app, 30000) != KR_OK)
		fprintf(stderr, "rig: services still busy\n");
	ui_frame(r->ui, 0);
}

int rig_steer(struct rig *r, enum conf_service slot, const char *verb, const char *args)
{
	struct kerr err = {{0}};
	int rc = steer(r->app, slot, verb, args, &err);
	if (rc != KR_OK)
		fprintf(stderr, "rig: %s\n", err.msg);
	rig_settle(r);
	return rc;
}

void rig_wait(struct rig *r, int seconds)
{
	for (int i = 0; i < seconds; i++) {
		r->mono_ms += 1000;
		r->utc_s += 1;
		app_tick(r->app);
		rig_settle(r);
	}
}

static void finger(SDL_EventType type, float x, float y)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = type;
	e.tfinger.touchId = 1;
	e.tfinger.fingerId = 1;
	e.tfinger.x = x;
	e.tfinger.y = y;
	e.tfinger.pressure = 1;
	SDL_PushEvent(&e);
}

int rig_tap_widget(struct rig *r, const struct widget *w)
{
	if (!w)
		return 0;
	float x = (float)(w->x + w->w / 2) / SCREEN_W, y = (float)(w->y + w->h / 2) / SCREEN_H;
	finger(SDL_FINGERDOWN, x, y);
	finger(SDL_FINGERUP, x, y);
	ui_pump_events(r->ui);
	rig_settle(r);
	return 1;
}

int rig_tap(struct rig *r, enum screen_action a, int intent, int arg)
{
	const struct widget *w = screen_find(ui_screen(r->ui), a, intent, arg);
	if (!w)
		fprintf(stderr, "rig: no target %d/%d/%d on %s\n", a, intent, arg, rig_where(r));
	return rig_tap_widget(r, w);
}

int rig_type(struct rig *r, const char *text)
{
	for (const char *c = text; *c; c++)
		if (!rig_tap(r, ACT_CHAR, 0, (unsigned char)*c))
			return 0;
	return rig_tap(r, ACT_ENTER, 0, 0);
}

const char *rig_where(struct rig *r)
{
	const struct flow_view *v = app_view(r->app);
	if (v->screen == SCREEN_START)
		return "start";
	if (v->screen == SCREEN_ERROR)
		return "error";
	return catalogue_step_id(v->step);
}

const char *rig_out_dir(void)
{
	const char *d = getenv("KIOSK_UI_OUT");
	if (!d || !*d)
		d = ".";
	if (mkdir(d, 0755) != 0 && errno != EEXIST)
		fprintf(stderr, "rig: cannot create %s\n", d);
	return d;
}

int ui_check_layout(const struct screen *s, const char *lang, const char *name)
{
	int faults = 0;
	if (s->missing) {
		fprintf(stderr, "%s/%s: %d keys missing, first %s\n", lang, name, s->missing,
		        s->missing_key);
		faults++;
	}
	for (int i = 0; s->overflow && i < s->n; i++)
		if (s->w[i].overflow)
			fprintf(stderr, "%s/%s: overflow in widget %d '%s' %dx%d\n", lang, name, i,
			        s->w[i].text, s->w[i].w, s->w[i].h);
	faults += s->overflow != 0;
	for (int i = 0; i < s->n; i++) {
		const struct widget *w = &s->w[i];
		if (!(w->x >= 0 && w->y >= 0 && w->x + w->w <= SCREEN_W &&
		      w->y + w->h <= SCREEN_H)) {
			fprintf(stderr, "%s/%s: widget '%s' off the screen\n", lang, name, w->text);
			faults++;
		}
		if (w->kind != WK_BUTTON)
			continue;
		if (w->w < SCREEN_MIN_TARGET || w->h < SCREEN_MIN_TARGET ||
		    w->y < SCREEN_REACH_TOP) {
			fprintf(stderr, "%s/%s: control '%s' at %d,%d %dx%d\n", lang, name, w->text,
			        w->x, w->y, w->w, w->h);
			faults++;
		}
		for (int j = i + 1; j < s->n; j++) {
			const struct widget *o = &s->w[j];
			if (o->kind == WK_BUTTON && !(w->x + w->w <= o->x || o->x + o->w <= w->x ||
			                              w->y + w->h <= o->y || o->y + o->h <= w->y)) {
				fprintf(stderr, "%s/%s: controls '%s' and '%s' overlap\n", lang,
				        name, w->text, o->text);
				faults++;
			}
		}
	}
	return faults;
}

/* ui_testutil.h — a kiosk in a test: the real app (flow, store, stand-in services) on a
 * virtual clock, with the UI in a 1080×1920 window of SDL's dummy video driver, driven
 * by synthetic finger events on the screen's targets. */
#ifndef KIOSK_UI_TESTUTIL_H
#define KIOSK_UI_TESTUTIL_H

#include "app/app.h"
#include "conf/conf.h"
#include "ui/screen.h"
#include "ui/ui.h"

struct rig {
	struct conf conf;
	struct app *app;
	struct ui *ui;
	int64_t mono_ms, utc_s;
	char dir[64];
	int posted; /* taps that reached the flow */
};

/* The rig's unit and the agent on its list of authorised agents (the rig's ID card). */
#define RIG_UNIT_CODE "91350200MA2YJ1XR9G"
#define RIG_AGENT_ID  "11010519491231002X"

/* Loads config (relative to the source tree: "config/kiosk.ini"), a fresh database in
 * a temporary folder whose copy of the unit's agents lists RIG_AGENT_ID, the app and the
 * UI at China time "YYYY-MM-DD HH:MM". Exits on failure. */
void rig_start(struct rig *r, const char *config, const char *china_time);
void rig_stop(struct rig *r);

/* Lets the services finish and the UI see the result. */
void rig_settle(struct rig *r);
/* Steers a stand-in ("keys", "insert unit-expiring"). Returns KR_OK or the failure. */
int rig_steer(struct rig *r, enum conf_service slot, const char *verb, const char *args);
/* Lets seconds of virtual time pass, one tick each. */
void rig_wait(struct rig *r, int seconds);

/* Taps the centre of w with a finger (down and up). Returns 1 when w was non-NULL. */
int rig_tap_widget(struct rig *r, const struct widget *w);
/* Taps the button with action a (intent, arg) on the current screen; 0 when absent. */
int rig_tap(struct rig *r, enum screen_action a, int intent, int arg);
/* Types text on the current keypad (a key per character) and taps OK. */
int rig_type(struct rig *r, const char *text);

/* The current step's id ("pay") or "start" / "error". */
const char *rig_where(struct rig *r);

/* Checks the layout of screen s (lang/name name it in messages): no string key missing,
 * nothing overflowing, every widget on the screen, every button a full-size target in
 * reach of a hand and clear of every other button. Returns the faults (each on stderr);
 * the caller CHECKs it is 0. */
int ui_check_layout(const struct screen *s, const char *lang, const char *name);

/* The folder for pictures (KIOSK_UI_OUT or the current folder), created. */
const char *rig_out_dir(void);

#endif

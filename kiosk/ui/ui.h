/* ui.h — the touch UI: an SDL2 window showing the flow's view model, turning taps into
 * intents. It renders and posts taps, nothing else: the flow decides.
 *
 * Owns the window, the renderer, the fonts (a CJK face found through fontconfig), the
 * text texture cache, the keypads' entry buffers (a PIN is wiped as soon as it is
 * posted) and the user's display choices (language, large text, contrast, voice).
 * Only kiosk/ui includes SDL. Not thread-safe: one thread (the UI loop) calls it. */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include <stdint.h>

#include "conf/conf.h"
#include "core/flow.h"
#include "core/result.h"
#include "ui/screen.h"

struct ui;

struct ui_options {
	int fullscreen;        /* 1: full screen (a kiosk); 0: a 1080×1920 window */
	int english;           /* start in English (else the kiosk's language) */
	int voice;             /* voice guidance on at start */
	const char *font;      /* "file[:index]" of a CJK font, or NULL: fontconfig */
	const char *voice_dir; /* folder of <lang>/<key>.wav prompts, or NULL: no voice */
};

/* Where taps go: a FEV_TAP event, borrowed for the call (it may hold a PIN; the UI
 * wipes it afterwards). */
typedef void (*ui_post_fn)(void *ctx, const struct flow_event *ev);

/* Opens the window and loads the fonts and both languages from conf->assets.
 * conf is borrowed for the UI's life. Returns KR_OK, or KR_IO / KR_CONFIG with the
 * reason (no video device, no CJK font, a strings file missing). */
int ui_create(const struct conf *conf, const struct ui_options *o, struct ui **out,
              struct kerr *err);
/* Wipes the entry buffers, frees everything and quits SDL. NULL is fine. */
void ui_destroy(struct ui *ui);

/* Sends taps to fn (NULL: taps are ignored, e.g. while a script plays). */
void ui_attach(struct ui *ui, ui_post_fn fn, void *ctx);

/* A new view model (copied) at wall time utc_s. Resets the keypads when the step
 * changes, and scrambles the PIN pad again each time it is shown. */
void ui_show(struct ui *ui, const struct flow_view *v, int64_t utc_s);

/* Shows staff mode's view sv (borrowed for the UI's life: app_staff_view()) instead of
 * the flow's whenever its screen is not STAFF_OFF; read again on every ui_show. */
void ui_set_staff(struct ui *ui, const struct staff_view *sv);

/* Handles pending SDL input. A press held SCREEN_GESTURE_MS in the start screen's
 * top-left corner and let go there posts INTENT_STAFF_ENTER (the hidden gesture). Returns the
 * number of taps that did something. */
int ui_pump_events(struct ui *ui);

/* Draws and presents when something changed or an animation runs, at animation time
 * anim_ms. Returns 1 when a frame was drawn, 0 when nothing needed drawing. */
int ui_frame(struct ui *ui, uint32_t anim_ms);

/* Whether a quit was asked (only honoured in staff mode). */
int ui_quit_requested(const struct ui *ui);

/* Draws the current screen and writes it to path as PNG. */
int ui_save_png(struct ui *ui, const char *path, struct kerr *err);

/* The screen as laid out now (for tests: find targets, check rectangles). */
const struct screen *ui_screen(struct ui *ui);
/* Code points drawn that the font lacks (tofu boxes) since the UI was created. */
int ui_missing_glyphs(const struct ui *ui);
/* Display choices, as the buttons on the start screen toggle them. */
void ui_set_display(struct ui *ui, int english, int large, int contrast);

#endif

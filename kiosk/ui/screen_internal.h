/* screen_internal.h — for the screen builder's own files (screen.c and the layouts of
 * each kind of screen, screen_*.c): the builder, its measures, and the pieces a layout is
 * made of. Not for use outside kiosk/ui/screen*.c. */
#ifndef KIOSK_UI_SCREEN_INTERNAL_H
#define KIOSK_UI_SCREEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ui/screen.h"

#define MARGIN    40
#define GAP       20
#define PAD       22
#define BTN_PAD   16
#define KEY_GAP   12
#define WIDE_EDGE 8 /* the e-mail keyboard's margin: eight keys of 120 px need the width */
#define CONTENT_W (SCREEN_W - 2 * MARGIN)

struct builder {
	const struct screen_input *in;
	const struct flow_view *v;
	struct screen *s;
	int top;         /* where the next piece of information goes */
	int bottom;      /* controls are stacked above this */
	int keypad_keys; /* laying out a keypad's keys: the smaller minimum height */
	int wide;        /* the keys use the screen's width but WIDE_EDGE at each side */
};

/* One button of a row or grid. */
struct btn {
	const char *text;
	enum screen_action act;
	int intent, arg;
	enum theme_role role;
};

/* ---- the pieces (screen.c) ---- */

/* The text of key in the language shown; a missing key is counted and shown as is. */
const char *screen_tx(struct builder *b, const char *key);
/* The text of key with "{}" replaced by arg, into out. */
void screen_fill(struct builder *b, char *out, size_t size, const char *key, const char *arg);
/* A block of information at the top cursor, full width. */
struct widget *screen_info(struct builder *b, enum screen_font font, enum theme_role role,
                           int centre, const char *text);
/* screen_info with the text of key. */
void screen_info_key(struct builder *b, enum screen_font font, enum theme_role role,
                     const char *key);
/* screen_info, not centred, with the text of key, its "{}" replaced by arg. */
void screen_info_fill(struct builder *b, enum screen_font font, enum theme_role role,
                      const char *key, const char *arg);
/* A figure (QR code, animation, dots) of w × h centred at the top cursor. */
struct widget *screen_figure(struct builder *b, enum widget_kind kind, int w, int h,
                             const char *text);
/* A grid of n buttons in cols columns directly above the controls already placed. */
void screen_grid(struct builder *b, const struct btn *btn, int n, int cols, enum screen_font font);
/* A caption just above the controls already placed. */
struct widget *screen_caption(struct builder *b, enum screen_font font, enum theme_role role,
                              const char *text);
/* The China-time date of utc, YYYY-MM-DD, into out. */
/* The hall's opening hours as a line of text, into out. */
void screen_hours_text(struct builder *b, char *out, size_t size);
/* The hall and its hotline (not in large text), and the title. */
void screen_header(struct builder *b, const char *title);
/* The prompt, and the error and notice of the view. */
void screen_prompt(struct builder *b);
/* The countdown of the last seconds, and (with_button) a "more time" row. Returns whether
 * more time may be asked for. */
int screen_countdown(struct builder *b, int with_button);
/* The bottom row: back (when back), cancel, and "more time" while the countdown runs. */
void screen_nav(struct builder *b, int back, int cancel_key_is_pay);
/* A keypad of the characters of alphabet in cols columns, with delete and OK (and extra
 * between them when not NULL); wide: the keys span the screen's width. */
void screen_keypad(struct builder *b, const char *alphabet, int cols, enum screen_font font,
                   const struct btn *extra, int wide);
/* The entry being typed, or the placeholder; email: an e-mail address. */
void screen_entry_field(struct builder *b, const char *placeholder_key, int email);

/* ---- the kinds of screen ---- */

void screen_build_start(struct builder *b); /* screen_start.c */
void screen_build_step(struct builder *b);  /* screen_steps.c */
void screen_build_error(struct builder *b); /* screen_error.c */
void screen_build_staff(struct builder *b); /* screen_staff.c */

#endif

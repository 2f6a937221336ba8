/* screen.h — the screens as data: from the flow's view model and the UI's own state
 * (language, large text, contrast, keypad entry) to a list of boxes with text, colour
 * role and what a tap on them does. Pure: no SDL; text is measured through a callback.
 *
 * The layout is portrait 1080×1920 (logical pixels). Information flows from the top;
 * every control sits in the lower 60 % of the screen (low reach, wheelchair users) and
 * is at least 120 px in both directions. The builder reports text that does not fit its
 * box, content that runs into the controls, and string keys the language lacks. */
#ifndef KIOSK_UI_SCREEN_H
#define KIOSK_UI_SCREEN_H

#include <stdint.h>

#include "conf/conf.h"
#include "conf/strings.h"
#include "core/flow.h"
#include "staff/staff.h"
#include "ui/keypad.h"
#include "ui/theme.h"
#include "ui/wrap.h"

#define SCREEN_W           1080
#define SCREEN_H           1920
#define SCREEN_REACH_TOP   (SCREEN_H * 2 / 5) /* controls only below this line */
#define SCREEN_MIN_TARGET  120
#define SCREEN_MAX_WIDGETS 96
#define SCREEN_MAX_LINES   10
#define SCREEN_TEXT        400
/* The hidden staff gesture: a press held this long within this many pixels of the start
 * screen's top-left corner (no control sits there). */
#define SCREEN_GESTURE_SIDE 160
#define SCREEN_GESTURE_MS   3000

enum screen_font { FONT_SMALL, FONT_BODY, FONT_TITLE, FONT_HUGE, FONT_COUNT };

enum screen_action {
	ACT_NONE,
	ACT_INTENT,   /* post intent with arg to the flow */
	ACT_LANGUAGE, /* switch Chinese / English */
	ACT_LARGE,    /* large text on / off */
	ACT_CONTRAST, /* high contrast on / off */
	ACT_VOICE,    /* voice guidance on / off */
	ACT_CHAR,     /* a keypad key: arg is the character */
	ACT_DELETE,   /* the keypad's backspace */
	ACT_ENTER,    /* the keypad's OK: send the entry */
};

enum widget_kind {
	WK_TEXT,    /* wrapped text, in a box when its role has a fill */
	WK_BUTTON,  /* a touch target */
	WK_QR,      /* the payment QR code: text is the payload */
	WK_SPINNER, /* the progress animation */
	WK_CARD,    /* the animated "place your ID card" hint */
	WK_DOTS,    /* the PIN's masked dots: arg dots of 8 */
};

struct widget {
	enum widget_kind kind;
	int x, y, w, h;
	enum screen_font font;
	enum theme_role role;
	int centre;
	char text[SCREEN_TEXT];
	struct wrap_line line[SCREEN_MAX_LINES];
	int nlines;
	int overflow; /* the text did not fit the box */
	enum screen_action action;
	int intent, arg;
};

/* Width in logical pixels of len bytes of UTF-8 at s in font f. */
typedef int (*screen_measure_fn)(void *ctx, enum screen_font f, const char *s, unsigned len);

struct screen_input {
	const struct flow_view *view;
	const struct strings *st; /* the language shown */
	const struct conf *conf;
	int64_t utc_s; /* now, for the after-hours notice */
	int large, contrast, voice;
	const struct staff_view *staff;   /* staff mode's view; NULL or STAFF_OFF: none */
	const struct keypad_entry *entry; /* credit code, mobile or e-mail being typed */
	int pin_len;                      /* PIN digits typed (shown as dots) */
	const int *pin_digits;            /* the scrambled pad: the digit at each of 10 keys */
	screen_measure_fn measure;
	void *measure_ctx;
};

struct screen {
	struct widget w[SCREEN_MAX_WIDGETS];
	int n;
	int overflow;          /* some text did not fit, or content ran into the controls */
	int missing;           /* string keys absent from the language */
	char missing_key[48];  /* the first of them */
	const char *voice_key; /* the prompt to speak (same words as the caption) */
	int animated;          /* a spinner or card animation is on screen */
	int keypad; /* 0 none, 1 credit code, 2 mobile, 3 PIN, 4 staff PIN, 5 e-mail, 6 order no */
};

/* Font size in logical pixels, and the line height. */
int screen_font_px(enum screen_font f, int large);
int screen_line_h(enum screen_font f, int large);

/* Builds the screen for in into out (overwritten). */
void screen_build(const struct screen_input *in, struct screen *out);

/* The touch target at logical (x, y), or NULL. */
const struct widget *screen_hit(const struct screen *s, int x, int y);

/* The first widget with this action (and, for ACT_INTENT and ACT_CHAR, this intent
 * and arg; intent is ignored for ACT_CHAR), or NULL. For tests and scripted taps. */
const struct widget *screen_find(const struct screen *s, enum screen_action a, int intent, int arg);

#endif

/* theme.h — the colours of the screens: a normal and a high-contrast theme, and the
 * WCAG contrast ratio used to prove every text colour reads on its background. */
#ifndef KIOSK_UI_THEME_H
#define KIOSK_UI_THEME_H

struct theme_rgb {
	unsigned char r, g, b;
};

/* What a box is for; each role has a fill, a border and a text colour. */
enum theme_role {
	ROLE_SCREEN,   /* plain text on the screen background */
	ROLE_MUTED,    /* secondary text (hours, hotline) */
	ROLE_BUTTON,   /* an ordinary button */
	ROLE_PRIMARY,  /* the main action of a screen */
	ROLE_SELECTED, /* a chosen option */
	ROLE_DISABLED, /* an action not possible now */
	ROLE_ERROR,    /* what went wrong */
	ROLE_NOTICE,   /* a passing note */
	ROLE_WARNING,  /* "do not remove your key", the countdown */
	ROLE_FIELD,    /* a keypad's entry field */
	ROLE_COUNT
};

struct theme_colours {
	struct theme_rgb fill, border, text;
};

struct theme {
	struct theme_rgb background;
	struct theme_colours role[ROLE_COUNT];
};

/* The theme: high_contrast 0 normal, 1 high contrast. Static, never NULL. */
const struct theme *theme_get(int high_contrast);

/* The contrast ratio of two colours, 1.0 to 21.0 (WCAG 2 relative luminance). */
double theme_contrast(struct theme_rgb a, struct theme_rgb b);

/* The colour text of a role is drawn on: its fill, or the screen background when the
 * role has no fill of its own (ROLE_SCREEN, ROLE_MUTED). */
struct theme_rgb theme_text_background(const struct theme *t, enum theme_role role);

#endif

/* screen.c — the screen builder (see screen.h): the pieces every screen is laid out with
 * (screen_internal.h), and screen_build, which hands the view to the layout of its kind of
 * screen: screen_start.c, screen_steps.c, screen_error.c, screen_staff.c. Information
 * flows down from the top; controls are stacked up from the bottom edge. */
#include "screen.h"

#include <stdio.h>
#include <string.h>

#include "ui/screen_internal.h"

int screen_font_px(enum screen_font f, int large)
{
	static const int px[2][FONT_COUNT] = {{32, 44, 58, 84}, {42, 56, 70, 100}};
	return px[large ? 1 : 0][f];
}

int screen_line_h(enum screen_font f, int large)
{
	return screen_font_px(f, large) * 3 / 2;
}

static int min_button_h(const struct builder *b)
{
	return b->in->large && !b->keypad_keys ? 160 : 130;
}

/* The text of key in the language shown; a missing key is counted and shown as is. */
const char *screen_tx(struct builder *b, const char *key)
{
	const char *t = strings_find(b->in->st, key);
	if (t)
		return t;
	if (!b->s->missing++)
		snprintf(b->s->missing_key, sizeof b->s->missing_key, "%s", key);
	return key;
}

/* The text of key with "{}" replaced by arg. */
void screen_fill(struct builder *b, char *out, size_t size, const char *key, const char *arg)
{
	const char *t = screen_tx(b, key);
	const char *at = strstr(t, "{}");
	if (at)
		snprintf(out, size, "%.*s%s%s", (int)(at - t), t, arg, at + 2);
	else
		snprintf(out, size, "%s", t);
}

struct measure_adapter {
	const struct screen_input *in;
	enum screen_font f;
};

static int measure(void *ctx, const char *s, size_t len)
{
	const struct measure_adapter *m = ctx;
	return m->in->measure(m->in->measure_ctx, m->f, s, (unsigned)len);
}

/* Wraps w->text into its box less padding; returns the height the text needs. */
static int wrap(struct builder *b, struct widget *w, int inner_w)
{
	struct measure_adapter m = {b->in, w->font};
	int over = 0;
	w->nlines = wrap_text(w->text, inner_w, measure, &m, w->line, SCREEN_MAX_LINES, &over);
	w->overflow = over;
	return w->nlines * screen_line_h(w->font, b->in->large);
}

static struct widget *add(struct builder *b, enum widget_kind kind, enum screen_font font,
                          enum theme_role role, const char *text)
{
	if (b->s->n >= SCREEN_MAX_WIDGETS) {
		b->s->overflow = 1;
		static struct widget spare;
		memset(&spare, 0, sizeof spare);
		return &spare;
	}
	struct widget *w = &b->s->w[b->s->n++];
	memset(w, 0, sizeof *w);
	w->kind = kind;
	w->font = font;
	w->role = role;
	snprintf(w->text, sizeof w->text, "%s", text ? text : "");
	return w;
}

static int has_box(enum theme_role role)
{
	return role != ROLE_SCREEN && role != ROLE_MUTED;
}

/* A block of information at the top cursor, full width. */
struct widget *screen_info(struct builder *b, enum screen_font font, enum theme_role role,
                           int centre, const char *text)
{
	struct widget *w = add(b, WK_TEXT, font, role, text);
	int pad = has_box(role) ? PAD : 0;
	w->x = MARGIN;
	w->y = b->top;
	w->w = CONTENT_W;
	w->h = wrap(b, w, CONTENT_W - 2 * pad) + 2 * pad;
	w->centre = centre;
	b->top += w->h + GAP;
	return w;
}

/* A figure (QR code, animation, dots) centred at the top cursor. */
struct widget *screen_figure(struct builder *b, enum widget_kind kind, int w, int h,
                             const char *text)
{
	struct widget *f = add(b, kind, FONT_BODY,
	                       kind == WK_QR || kind == WK_DOTS ? ROLE_FIELD : ROLE_SCREEN, text);
	f->x = (SCREEN_W - w) / 2;
	f->y = b->top;
	f->w = w;
	f->h = h;
	b->top += h + GAP;
	if (kind == WK_SPINNER || kind == WK_CARD)
		b->s->animated = 1;
	return f;
}

void screen_info_key(struct builder *b, enum screen_font font, enum theme_role role,
                     const char *key)
{
	screen_info(b, font, role, 0, screen_tx(b, key));
}

void screen_info_fill(struct builder *b, enum screen_font font, enum theme_role role,
                      const char *key, const char *arg)
{
	char line[SCREEN_TEXT];
	screen_fill(b, line, sizeof line, key, arg);
	screen_info(b, font, role, 0, line);
}

/* Places a grid of buttons directly above the controls already placed. Row heights grow
 * to fit their labels. */
void screen_grid(struct builder *b, const struct btn *btn, int n, int cols, enum screen_font font)
{
	if (n <= 0)
		return;
	int rows = (n + cols - 1) / cols;
	int gap = b->keypad_keys ? KEY_GAP : GAP;
	int left = b->wide ? WIDE_EDGE : MARGIN;
	int cw = (SCREEN_W - 2 * left - (cols - 1) * gap) / cols;
	struct widget *first = NULL;
	int row_h[16] = {0}, total = 0;
	for (int i = 0; i < n; i++) {
		struct widget *w = add(b, WK_BUTTON, font, btn[i].role, btn[i].text);
		if (!first)
			first = w;
		w->action = btn[i].act;
		w->intent = btn[i].intent;
		w->arg = btn[i].arg;
		w->centre = 1;
		w->w = cw;
		w->x = left + (i % cols) * (cw + gap);
		int need = wrap(b, w, cw - 2 * BTN_PAD) + 2 * BTN_PAD;
		w->h = need; /* the text's own height, until the row is known */
		int r = i / cols;
		if (r < 16 && need > row_h[r])
			row_h[r] = need;
	}
	for (int r = 0; r < rows && r < 16; r++) {
		if (row_h[r] < min_button_h(b))
			row_h[r] = min_button_h(b);
		total += row_h[r] + gap;
	}
	int y = b->bottom - total + gap;
	int row_y[16] = {0};
	for (int r = 0, yy = y; r < rows && r < 16; r++) {
		row_y[r] = yy;
		yy += row_h[r] + gap;
	}
	for (int i = 0; i < n && first; i++) {
		struct widget *w = first + i;
		int r = i / cols < 16 ? i / cols : 15;
		if (w->h > row_h[r])
			w->overflow = 1;
		w->y = row_y[r];
		w->h = row_h[r];
	}
	b->bottom = y - GAP;
}

/* A caption just above the controls already placed. */
struct widget *screen_caption(struct builder *b, enum screen_font font, enum theme_role role,
                              const char *text)
{
	struct widget *w = add(b, WK_TEXT, font, role, text);
	int pad = has_box(role) ? PAD : 0;
	w->x = MARGIN;
	w->w = CONTENT_W;
	w->centre = 1;
	w->h = wrap(b, w, CONTENT_W - 2 * pad) + 2 * pad;
	w->y = b->bottom - w->h;
	b->bottom = w->y - GAP;
	return w;
}

static void spans(const struct conf_spans *sp, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < sp->n && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%02d:%02d-%02d:%02d", i ? ", " : "",
		                 sp->span[i].from_min / 60, sp->span[i].from_min % 60,
		                 sp->span[i].to_min / 60, sp->span[i].to_min % 60);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* "Workdays 08:30-11:30, 13:30-17:30 · Weekends closed" */
void screen_hours_text(struct builder *b, char *out, size_t size)
{
	const struct conf_region *r = &b->in->conf->region;
	char wd[96], we[96];
	spans(&r->workdays, wd, sizeof wd);
	spans(&r->weekends, we, sizeof we);
	snprintf(out, size, "%s %s %s  ·  %s %s", screen_tx(b, "ui.hours"),
	         screen_tx(b, "ui.workdays"), r->workdays.n ? wd : screen_tx(b, "ui.closed"),
	         screen_tx(b, "ui.weekends"), r->weekends.n ? we : screen_tx(b, "ui.closed"));
}

/* The hall and its hotline (not in large text: room for the keypads), and the title. */
void screen_header(struct builder *b, const char *title)
{
	char line[SCREEN_TEXT];
	if (!b->in->large) {
		snprintf(line, sizeof line, "%s  ·  %s %s", b->in->conf->region.name,
		         screen_tx(b, "ui.hotline"), b->in->conf->region.hotline);
		screen_info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	screen_info(b, FONT_TITLE, ROLE_SCREEN, 0, title);
}

/* The prompt, and the error and notice of the view. */
void screen_prompt(struct builder *b)
{
	const struct flow_view *v = b->v;
	screen_info_key(b, FONT_BODY, ROLE_SCREEN, v->prompt_key);
	b->s->voice_key = v->prompt_key;
	if (v->error_key[0])
		screen_info_key(b, FONT_BODY, ROLE_ERROR, v->error_key);
	if (v->notice_key[0])
		screen_info_key(b, FONT_BODY, ROLE_NOTICE, v->notice_key);
}

/* The countdown of the last seconds, as information below the rest, and (with_button)
 * a row of its own for "more time" when the step may be extended. Returns whether more
 * time may be asked for. */
int screen_countdown(struct builder *b, int with_button)
{
	const struct flow_view *v = b->v;
	if (!v->show_countdown || (v->screen == SCREEN_STEP && v->step == STEP_PAY))
		return 0;
	char n[16], line[SCREEN_TEXT];
	snprintf(n, sizeof n, "%d", v->remaining_s);
	screen_fill(b, line, sizeof line, "ui.seconds_left", n);
	screen_info(b, FONT_BODY, ROLE_WARNING, 1, line);
	if (v->can_extend && with_button) {
		struct btn more = {screen_tx(b, "ui.more_time"), ACT_INTENT, INTENT_MORE_TIME, 0,
		                   ROLE_PRIMARY};
		screen_grid(b, &more, 1, 1, FONT_BODY);
	}
	return v->can_extend;
}

/* The bottom row: back, cancel, and "more time" while the countdown runs. */
void screen_nav(struct builder *b, int back, int cancel_key_is_pay)
{
	struct btn row[3];
	int n = 0;
	if (back)
		row[n++] =
		    (struct btn){screen_tx(b, "ui.back"), ACT_INTENT, INTENT_BACK, 0, ROLE_BUTTON};
	row[n++] = (struct btn){screen_tx(b, cancel_key_is_pay ? "ui.pay_cancel" : "ui.cancel"),
	                        ACT_INTENT, INTENT_CANCEL, 0, ROLE_BUTTON};
	if (screen_countdown(b, 0))
		row[n++] = (struct btn){screen_tx(b, "ui.more_time"), ACT_INTENT, INTENT_MORE_TIME,
		                        0, ROLE_PRIMARY};
	screen_grid(b, row, n, n, FONT_BODY);
}

/* A keypad: delete and OK two keys wide each in the last row when it has room, else in
 * a row of their own below the keys, with extra (when not NULL) between them. wide: the
 * keys span the screen's width (see WIDE_EDGE). */
void screen_keypad(struct builder *b, const char *alphabet, int cols, enum screen_font font,
                   const struct btn *extra, int wide)
{
	struct btn keys[40];
	char chars[40][2];
	int n = 0;
	for (const char *c = alphabet; *c && n < 40; c++, n++) {
		chars[n][0] = *c;
		chars[n][1] = '\0';
		keys[n] = (struct btn){chars[n], ACT_CHAR, 0, (unsigned char)*c, ROLE_BUTTON};
	}
	struct btn row[3] = {
	    {screen_tx(b, "ui.delete"), ACT_DELETE, 0, 0, ROLE_BUTTON},
	    {screen_tx(b, "ui.ok"), ACT_ENTER, 0, 0, ROLE_PRIMARY},
	};
	if (extra) {
		row[2] = row[1];
		row[1] = *extra;
	}
	int used = n % cols, room = used && !extra && !wide ? cols - used : 0;
	if (room < 4)
		screen_grid(b, row, extra ? 3 : 2, extra ? 3 : 2, FONT_BODY);
	b->keypad_keys = 1;
	b->wide = wide;
	screen_grid(b, keys, n, cols, font);
	b->keypad_keys = b->wide = 0;
	if (room < 4)
		return;
	const struct widget *last = &b->s->w[b->s->n - 1];
	int slot = last->w + KEY_GAP;
	for (int i = 0; i < 2; i++) {
		struct widget *w = add(b, WK_BUTTON, FONT_BODY, row[i].role, row[i].text);
		w->action = row[i].act;
		w->centre = 1;
		w->x = MARGIN + (used + 2 * i) * slot;
		w->y = last->y;
		w->w = 2 * slot - KEY_GAP;
		w->h = last->h;
		if (wrap(b, w, w->w - 2 * BTN_PAD) + 2 * BTN_PAD > w->h)
			w->overflow = 1;
	}
}

/* The entry being typed, or the placeholder. An e-mail address (up to 64 characters, no
 * spaces) is shown smaller and broken wherever the line ends. */
void screen_entry_field(struct builder *b, const char *placeholder_key, int email)
{
	const struct keypad_entry *e = b->in->entry;
	if (e && e->len > 0) {
		struct widget *w =
		    screen_info(b, email ? FONT_BODY : FONT_TITLE, ROLE_FIELD, 1, e->text);
		w->overflow = w->overflow && !email;
	} else
		screen_info(b, FONT_BODY, ROLE_FIELD, 1, screen_tx(b, placeholder_key));
}

/* ---- building a screen ---- */

void screen_build(const struct screen_input *in, struct screen *out)
{
	memset(out, 0, sizeof *out);
	struct builder b = {
	    .in = in, .v = in->view, .s = out, .top = 24, .bottom = SCREEN_H - MARGIN};
	if (in->staff && in->staff->screen != STAFF_OFF)
		screen_build_staff(&b);
	else if (in->view->screen == SCREEN_START)
		screen_build_start(&b);
	else if (in->view->screen == SCREEN_ERROR)
		screen_build_error(&b);
	else
		screen_build_step(&b);
	if (b.top - GAP > b.bottom + GAP)
		out->overflow = 1;
	for (int i = 0; i < out->n; i++)
		if (out->w[i].overflow)
			out->overflow = 1;
}

const struct widget *screen_hit(const struct screen *s, int x, int y)
{
	for (int i = 0; i < s->n; i++) {
		const struct widget *w = &s->w[i];
		if (w->kind == WK_BUTTON && w->action != ACT_NONE && x >= w->x && x < w->x + w->w &&
		    y >= w->y && y < w->y + w->h)
			return w;
	}
	return NULL;
}

const struct widget *screen_find(const struct screen *s, enum screen_action a, int intent, int arg)
{
	for (int i = 0; i < s->n; i++) {
		const struct widget *w = &s->w[i];
		if (w->kind != WK_BUTTON || w->action != a)
			continue;
		if (a == ACT_INTENT && (w->intent != intent || w->arg != arg))
			continue;
		if (a == ACT_CHAR && w->arg != arg)
			continue;
		return w;
	}
	return NULL;
}

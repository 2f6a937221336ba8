/* ui.c — the SDL2 window: fonts, text cache, drawing the screen's widgets, taps. */
#include "ui.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ident.h"
#include "ui/png.h"
#include "ui/voice.h"

#define CACHE_SLOTS 512
#define CACHE_TEXT  256
#define PIN_MAX     8
#define CODE_MAX    18
#define ORDER_MAX   31 /* a pick-up order's number */
#define PHONE_MAX   11
#define EMAIL_MAX   IDENT_EMAIL_MAX

struct cached {
	unsigned hash;
	int font; /* large * FONT_COUNT + font */
	struct theme_rgb colour;
	char text[CACHE_TEXT];
	SDL_Texture *tex;
	int w, h;
	uint64_t used; /* frame it was last drawn in */
};

struct face {
	TTF_Font *font;
	short *advance; /* per BMP code point, -1 unknown; lazily allocated */
};

struct ui {
	const struct conf *conf;
	SDL_Window *win;
	SDL_Renderer *ren;
	char font_file[PATH_MAX];
	int font_index;
	int fc_started; /* FcInit was called: FcFini at the end */
	struct face face[2][FONT_COUNT];
	struct strings *lang[2]; /* 0 zh-CN, 1 en */
	struct voice *voice;
	int missing_glyphs;

	ui_post_fn post;
	void *post_ctx;

	struct flow_view view;
	int have_view;
	int64_t utc_s;
	int english, large, contrast, voice_on;
	const struct staff_view *staff; /* staff mode's view (borrowed), or NULL */
	enum staff_screen staff_shown;  /* the staff screen laid out last */
	int corner_down;                /* a press began in the hidden gesture's corner */
	uint32_t corner_down_ms;        /* when (SDL's event time) */
	struct keypad_entry entry;      /* credit code, mobile or e-mail */
	struct keypad_entry pin;        /* the PIN being typed: wiped when sent */
	int digits[10];                 /* the PIN pad's scramble */
	int showing_round;              /* the PIN round the pad was scrambled for */
	char showing_error[48];

	struct screen screen;
	int layout_dirty, draw_dirty, quit;
	int pressed; /* widget index under a finger, -1 none */
	uint64_t frame;
	struct cached cache[CACHE_SLOTS];
};

/* ---- fonts and text ----------------------------------------------------------------------- */

/* Finds a Chinese face: KIOSK_FONT or the option ("file:index"), else fontconfig's
 * best match for sans-serif in zh-cn. */
static int find_font(struct ui *ui, const char *want, struct kerr *err)
{
	if (want && want[0]) {
		snprintf(ui->font_file, sizeof ui->font_file, "%s", want);
		char *colon = strrchr(ui->font_file, ':');
		ui->font_index = 0;
		if (colon && colon[1] >= '0' && colon[1] <= '9') {
			ui->font_index = atoi(colon + 1);
			*colon = '\0';
		}
		return KR_OK;
	}
	if (!FcInit())
		return kerr_set(err, KR_CONFIG, "fontconfig cannot start");
	FcPattern *p = FcNameParse((const FcChar8 *)"sans-serif:lang=zh-cn");
	FcConfigSubstitute(NULL, p, FcMatchPattern);
	FcDefaultSubstitute(p);
	FcResult res;
	FcPattern *m = FcFontMatch(NULL, p, &res);
	FcChar8 *file = NULL;
	int index = 0;
	int ok = m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch;
	if (ok) {
		FcPatternGetInteger(m, FC_INDEX, 0, &index);
		snprintf(ui->font_file, sizeof ui->font_file, "%s", (const char *)file);
		ui->font_index = index;
	}
	if (m)
		FcPatternDestroy(m);
	FcPatternDestroy(p);
	ui->fc_started = 1;
	if (!ok)
		return kerr_set(err, KR_CONFIG, "no font for Chinese (install fonts-noto-cjk)");
	return KR_OK;
}

static struct face *face_of(struct ui *ui, int large, enum screen_font f)
{
	struct face *fc = &ui->face[large ? 1 : 0][f];
	if (!fc->font) {
		fc->font =
		    TTF_OpenFontIndex(ui->font_file, screen_font_px(f, large), ui->font_index);
		if (fc->font)
			TTF_SetFontKerning(fc->font, 0); /* widths are sums of advances */
	}
	return fc;
}

static int advance_of(struct ui *ui, struct face *fc, unsigned cp)
{
	if (!fc->font)
		return 0;
	if (cp < 0x10000) {
		if (!fc->advance) {
			fc->advance = malloc(0x10000 * sizeof *fc->advance);
			if (fc->advance)
				memset(fc->advance, 0xFF, 0x10000 * sizeof *fc->advance);
		}
		if (fc->advance && fc->advance[cp] >= 0)
			return fc->advance[cp];
	}
	int adv = 0;
	if (!TTF_GlyphIsProvided32(fc->font, cp))
		ui->missing_glyphs++;
	TTF_GlyphMetrics32(fc->font, cp, NULL, NULL, NULL, NULL, &adv);
	if (cp < 0x10000 && fc->advance)
		fc->advance[cp] = (short)adv;
	return adv;
}

static int measure(void *ctx, enum screen_font f, const char *s, unsigned len)
{
	struct ui *ui = ctx;
	struct face *fc = face_of(ui, ui->large, f);
	int w = 0;
	for (unsigned i = 0; i < len;) {
		int k;
		unsigned cp = wrap_utf8_next(s + i, len - i, &k);
		w += advance_of(ui, fc, cp);
		i += (unsigned)k;
	}
	return w;
}

static unsigned hash_of(const char *s, size_t len, int font, struct theme_rgb c)
{
	unsigned h = 2166136261u ^ (unsigned)font ^ ((unsigned)c.r << 8) ^ ((unsigned)c.g << 16) ^
	             ((unsigned)c.b << 24);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The texture of one line of text, from the cache or rendered now; NULL on failure. */
static struct cached *text_texture(struct ui *ui, enum screen_font f, struct theme_rgb c,
                                   const char *s, size_t len)
{
	if (len >= CACHE_TEXT)
		len = CACHE_TEXT - 1;
	int font = (ui->large ? FONT_COUNT : 0) + (int)f;
	unsigned h = hash_of(s, len, font, c);
	struct cached *victim = &ui->cache[0];
	for (int i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &ui->cache[i];
		if (e->tex && e->hash == h && e->font == font && e->colour.r == c.r &&
		    e->colour.g == c.g && e->colour.b == c.b && strncmp(e->text, s, len) == 0 &&
		    e->text[len] == '\0') {
			e->used = ui->frame;
			return e;
		}
		if (!e->tex || e->used < victim->used)
			victim = e;
		if (!e->tex)
			break;
	}
	struct face *fc = face_of(ui, ui->large, f);
	if (!fc->font)
		return NULL;
	char buf[CACHE_TEXT];
	memcpy(buf, s, len);
	buf[len] = '\0';
	SDL_Color col = {c.r, c.g, c.b, 255};
	SDL_Surface *surf = TTF_RenderUTF8_Blended(fc->font, buf, col);
	if (!surf)
		return NULL;
	SDL_Texture *tex = SDL_CreateTextureFromSurface(ui->ren, surf);
	int w = surf->w, hh = surf->h;
	SDL_FreeSurface(surf);
	if (!tex)
		return NULL;
	if (victim->tex)
		SDL_DestroyTexture(victim->tex);
	victim->tex = tex;
	victim->hash = h;
	victim->font = font;
	victim->colour = c;
	memcpy(victim->text, buf, len + 1);
	victim->w = w;
	victim->h = hh;
	victim->used = ui->frame;
	return victim;
}

static void cache_clear(struct ui *ui)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (ui->cache[i].tex) {
			SDL_DestroyTexture(ui->cache[i].tex);
			ui->cache[i].tex = NULL;
		}
}

/* ---- drawing ------------------------------------------------------------------------------- */

static void colour(SDL_Renderer *r, struct theme_rgb c)
{
	SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
}

static void box(struct ui *ui, const SDL_Rect *rc, const struct theme_colours *tc, int border)
{
	colour(ui->ren, tc->border);
	SDL_RenderFillRect(ui->ren, rc);
	SDL_Rect in = {rc->x + border, rc->y + border, rc->w - 2 * border, rc->h - 2 * border};
	colour(ui->ren, tc->fill);
	SDL_RenderFillRect(ui->ren, &in);
}

static void draw_text(struct ui *ui, const struct widget *w, struct theme_rgb c, int pad,
                      int vcentre)
{
	int lh = screen_line_h(w->font, ui->large);
	int y = w->y + pad;
	if (vcentre)
		y = w->y + (w->h - w->nlines * lh) / 2;
	for (int i = 0; i < w->nlines; i++, y += lh) {
		if (w->line[i].len <= 0)
			continue;
		struct cached *t =
		    text_texture(ui, w->font, c, w->text + w->line[i].off, (size_t)w->line[i].len);
		if (!t)
			continue;
		int x = w->centre ? w->x + (w->w - t->w) / 2 : w->x + pad;
		SDL_Rect dst = {x, y + (lh - t->h) / 2, t->w, t->h};
		SDL_RenderCopy(ui->ren, t->tex, NULL, &dst);
	}
}

/* The payment QR from the view model's module matrix (its payload is the widget's text). */
static void draw_qr(struct ui *ui, const struct widget *w)
{
	const struct qr_matrix *q = &ui->view.qr_matrix;
	SDL_Rect bg = {w->x, w->y, w->w, w->h};
	SDL_SetRenderDrawColor(ui->ren, 255, 255, 255, 255); /* a QR is dark on light, always */
	SDL_RenderFillRect(ui->ren, &bg);
	if (!q->width)
		return;
	int n = q->width, cell = w->w / (n + 8);
	int x0 = w->x + (w->w - cell * n) / 2, y0 = w->y + (w->h - cell * n) / 2;
	SDL_SetRenderDrawColor(ui->ren, 0, 0, 0, 255);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (q->dark[y * n + x]) {
				SDL_Rect m = {x0 + x * cell, y0 + y * cell, cell, cell};
				SDL_RenderFillRect(ui->ren, &m);
			}
}

static void dot(SDL_Renderer *r, int cx, int cy, int rad, int filled)
{
	for (int dy = -rad; dy <= rad; dy++) {
		int dx = 0;
		while ((dx + 1) * (dx + 1) + dy * dy <= rad * rad)
			dx++;
		if (filled || dy == -rad || dy == rad) {
			SDL_RenderDrawLine(r, cx - dx, cy + dy, cx + dx, cy + dy);
		} else {
			SDL_RenderDrawPoint(r, cx - dx, cy + dy);
			SDL_RenderDrawPoint(r, cx + dx, cy + dy);
			SDL_RenderDrawPoint(r, cx - dx + 1, cy + dy);
			SDL_RenderDrawPoint(r, cx + dx - 1, cy + dy);
		}
	}
}

static void draw_spinner(struct ui *ui, const struct widget *w, uint32_t anim_ms)
{
	const struct theme *t = theme_get(ui->contrast);
	static const int ring[12][2] = {{0, -10}, {5, -9}, {9, -5}, {10, 0},  {9, 5},   {5, 9},
	                                {0, 10},  {-5, 9}, {-9, 5}, {-10, 0}, {-9, -5}, {-5, -9}};
	int lead = (int)(anim_ms / 80 % 12), cx = w->x + w->w / 2, cy = w->y + w->h / 2;
	for (int i = 0; i < 12; i++) {
		int age = (lead - i + 12) % 12;
		colour(ui->ren,
		       age < 3 ? t->role[ROLE_PRIMARY].fill : t->role[ROLE_DISABLED].border);
		dot(ui->ren, cx + ring[i][0] * w->w / 25, cy + ring[i][1] * w->h / 25, w->w / 14,
		    1);
	}
}

/* A card (or key) sliding down onto the reader, again and again. */
static void draw_card(struct ui *ui, const struct widget *w, uint32_t anim_ms)
{
	const struct theme *t = theme_get(ui->contrast);
	int phase = (int)(anim_ms % 1600), travel = w->h / 3;
	int off = phase < 1000 ? travel * phase / 1000 : travel;
	SDL_Rect reader = {w->x, w->y + w->h - 40, w->w, 40};
	colour(ui->ren, t->role[ROLE_MUTED].text);
	SDL_RenderFillRect(ui->ren, &reader);
	SDL_Rect card = {w->x + w->w / 8, w->y + off, w->w * 3 / 4, w->h - 40 - travel - 10};
	box(ui, &card, &t->role[ROLE_NOTICE], 4);
	colour(ui->ren, t->role[ROLE_NOTICE].border);
	SDL_Rect photo = {card.x + 20, card.y + 20, card.w / 4, card.h - 40};
	SDL_RenderFillRect(ui->ren, &photo);
	for (int i = 0; i < 3; i++) {
		SDL_Rect line = {card.x + card.w / 4 + 40, card.y + 30 + i * (card.h - 60) / 3,
		                 card.w / 2 - 20, 10};
		SDL_RenderFillRect(ui->ren, &line);
	}
}

static void draw_dots(struct ui *ui, const struct widget *w)
{
	const struct theme *t = theme_get(ui->contrast);
	SDL_Rect rc = {w->x, w->y, w->w, w->h};
	box(ui, &rc, &t->role[ROLE_FIELD], 3);
	colour(ui->ren, t->role[ROLE_FIELD].text);
	int n = PIN_MAX, step = 100, x0 = w->x + (w->w - (n - 1) * step) / 2;
	for (int i = 0; i < n; i++)
		dot(ui->ren, x0 + i * step, w->y + w->h / 2, 24, i < w->arg);
}

static void draw(struct ui *ui, uint32_t anim_ms)
{
	const struct theme *t = theme_get(ui->contrast);
	ui->frame++;
	colour(ui->ren, t->background);
	SDL_RenderClear(ui->ren);
	for (int i = 0; i < ui->screen.n; i++) {
		const struct widget *w = &ui->screen.w[i];
		enum theme_role role = w->role;
		if (w->kind == WK_BUTTON && i == ui->pressed)
			role = ROLE_SELECTED;
		const struct theme_colours *tc = &t->role[role];
		SDL_Rect rc = {w->x, w->y, w->w, w->h};
		switch (w->kind) {
		case WK_BUTTON:
			box(ui, &rc, tc, 4);
			draw_text(ui, w, tc->text, 22, 1);
			break;
		case WK_TEXT:
			if (role != ROLE_SCREEN && role != ROLE_MUTED)
				box(ui, &rc, tc, 3);
			draw_text(ui, w, tc->text,
			          role != ROLE_SCREEN && role != ROLE_MUTED ? 22 : 0, 0);
			break;
		case WK_QR:
			draw_qr(ui, w);
			break;
		case WK_SPINNER:
			draw_spinner(ui, w, anim_ms);
			break;
		case WK_CARD:
			draw_card(ui, w, anim_ms);
			break;
		case WK_DOTS:
			draw_dots(ui, w);
			break;
		}
	}
}

/* ---- state ----------------------------------------------------------------------------------- */

static void relayout(struct ui *ui)
{
	struct flow_view start = {.screen = SCREEN_START, .prompt_key = "start.choose"};
	struct screen_input in = {
	    .view = ui->have_view ? &ui->view : &start,
	    .st = ui->lang[ui->english],
	    .conf = ui->conf,
	    .utc_s = ui->utc_s,
	    .large = ui->large,
	    .contrast = ui->contrast,
	    .voice = ui->voice_on,
	    .staff = ui->staff,
	    .entry = &ui->entry,
	    .pin_len = ui->pin.len,
	    .pin_digits = ui->digits,
	    .measure = measure,
	    .measure_ctx = ui,
	};
	screen_build(&in, &ui->screen);
	ui->layout_dirty = 0;
	ui->draw_dirty = 1;
}

static void speak(struct ui *ui)
{
	if (ui->voice_on && ui->screen.voice_key)
		voice_say(ui->voice, ui->english ? "en" : "zh-CN", ui->screen.voice_key);
}

static void wipe_pin(struct ui *ui)
{
	keypad_clear(&ui->pin, PIN_MAX);
}

static int staff_on(const struct ui *ui)
{
	return ui->staff && ui->staff->screen != STAFF_OFF;
}

void ui_set_staff(struct ui *ui, const struct staff_view *sv)
{
	ui->staff = sv;
	ui->layout_dirty = 1;
}

void ui_show(struct ui *ui, const struct flow_view *v, int64_t utc_s)
{
	enum staff_screen staff_now = ui->staff ? ui->staff->screen : STAFF_OFF;
	if (staff_now != ui->staff_shown) { /* a staff screen comes or goes: no PIN kept */
		wipe_pin(ui);
		ui->staff_shown = staff_now;
		ui->pressed = -1;
	}
	int same_step = ui->have_view && ui->view.screen == v->screen && ui->view.step == v->step &&
	                ui->view.biz == v->biz && ui->view.contact_email == v->contact_email;
	int is_pin = v->screen == SCREEN_STEP && (v->step == STEP_PIN || v->step == STEP_KEY_PIN);
	if (!same_step) {
		keypad_clear(&ui->entry, v->step == STEP_ORDER_NO  ? ORDER_MAX
		                         : v->step != STEP_CONTACT ? CODE_MAX
		                         : v->contact_email        ? EMAIL_MAX
		                                                   : PHONE_MAX);
		wipe_pin(ui);
		ui->showing_round = 0;
		ui->pressed = -1;
	}
	if (is_pin &&
	    (ui->showing_round != v->pin_round || strcmp(ui->showing_error, v->error_key) != 0)) {
		/* the pad is shown anew: a new scramble, an empty entry */
		wipe_pin(ui);
		keypad_scramble(ui->digits);
		ui->showing_round = v->pin_round;
	}
	snprintf(ui->showing_error, sizeof ui->showing_error, "%s", v->error_key);
	ui->view = *v;
	ui->have_view = 1;
	ui->utc_s = utc_s;
	relayout(ui);
	if (!same_step)
		speak(ui);
}

void ui_set_display(struct ui *ui, int english, int large, int contrast)
{
	ui->english = english ? 1 : 0;
	ui->large = large ? 1 : 0;
	ui->contrast = contrast ? 1 : 0;
	ui->layout_dirty = 1;
}

/* ---- taps ------------------------------------------------------------------------------------ */

static void post_tap(struct ui *ui, enum intent in, int arg, const char *text)
{
	if (!ui->post)
		return;
	struct flow_event ev = {.kind = FEV_TAP, .intent = in, .arg = arg};
	if (text)
		snprintf(ev.text, sizeof ev.text, "%s", text);
	ui->post(ui->post_ctx, &ev);
	explicit_bzero(&ev, sizeof ev);
}

static void act(struct ui *ui, const struct widget *w)
{
	int keypad = ui->screen.keypad;
	int is_pin = keypad == 3 || keypad == 4;
	switch (w->action) {
	case ACT_INTENT:
		post_tap(ui, (enum intent)w->intent, w->arg, NULL);
		return;
	case ACT_LANGUAGE:
		ui->english = !ui->english;
		break;
	case ACT_LARGE:
		ui->large = !ui->large;
		break;
	case ACT_CONTRAST:
		ui->contrast = !ui->contrast;
		break;
	case ACT_VOICE:
		ui->voice_on = !ui->voice_on;
		break;
	case ACT_CHAR:
		keypad_push(is_pin ? &ui->pin : &ui->entry, (char)w->arg);
		break;
	case ACT_DELETE:
		keypad_pop(is_pin ? &ui->pin : &ui->entry);
		break;
	case ACT_ENTER:
		if (keypad == 4) {
			post_tap(ui, INTENT_STAFF, staff_arg(STA_PIN, 0), ui->pin.text);
			wipe_pin(ui);
		} else if (keypad == 3) {
			post_tap(ui, INTENT_PIN, 0, ui->pin.text);
			wipe_pin(ui);
		} else {
			post_tap(ui, keypad == 5 ? INTENT_EMAIL : INTENT_TEXT, 0, ui->entry.text);
		}
		break;
	case ACT_NONE:
		return;
	}
	ui->layout_dirty = 1;
	if (w->action == ACT_LANGUAGE || w->action == ACT_VOICE) {
		relayout(ui);
		speak(ui);
	}
}

static int widget_at(struct ui *ui, int x, int y)
{
	const struct widget *w = screen_hit(&ui->screen, x, y);
	return w ? (int)(w - ui->screen.w) : -1;
}

static int in_corner(const struct ui *ui, int x, int y)
{
	return !staff_on(ui) && (!ui->have_view || ui->view.screen == SCREEN_START) && x >= 0 &&
	       y >= 0 && x < SCREEN_GESTURE_SIDE && y < SCREEN_GESTURE_SIDE;
}

static void press(struct ui *ui, int x, int y, uint32_t at_ms)
{
	ui->pressed = widget_at(ui, x, y);
	ui->draw_dirty = 1;
	ui->corner_down = in_corner(ui, x, y);
	ui->corner_down_ms = at_ms;
}

/* The hidden gesture: held long enough in the corner, let go there. */
static int corner_release(struct ui *ui, int x, int y, uint32_t at_ms)
{
	int held = ui->corner_down && in_corner(ui, x, y) &&
	           at_ms - ui->corner_down_ms >= SCREEN_GESTURE_MS;
	ui->corner_down = 0;
	if (held)
		post_tap(ui, INTENT_STAFF_ENTER, 0, NULL);
	return held;
}

static int release(struct ui *ui, int x, int y, uint32_t at_ms)
{
	if (corner_release(ui, x, y, at_ms)) {
		ui->pressed = -1;
		return 1;
	}
	int i = widget_at(ui, x, y), was = ui->pressed;
	ui->pressed = -1;
	ui->draw_dirty = 1;
	if (i < 0 || i != was)
		return 0;
	struct widget w = ui->screen.w[i]; /* acting may rebuild the screen */
	act(ui, &w);
	return 1;
}

static int handle(struct ui *ui, const SDL_Event *e)
{
	switch (e->type) {
	case SDL_QUIT:
		/* window close, Alt+F4, a signal: a kiosk keeps running unless staff asks */
		if (staff_on(ui))
			ui->quit = 1;
		return 0;
	case SDL_KEYDOWN:
		if (staff_on(ui) && e->key.keysym.sym == SDLK_q && (e->key.keysym.mod & KMOD_CTRL))
			ui->quit = 1;
		return 0;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
		    e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
			ui->draw_dirty = 1;
		return 0;
	case SDL_FINGERDOWN:
		press(ui, (int)(e->tfinger.x * SCREEN_W), (int)(e->tfinger.y * SCREEN_H),
		      e->tfinger.timestamp);
		return 0;
	case SDL_FINGERUP:
		return release(ui, (int)(e->tfinger.x * SCREEN_W), (int)(e->tfinger.y * SCREEN_H),
		               e->tfinger.timestamp);
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			return 0; /* a touch already counted as a finger */
		press(ui, e->button.x, e->button.y, e->button.timestamp);
		return 0;
	case SDL_MOUSEBUTTONUP:
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			return 0;
		return release(ui, e->button.x, e->button.y, e->button.timestamp);
	default:
		return 0;
	}
}

int ui_pump_events(struct ui *ui)
{
	SDL_Event e;
	int n = 0;
	while (SDL_PollEvent(&e))
		n += handle(ui, &e);
	return n;
}

int ui_frame(struct ui *ui, uint32_t anim_ms)
{
	if (ui->layout_dirty)
		relayout(ui);
	if (!ui->draw_dirty && !ui->screen.animated)
		return 0;
	draw(ui, anim_ms);
	SDL_RenderPresent(ui->ren);
	ui->draw_dirty = 0;
	return 1;
}

int ui_save_png(struct ui *ui, const char *path, struct kerr *err)
{
	if (ui->layout_dirty)
		relayout(ui);
	draw(ui, 0);
	int w = 0, h = 0;
	SDL_GetRendererOutputSize(ui->ren, &w, &h);
	unsigned char *rgb = malloc((size_t)w * (size_t)h * 3);
	if (!rgb)
		return kerr_set(err, KR_NOMEM, "out of memory");
	int rc = KR_OK;
	if (SDL_RenderReadPixels(ui->ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, w * 3) != 0)
		rc = kerr_set(err, KR_IO, "cannot read the screen: %s", SDL_GetError());
	else
		rc = png_write_rgb(path, w, h, rgb, err);
	free(rgb);
	SDL_RenderPresent(ui->ren);
	ui->draw_dirty = 0;
	return rc;
}

/* ---- life ------------------------------------------------------------------------------------ */

int ui_create(const struct conf *conf, const struct ui_options *o, struct ui **out,
              struct kerr *err)
{
	struct ui *ui = calloc(1, sizeof *ui);
	if (!ui)
		return kerr_set(err, KR_NOMEM, "out of memory");
	ui->conf = conf;
	ui->english = o->english || strcmp(conf->language, "en") == 0;
	ui->voice_on = o->voice;
	ui->pressed = -1;
	ui->layout_dirty = 1;
	keypad_clear(&ui->entry, CODE_MAX);
	keypad_clear(&ui->pin, PIN_MAX);
	for (int i = 0; i < 10; i++)
		ui->digits[i] = i;
	*out = NULL;

	int rc = strings_load(conf->assets, "zh-CN", &ui->lang[0], err);
	if (rc == KR_OK)
		rc = strings_load(conf->assets, "en", &ui->lang[1], err);
	if (rc == KR_OK)
		rc = find_font(ui, o->font ? o->font : getenv("KIOSK_FONT"), err);
	if (rc != KR_OK) {
		ui_destroy(ui);
		return rc;
	}
	/* signals stay ours (SIGTERM stops the kiosk); touches do not move a mouse twice */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
	if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
		rc = kerr_set(err, KR_IO, "no display: %s", SDL_GetError());
		ui_destroy(ui);
		return rc;
	}
	Uint32 flags = o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0;
	ui->win = SDL_CreateWindow("kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
	                           SCREEN_W, SCREEN_H, flags);
	if (ui->win)
		ui->ren = SDL_CreateRenderer(ui->win, -1, 0);
	if (!ui->ren) {
		rc = kerr_set(err, KR_IO, "cannot open the window: %s", SDL_GetError());
		ui_destroy(ui);
		return rc;
	}
	SDL_RenderSetLogicalSize(ui->ren, SCREEN_W, SCREEN_H);
	SDL_ShowCursor(SDL_DISABLE);
	struct face *probe = face_of(ui, 0, FONT_BODY);
	if (!probe->font || !TTF_GlyphIsProvided32(probe->font, 0x4E2D /* 中 */)) {
		rc =
		    kerr_set(err, KR_CONFIG, "%s:%d has no Chinese glyphs (install fonts-noto-cjk)",
		             ui->font_file, ui->font_index);
		ui_destroy(ui);
		return rc;
	}
	ui->voice = voice_open(o->voice_dir);
	*out = ui;
	return KR_OK;
}

void ui_destroy(struct ui *ui)
{
	if (!ui)
		return;
	wipe_pin(ui);
	explicit_bzero(&ui->entry, sizeof ui->entry);
	voice_close(ui->voice);
	cache_clear(ui);
	for (int l = 0; l < 2; l++)
		for (int f = 0; f < FONT_COUNT; f++) {
			if (ui->face[l][f].font)
				TTF_CloseFont(ui->face[l][f].font);
			free(ui->face[l][f].advance);
		}
	if (ui->ren)
		SDL_DestroyRenderer(ui->ren);
	if (ui->win)
		SDL_DestroyWindow(ui->win);
	if (TTF_WasInit())
		TTF_Quit();
	if (SDL_WasInit(0))
		SDL_Quit();
	if (ui->fc_started)
		FcFini(); /* fontconfig's caches; others holding its config keep their reference */
	strings_free(ui->lang[0]);
	strings_free(ui->lang[1]);
	explicit_bzero(&ui->view, sizeof ui->view);
	free(ui);
}

void ui_attach(struct ui *ui, ui_post_fn fn, void *ctx)
{
	ui->post = fn;
	ui->post_ctx = ctx;
}

int ui_quit_requested(const struct ui *ui)
{
	return ui->quit;
}

const struct screen *ui_screen(struct ui *ui)
{
	if (ui->layout_dirty)
		relayout(ui);
	return &ui->screen;
}

int ui_missing_glyphs(const struct ui *ui)
{
	return ui->missing_glyphs;
}

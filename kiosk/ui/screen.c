/* screen.c — one layout function per kind of screen (see screen.h). Information flows
 * down from the top; controls are stacked up from the bottom edge. */
#include "screen.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/money.h"

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
static const char *tx(struct builder *b, const char *key)
{
	const char *t = strings_find(b->in->st, key);
	if (t)
		return t;
	if (!b->s->missing++)
		snprintf(b->s->missing_key, sizeof b->s->missing_key, "%s", key);
	return key;
}

/* The text of key with "{}" replaced by arg. */
static void fill(struct builder *b, char *out, size_t size, const char *key, const char *arg)
{
	const char *t = tx(b, key);
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
static struct widget *info(struct builder *b, enum screen_font font, enum theme_role role,
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
static struct widget *figure(struct builder *b, enum widget_kind kind, int w, int h,
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

static void info_key(struct builder *b, enum screen_font font, enum theme_role role,
                     const char *key)
{
	info(b, font, role, 0, tx(b, key));
}

/* Places a grid of buttons directly above the controls already placed. Row heights grow
 * to fit their labels. */
static void grid(struct builder *b, const struct btn *btn, int n, int cols, enum screen_font font)
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
	int row_y[16];
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
static struct widget *caption(struct builder *b, enum screen_font font, enum theme_role role,
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

static void money(fen_t fen, char *out, size_t size)
{
	money_format(fen, out, size);
}

static void china_date(int64_t utc, char *out, size_t size)
{
	time_t t = (time_t)(utc + 8 * 3600);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
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
static void hours_text(struct builder *b, char *out, size_t size)
{
	const struct conf_region *r = &b->in->conf->region;
	char wd[96], we[96];
	spans(&r->workdays, wd, sizeof wd);
	spans(&r->weekends, we, sizeof we);
	snprintf(out, size, "%s %s %s  ·  %s %s", tx(b, "ui.hours"), tx(b, "ui.workdays"),
	         r->workdays.n ? wd : tx(b, "ui.closed"), tx(b, "ui.weekends"),
	         r->weekends.n ? we : tx(b, "ui.closed"));
}

/* The hall and its hotline (not in large text: room for the keypads), and the title. */
static void header(struct builder *b, const char *title)
{
	char line[SCREEN_TEXT];
	if (!b->in->large) {
		snprintf(line, sizeof line, "%s  ·  %s %s", b->in->conf->region.name,
		         tx(b, "ui.hotline"), b->in->conf->region.hotline);
		info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	info(b, FONT_TITLE, ROLE_SCREEN, 0, title);
}

/* The prompt, and the error and notice of the view. */
static void prompt(struct builder *b)
{
	const struct flow_view *v = b->v;
	info_key(b, FONT_BODY, ROLE_SCREEN, v->prompt_key);
	b->s->voice_key = v->prompt_key;
	if (v->error_key[0])
		info_key(b, FONT_BODY, ROLE_ERROR, v->error_key);
	if (v->notice_key[0])
		info_key(b, FONT_BODY, ROLE_NOTICE, v->notice_key);
}

/* The countdown of the last seconds, as information below the rest, and (with_button)
 * a row of its own for "more time" when the step may be extended. Returns whether more
 * time may be asked for. */
static int countdown(struct builder *b, int with_button)
{
	const struct flow_view *v = b->v;
	if (!v->show_countdown || (v->screen == SCREEN_STEP && v->step == STEP_PAY))
		return 0;
	char n[16], line[SCREEN_TEXT];
	snprintf(n, sizeof n, "%d", v->remaining_s);
	fill(b, line, sizeof line, "ui.seconds_left", n);
	info(b, FONT_BODY, ROLE_WARNING, 1, line);
	if (v->can_extend && with_button) {
		struct btn more = {tx(b, "ui.more_time"), ACT_INTENT, INTENT_MORE_TIME, 0,
		                   ROLE_PRIMARY};
		grid(b, &more, 1, 1, FONT_BODY);
	}
	return v->can_extend;
}

/* The bottom row: back, cancel, and "more time" while the countdown runs. */
static void nav(struct builder *b, int back, int cancel_key_is_pay)
{
	struct btn row[3];
	int n = 0;
	if (back)
		row[n++] = (struct btn){tx(b, "ui.back"), ACT_INTENT, INTENT_BACK, 0, ROLE_BUTTON};
	row[n++] = (struct btn){tx(b, cancel_key_is_pay ? "ui.pay_cancel" : "ui.cancel"),
	                        ACT_INTENT, INTENT_CANCEL, 0, ROLE_BUTTON};
	if (countdown(b, 0))
		row[n++] = (struct btn){tx(b, "ui.more_time"), ACT_INTENT, INTENT_MORE_TIME, 0,
		                        ROLE_PRIMARY};
	grid(b, row, n, n, FONT_BODY);
}

/* ---- the screens ------------------------------------------------------------------------ */

static void start_screen(struct builder *b)
{
	const struct conf *c = b->in->conf;
	char line[SCREEN_TEXT];
	info(b, FONT_TITLE, ROLE_SCREEN, 0, c->region.name);
	prompt(b);
	if (!b->in->large) { /* large text: the prompt says it, the error screens list these */
		info_key(b, FONT_BODY, ROLE_NOTICE, "ui.insert_key_hint");
		hours_text(b, line, sizeof line);
		info(b, FONT_SMALL, ROLE_MUTED, 0, line);
		snprintf(line, sizeof line, "%s %s  ·  %s %s", tx(b, "ui.hotline"),
		         c->region.hotline, tx(b, "ui.hall_phone"), c->region.phone);
		info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	if (!conf_hall_open(&c->region, b->in->utc_s))
		info_key(b, FONT_SMALL, ROLE_WARNING, "ui.after_hours");

	struct btn opt[4] = {
	    {tx(b, "ui.language"), ACT_LANGUAGE, 0, 0, ROLE_BUTTON},
	    {tx(b, "ui.large_text"), ACT_LARGE, 0, 0, b->in->large ? ROLE_SELECTED : ROLE_BUTTON},
	    {tx(b, "ui.contrast"), ACT_CONTRAST, 0, 0,
	     b->in->contrast ? ROLE_SELECTED : ROLE_BUTTON},
	    {tx(b, b->in->voice ? "ui.voice_on" : "ui.voice_off"), ACT_VOICE, 0, 0,
	     b->in->voice ? ROLE_SELECTED : ROLE_BUTTON},
	};
	grid(b, opt, 4, 4, FONT_SMALL);

	static const char *const biz_key[BIZ_COUNT] = {
	    [BIZ_NEW] = "biz.new",         [BIZ_RENEW] = "biz.renew",
	    [BIZ_REISSUE] = "biz.reissue", [BIZ_CHANGE] = "biz.change",
	    [BIZ_UNLOCK] = "biz.unlock",   [BIZ_EXCHANGE] = "biz.exchange",
	    [BIZ_CHECK] = "biz.check",     [BIZ_REVOKE] = "biz.revoke",
	};
	struct btn tiles[BIZ_COUNT + 1];
	int n = 0;
	for (int biz = 0; biz < BIZ_COUNT; biz++)
		if (b->v->offered & (1u << biz))
			tiles[n++] = (struct btn){tx(b, biz_key[biz]), ACT_INTENT, INTENT_BUSINESS,
			                          biz, ROLE_PRIMARY};
	if (b->v->pickup_offered)
		tiles[n++] =
		    (struct btn){tx(b, "biz.pickup"), ACT_INTENT, INTENT_PICKUP, 0, ROLE_PRIMARY};
	grid(b, tiles, n, 2, FONT_BODY);
}

static const char *biz_title_key(enum business biz)
{
	static const char *const k[BIZ_COUNT] = {
	    [BIZ_NEW] = "biz.new",         [BIZ_RENEW] = "biz.renew",
	    [BIZ_REISSUE] = "biz.reissue", [BIZ_CHANGE] = "biz.change",
	    [BIZ_UNLOCK] = "biz.unlock",   [BIZ_EXCHANGE] = "biz.exchange",
	    [BIZ_CHECK] = "biz.check",     [BIZ_REVOKE] = "biz.revoke",
	};
	return (int)biz >= 0 && biz < BIZ_COUNT ? k[biz] : "biz.check";
}

static void key_info(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT], n[16];
	if (!v->have_key) {
		info_key(b, FONT_BODY, ROLE_NOTICE, "ui.key_reading");
		figure(b, WK_SPINNER, 120, 120, "");
	} else {
		if (v->subject_masked[0])
			info(b, FONT_BODY, ROLE_SCREEN, 0, v->subject_masked);
		static const char *const issuer[] = {"ui.issuer_none", "ui.issuer_ours",
		                                     "ui.issuer_jsca", "ui.issuer_other"};
		fill(b, line, sizeof line, "ui.issuer",
		     tx(b, issuer[v->issuer <= ISSUER_OTHER ? v->issuer : ISSUER_OTHER]));
		info(b, FONT_BODY, ROLE_SCREEN, 0, line);
		if (v->issuer != ISSUER_NONE) {
			snprintf(n, sizeof n, "%d",
			         v->key_days_left >= 0 ? v->key_days_left : -v->key_days_left);
			fill(b, line, sizeof line,
			     v->key_days_left >= 0 ? "ui.days_left" : "ui.expired_days", n);
			info(b, FONT_BODY, v->key_days_left <= 30 ? ROLE_WARNING : ROLE_SCREEN, 0,
			     line);
		}
		static const char *const pin[] = {"ui.pin_ok", "ui.pin_count_low", "ui.pin_final",
		                                  "ui.pin_locked"};
		snprintf(line, sizeof line, "%s  ·  %s  ·  %s", tx(b, pin[v->key_pin & 3]),
		         tx(b, v->key_has_seal ? "ui.has_seal" : "ui.no_seal"),
		         tx(b, v->check_pass ? "ui.check_pass" : "ui.check_fail"));
		info(b, FONT_BODY, ROLE_SCREEN, 0, line);
		if (v->fit_key && v->biz != BIZ_CHECK)
			info_key(b, FONT_BODY, ROLE_ERROR, v->fit_key);
	}
	nav(b, 1, 0);
	struct btn row[2];
	int n_btn = 0;
	if (v->biz == BIZ_CHECK) {
		if (v->have_key && v->suggest >= 0 && v->suggest != BIZ_CHECK) {
			fill(b, line, sizeof line, "ui.suggest", tx(b, biz_title_key(v->suggest)));
			row[n_btn++] = (struct btn){line, ACT_INTENT, INTENT_BUSINESS, v->suggest,
			                            ROLE_PRIMARY};
		}
		if (v->have_key)
			row[n_btn++] = (struct btn){tx(b, "ui.check_only"), ACT_INTENT, INTENT_NEXT,
			                            0, ROLE_BUTTON};
	} else if (v->have_key) {
		row[n_btn++] = (struct btn){tx(b, "ui.next"), ACT_INTENT, INTENT_NEXT, 0,
		                            v->fit_key ? ROLE_DISABLED : ROLE_PRIMARY};
	}
	grid(b, row, n_btn, 1, FONT_BODY);
}

/* A keypad: delete and OK two keys wide each in the last row when it has room, else in
 * a row of their own below the keys, with extra (when not NULL) between them. wide: the
 * keys span the screen's width (see WIDE_EDGE). */
static void keypad(struct builder *b, const char *alphabet, int cols, enum screen_font font,
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
	    {tx(b, "ui.delete"), ACT_DELETE, 0, 0, ROLE_BUTTON},
	    {tx(b, "ui.ok"), ACT_ENTER, 0, 0, ROLE_PRIMARY},
	};
	if (extra) {
		row[2] = row[1];
		row[1] = *extra;
	}
	int used = n % cols, room = used && !extra && !wide ? cols - used : 0;
	if (room < 4)
		grid(b, row, extra ? 3 : 2, extra ? 3 : 2, FONT_BODY);
	b->keypad_keys = 1;
	b->wide = wide;
	grid(b, keys, n, cols, font);
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
static void entry_field(struct builder *b, const char *placeholder_key, int email)
{
	const struct keypad_entry *e = b->in->entry;
	if (e && e->len > 0) {
		struct widget *w = info(b, email ? FONT_BODY : FONT_TITLE, ROLE_FIELD, 1, e->text);
		w->overflow = w->overflow && !email;
	} else
		info(b, FONT_BODY, ROLE_FIELD, 1, tx(b, placeholder_key));
}

static void options(struct builder *b)
{
	const struct flow_view *v = b->v;
	const struct recipe *r = catalogue_recipe(v->biz, v->holder);
	char line[SCREEN_TEXT], money_s[32];
	money(v->quote.total_fen, money_s, sizeof money_s);
	fill(b, line, sizeof line, "ui.total", money_s);
	info(b, FONT_TITLE, ROLE_SCREEN, 0, line);

	nav(b, 1, 0);
	struct btn next = {tx(b, "ui.next"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	grid(b, &next, 1, 1, FONT_BODY);
	char labels[12][64];
	struct btn row[8];
	if (r && r->change_option) {
		static const char *const k[CHANGE_COUNT] = {
		    "ui.change_name", "ui.change_legal_person", "ui.change_seal_template"};
		for (int c = 0; c < CHANGE_COUNT; c++)
			row[c] = (struct btn){tx(b, k[c]), ACT_INTENT, INTENT_CHANGE, c,
			                      (int)v->change == c ? ROLE_SELECTED : ROLE_BUTTON};
		grid(b, row, CHANGE_COUNT, 3, FONT_BODY);
		caption(b, FONT_SMALL, ROLE_SCREEN, tx(b, "ui.change"));
	}
	if (r && r->sub_keys_option) {
		for (int k = 0; k <= CATALOGUE_MAX_SUB_KEYS; k++) {
			char n[8];
			snprintf(n, sizeof n, "%d", k);
			fill(b, labels[k], sizeof labels[k], "ui.sub_keys_n", n);
			row[k] = (struct btn){labels[k], ACT_INTENT, INTENT_SUB_KEYS, k,
			                      v->sub_keys == k ? ROLE_SELECTED : ROLE_BUTTON};
		}
		grid(b, row, CATALOGUE_MAX_SUB_KEYS + 1, 3, FONT_BODY);
		caption(b, FONT_SMALL, ROLE_SCREEN, tx(b, "ui.sub_keys"));
	}
	if (r && r->seal_option) {
		row[0] = (struct btn){tx(b, "ui.yes"), ACT_INTENT, INTENT_SEAL, 1,
		                      v->seal ? ROLE_SELECTED : ROLE_BUTTON};
		row[1] = (struct btn){tx(b, "ui.no"), ACT_INTENT, INTENT_SEAL, 0,
		                      v->seal ? ROLE_BUTTON : ROLE_SELECTED};
		grid(b, row, 2, 2, FONT_BODY);
		caption(b, FONT_SMALL, ROLE_SCREEN, tx(b, "ui.seal"));
	}
	if (r && r->years) {
		int n = 0;
		const struct fee_table *t = &b->in->conf->region.fees;
		for (int y = 1; y <= t->years_max && n < 6; y++)
			if (fees_years_offered(t, v->biz, v->holder, y)) {
				char num[12];
				snprintf(num, sizeof num, "%d", y);
				char *label = labels[6 + n];
				fill(b, label, sizeof labels[0], "ui.years_n", num);
				row[n] = (struct btn){label, ACT_INTENT, INTENT_YEARS, y,
				                      v->years == y ? ROLE_SELECTED : ROLE_BUTTON};
				n++;
			}
		grid(b, row, n, n > 3 ? 3 : n, FONT_BODY);
		caption(b, FONT_SMALL, ROLE_SCREEN, tx(b, "ui.years"));
	}
}

/* A pick-up's confirmation: the order, that it is paid, and what will be made. */
static void confirm_pickup(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT], amount[32], n[16], years[64], what[SCREEN_TEXT];
	fill(b, line, sizeof line, "ui.pickup_order", v->pickup_no);
	info(b, FONT_TITLE, ROLE_SCREEN, 0, line);
	money(v->pickup_paid_fen, amount, sizeof amount);
	fill(b, line, sizeof line, "ui.pickup_paid", amount);
	info(b, FONT_BODY, ROLE_NOTICE, 0, line);
	snprintf(n, sizeof n, "%d", 1 + v->sub_keys);
	fill(b, what, sizeof what, "ui.pickup_keys", n);
	snprintf(n, sizeof n, "%d", v->years);
	fill(b, years, sizeof years, "ui.years_n", n);
	snprintf(what + strlen(what), sizeof what - strlen(what), "  ·  %s%s", years,
	         v->seal ? tx(b, "ui.pickup_with_seal") : "");
	fill(b, line, sizeof line, "ui.pickup_make", what);
	info(b, FONT_BODY, ROLE_SCREEN, 0, line);
	if (v->subject_masked[0])
		info(b, FONT_BODY, ROLE_SCREEN, 0, v->subject_masked);
	nav(b, 1, 0);
	struct btn ok = {tx(b, "ui.pickup_confirm"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	grid(b, &ok, 1, 1, FONT_BODY);
}

static void confirm(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[96], amount[32], item[SCREEN_TEXT];
	if (v->pickup) {
		confirm_pickup(b);
		return;
	}
	for (int i = 0; i < v->quote.nlines; i++) {
		const struct fee_line *l = &v->quote.line[i];
		money(l->total_fen, amount, sizeof amount);
		snprintf(item, sizeof item, "%s × %d", tx(b, l->key), l->qty);
		if (l->years) {
			char n[8], years[64];
			snprintf(n, sizeof n, "%d", l->years);
			fill(b, years, sizeof years, "ui.years_n", n);
			snprintf(item + strlen(item), sizeof item - strlen(item), "  ·  %s%s",
			         years, l->bundle ? tx(b, "ui.bundle") : "");
		}
		fill(b, line, sizeof line, "ui.yuan", amount);
		snprintf(item + strlen(item), sizeof item - strlen(item), "  ·  %s", line);
		info(b, FONT_BODY, ROLE_SCREEN, 0, item);
	}
	if (v->quote.total_fen > 0) {
		money(v->quote.total_fen, amount, sizeof amount);
		fill(b, line, sizeof line, "ui.total", amount);
		info(b, FONT_TITLE, ROLE_SCREEN, 0, line);
	} else {
		info_key(b, FONT_TITLE, ROLE_SCREEN, "ui.free");
	}
	if (v->subject_masked[0])
		info(b, FONT_SMALL, ROLE_MUTED, 0, v->subject_masked);
	if (v->phone_masked[0]) {
		fill(b, line, sizeof line, "ui.phone", v->phone_masked);
		info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	if (v->email_masked[0]) {
		fill(b, line, sizeof line, "ui.email", v->email_masked);
		info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	nav(b, 1, 0);
	struct btn ok = {tx(b, "ui.confirm"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	grid(b, &ok, 1, 1, FONT_BODY);
}

static void pay(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[160], amount[32], n[16];
	money(v->quote.total_fen, amount, sizeof amount);
	fill(b, line, sizeof line, "ui.yuan", amount);
	char big[SCREEN_TEXT];
	snprintf(big, sizeof big, "%s %s", tx(b, "ui.amount"), line);
	info(b, FONT_TITLE, ROLE_SCREEN, 1, big);
	if (v->qr[0]) {
		int side = b->in->large ? 520 : 560;
		figure(b, WK_QR, side, side, v->qr);
	} else {
		info_key(b, FONT_BODY, ROLE_NOTICE, "ui.qr_waiting");
	}
	snprintf(n, sizeof n, "%d", v->remaining_s);
	fill(b, line, sizeof line, "ui.qr_left", n);
	info(b, FONT_BODY, v->remaining_s <= 30 ? ROLE_WARNING : ROLE_SCREEN, 1, line);
	if (!v->cancelling) {
		struct btn c = {tx(b, "ui.pay_cancel"), ACT_INTENT, INTENT_CANCEL, 0, ROLE_BUTTON};
		grid(b, &c, 1, 1, FONT_BODY);
	}
}

static void work(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT], n[16];
	figure(b, WK_SPINNER, 180, 180, "");
	if (v->progress_key[0])
		info(b, FONT_TITLE, ROLE_SCREEN, 1, tx(b, v->progress_key));
	snprintf(n, sizeof n, "%d", v->work_steps_done);
	fill(b, line, sizeof line, "ui.work_steps", n);
	info(b, FONT_BODY, ROLE_MUTED, 1, line);
	caption(b, FONT_TITLE, ROLE_WARNING, tx(b, "ui.keep_key"));
}

static void result(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT], date[40];
	if (v->order_no[0]) {
		fill(b, line, sizeof line, "ui.order_no", v->order_no);
		info(b, FONT_BODY, ROLE_SCREEN, 0, line);
	}
	if (v->cert_serial[0]) {
		fill(b, line, sizeof line, "ui.cert_serial", v->cert_serial);
		info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	if (v->not_after_utc) {
		china_date(v->not_after_utc, date, sizeof date);
		fill(b, line, sizeof line, "ui.valid_to", date);
		info(b, FONT_BODY, ROLE_SCREEN, 0, line);
	}
	if (v->biz == BIZ_CHECK && v->have_key)
		info_key(b, FONT_BODY, v->check_pass ? ROLE_NOTICE : ROLE_ERROR,
		         v->check_pass ? "ui.check_pass" : "ui.check_fail");
	if (v->print_key)
		info_key(b, FONT_BODY,
		         strcmp(v->print_key, "print.failed") == 0 ? ROLE_WARNING : ROLE_NOTICE,
		         v->print_key);
	countdown(b, 1);
	struct btn done = {tx(b, "ui.finish"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	grid(b, &done, 1, 1, FONT_BODY);
	caption(b, FONT_TITLE, ROLE_WARNING, tx(b, "ui.take_key"));
}

static void error_screen(struct builder *b)
{
	const struct flow_view *v = b->v;
	const struct conf_region *r = &b->in->conf->region;
	char line[SCREEN_TEXT];
	int out_of_service = v->out_of_service;
	header(b, tx(b, out_of_service ? "ui.out_of_service" : "error.title"));
	b->s->voice_key = out_of_service ? "ui.out_of_service" : "error.title";
	if (v->error_key[0])
		info_key(b, FONT_BODY, ROLE_ERROR, v->error_key);
	if (v->notice_key[0])
		info_key(b, FONT_BODY, ROLE_NOTICE, v->notice_key);
	info_key(b, FONT_BODY, ROLE_SCREEN, "ui.next_steps");
	fill(b, line, sizeof line, "ui.call_hotline", r->hotline);
	info(b, FONT_BODY, ROLE_SCREEN, 0, line);
	info_key(b, FONT_BODY, ROLE_SCREEN, "ui.ask_staff");
	char hours[SCREEN_TEXT];
	hours_text(b, hours, sizeof hours);
	fill(b, line, sizeof line, "ui.come_back", hours);
	info(b, FONT_BODY, ROLE_SCREEN, 0, line);
	countdown(b, 1);
	struct btn home = {tx(b, "ui.home"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	grid(b, &home, 1, 1, FONT_BODY);
}

/* ---- staff mode: one layout per staff screen, from the staff view ---------------------- */

static struct btn staff_btn(const char *text, enum staff_action a, int row, enum theme_role role)
{
	return (struct btn){text, ACT_INTENT, INTENT_STAFF, staff_arg(a, row), role};
}

/* The bottom row: back to the staff home (when not at home) and leave staff mode. */
static void staff_nav(struct builder *b, int back)
{
	struct btn row[2];
	int n = 0;
	if (back)
		row[n++] = staff_btn(tx(b, "staff.back"), STA_SHOW, STAFF_HOME, ROLE_BUTTON);
	row[n++] = staff_btn(tx(b, "staff.exit"), STA_EXIT, 0, ROLE_BUTTON);
	grid(b, row, n, n, FONT_BODY);
}

/* "key: value" as a line of information. */
static void staff_line(struct builder *b, enum theme_role role, const char *key, const char *value)
{
	char line[SCREEN_TEXT];
	snprintf(line, sizeof line, "%s: %s", tx(b, key), value);
	info(b, FONT_BODY, role, 0, line);
}

static void staff_count(struct builder *b, const char *key, int64_t n)
{
	char v[24];
	snprintf(v, sizeof v, "%lld", (long long)n);
	staff_line(b, ROLE_SCREEN, key, v);
}

static void staff_pin(struct builder *b, const struct staff_view *sv)
{
	char n[16];
	info_key(b, FONT_BODY, ROLE_SCREEN, sv->key_pin ? "staff.key_pin" : "staff.pin");
	if (!sv->key_pin)
		info_key(b, FONT_SMALL, ROLE_MUTED, "staff.key_hint");
	snprintf(n, sizeof n, "%d", sv->tries_left);
	staff_line(b, sv->tries_left < STAFF_PIN_TRIES ? ROLE_WARNING : ROLE_MUTED,
	           "staff.tries_left", n);
	figure(b, WK_DOTS, CONTENT_W, 130, "")->arg = b->in->pin_len;
	b->s->keypad = 4;
	staff_nav(b, 0);
	keypad(b, "1234567890", 5, FONT_HUGE, NULL, 0);
}

static void staff_locked(struct builder *b, const struct staff_view *sv)
{
	char n[16];
	snprintf(n, sizeof n, "%d", (sv->locked_s + 59) / 60);
	staff_line(b, ROLE_ERROR, "staff.locked", n);
	staff_nav(b, 0);
}

/* The sync backlog and the central site's last answer, China time. */
static void staff_sync(struct builder *b, const struct staff_data *d)
{
	char when[80], date[48]; /* room for any year the compiler can imagine */
	staff_count(b, "staff.sync_backlog", d->outbox);
	if (d->last_contact_utc > 0) {
		int64_t day_s = (d->last_contact_utc + 8 * 3600) % 86400;
		china_date(d->last_contact_utc, date, sizeof date);
		snprintf(when, sizeof when, "%s %02d:%02d", date, (int)(day_s / 3600),
		         (int)(day_s % 3600 / 60));
	}
	staff_line(b, ROLE_SCREEN, "staff.last_contact",
	           d->last_contact_utc > 0 ? when : tx(b, "staff.never"));
}

static void staff_home(struct builder *b, const struct staff_view *sv)
{
	if (sv->out_of_service)
		info_key(b, FONT_BODY, ROLE_WARNING, "staff.out_of_service");
	staff_sync(b, &sv->data);
	staff_nav(b, 0);
	struct btn row[6] = {
	    staff_btn(tx(b, "staff.devices"), STA_SHOW, STAFF_DEVICES, ROLE_BUTTON),
	    staff_btn(tx(b, "staff.stock"), STA_SHOW, STAFF_STOCK, ROLE_BUTTON),
	    staff_btn(tx(b, "staff.orders"), STA_SHOW, STAFF_ORDERS, ROLE_BUTTON),
	    staff_btn(tx(b, "staff.stranded"), STA_SHOW, STAFF_STRANDED, ROLE_BUTTON),
	    staff_btn(tx(b, "staff.receipts"), STA_SHOW, STAFF_RECEIPTS, ROLE_BUTTON),
	    staff_btn(tx(b, sv->out_of_service ? "staff.service_on" : "staff.service_off"),
	              STA_SERVICE, 0, sv->out_of_service ? ROLE_SELECTED : ROLE_BUTTON),
	};
	grid(b, row, 6, 2, FONT_BODY);
}

static void staff_devices(struct builder *b, const struct staff_view *sv)
{
	char line[SCREEN_TEXT];
	if (!sv->ndevices)
		info_key(b, FONT_BODY, ROLE_MUTED, "staff.no_devices");
	for (int i = 0; i < sv->ndevices && i < STAFF_DEVICES_MAX; i++) {
		const struct staff_device *d = &sv->device[i];
		snprintf(line, sizeof line, "%s  ·  %s",
		         tx(b, d->faulty ? "staff.device_fault" : "staff.device_ok"),
		         tx(b, d->status_key));
		info(b, FONT_BODY, d->faulty ? ROLE_ERROR : ROLE_SCREEN, 0, line);
	}
	staff_nav(b, 1);
}

/* Blank keys per bin and the retain bin. */
static void staff_bins(struct builder *b, const struct staff_data *d)
{
	char key[SCREEN_TEXT];
	for (int i = 0; i < d->bins && i < STAFF_BINS_MAX; i++) {
		snprintf(key, sizeof key, "%s %d: %lld", tx(b, "staff.bin"), i + 1,
		         (long long)d->blank[i]);
		info(b, FONT_BODY, ROLE_SCREEN, 0, key);
	}
	staff_count(b, "staff.retained", d->retained);
}

static void staff_stock(struct builder *b, const struct staff_view *sv)
{
	staff_bins(b, &sv->data);
	staff_nav(b, 1);
	if (!sv->busy) {
		struct btn start =
		    staff_btn(tx(b, "staff.restock_start"), STA_RESTOCK_START, 0, ROLE_PRIMARY);
		grid(b, &start, 1, 1, FONT_BODY);
	}
}

/* A count with its − and + buttons: the caption above the pair (in large text the
 * small font: the taller buttons leave no room for more). */
static void staff_counter(struct builder *b, const char *label, enum staff_action less,
                          enum staff_action more, int row)
{
	struct btn pair[2] = {
	    staff_btn("-", less, row, ROLE_BUTTON),
	    staff_btn("+", more, row, ROLE_BUTTON),
	};
	grid(b, pair, 2, 2, FONT_TITLE);
	caption(b, b->in->large ? FONT_SMALL : FONT_BODY, ROLE_FIELD, label);
}

/* How many rows of a list fit: in large text one fewer (the taller buttons). */
static int staff_rows(const struct builder *b, int n)
{
	int max = b->in->large ? STAFF_ROWS_MAX - 1 : STAFF_ROWS_MAX;
	return n < max ? n : max;
}

static void staff_restock(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char line[SCREEN_TEXT];
	info_key(b, FONT_BODY, ROLE_SCREEN, "staff.restock");
	struct btn row[2] = {
	    staff_btn(tx(b, "staff.restock_cancel"), STA_RESTOCK_CANCEL, 0, ROLE_BUTTON),
	    staff_btn(tx(b, "staff.restock_end"), STA_RESTOCK_END, 0, ROLE_PRIMARY),
	};
	grid(b, row, 2, 2, FONT_BODY);
	snprintf(line, sizeof line, "%s: %lld  ·  %s %lld", tx(b, "staff.retained"),
	         (long long)d->retained, tx(b, "staff.removed"), (long long)sv->removed);
	staff_counter(b, line, STA_REMOVE_LESS, STA_REMOVE_MORE, 0);
	for (int i = (d->bins < STAFF_BINS_MAX ? d->bins : STAFF_BINS_MAX) - 1; i >= 0; i--) {
		snprintf(line, sizeof line, "%s %d: %lld  ·  %s %lld", tx(b, "staff.bin"), i + 1,
		         (long long)d->blank[i], tx(b, "staff.loaded"), (long long)sv->loaded[i]);
		staff_counter(b, line, STA_LOAD_LESS, STA_LOAD_MORE, i);
	}
}

static void staff_orders(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char amount[32];
	staff_count(b, "staff.orders_today", d->orders_today);
	staff_count(b, "staff.served", d->served_today);
	staff_count(b, "staff.refunded", d->refunded_today);
	money(d->takings_today_fen, amount, sizeof amount);
	staff_line(b, ROLE_SCREEN, "staff.takings", amount);
	staff_count(b, "staff.outbox", d->outbox);
	staff_nav(b, 1);
}

static void staff_stranded(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char label[STAFF_ROWS_MAX][SCREEN_TEXT], amount[32];
	struct btn row[STAFF_ROWS_MAX];
	int n = staff_rows(b, d->nstranded);
	if (!n)
		info_key(b, FONT_BODY, ROLE_MUTED, "staff.none");
	staff_nav(b, 1);
	for (int i = 0; i < n; i++) {
		money(d->stranded[i].amount_fen, amount, sizeof amount);
		snprintf(label[i], sizeof label[i], "%s  %s  ·  %s", tx(b, "staff.refund"),
		         d->stranded[i].order_no, amount);
		row[i] = staff_btn(label[i], STA_REFUND, i, sv->busy ? ROLE_DISABLED : ROLE_BUTTON);
	}
	grid(b, row, n, 1, FONT_SMALL);
}

static void staff_receipts(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char label[STAFF_ROWS_MAX][SCREEN_TEXT], kind[48];
	struct btn row[STAFF_ROWS_MAX];
	int n = staff_rows(b, d->nreceipts);
	if (!n)
		info_key(b, FONT_BODY, ROLE_MUTED, "staff.none");
	staff_nav(b, 1);
	for (int i = 0; i < n; i++) {
		snprintf(kind, sizeof kind, "staff.kind_%s", d->receipts[i].kind);
		snprintf(label[i], sizeof label[i], "%s  %s  %s", tx(b, "staff.reprint"),
		         tx(b, kind), d->receipts[i].order_no);
		row[i] =
		    staff_btn(label[i], STA_REPRINT, i, sv->busy ? ROLE_DISABLED : ROLE_BUTTON);
	}
	grid(b, row, n, 1, FONT_SMALL);
}

static void staff_screen(struct builder *b)
{
	const struct staff_view *sv = b->in->staff;
	static const char *const title[STAFF_SCREEN_COUNT] = {
	    [STAFF_PIN] = "staff.home",          [STAFF_LOCKED] = "staff.home",
	    [STAFF_HOME] = "staff.home",         [STAFF_DEVICES] = "staff.devices",
	    [STAFF_STOCK] = "staff.stock",       [STAFF_RESTOCK] = "staff.stock",
	    [STAFF_ORDERS] = "staff.orders",     [STAFF_STRANDED] = "staff.stranded",
	    [STAFF_RECEIPTS] = "staff.receipts",
	};
	header(b, tx(b, title[sv->screen] ? title[sv->screen] : "staff.home"));
	b->s->voice_key = NULL; /* staff screens are not spoken */
	if (sv->notice_key[0])
		info_key(b, FONT_BODY, strstr(sv->notice_key, "failed") ? ROLE_ERROR : ROLE_NOTICE,
		         sv->notice_key);
	switch (sv->screen) {
	case STAFF_PIN:
		staff_pin(b, sv);
		break;
	case STAFF_LOCKED:
		staff_locked(b, sv);
		break;
	case STAFF_DEVICES:
		staff_devices(b, sv);
		break;
	case STAFF_STOCK:
		staff_stock(b, sv);
		break;
	case STAFF_RESTOCK:
		staff_restock(b, sv);
		break;
	case STAFF_ORDERS:
		staff_orders(b, sv);
		break;
	case STAFF_STRANDED:
		staff_stranded(b, sv);
		break;
	case STAFF_RECEIPTS:
		staff_receipts(b, sv);
		break;
	default:
		staff_home(b, sv);
		break;
	}
}

static void step_screen(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT];
	header(b, tx(b, v->pickup ? "biz.pickup" : biz_title_key(v->biz)));
	prompt(b);
	switch (v->step) {
	case STEP_HOLDER: {
		nav(b, 0, 0);
		struct btn h[2] = {
		    {tx(b, "ui.holder_unit"), ACT_INTENT, INTENT_HOLDER, HOLDER_UNIT, ROLE_PRIMARY},
		    {tx(b, "ui.holder_person"), ACT_INTENT, INTENT_HOLDER, HOLDER_PERSON,
		     ROLE_PRIMARY},
		};
		grid(b, h, 2, 1, FONT_TITLE);
		break;
	}
	case STEP_INSERT_KEY: {
		figure(b, WK_CARD, 320, 260, "USB");
		nav(b, 1, 0);
		break;
	}
	case STEP_KEY_INFO:
		key_info(b);
		break;
	case STEP_ID_CARD: {
		if (v->have_card) {
			fill(b, line, sizeof line, "ui.card_read", v->card_masked);
			info(b, FONT_BODY, ROLE_NOTICE, 0, line);
		} else {
			figure(b, WK_CARD, 440, 300, "ID");
			info_key(b, FONT_BODY, ROLE_MUTED, "ui.card_hint");
		}
		nav(b, 1, 0);
		break;
	}
	case STEP_ORDER_NO:
		entry_field(b, "ui.order_no_placeholder", 0);
		if (v->pickup_looking)
			info_key(b, FONT_SMALL, ROLE_NOTICE, "ui.pickup_looking");
		b->s->keypad = 6;
		nav(b, 1, 0);
		keypad(b, KEYPAD_ORDER_ALPHABET, 8, b->in->large ? FONT_BODY : FONT_TITLE, NULL, 1);
		break;
	case STEP_UNIT_CODE:
		entry_field(b, "ui.code_placeholder", 0);
		b->s->keypad = 1;
		nav(b, 1, 0);
		keypad(b, KEYPAD_USCC_ALPHABET, 7, FONT_TITLE, NULL, 0);
		break;
	case STEP_CONTACT:
		if (v->contact_email) {
			struct btn skip = {tx(b, "ui.skip_email"), ACT_INTENT, INTENT_NEXT, 0,
			                   ROLE_BUTTON};
			entry_field(b, "ui.email_placeholder", 1);
			b->s->keypad = 5;
			nav(b, 1, 0);
			/* large text: the body font, as big as the title font of normal text,
			 * keeps five rows of keys in reach */
			keypad(b, KEYPAD_EMAIL_ALPHABET, 8, b->in->large ? FONT_BODY : FONT_TITLE,
			       &skip, 1);
			break;
		}
		entry_field(b, "ui.phone_placeholder", 0);
		b->s->keypad = 2;
		nav(b, 1, 0);
		keypad(b, "1234567890", 5, FONT_HUGE, NULL, 0);
		break;
	case STEP_PIN:
	case STEP_KEY_PIN: {
		info_key(b, FONT_BODY, ROLE_SCREEN,
		         v->step == STEP_KEY_PIN ? "ui.key_pin_hint"
		         : v->pin_round == 1     ? "ui.pin_round1"
		                                 : "ui.pin_round2");
		figure(b, WK_DOTS, CONTENT_W, 130, "")->arg = b->in->pin_len;
		info_key(b, FONT_SMALL, ROLE_MUTED, "ui.pin_scrambled");
		b->s->keypad = 3;
		nav(b, 1, 0);
		char pad[11];
		for (int i = 0; i < 10; i++)
			pad[i] = (char)('0' + (b->in->pin_digits ? b->in->pin_digits[i] : i));
		pad[10] = '\0';
		keypad(b, pad, 5, FONT_HUGE, NULL, 0);
		break;
	}
	case STEP_MATERIALS: {
		for (int m = 0; m < MAT_COUNT_BITS; m++)
			if (v->materials & (1u << m)) {
				snprintf(line, sizeof line, "•  %s",
				         tx(b, catalogue_material_key((enum material)(1u << m))));
				info(b, FONT_BODY, ROLE_SCREEN, 0, line);
			}
		nav(b, 1, 0);
		struct btn ok = {tx(b, "ui.have_materials"), ACT_INTENT, INTENT_NEXT, 0,
		                 ROLE_PRIMARY};
		grid(b, &ok, 1, 1, FONT_BODY);
		break;
	}
	case STEP_OPTIONS:
		options(b);
		break;
	case STEP_CONFIRM:
		confirm(b);
		break;
	case STEP_PAY:
		pay(b);
		break;
	case STEP_WORK:
		work(b);
		break;
	case STEP_RESULT:
		result(b);
		break;
	default:
		break;
	}
}

void screen_build(const struct screen_input *in, struct screen *out)
{
	memset(out, 0, sizeof *out);
	struct builder b = {
	    .in = in, .v = in->view, .s = out, .top = 24, .bottom = SCREEN_H - MARGIN};
	if (in->staff && in->staff->screen != STAFF_OFF)
		staff_screen(&b);
	else if (in->view->screen == SCREEN_START)
		start_screen(&b);
	else if (in->view->screen == SCREEN_ERROR)
		error_screen(&b);
	else
		step_screen(&b);
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

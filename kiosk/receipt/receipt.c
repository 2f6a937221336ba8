/* receipt.c — lays receipts, key-check reports, restock and reconciliation slips out with
 * pango on cairo and writes them as PDF into memory. Owns the font map of its maker. */
#include "receipt/receipt.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/cntime.h"
#include "core/money.h"
#include "core/qr.h"

#define PT_PER_MM     (72.0 / 25.4)
#define MARGIN_MM     4.0  /* each side and at top and bottom */
#define QR_SIDE_MM    30.0 /* the code with its quiet zone, on 80 mm paper */
#define QR_QUIET      4    /* modules of quiet zone on each side */
#define PLACEHOLDER_N "{n}"
/* TrueType first: cairo 1.16 drops some glyphs (如) from subsets of CID-keyed CFF fonts
 * such as Noto Sans CJK */
#define FONT_FAMILY "WenQuanYi Micro Hei,sans-serif"

struct receipt_maker {
	const struct receipt_place *pl;
	PangoFontMap *fonts;
};

/* Where the layout stands on a surface. */
struct pen {
	cairo_t *cr;
	PangoContext *pc;
	PangoFontDescription *font;
	const struct strings *st;
	double x, w, y; /* the text column and the current top, in points */
	double size;    /* body text, in points */
};

/* ---- small helpers ---- */

/* Copies tmpl into buf with the first `key` replaced by value. 0 when it does not fit. */
static int fill(char *buf, size_t size, const char *tmpl, const char *key, const char *value)
{
	const char *at = strstr(tmpl, key);
	int n =
	    at ? snprintf(buf, size, "%.*s%s%s", (int)(at - tmpl), tmpl, value, at + strlen(key))
	       : snprintf(buf, size, "%s", tmpl);
	return n >= 0 && (size_t)n < size;
}

static const char *S(const struct pen *p, const char *key)
{
	return strings_get(p->st, key);
}

/* ---- drawing ---- */

static PangoLayout *layout_of(struct pen *p, const char *text, double scale, int bold, double width,
                              PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(p->pc);
	pango_font_description_set_absolute_size(p->font, p->size * scale * PANGO_SCALE);
	pango_font_description_set_weight(p->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, p->font);
	if (width > 0)
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text, -1);
	return l;
}

static double height_of(PangoLayout *l)
{
	int h;
	pango_layout_get_size(l, NULL, &h);
	return (double)h / PANGO_SCALE;
}

static double width_of(PangoLayout *l)
{
	int w;
	pango_layout_get_size(l, &w, NULL);
	return (double)w / PANGO_SCALE;
}

/* A paragraph across the column, wrapped. */
static void text(struct pen *p, const char *s, double scale, int bold, PangoAlignment align)
{
	PangoLayout *l = layout_of(p, s, scale, bold, p->w, align);
	cairo_move_to(p->cr, p->x, p->y);
	pango_cairo_show_layout(p->cr, l);
	p->y += height_of(l) + p->size * 0.25;
	g_object_unref(l);
}

/* A label on the left and a value on the right; when both do not fit on one line, the
 * label on its own line and the value below it, indented and wrapped. */
static void pair(struct pen *p, const char *label, const char *value, int bold)
{
	PangoLayout *r = layout_of(p, value, 1.0, bold, -1, PANGO_ALIGN_RIGHT);
	PangoLayout *l = layout_of(p, label, 1.0, bold, -1, PANGO_ALIGN_LEFT);
	double rw = width_of(r), indent = p->size;
	if (width_of(l) + p->size + rw > p->w) {
		cairo_move_to(p->cr, p->x, p->y);
		pango_cairo_show_layout(p->cr, l);
		p->y += height_of(l);
		g_object_unref(r);
		r = layout_of(p, value, 1.0, bold, p->w - indent, PANGO_ALIGN_RIGHT);
		cairo_move_to(p->cr, p->x + indent, p->y);
		pango_cairo_show_layout(p->cr, r);
		p->y += height_of(r) + p->size * 0.25;
	} else {
		cairo_move_to(p->cr, p->x, p->y);
		pango_cairo_show_layout(p->cr, l);
		cairo_move_to(p->cr, p->x + p->w - rw, p->y);
		pango_cairo_show_layout(p->cr, r);
		double h = height_of(l) > height_of(r) ? height_of(l) : height_of(r);
		p->y += h + p->size * 0.25;
	}
	g_object_unref(l);
	g_object_unref(r);
}

static void rule(struct pen *p)
{
	static const double dash[] = {2.0, 2.0};
	cairo_save(p->cr);
	cairo_set_line_width(p->cr, 0.6);
	cairo_set_dash(p->cr, dash, 2, 0);
	cairo_move_to(p->cr, p->x, p->y + p->size * 0.4);
	cairo_line_to(p->cr, p->x + p->w, p->y + p->size * 0.4);
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
	p->y += p->size * 0.9;
}

/* The QR code of text, centred, dark runs of each row as one rectangle. KR_INVALID
 * when it cannot be encoded (too long for a QR code of the kiosk's size). */
static int qr(struct pen *p, const char *s, double side, struct kerr *err)
{
	static struct qr_matrix q; /* 3 KiB: receipts are drawn one at a time, on one thread */
	if (qr_make(s, &q) != KR_OK)
		return kerr_set(err, KR_INVALID, "receipt: cannot encode a QR code of %zu bytes",
		                strlen(s));
	double mod = side / (q.width + 2 * QR_QUIET);
	double x0 = p->x + (p->w - side) / 2 + QR_QUIET * mod, y0 = p->y + QR_QUIET * mod;
	for (int r = 0; r < q.width; r++) {
		for (int c = 0; c < q.width;) {
			if (!q.dark[r * q.width + c]) {
				c++;
				continue;
			}
			int run = c;
			while (run < q.width && q.dark[r * q.width + run])
				run++;
			cairo_rectangle(p->cr, x0 + c * mod, y0 + r * mod, (run - c) * mod, mod);
			c = run;
		}
	}
	cairo_fill(p->cr);
	p->y += side;
	return KR_OK;
}

/* ---- the documents ---- */

/* Hall, title, kiosk and China time: the top of every document. */
static void head(struct pen *p, const struct receipt_place *pl, const char *title_key,
                 int64_t at_utc)
{
	char when[64], line[192];
	text(p, pl->hall, 1.2, 1, PANGO_ALIGN_CENTER);
	text(p, S(p, title_key), 1.05, 1, PANGO_ALIGN_CENTER);
	rule(p);
	pair(p, S(p, "receipt.kiosk"), pl->kiosk_id, 0);
	cntime_format(at_utc, "%Y-%m-%d %H:%M", when, sizeof when);
	snprintf(line, sizeof line, "%s (%s)", when, S(p, "receipt.china_time"));
	pair(p, S(p, "receipt.time"), line, 0);
}

static void fee_lines(struct pen *p, const struct fee_quote *q)
{
	char amount[32], n[16], years[64], qty[64], label[512];
	for (int i = 0; i < q->nlines && i < FEE_MAX_LINES; i++) {
		const struct fee_line *l = &q->line[i];
		years[0] = qty[0] = '\0';
		if (l->years) {
			snprintf(n, sizeof n, "%d", l->years);
			fill(years, sizeof years, S(p, "receipt.years"), PLACEHOLDER_N, n);
		}
		if (l->qty > 1) {
			snprintf(n, sizeof n, "%d", l->qty);
			fill(qty, sizeof qty, S(p, "receipt.qty"), PLACEHOLDER_N, n);
		}
		snprintf(label, sizeof label, "%s%s%s%s%s%s%s", S(p, l->key), years[0] ? " " : "",
		         years, l->bundle ? " " : "", l->bundle ? S(p, "receipt.bundle") : "",
		         qty[0] ? " " : "", qty);
		money_format(l->total_fen, amount, sizeof amount);
		pair(p, label, amount, 0);
	}
	char total[64];
	money_format(q->total_fen, amount, sizeof amount);
	snprintf(total, sizeof total, "%s %s", amount, S(p, "receipt.yuan"));
	pair(p, S(p, "receipt.total"), total, 1);
}

static void validity(struct pen *p, const struct receipt_data *d)
{
	char from[32] = "", to[32], line[96];
	if (!d->not_after_utc)
		return;
	if (d->not_before_utc)
		cntime_format(d->not_before_utc, "%Y-%m-%d", from, sizeof from);
	cntime_format(d->not_after_utc, "%Y-%m-%d", to, sizeof to);
	snprintf(line, sizeof line, "%s%s%s %s", from, from[0] ? " " : "", S(p, "receipt.valid_to"),
	         to);
	pair(p, S(p, "receipt.valid"), line, 0);
}

struct receipt_job {
	const struct receipt_place *pl;
	const struct receipt_data *d;
	const struct receipt_count *counts;
	int n;
	const char *day;
	const struct recon_report *recon;
	int64_t at_utc;
};

static int lay_receipt(struct pen *p, const struct receipt_job *j, struct kerr *err)
{
	const struct receipt_data *d = j->d;
	char buf[256], biz_key[48], url[512];

	head(p, j->pl, d->check_report ? "receipt.check_title" : "receipt.title", d->at_utc);
	if (d->order_no[0])
		pair(p, S(p, "receipt.order_no"), d->order_no, 1);
	snprintf(biz_key, sizeof biz_key, "biz.%s", catalogue_business_id(d->biz));
	if (d->check_report) {
		pair(p, S(p, "receipt.business"), S(p, biz_key), 0);
	} else {
		snprintf(buf, sizeof buf, "%s (%s)", S(p, biz_key),
		         S(p, d->holder == HOLDER_UNIT ? "receipt.holder_unit"
		                                       : "receipt.holder_person"));
		pair(p, S(p, "receipt.business"), buf, 0);
		rule(p);
		if (d->pickup) {
			char amount[32];
			if (strcmp(d->pickup_no, d->order_no) != 0)
				pair(p, S(p, "receipt.pickup_no"), d->pickup_no, 0);
			money_format(d->paid_fen, amount, sizeof amount);
			snprintf(buf, sizeof buf, "%s %s", amount, S(p, "receipt.yuan"));
			pair(p, S(p, "receipt.paid_before"), buf, 1);
		} else {
			fee_lines(p, &d->quote);
		}
		if (d->trade_no[0])
			pair(p, S(p, "receipt.trade_no"), d->trade_no, 0);
	}
	rule(p);
	if (d->cert_serial[0])
		pair(p, S(p, "receipt.cert_serial"), d->cert_serial, 0);
	if (d->enc_serial[0])
		pair(p, S(p, "receipt.enc_serial"), d->enc_serial, 0);
	if (d->subject_masked[0])
		pair(p, S(p, "receipt.subject"), d->subject_masked, 0);
	validity(p, d);
	if (d->check_report) {
		snprintf(buf, sizeof buf, "%s%s%s",
		         S(p, d->check_pass ? "receipt.pass" : "receipt.fail"),
		         !d->check_pass && d->check_reason[0] ? ": " : "",
		         !d->check_pass && d->check_reason[0] ? S(p, d->check_reason) : "");
		pair(p, S(p, "receipt.verdict"), buf, 1);
	}
	if (d->next_key) {
		rule(p);
		snprintf(buf, sizeof buf, "%s: %s", S(p, "receipt.next"), S(p, d->next_key));
		text(p, buf, 1.0, 0, PANGO_ALIGN_LEFT);
	}
	rule(p);
	if (d->order_no[0] && !d->check_report) {
		double side = QR_SIDE_MM * PT_PER_MM * (j->pl->paper_mm < 80 ? 0.85 : 1.0);
		int rc = receipt_lookup_url(j->pl, d->order_no, url, sizeof url, err);
		if (rc == KR_OK)
			rc = qr(p, url, side, err);
		if (rc != KR_OK)
			return rc;
		text(p, S(p, "receipt.scan"), 0.9, 0, PANGO_ALIGN_CENTER);
	}
	snprintf(buf, sizeof buf, "%s %s", S(p, "receipt.hotline"), j->pl->hotline);
	text(p, buf, 1.0, 1, PANGO_ALIGN_CENTER);
	if (!d->check_report)
		text(p, S(p, "receipt.keep"), 0.9, 0, PANGO_ALIGN_CENTER);
	return KR_OK;
}

static int lay_restock(struct pen *p, const struct receipt_job *j, struct kerr *err)
{
	char buf[128];
	(void)err;
	head(p, j->pl, "receipt.restock_title", j->at_utc);
	rule(p);
	snprintf(buf, sizeof buf, "%s / %s", S(p, "receipt.added"), S(p, "receipt.count"));
	pair(p, S(p, "receipt.item"), buf, 1);
	for (int i = 0; i < j->n; i++) {
		const char *name = strings_find(p->st, j->counts[i].item);
		snprintf(buf, sizeof buf, "+%lld / %lld", (long long)j->counts[i].added,
		         (long long)j->counts[i].count);
		pair(p, name ? name : j->counts[i].item, buf, 0);
	}
	rule(p);
	snprintf(buf, sizeof buf, "%s: ____________", S(p, "receipt.staff"));
	text(p, buf, 1.0, 0, PANGO_ALIGN_LEFT);
	return KR_OK;
}

/* An amount as "12.34 元". */
static void yuan(struct pen *p, fen_t fen, char *buf, size_t size)
{
	char amount[32];
	money_format(fen < 0 ? -fen : fen, amount, sizeof amount);
	snprintf(buf, size, "%s%s %s", fen < 0 ? "-" : "", amount, S(p, "receipt.yuan"));
}

/* One side of a reconciliation: how many, paid, refunded. */
static void recon_side(struct pen *p, const char *title_key, const char *count_key, int n,
                       fen_t paid, fen_t refunded)
{
	char buf[64];
	text(p, S(p, title_key), 1.0, 1, PANGO_ALIGN_LEFT);
	snprintf(buf, sizeof buf, "%d", n);
	pair(p, S(p, count_key), buf, 0);
	yuan(p, paid, buf, sizeof buf);
	pair(p, S(p, "receipt.recon_paid"), buf, 0);
	yuan(p, refunded, buf, sizeof buf);
	pair(p, S(p, "receipt.recon_refunded"), buf, 0);
}

static int lay_reconcile(struct pen *p, const struct receipt_job *j, struct kerr *err)
{
	const struct recon_report *r = j->recon;
	char buf[256], key[64], kiosk[48], gateway[48], n[16];
	(void)err;
	head(p, j->pl, "receipt.recon_title", j->at_utc);
	pair(p, S(p, "receipt.recon_day"), j->day, 1);
	rule(p);
	recon_side(p, "receipt.recon_kiosk", "receipt.recon_payments", r->kiosk_payments,
	           r->kiosk_paid_fen, r->kiosk_refunded_fen);
	recon_side(p, "receipt.recon_gateway", "receipt.recon_trades", r->gateway_trades,
	           r->gateway_paid_fen, r->gateway_refunded_fen);
	rule(p);
	snprintf(n, sizeof n, "%d", r->ndiff);
	pair(p, S(p, "receipt.recon_differences"), n, 1);
	if (!r->ndiff)
		text(p, S(p, "receipt.recon_agree"), 1.0, 0, PANGO_ALIGN_LEFT);
	for (int i = 0; i < r->ndiff && i < RECON_DIFF_MAX; i++) {
		const struct recon_diff *d = &r->diff[i];
		snprintf(key, sizeof key, "receipt.recon_%s", recon_kind_id(d->kind));
		snprintf(buf, sizeof buf, "%d. %s", i + 1, S(p, key));
		text(p, buf, 1.0, 1, PANGO_ALIGN_LEFT);
		pair(p, S(p, "receipt.order_no"), d->order_no[0] ? d->order_no : "-", 0);
		pair(p, S(p, "receipt.recon_trade"), d->out_trade_no, 0);
		yuan(p, d->kiosk_fen, kiosk, sizeof kiosk);
		yuan(p, d->gateway_fen, gateway, sizeof gateway);
		pair(p, S(p, "receipt.recon_kiosk"), kiosk, 0);
		pair(p, S(p, "receipt.recon_gateway"), gateway, 0);
	}
	if (r->ndiff > RECON_DIFF_MAX) {
		snprintf(n, sizeof n, "%d", r->ndiff - RECON_DIFF_MAX);
		fill(buf, sizeof buf, S(p, "receipt.recon_more"), PLACEHOLDER_N, n);
		text(p, buf, 1.0, 0, PANGO_ALIGN_LEFT);
	}
	if (r->unsettled) {
		rule(p);
		snprintf(n, sizeof n, "%d", r->unsettled);
		pair(p, S(p, "receipt.recon_unsettled"), n, 1);
		for (int i = 0; i < r->unsettled && i < RECON_DIFF_MAX; i++)
			text(p, r->unsettled_no[i], 1.0, 0, PANGO_ALIGN_LEFT);
		text(p, S(p, "receipt.recon_unsettled_hint"), 0.9, 0, PANGO_ALIGN_LEFT);
	}
	rule(p);
	snprintf(buf, sizeof buf, "%s: ____________", S(p, "receipt.staff"));
	text(p, buf, 1.0, 0, PANGO_ALIGN_LEFT);
	return KR_OK;
}

/* ---- the PDF ---- */

struct sink {
	unsigned char *data;
	size_t len, cap;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *s = closure;
	if (len > RECEIPT_PDF_MAX - s->len)
		return CAIRO_STATUS_WRITE_ERROR;
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		while (cap < s->len + len)
			cap *= 2;
		unsigned char *n = realloc(s->data, cap);
		if (!n)
			return CAIRO_STATUS_NO_MEMORY;
		s->data = n;
		s->cap = cap;
	}
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return CAIRO_STATUS_SUCCESS;
}

typedef int (*lay_fn)(struct pen *p, const struct receipt_job *j, struct kerr *err);

/* Lays j out on cr in the column of the place's paper; *height gets the page length. */
static int lay_on(struct receipt_maker *m, lay_fn lay, const struct receipt_job *j, cairo_t *cr,
                  double *height, struct kerr *err)
{
	const struct receipt_place *pl = m->pl;
	double margin = MARGIN_MM * PT_PER_MM;
	struct pen p = {
	    .cr = cr,
	    .pc = pango_font_map_create_context(m->fonts),
	    .font = pango_font_description_from_string(FONT_FAMILY),
	    .st = pl->st,
	    .x = margin,
	    .w = pl->paper_mm * PT_PER_MM - 2 * margin,
	    .y = margin,
	    .size = pl->paper_mm < 80 ? 8.0 : 9.0,
	};
	pango_context_set_language(p.pc, pango_language_from_string("zh-cn"));
	pango_cairo_update_context(cr, p.pc);
	cairo_set_source_rgb(cr, 0, 0, 0);
	int rc = lay(&p, j, err);
	*height = p.y + margin;
	pango_font_description_free(p.font);
	g_object_unref(p.pc);
	if (rc == KR_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		rc = kerr_set(err, KR_IO, "receipt: layout: %s",
		              cairo_status_to_string(cairo_status(cr)));
	return rc;
}

/* Lays j out on a recording surface to measure it, then onto a PDF page of the paper's
 * width and the content's length. */
static int render(struct receipt_maker *m, lay_fn lay, const struct receipt_job *j,
                  struct receipt_pdf *out, struct kerr *err)
{
	double page_w = m->pl->paper_mm * PT_PER_MM, page_h = 0, drawn_h = 0;
	struct sink sink = {0};

	out->data = NULL;
	out->len = 0;
	cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
	cairo_t *cr = cairo_create(rec);
	int rc = lay_on(m, lay, j, cr, &page_h, err);
	cairo_destroy(cr);
	cairo_surface_destroy(rec);
	if (rc != KR_OK)
		return rc;

	cairo_surface_t *pdf =
	    cairo_pdf_surface_create_for_stream(sink_write, &sink, page_w, page_h);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, "kiosk");
	cr = cairo_create(pdf);
	rc = lay_on(m, lay, j, cr, &drawn_h, err);
	cairo_destroy(cr);
	cairo_surface_finish(pdf);
	cairo_status_t st = cairo_surface_status(pdf);
	cairo_surface_destroy(pdf);
	if (rc == KR_OK && st == CAIRO_STATUS_NO_MEMORY)
		rc = kerr_set(err, KR_NOMEM, "receipt: out of memory");
	else if (rc == KR_OK && st != CAIRO_STATUS_SUCCESS)
		rc = kerr_set(err, KR_IO, "receipt: PDF: %s (at most %d bytes)",
		              cairo_status_to_string(st), RECEIPT_PDF_MAX);
	if (rc != KR_OK) {
		free(sink.data);
		return rc;
	}
	out->data = sink.data;
	out->len = sink.len;
	return KR_OK;
}

int receipt_render(struct receipt_maker *m, const struct receipt_data *d, struct receipt_pdf *out,
                   struct kerr *err)
{
	struct receipt_job j = {.pl = m->pl, .d = d};
	return render(m, lay_receipt, &j, out, err);
}

int receipt_render_restock(struct receipt_maker *m, const struct receipt_count *counts, int n,
                           int64_t at_utc, struct receipt_pdf *out, struct kerr *err)
{
	struct receipt_job j = {.pl = m->pl, .counts = counts, .n = n, .at_utc = at_utc};
	return render(m, lay_restock, &j, out, err);
}

int receipt_render_reconcile(struct receipt_maker *m, const char *day, const struct recon_report *r,
                             int64_t at_utc, struct receipt_pdf *out, struct kerr *err)
{
	struct receipt_job j = {.pl = m->pl, .day = day, .recon = r, .at_utc = at_utc};
	return render(m, lay_reconcile, &j, out, err);
}

int receipt_lookup_url(const struct receipt_place *place, const char *order_no, char *buf,
                       size_t size, struct kerr *err)
{
	if (!fill(buf, size, place->lookup_url, "{order}", order_no))
		return kerr_set(err, KR_INVALID, "receipt: lookup URL longer than %zu bytes",
		                size - 1);
	return KR_OK;
}

int receipt_maker_create(const struct receipt_place *place, struct receipt_maker **out,
                         struct kerr *err)
{
	*out = NULL;
	if (place->paper_mm < 58 || place->paper_mm > 80)
		return kerr_set(err, KR_INVALID, "receipt: paper width %d mm (58..80)",
		                place->paper_mm);
	if (!strstr(place->lookup_url, "{order}"))
		return kerr_set(err, KR_INVALID, "receipt: lookup URL '%s' lacks {order}",
		                place->lookup_url);
	struct receipt_maker *m = calloc(1, sizeof *m);
	if (!m)
		return kerr_set(err, KR_NOMEM, "out of memory");
	m->pl = place;
	m->fonts = pango_cairo_font_map_new();
	if (!m->fonts) {
		free(m);
		return kerr_set(err, KR_NOMEM, "receipt: no font map");
	}
	*out = m;
	return KR_OK;
}

void receipt_maker_destroy(struct receipt_maker *m)
{
	if (!m)
		return;
	g_object_unref(m->fonts);
	free(m);
}

void receipt_pdf_free(struct receipt_pdf *out)
{
	free(out->data);
	out->data = NULL;
	out->len = 0;
}

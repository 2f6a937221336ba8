/* receipt.h — receipts, key-check reports, restock and reconciliation slips as PDF
 * (cairo + pango).
 *
 * A page as wide as the paper roll (80 mm, or 58 mm) and as long as its content: the
 * content is laid out once on a recording surface to measure it, then drawn onto the
 * PDF. Words come from the strings files; Chinese wraps through pango with fonts found
 * by fontconfig (embedded as subsets). The QR code (libqrencode) is drawn as vector
 * squares. A maker owns its font map and is used by one thread at a time. */
#ifndef KIOSK_RECEIPT_H
#define KIOSK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "conf/strings.h"
#include "core/flow.h"
#include "core/reconcile.h"
#include "core/result.h"

#define RECEIPT_PDF_MAX (4 * 1024 * 1024) /* a receipt's PDF never grows beyond this */

/* Where a receipt is printed: borrowed for the maker's life. */
struct receipt_place {
	const struct strings *st;
	const char *hall;       /* the hall's name */
	const char *kiosk_id;   /* e.g. "NT01" */
	const char *hotline;    /* the CA's hotline */
	const char *lookup_url; /* the QR: "https://…/{order}", {order} becomes the order no. */
	int paper_mm;           /* 58..80 */
};

/* One consumable on a restock slip. item is a string key ("receipt.paper") or a plain
 * name, shown as given when no text has that key. */
struct receipt_count {
	const char *item;
	int64_t count; /* in stock after the restock */
	int64_t added;
};

/* A rendered PDF: data is malloc'd, the caller's to receipt_pdf_free(). */
struct receipt_pdf {
	unsigned char *data;
	size_t len;
};

struct receipt_maker;

/* Creates a maker for place (borrowed, must outlive the maker). KR_INVALID when the
 * paper width is out of range or the URL pattern lacks {order}; KR_NOMEM. */
int receipt_maker_create(const struct receipt_place *place, struct receipt_maker **out,
                         struct kerr *err);
/* Frees a maker; NULL does nothing. */
void receipt_maker_destroy(struct receipt_maker *m);

/* Renders an order receipt or a key-check report (d->check_report) into *out. d is
 * borrowed. KR_IO when cairo fails, KR_NOMEM; *out is empty on failure. */
int receipt_render(struct receipt_maker *m, const struct receipt_data *d, struct receipt_pdf *out,
                   struct kerr *err);

/* Renders a staff restock slip listing n counts (borrowed) at at_utc into *out. */
int receipt_render_restock(struct receipt_maker *m, const struct receipt_count *counts, int n,
                           int64_t at_utc, struct receipt_pdf *out, struct kerr *err);

/* Renders a staff reconciliation slip: the day's payments as the kiosk recorded them
 * against the gateway's bill (day "yyyy-MM-dd", r borrowed), every difference listed
 * with both sides' amounts, at at_utc into *out. */
int receipt_render_reconcile(struct receipt_maker *m, const char *day, const struct recon_report *r,
                             int64_t at_utc, struct receipt_pdf *out, struct kerr *err);

/* Writes the lookup URL of order_no into buf. KR_INVALID when it does not fit. */
int receipt_lookup_url(const struct receipt_place *place, const char *order_no, char *buf,
                       size_t size, struct kerr *err);

/* Frees out's data and empties it. */
void receipt_pdf_free(struct receipt_pdf *out);

#endif

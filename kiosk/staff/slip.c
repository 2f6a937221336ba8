/* slip.c — the staff slips: the restock slip (counts after the restock) and the
 * reconciliation slip (the day against the gateway's bill), rendered and stored. */
#include "staff/slip.h"

#include <stdio.h>

#include "conf/strings.h"
#include "receipt/receipt.h"
#include "store/receipts.h"

/* What a slip shows: one of the two. */
struct slip {
	const struct receipt_count *counts; /* restock */
	int n;
	const char *day; /* reconciliation */
	const struct recon_report *recon;
};

/* Renders slip sl at now_utc with the kiosk's strings and paper, and stores it as kind. */
static int make(const struct conf *conf, struct store *s, const char *kind, const struct slip *sl,
                int64_t now_utc, int64_t *receipt_id, struct kerr *err)
{
	*receipt_id = 0;
	if (!conf->printer.queue[0])
		return kerr_set(err, KR_CONFIG, "%s: [printer]: missing section (%s slip)",
		                conf->file, kind);
	struct strings *st = NULL;
	struct receipt_maker *m = NULL;
	struct receipt_pdf pdf = {0};
	int rc = strings_load(conf->assets, conf->language, &st, err);
	if (rc == KR_OK) {
		struct receipt_place place = {
		    .st = st,
		    .hall = conf->region.name,
		    .kiosk_id = conf->kiosk_id,
		    .hotline = conf->region.hotline,
		    .lookup_url = conf->printer.lookup_url,
		    .paper_mm = conf->printer.paper_mm,
		};
		rc = receipt_maker_create(&place, &m, err);
		if (rc == KR_OK)
			rc = sl->recon
			         ? receipt_render_reconcile(m, sl->day, sl->recon, now_utc, &pdf,
			                                    err)
			         : receipt_render_restock(m, sl->counts, sl->n, now_utc, &pdf, err);
	}
	if (rc == KR_OK)
		rc = receipts_add(s, 0, kind, pdf.data, pdf.len, now_utc, receipt_id, err);
	receipt_pdf_free(&pdf);
	receipt_maker_destroy(m);
	strings_free(st);
	return rc;
}

int slip_make(const struct conf *conf, struct store *s, const struct staff_request *r,
              int64_t now_utc, int64_t *receipt_id, struct kerr *err)
{
	static const char *const bin_items[STAFF_BINS_MAX] = {"key_blank.bin1", "key_blank.bin2",
	                                                      "key_blank.bin3", "key_blank.bin4"};
	struct receipt_count counts[STAFF_BINS_MAX + 1];
	int n = 0;
	for (int b = 0; b < r->bins && b < STAFF_BINS_MAX; b++)
		counts[n++] =
		    (struct receipt_count){bin_items[b], r->before[b] + r->loaded[b], r->loaded[b]};
	counts[n++] =
	    (struct receipt_count){"key_retained", r->retained_before - r->removed, -r->removed};
	struct slip sl = {.counts = counts, .n = n};
	return make(conf, s, "restock", &sl, now_utc, receipt_id, err);
}

int slip_reconcile(const struct conf *conf, struct store *s, const char *day,
                   const struct recon_report *r, int64_t now_utc, int64_t *receipt_id,
                   struct kerr *err)
{
	struct slip sl = {.day = day, .recon = r};
	return make(conf, s, "reconcile", &sl, now_utc, receipt_id, err);
}

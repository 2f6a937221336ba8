/* test_receipt.c — receipts as PDF: the renewal receipt at 80 and 58 mm read back with
 * pdftotext, pdfinfo and pdffonts, turned to PNG at the printer's 203 dpi (kept in
 * PRN_OUT_DIR for anyone to look at) with a QR code that zbarimg decodes; a key-check
 * report; a restock slip; a reconciliation slip; bad places refused; the receipts table. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "prn_testutil.h"
#include "receipt/receipt.h"
#include "store/receipts.h"

#define URL_PATTERN "https://kiosk.gxca.invalid/order/{order}"
#define SAMPLE_URL  "https://kiosk.gxca.invalid/order/NT0126112100000001"

/* text without any white space, so that wrapped values read whole */
static void squeeze(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++)
		if (*r != ' ' && *r != '\n' && *r != '\t' && *r != '\f' && *r != '\r')
			*w++ = *r;
	*w = '\0';
}

static char *text_of(const char *pdf)
{
	char *t = prn_run("pdftotext -enc UTF-8 '%s' -", pdf);
	if (t)
		squeeze(t);
	return t;
}

#define CHECK_HAS(text, s)                                                                         \
	do {                                                                                       \
		int has_ = (text) && strstr((text), (s)) != NULL;                                  \
		if (!has_)                                                                         \
			fprintf(stderr, "missing on the receipt: %s\n", (s));                      \
		CHECK(has_);                                                                       \
	} while (0)

static void receipt_at(struct receipt_place *pl, int mm, const char *name)
{
	struct receipt_maker *m = NULL;
	struct receipt_data d;
	struct receipt_pdf pdf = {0};
	struct kerr err;
	char pdf_path[512], png_base[512];

	pl->paper_mm = mm;
	CHECK_INT(receipt_maker_create(pl, &m, &err), KR_OK);
	prn_sample_receipt(&d);
	CHECK_INT(receipt_render(m, &d, &pdf, &err), KR_OK);
	CHECK(pdf.len > 1000 && memcmp(pdf.data, "%PDF-", 5) == 0);
	snprintf(pdf_path, sizeof pdf_path, "%s/%s.pdf", PRN_OUT_DIR, name);
	snprintf(png_base, sizeof png_base, "%s/%s", PRN_OUT_DIR, name);
	CHECK_INT(prn_write_file(pdf_path, pdf.data, pdf.len), 0);

	char *t = text_of(pdf_path);
	CHECK_HAS(t, "南通市公共资源交易中心");
	CHECK_HAS(t, "数字证书自助服务凭条");
	CHECK_HAS(t, "NT01");
	CHECK_HAS(t, "2026-11-2121:00(北京时间)");
	CHECK_HAS(t, "NT0126112100000001");
	CHECK_HAS(t, "证书延期（年审）(单位)");
	CHECK_HAS(t, "数字证书4年优惠");
	CHECK_HAS(t, "560.00");
	CHECK_HAS(t, "电子签章4年优惠");
	CHECK_HAS(t, "140.00");
	CHECK_HAS(t, "合计");
	CHECK_HAS(t, "700.00元");
	CHECK_HAS(t, "2026112122001400000000000042");
	CHECK_HAS(t, "5A3F0000000000000000000000C0FFEE");
	CHECK_HAS(t, "国信科技有限公司（南通）工程招标投标代理部9135**********1XR9G");
	CHECK_HAS(t, "2026-11-22至2030-11-21");
	CHECK_HAS(t, "如所在地交易平台要求，请登录平台激活CA锁");
	CHECK_HAS(t, "服务热线025-96010");
	CHECK_HAS(t, "扫码查询订单、下载电子发票");
	free(t);

	char *info = prn_run("pdfinfo '%s'", pdf_path);
	const char *size = info ? strstr(info, "Page size:") : NULL;
	double w = 0, h = 0;
	CHECK(size && sscanf(size, "Page size: %lf x %lf", &w, &h) == 2);
	CHECK(w > mm * 72.0 / 25.4 - 0.1 && w < mm * 72.0 / 25.4 + 0.1);
	CHECK(h > 300 && h < 1500); /* fitted to the content, not a sheet */
	const char *pages = info ? strstr(info, "Pages:") : NULL;
	int npages = 0;
	CHECK(pages && sscanf(pages, "Pages: %d", &npages) == 1 && npages == 1);
	free(info);

	char *fonts = prn_run("pdffonts '%s'", pdf_path);
	CHECK(fonts && strstr(fonts, "WenQuanYiMicroHei"));
	CHECK(fonts && !strstr(fonts, "NotoSansCJK")); /* cairo 1.16 loses some of its glyphs */
	CHECK(fonts && !strstr(fonts, " no  "));       /* every font embedded */
	free(fonts);

	/* at the printer's resolution, as gray: the QR code reads back */
	free(prn_run("pdftoppm -r 203 -gray -png -singlefile '%s' '%s'", pdf_path, png_base));
	char *qr = prn_run("zbarimg --nodbus -q --raw '%s.png'", png_base);
	CHECK_STR(qr, SAMPLE_URL "\n");
	free(qr);
	receipt_pdf_free(&pdf);
	CHECK(pdf.data == NULL && pdf.len == 0);
	receipt_maker_destroy(m);
}

/* Renders d on 80-mm paper into PRN_OUT_DIR/name.pdf; its text without white space
 * (caller frees), NULL when it failed. */
static char *render_text(struct receipt_place *pl, const struct receipt_data *d, const char *name)
{
	struct receipt_maker *m = NULL;
	struct receipt_pdf pdf = {0};
	struct kerr err;
	char path[512];
	char *t = NULL;

	pl->paper_mm = 80;
	CHECK_INT(receipt_maker_create(pl, &m, &err), KR_OK);
	CHECK_INT(receipt_render(m, d, &pdf, &err), KR_OK);
	snprintf(path, sizeof path, "%s/%s.pdf", PRN_OUT_DIR, name);
	if (pdf.data && prn_write_file(path, pdf.data, pdf.len) == 0)
		t = text_of(path);
	receipt_pdf_free(&pdf);
	receipt_maker_destroy(m);
	return t;
}

static void check_report(struct receipt_place *pl)
{
	struct receipt_maker *m = NULL;
	struct receipt_data d;
	struct receipt_pdf pdf = {0};
	struct kerr err;
	char path[512];

	prn_sample_receipt(&d);
	d.check_report = 1;
	d.biz = BIZ_CHECK;
	d.order_no[0] = d.trade_no[0] = '\0';
	d.quote.nlines = 0;
	d.check_pass = 0;
	snprintf(d.check_reason, sizeof d.check_reason, "check.expired");
	d.next_key = NULL;
	char *t = render_text(pl, &d, "check-report");
	CHECK_HAS(t, "CA锁检测报告");
	CHECK_HAS(t, "CA锁检测");
	CHECK_HAS(t, "检测结果");
	CHECK_HAS(t, "未通过:证书已过期");
	CHECK_HAS(t, "5A3F0000000000000000000000C0FFEE");
	CHECK(t && !strstr(t, "合计")); /* no fees on a report */
	free(t);

	struct receipt_count counts[] = {{"receipt.paper", 3, 3}, {"blank_keys.bin1", 40, 25}};
	CHECK_INT(receipt_maker_create(pl, &m, &err), KR_OK);
	CHECK_INT(receipt_render_restock(m, counts, 2, d.at_utc, &pdf, &err), KR_OK);
	snprintf(path, sizeof path, "%s/restock.pdf", PRN_OUT_DIR);
	CHECK_INT(prn_write_file(path, pdf.data, pdf.len), 0);
	t = text_of(path);
	CHECK_HAS(t, "补货单");
	CHECK_HAS(t, "凭条纸");
	CHECK_HAS(t, "blank_keys.bin1");
	CHECK_HAS(t, "+25/40");
	CHECK_HAS(t, "工作人员签字");
	free(t);
	receipt_pdf_free(&pdf);
	receipt_maker_destroy(m);
}

/* A reconciliation slip: both sides' figures, each difference named with its order, trade
 * and both amounts, the payments still being settled; a day that agrees says so; more
 * differences than listed are counted. */
static void reconcile_slip(struct receipt_place pl)
{
	struct receipt_maker *m = NULL;
	struct receipt_pdf pdf = {0};
	struct kerr err = {{0}};
	struct recon_report r;
	char path[512];
	memset(&r, 0, sizeof r);
	pl.paper_mm = 80;
	r.kiosk_payments = 3;
	r.kiosk_paid_fen = 4000;
	r.kiosk_refunded_fen = 2000;
	r.gateway_trades = 3;
	r.gateway_paid_fen = 6000;
	r.gateway_refunded_fen = 2000;
	r.ndiff = 2;
	r.diff[0] = (struct recon_diff){RECON_PAID_NOT_KIOSK, "NT0126112200000014",
	                                "NT0126112200000014_1", 0, 2000};
	r.unsettled = 1;
	snprintf(r.unsettled_no[0], sizeof r.unsettled_no[0], "NT0126112200000014");
	r.diff[1] = (struct recon_diff){RECON_AMOUNT, "NT0126112200000015", "NT0126112200000015_1",
	                                2000, 2001};
	CHECK_INT(receipt_maker_create(&pl, &m, &err), KR_OK);
	CHECK_INT(receipt_render_reconcile(m, "2026-11-22", &r, 1795352400, &pdf, &err), KR_OK);
	snprintf(path, sizeof path, "%s/reconcile.pdf", PRN_OUT_DIR);
	CHECK_INT(prn_write_file(path, pdf.data, pdf.len), 0);
	receipt_pdf_free(&pdf);
	char *t = text_of(path);
	CHECK_HAS(t, "支付宝对账单");
	/* a pair's label and value come out of pdftotext apart */
	CHECK_HAS(t, "对账日期");
	CHECK_HAS(t, "2026-11-22");
	CHECK_HAS(t, "付款笔数");
	CHECK_HAS(t, "交易笔数");
	CHECK_HAS(t, "40.00元");
	CHECK_HAS(t, "60.00元");
	CHECK_HAS(t, "1.支付宝已收款，本机未记为已付");
	CHECK_HAS(t, "NT0126112200000014_1");
	CHECK_HAS(t, "2.双方金额不一致");
	CHECK_HAS(t, "20.01元");
	CHECK_HAS(t, "与支付宝核对中的付款");
	CHECK_HAS(t, "本机会自动撤销或退款");
	CHECK_HAS(t, "工作人员签字");
	free(t);
	/* an agreeing day, and one with more differences than are listed */
	r.ndiff = 0;
	CHECK_INT(receipt_render_reconcile(m, "2026-11-22", &r, 1795352400, &pdf, &err), KR_OK);
	CHECK_INT(prn_write_file(path, pdf.data, pdf.len), 0);
	receipt_pdf_free(&pdf);
	t = text_of(path);
	CHECK_HAS(t, "双方一致，没有差异");
	free(t);
	r.ndiff = RECON_DIFF_MAX + 3;
	CHECK_INT(receipt_render_reconcile(m, "2026-11-22", &r, 1795352400, &pdf, &err), KR_OK);
	CHECK_INT(prn_write_file(path, pdf.data, pdf.len), 0);
	receipt_pdf_free(&pdf);
	t = text_of(path);
	CHECK_HAS(t, "另有3项差异未列出");
	free(t);
	receipt_maker_destroy(m);
}

/* A pick-up's receipt: what was paid before and the order picked up, no fee lines. */
static void pickup_receipt(struct receipt_place *pl)
{
	struct receipt_data d;
	prn_sample_receipt(&d);
	d.biz = BIZ_NEW;
	d.pickup = 1;
	d.paid_fen = 52000;
	snprintf(d.pickup_no, sizeof d.pickup_no, "GX2026112100123");
	memset(&d.quote, 0, sizeof d.quote);
	d.trade_no[0] = '\0';
	char *t = render_text(pl, &d, "pickup");
	CHECK_HAS(t, "NT0126112100000001");
	CHECK_HAS(t, "领取的订单");
	CHECK_HAS(t, "GX2026112100123");
	CHECK_HAS(t, "已付款（审核前）");
	CHECK_HAS(t, "520.00元");
	CHECK(t && !strstr(t, "合计")); /* nothing charged here */
	free(t);
}

static void bad_places(struct receipt_place pl)
{
	struct receipt_maker *m = NULL;
	struct kerr err;
	pl.paper_mm = 100;
	CHECK_INT(receipt_maker_create(&pl, &m, &err), KR_INVALID);
	CHECK(m == NULL);
	pl.paper_mm = 80;
	pl.lookup_url = "https://kiosk.gxca.invalid/order";
	CHECK_INT(receipt_maker_create(&pl, &m, &err), KR_INVALID);
	CHECK(strstr(err.msg, "{order}") != NULL);
}

static void table(void)
{
	char dir[64], db[128];
	struct store *s = NULL;
	struct kerr err;
	struct receipt_row rows[4], row;
	unsigned char *pdf = NULL;
	size_t len = 0;
	int64_t id1 = 0, id2 = 0;
	int n = -1;

	CHECK_INT(prn_tempdir(dir, sizeof dir), 0);
	snprintf(db, sizeof db, "%s/k.db", dir);
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	CHECK_INT(receipts_add(s, 0, "check", "%PDF-a", 6, 100, &id1, &err), KR_OK);
	CHECK_INT(receipts_add(s, 0, "restock", "%PDF-b", 6, 101, &id2, &err), KR_OK);
	CHECK_INT(receipts_add(s, 0, "poster", "%PDF-c", 6, 101, &id2, &err), KR_INVALID);
	CHECK_INT(receipts_add(s, 0, "check", "", 0, 101, &id2, &err), KR_INVALID);
	CHECK_INT(receipts_unprinted(s, rows, 4, &n, &err), KR_OK);
	CHECK_INT(n, 2);
	CHECK_INT(receipts_mark(s, id1, 0, "print.paper_out", 102, &err), KR_OK);
	CHECK_INT(receipts_mark(s, id1, 0, "Paper Out!", 102, &err), KR_INVALID);
	CHECK_INT(receipts_get(s, id1, &row, &pdf, &len, &err), KR_OK);
	CHECK_STR(row.last_error, "print.paper_out");
	CHECK_INT(row.attempts, 1);
	CHECK_INT(row.printed_utc, 0);
	CHECK_INT(len, 6);
	CHECK(pdf && memcmp(pdf, "%PDF-a", 6) == 0);
	free(pdf);
	CHECK_INT(receipts_mark(s, id1, 1, NULL, 103, &err), KR_OK);
	CHECK_INT(receipts_get(s, id1, &row, NULL, NULL, &err), KR_OK);
	CHECK_INT(row.printed_utc, 103);
	CHECK_INT(row.attempts, 2);
	CHECK_STR(row.last_error, "");
	CHECK_INT(receipts_unprinted(s, rows, 4, &n, &err), KR_OK);
	CHECK_INT(n, 1);
	CHECK_INT(rows[0].id, id2);
	CHECK_STR(rows[0].kind, "restock");
	CHECK_INT(receipts_mark(s, 999, 1, NULL, 103, &err), KR_NOT_FOUND);
	CHECK_INT(receipts_get(s, 999, &row, NULL, NULL, &err), KR_NOT_FOUND);
	int64_t bad = 0, checked = 0;
	CHECK_INT(store_journal_verify(s, &bad, &checked, &err), KR_OK);
	CHECK(checked >= 4);
	store_close(s);
	free(prn_run("rm -rf '%s'", dir));
}

int main(void)
{
	struct strings *st = NULL;
	struct kerr err;
	const char *src =
	    getenv("KIOSK_SOURCE_DIR") ? getenv("KIOSK_SOURCE_DIR") : KIOSK_SOURCE_DIR;
	char assets[512];
	snprintf(assets, sizeof assets, "%s/assets", src);
	if (strings_load(assets, "zh-CN", &st, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	free(prn_run("mkdir -p '%s'", PRN_OUT_DIR));
	struct receipt_place pl = {
	    .st = st,
	    .hall = "南通市公共资源交易中心",
	    .kiosk_id = "NT01",
	    .hotline = "025-96010",
	    .lookup_url = URL_PATTERN,
	};
	receipt_at(&pl, 80, "receipt-80mm");
	receipt_at(&pl, 58, "receipt-58mm");
	check_report(&pl);
	pickup_receipt(&pl);
	reconcile_slip(pl);
	bad_places(pl);
	table();
	strings_free(st);
	printf("receipt PNGs: %s/receipt-80mm.png, %s/receipt-58mm.png\n", PRN_OUT_DIR,
	       PRN_OUT_DIR);
	return check_done();
}

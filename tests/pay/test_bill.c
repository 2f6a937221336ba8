/* test_bill.c — the trade bill reader on the fuzz seeds (tests/fuzz/bill): a day of
 * payments and a refund with Alipay's heading and totals, tabs after the numbers and a
 * quoted field; a BOM and CRLF with a line of another kind passed over; a bill without a
 * column line, one with an unreadable amount, one that lacks a column, and one longer
 * than asked for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pay/bill.h"

static char text[65536];

static size_t seed(const char *name)
{
	char path[4096];
	const char *src = getenv("KIOSK_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/tests/fuzz/bill/%s", src ? src : KIOSK_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	return n;
}

int main(void)
{
	struct recon_trade rows[8];
	struct kerr err = {{0}};
	int n = 0;
	size_t len = seed("day.csv");
	CHECK(len > 0);
	CHECK_INT(alipay_bill_parse(text, len, rows, 8, &n, &err), KR_OK);
	CHECK_INT(n, 3);
	CHECK_STR(rows[0].out_trade_no, "NT0126112100000001_1");
	CHECK_INT(rows[0].refund, 0);
	CHECK_INT(rows[0].amount_fen, 2000);
	CHECK_INT(rows[1].refund, 1);
	CHECK_INT(rows[1].amount_fen, 2000); /* written -20.00 */
	CHECK_STR(rows[2].out_trade_no, "NT0126112100000002_1");
	CHECK_INT(rows[2].amount_fen, 70000);
	/* longer than asked for */
	CHECK_INT(alipay_bill_parse(text, len, rows, 2, &n, &err), KR_FULL);

	len = seed("bom-crlf.csv");
	CHECK_INT(alipay_bill_parse(text, len, rows, 8, &n, &err), KR_OK);
	CHECK_INT(n, 1); /* the frozen line is passed over */
	CHECK_STR(rows[0].out_trade_no, "A_1");
	CHECK_INT(rows[0].amount_fen, 100);

	len = seed("no-header.csv");
	CHECK_INT(alipay_bill_parse(text, len, rows, 8, &n, &err), KR_CORRUPT);
	len = seed("bad-amount.csv");
	CHECK_INT(alipay_bill_parse(text, len, rows, 8, &n, &err), KR_CORRUPT);
	CHECK(strstr(err.msg, "line 2") != NULL);
	const char *no_kind = "商户订单号,订单金额（元）\nA_1,1.00\n";
	CHECK_INT(alipay_bill_parse(no_kind, strlen(no_kind), rows, 8, &n, &err), KR_CORRUPT);
	CHECK(strstr(err.msg, "业务类型") != NULL);
	const char *bad_no = "商户订单号,业务类型,订单金额（元）\nA-1;x,交易,1.00\n";
	CHECK_INT(alipay_bill_parse(bad_no, strlen(bad_no), rows, 8, &n, &err), KR_CORRUPT);
	return check_done();
}

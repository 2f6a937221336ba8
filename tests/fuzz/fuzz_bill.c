/* fuzz_bill.c — fuzz target for the trade bill reader (kiosk/pay/bill.c): whatever the
 * bill, every line read is a payment or refund of a trade number and an amount above
 * zero, never more lines than asked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pay/bill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct recon_trade rows[64];
	struct kerr err = {{0}};
	int n = -1;
	int rc = alipay_bill_parse((const char *)data, size, rows, 64, &n, &err);
	if (n < 0 || n > 64)
		abort();
	for (int i = 0; rc == KR_OK && i < n; i++)
		if (!rows[i].out_trade_no[0] || rows[i].amount_fen <= 0 ||
		    strlen(rows[i].out_trade_no) > 64)
			abort();
	return 0;
}

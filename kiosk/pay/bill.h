/* bill.h — Alipay's trade bill for a day (业务明细, the file that
 * alipay.data.dataservice.bill.downloadurl.query points at, here plain UTF-8 CSV) read
 * into reconciliation lines (core/reconcile.h). Parses outside input: every line and
 * field has a cap, and a line that cannot be read fails the whole bill — a line dropped
 * would hide a difference.
 *
 * ⚠ The layout comes from secondary sources, so the reader is tolerant: lines starting
 * with '#' are comments (Alipay's heading and totals), the first other line names the
 * columns and the columns are found by name (商户订单号, 业务类型, 订单金额（元）), fields
 * may be quoted and padded with spaces or tabs, and an amount's sign is not relied on:
 * 业务类型 交易 is a payment, 退款 a refund, any other line is passed over. */
#ifndef KIOSK_PAY_BILL_H
#define KIOSK_PAY_BILL_H

#include <stddef.h>

#include "core/reconcile.h"
#include "core/result.h"

#define BILL_BYTES_MAX (4 * 1024 * 1024) /* the largest bill read */

/* Reads the bill text (len bytes, borrowed) into rows, at most max; *n gets how many.
 * KR_CORRUPT naming the line when the bill has no column line, lacks a column, or has a
 * line that cannot be read; KR_FULL when it has more than max lines. */
int alipay_bill_parse(const char *text, size_t len, struct recon_trade *rows, int max, int *n,
                      struct kerr *err);

#endif

/* rebuild.c — a served order's receipt made again from the record (see rebuild.h). */
#include "app/rebuild.h"

#include <stdio.h>
#include <string.h>

#include "store/outbox.h"
#include "store/payments.h"
#include "store/work.h"
#include "sync/pickup.h"

/* What the pick-up order pickup_no said was paid for it (0 when it is gone). */
static fen_t pickup_paid(struct store *s, const char *pickup_no)
{
	struct inbox_row item;
	struct pickup_order po;
	struct kerr err;
	fen_t paid = 0;
	if (outbox_inbox_find(s, "pickup", pickup_no, INBOX_ACCEPTED, &item, &err) == KR_OK &&
	    pickup_parse(item.payload, &po, &err) == KR_OK)
		paid = po.paid_fen;
	explicit_bzero(&item, sizeof item);
	explicit_bzero(&po, sizeof po);
	return paid;
}

int rebuild_receipt(struct store *s, int64_t id, struct receipt_data *d, struct kerr *err)
{
	struct order_row row;
	struct payment_row pay;
	struct work_mark m[WORK_MARKS_MAX];
	int n = 0;
	memset(d, 0, sizeof *d);
	int rc = store_order_get(s, id, &row, err);
	if (rc == KR_OK && row.state != ORDER_SERVED)
		rc = kerr_set(err, KR_CONFLICT, "order %s is %s, not served", row.order_no,
		              order_state_id(row.state));
	if (rc == KR_OK)
		rc = store_order_quote(s, id, &d->quote, err);
	if (rc == KR_OK)
		rc = work_marks(s, id, m, WORK_MARKS_MAX, &n, err);
	if (rc != KR_OK)
		return rc;
	d->biz = row.biz;
	d->holder = row.holder;
	snprintf(d->order_no, sizeof d->order_no, "%s", row.order_no);
	snprintf(d->subject_masked, sizeof d->subject_masked, "%s", row.subject_masked);
	if (payments_get(s, id, &pay, err) == KR_OK)
		snprintf(d->trade_no, sizeof d->trade_no, "%.63s", pay.trade_no);
	/* the certificate the work issued last (a loss report's: the one it suspended) */
	for (int k = 0; k < n; k++) {
		if (!m[k].done)
			continue;
		if (m[k].step == WORK_ISSUE) {
			snprintf(d->cert_serial, sizeof d->cert_serial, "%s", m[k].cert_serial);
			d->not_before_utc = m[k].not_before_utc;
			d->not_after_utc = m[k].not_after_utc;
		} else if (m[k].step == WORK_ISSUE_ENC) {
			snprintf(d->enc_serial, sizeof d->enc_serial, "%s", m[k].cert_serial);
		} else if (m[k].step == WORK_REVOKE && row.biz == BIZ_REVOKE) {
			snprintf(d->cert_serial, sizeof d->cert_serial, "%s", m[k].old_serial);
		}
	}
	d->next_key = flow_next_key_for(row.biz, 0, d->cert_serial[0] != '\0');
	d->at_utc = row.updated_utc;
	d->keep_only = 1;
	if (row.pickup_no[0]) {
		d->pickup = 1;
		snprintf(d->pickup_no, sizeof d->pickup_no, "%s", row.pickup_no);
		d->paid_fen = pickup_paid(s, row.pickup_no);
	}
	return KR_OK;
}

/* reports.h — the loss reports (挂失) made at this kiosk in the last day, for the rate
 * limits of core/authority.h: one row for the holder reported and one for the card that
 * reported, each a digest of "subject|ID" or "card|ID" (store_pair_digest) with its time,
 * so that the kiosk can count them without keeping anybody's number. Rows older than a
 * day are deleted whenever a report is added. */
#ifndef KIOSK_STORE_REPORTS_H
#define KIOSK_STORE_REPORTS_H

#include <stdint.h>

#include "core/result.h"
#include "store/store.h"

#define REPORTS_WINDOW_S 86400 /* what "recent" means */

/* Records a loss report at now_utc of the holder subject_id (credit code or ID number)
 * by the cardholder card_id, and forgets the reports older than the window. */
int reports_add(struct store *s, const char *subject_id, const char *card_id, int64_t now_utc,
                struct kerr *err);

/* Into *most: the larger of the reports of subject_id and the reports by card_id in the
 * window before now_utc (reports in the future — a clock gone back — count too). */
int reports_recent(struct store *s, const char *subject_id, const char *card_id, int64_t now_utc,
                   int *most, struct kerr *err);

#endif

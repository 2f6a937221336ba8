/* reconciles.h — the day's reconciliations with the gateway (core/reconcile.h), kept as
 * journal rows of kind "reconciliation": the pay service records each one it made (or why
 * it could not), staff print the newest. A row's body is JSON: the day, both sides'
 * totals, the number of differences and the first of them, the payments still being
 * settled — order numbers, trade numbers and amounts, nothing personal. */
#ifndef KIOSK_STORE_RECONCILES_H
#define KIOSK_STORE_RECONCILES_H

#include <stdint.h>

#include "core/reconcile.h"
#include "store/store.h"

/* Records the reconciliation of day ("yyyy-MM-dd"): *r, or (r NULL) the reason it could
 * not be made, why (printable). */
int reconciles_record(struct store *s, const char *day, const struct recon_report *r,
                      const char *why, int64_t now_utc, struct kerr *err);

/* The newest reconciliation: its day into day (11 bytes), and its report into *r, or
 * (*failed 1) the reason it could not be made into why (size bytes). KR_NOT_FOUND when
 * none was recorded; KR_CORRUPT for a row that cannot be read. */
int reconciles_latest(struct store *s, char *day, struct recon_report *r, int *failed, char *why,
                      size_t size, struct kerr *err);

#endif

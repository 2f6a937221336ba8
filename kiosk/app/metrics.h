/* metrics.h — the Prometheus text-format metrics file for node_exporter's textfile
 * collector ([monitor] metrics_file): orders by business and state, takings, blank keys
 * per bin and the retain bin, device states, the sync outbox's depth and the last
 * contact with the central site. Written to a
 * temporary file beside it and renamed, so a reader never sees half a file; rewritten
 * at most every [monitor] interval_s by metrics_tick. Owns nothing but its throttle. */
#ifndef KIOSK_APP_METRICS_H
#define KIOSK_APP_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "base/service.h"
#include "conf/conf.h"
#include "staff/staff.h"
#include "store/store.h"

/* Hands the devices' states and out-of-service of sv (borrowed) to the sync service
 * (borrowed) for its heartbeat, as the text its control verb "devices" takes: one line
 * "NAME 0|1 STATUS_KEY" per device (1: ok), then "out_of_service 0|1". Nothing when the
 * service takes no control (the stand-in). */
void metrics_hand_devices(const struct service *sync, const struct staff_view *sv);

/* Writes the metrics of store s, bins blank-key bins and the devices in sv (borrowed;
 * NULL: none) to out in the text exposition format. KR_OK or the store's error. */
int metrics_format(struct store *s, int bins, const struct staff_view *sv, int64_t now_utc,
                   FILE *out, struct kerr *err);

/* Writes path atomically (path.tmp, fsync, rename). KR_IO naming the file on failure. */
int metrics_write(struct store *s, int bins, const struct staff_view *sv, int64_t now_utc,
                  const char *path, struct kerr *err);

/* The throttle: writes conf's [monitor] metrics_file when interval_s has passed since
 * *last_mono_ms (updated), on the monotonic clock mono_ms. Nothing without [monitor].
 * Returns KR_OK when nothing was due or the file was written. */
int metrics_tick(const struct conf *conf, struct store *s, const struct staff_view *sv,
                 int64_t mono_ms, int64_t now_utc, int64_t *last_mono_ms, struct kerr *err);

#endif

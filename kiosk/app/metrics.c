/* metrics.c — the metrics file (see metrics.h). Every metric has HELP and TYPE lines;
 * label values are ids (business, state, device), never personal data. */
#include "app/metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/catalogue.h"
#include "core/order.h"
#include "store/outbox.h"
#include "store/stats.h"

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int metrics_format(struct store *s, int bins, const struct staff_view *sv, int64_t now_utc,
                   FILE *out, struct kerr *err)
{
	struct stats_orders *o = calloc(1, sizeof *o);
	int64_t n = 0;
	if (!o)
		return kerr_set(err, KR_NOMEM, "out of memory");
	int rc = stats_orders(s, o, err);
	if (rc != KR_OK) {
		free(o);
		return rc;
	}
	head(out, "kiosk_orders", "gauge", "Orders in the store by business and state.");
	for (int b = 0; b < BIZ_COUNT; b++)
		for (int st = 0; st < ORDER_STATE_COUNT; st++)
			if (o->count[b][st])
				fprintf(out, "kiosk_orders{business=\"%s\",state=\"%s\"} %lld\n",
				        catalogue_business_id((enum business)b),
				        order_state_id((enum order_state)st),
				        (long long)o->count[b][st]);
	head(out, "kiosk_takings_fen_total", "counter", "Amounts of served orders, in fen.");
	fprintf(out, "kiosk_takings_fen_total %lld\n", (long long)o->takings_fen);
	free(o);

	head(out, "kiosk_blank_keys", "gauge", "Blank keys per dispenser bin.");
	for (int b = 0; b < bins && rc == KR_OK; b++) {
		char item[32];
		snprintf(item, sizeof item, "key_blank.bin%d", b + 1);
		rc = store_consumable_get(s, item, &n, err);
		if (rc == KR_OK)
			fprintf(out, "kiosk_blank_keys{bin=\"%d\"} %lld\n", b + 1, (long long)n);
	}
	if (rc == KR_OK)
		rc = store_consumable_get(s, "key_retained", &n, err);
	if (rc != KR_OK)
		return rc;
	head(out, "kiosk_retained_keys", "gauge", "Keys in the retain bin.");
	fprintf(out, "kiosk_retained_keys %lld\n", (long long)n);

	head(out, "kiosk_device_fault", "gauge",
	     "1 while a device reports a fault; the status key as a label.");
	for (int i = 0; sv && i < sv->ndevices && i < STAFF_DEVICES_MAX; i++)
		fprintf(out, "kiosk_device_fault{device=\"%s\",status=\"%s\"} %d\n",
		        sv->device[i].name, sv->device[i].status_key, sv->device[i].faulty ? 1 : 0);
	if (sv) {
		head(out, "kiosk_out_of_service", "gauge",
		     "1 while staff took the kiosk out of service.");
		fprintf(out, "kiosk_out_of_service %d\n", sv->out_of_service ? 1 : 0);
	}

	rc = store_outbox_pending(s, &n, err);
	if (rc != KR_OK)
		return rc;
	head(out, "kiosk_outbox_events", "gauge", "Events not yet taken by the central site.");
	fprintf(out, "kiosk_outbox_events %lld\n", (long long)n);
	rc = outbox_last_contact(s, &n, err);
	if (rc != KR_OK)
		return rc;
	head(out, "kiosk_sync_last_contact_seconds", "gauge",
	     "When the central site last answered (Unix time; 0: never).");
	fprintf(out, "kiosk_sync_last_contact_seconds %lld\n", (long long)n);
	head(out, "kiosk_metrics_written_seconds", "gauge",
	     "When this file was written (Unix time).");
	fprintf(out, "kiosk_metrics_written_seconds %lld\n", (long long)now_utc);
	return KR_OK;
}

int metrics_write(struct store *s, int bins, const struct staff_view *sv, int64_t now_utc,
                  const char *path, struct kerr *err)
{
	char tmp[PATH_MAX + 8];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return kerr_set(err, KR_INVALID, "%s: path too long", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return kerr_set(err, KR_IO, "%s: %s", tmp, strerror(errno));
	int rc = metrics_format(s, bins, sv, now_utc, f, err);
	if (rc == KR_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		rc = kerr_set(err, KR_IO, "%s: %s", tmp, strerror(errno));
	if (fclose(f) != 0 && rc == KR_OK)
		rc = kerr_set(err, KR_IO, "%s: %s", tmp, strerror(errno));
	if (rc == KR_OK && rename(tmp, path) != 0)
		rc = kerr_set(err, KR_IO, "%s: %s", path, strerror(errno));
	if (rc != KR_OK)
		unlink(tmp);
	return rc;
}

int metrics_tick(const struct conf *conf, struct store *s, const struct staff_view *sv,
                 int64_t mono_ms, int64_t now_utc, int64_t *last_mono_ms, struct kerr *err)
{
	const struct conf_monitor *m = &conf->monitor;
	if (!m->metrics_file[0])
		return KR_OK;
	int64_t every = (int64_t)(m->interval_s > 0 ? m->interval_s : 15) * 1000;
	if (*last_mono_ms && mono_ms - *last_mono_ms < every)
		return KR_OK;
	*last_mono_ms = mono_ms ? mono_ms : 1;
	int bins = conf->dispenser.bins > 0 ? conf->dispenser.bins : 1;
	return metrics_write(s, bins < STAFF_BINS_MAX ? bins : STAFF_BINS_MAX, sv, now_utc,
	                     m->metrics_file, err);
}

void metrics_hand_devices(const struct service *sync, const struct staff_view *sv)
{
	char text[STAFF_DEVICES_MAX * 72 + 24];
	size_t used = 0;
	struct kerr err;
	if (!sync->ops || !sync->ops->control || !sv)
		return;
	for (int i = 0; i < sv->ndevices && i < STAFF_DEVICES_MAX; i++)
		used +=
		    (size_t)snprintf(text + used, sizeof text - used, "%.15s %d %.47s\n",
		                     sv->device[i].name, sv->device[i].faulty ? 0 : 1,
		                     sv->device[i].status_key[0] ? sv->device[i].status_key : "-");
	snprintf(text + used, sizeof text - used, "out_of_service %d\n",
	         sv->out_of_service ? 1 : 0);
	sync->ops->control(sync->self, "devices", text, &err);
}

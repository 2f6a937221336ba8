/* test_metrics.c — the metrics file: every sample line is "name{labels} value" after its
 * HELP and TYPE lines, the figures are the store's (an order, blank keys, the retain bin,
 * the outbox), devices from the staff view; the file is replaced whole (no .tmp left);
 * metrics_tick writes no more often than [monitor] interval_s. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/metrics.h"
#include "check.h"
#include "store/outbox.h"

static char *slurp(const char *path)
{
	static char buf[16384];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every line a comment or "name[{labels}] integer"; every name announced by TYPE. */
static void check_format(char *text)
{
	char typed[64][64];
	int ntyped = 0, samples = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "# TYPE ", 7) == 0) {
			CHECK(ntyped < 64);
			if (ntyped < 64)
				sscanf(line + 7, "%63s", typed[ntyped++]);
			continue;
		}
		if (line[0] == '#') {
			CHECK(strncmp(line, "# HELP ", 7) == 0);
			continue;
		}
		size_t name = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
		CHECK(name > 0);
		int known = 0;
		for (int i = 0; i < ntyped; i++)
			if (strlen(typed[i]) == name && strncmp(typed[i], line, name) == 0)
				known = 1;
		CHECK(known);
		const char *v = strrchr(line, ' ');
		CHECK(v != NULL);
		if (line[name] == '{')
			CHECK(v && v[-1] == '}');
		for (const char *c = v ? v + 1 : ""; *c; c++)
			CHECK(isdigit((unsigned char)*c) || *c == '-');
		samples++;
	}
	CHECK(samples >= 6);
}

int main(void)
{
	char dir[] = "/tmp/kiosk-metrics-XXXXXX", db[128], prom[128], tmp[140];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(db, sizeof db, "%s/k.db", dir);
	snprintf(prom, sizeof prom, "%s/kiosk.prom", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", prom);
	struct kerr err = {{0}};
	struct store *s = NULL;
	CHECK_INT(store_open(db, &s, &err), KR_OK);
	struct fee_quote q = {.total_fen = 70000};
	struct order_spec spec = {"NT01", BIZ_RENEW, HOLDER_UNIT, &q, "", "", "", 1795000000};
	struct order_row row;
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	CHECK_INT(store_consumable_add(s, "key_blank.bin1", 30, 1795000000, &err), KR_OK);
	CHECK_INT(store_consumable_add(s, "key_blank.bin2", 7, 1795000000, &err), KR_OK);
	CHECK_INT(store_consumable_add(s, "key_retained", 2, 1795000000, &err), KR_OK);
	int64_t outbox = 0;
	CHECK_INT(store_outbox_pending(s, &outbox, &err), KR_OK);

	struct staff_view sv = {.ndevices = 1, .out_of_service = 1};
	snprintf(sv.device[0].name, sizeof sv.device[0].name, "print");
	snprintf(sv.device[0].status_key, sizeof sv.device[0].status_key, "print.paper_out");
	sv.device[0].faulty = 1;
	CHECK_INT(metrics_write(s, 2, &sv, 1795000100, prom, &err), KR_OK);
	CHECK(access(tmp, F_OK) != 0);
	char *text = slurp(prom);
	CHECK(text != NULL);
	if (text) {
		char want[96];
		CHECK(strstr(text, "kiosk_orders{business=\"renew\",state=\"new\"} 1\n") != NULL);
		CHECK(strstr(text, "kiosk_takings_fen_total 0\n") != NULL);
		CHECK(strstr(text, "kiosk_blank_keys{bin=\"1\"} 30\n") != NULL);
		CHECK(strstr(text, "kiosk_blank_keys{bin=\"2\"} 7\n") != NULL);
		CHECK(strstr(text, "kiosk_retained_keys 2\n") != NULL);
		CHECK(
		    strstr(text,
		           "kiosk_device_fault{device=\"print\",status=\"print.paper_out\"} 1\n") !=
		    NULL);
		CHECK(strstr(text, "kiosk_out_of_service 1\n") != NULL);
		snprintf(want, sizeof want, "kiosk_outbox_events %lld\n", (long long)outbox);
		CHECK(strstr(text, want) != NULL);
		CHECK(strstr(text, "kiosk_metrics_written_seconds 1795000100\n") != NULL);
		CHECK(strstr(text, "kiosk_sync_last_contact_seconds 0\n") != NULL); /* never */
		check_format(text);
	}
	/* the last contact with the central site, once there was one */
	CHECK_INT(outbox_contact_set(s, 1795000050, &err), KR_OK);
	CHECK_INT(metrics_write(s, 2, &sv, 1795000100, prom, &err), KR_OK);
	text = slurp(prom);
	CHECK(text && strstr(text, "kiosk_sync_last_contact_seconds 1795000050\n") != NULL);
	if (text)
		check_format(text);

	/* the throttle: written at once, not again within interval_s, again after it */
	struct conf *c = calloc(1, sizeof *c);
	CHECK(c != NULL);
	if (c) {
		snprintf(c->monitor.metrics_file, sizeof c->monitor.metrics_file, "%s", prom);
		c->monitor.interval_s = 15;
		c->dispenser.bins = 2;
		int64_t last = 0;
		unlink(prom);
		CHECK_INT(metrics_tick(c, s, NULL, 5000, 1795000200, &last, &err), KR_OK);
		CHECK(access(prom, F_OK) == 0);
		unlink(prom);
		CHECK_INT(metrics_tick(c, s, NULL, 19000, 1795000214, &last, &err), KR_OK);
		CHECK(access(prom, F_OK) != 0);
		CHECK_INT(metrics_tick(c, s, NULL, 20000, 1795000215, &last, &err), KR_OK);
		CHECK(access(prom, F_OK) == 0);
		/* an unwritable place is an error, not a crash */
		snprintf(c->monitor.metrics_file, sizeof c->monitor.metrics_file,
		         "%s/no/such/dir/k.prom", dir);
		CHECK_INT(metrics_tick(c, s, NULL, 40000, 1795000235, &last, &err), KR_IO);
		free(c);
	}
	store_close(s);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	return check_done();
}

/* printer.c — STAND-IN for the CUPS receipt printer, for component tests that need no
 * cupsd (the real service is kiosk/devices/printer_service.c): writes what the receipt
 * would show to the trace, or reports paper-out when the script says so. */
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "core/cntime.h"
#include "core/money.h"
#include "standin/standin.h"

struct printer {
	struct service_host host;
	int paper_out;
};

static void submit(void *self, const struct flow_request *r)
{
	struct printer *p = self;
	const struct receipt_data *d = &r->receipt;
	struct flow_event ev = {.kind = FEV_PRINTED, .order_id = r->order_id};
	if (r->kind != FREQ_PRINT)
		return;
	if (p->paper_out) {
		fprintf(p->host.trace, "[stand-in printer] paper out: receipt not printed\n");
		ev.kind = FEV_PRINT_FAILED;
		snprintf(ev.text, sizeof ev.text, "print.paper_out");
		p->host.post(p->host.app, &ev);
		return;
	}
	FILE *t = p->host.trace;
	char buf[32];
	fprintf(t, "[stand-in printer] ---- %s ----\n",
	        d->check_report ? "key check report" : "receipt");
	fprintf(t, "[stand-in printer] hall %s, kiosk %s\n", p->host.conf->region.name,
	        p->host.conf->kiosk_id);
	if (d->order_no[0])
		fprintf(t, "[stand-in printer] order %s: %s (%s)\n", d->order_no,
		        catalogue_business_id(d->biz), catalogue_holder_id(d->holder));
	for (int i = 0; i < d->quote.nlines; i++) {
		const struct fee_line *l = &d->quote.line[i];
		money_format(l->total_fen, buf, sizeof buf);
		fprintf(t, "[stand-in printer]   %-16s x%d, %d year(s)%s: %s\n", l->key, l->qty,
		        l->years, l->bundle ? " (4-year bundle)" : "", buf);
	}
	if (!d->check_report) {
		money_format(d->quote.total_fen, buf, sizeof buf);
		fprintf(t, "[stand-in printer]   total %s yuan\n", buf);
	}
	if (d->trade_no[0])
		fprintf(t, "[stand-in printer] Alipay trade %s\n", d->trade_no);
	fprintf(t, "[stand-in printer] holder %s\n", d->subject_masked);
	if (d->cert_serial[0])
		fprintf(t, "[stand-in printer] certificate %s\n", d->cert_serial);
	if (d->not_after_utc) {
		cntime_format(d->not_after_utc, "%Y-%m-%d", buf, sizeof buf);
		fprintf(t, "[stand-in printer] valid to %s\n", buf);
	}
	if (d->check_report)
		fprintf(t, "[stand-in printer] check: %s %s\n", d->check_pass ? "PASS" : "FAIL",
		        d->check_reason);
	if (d->next_key)
		fprintf(t, "[stand-in printer] next: %s\n", d->next_key);
	fprintf(t, "[stand-in printer] hotline %s\n", p->host.conf->region.hotline);
	p->host.post(p->host.app, &ev);
}

static int control(void *self, const char *verb, const char *args, struct kerr *err)
{
	struct printer *p = self;
	(void)args;
	if (strcmp(verb, "paper-out") == 0)
		p->paper_out = 1;
	else if (strcmp(verb, "paper-in") == 0)
		p->paper_out = 0;
	else
		return kerr_set(err, KR_INVALID, "printer: unknown verb '%s' (paper-out, paper-in)",
		                verb);
	return KR_OK;
}

static const struct service_ops ops = {"standin", 1, submit, control, standin_free};

int standin_printer_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	return standin_new(sizeof(struct printer), host, &ops, out, err);
}

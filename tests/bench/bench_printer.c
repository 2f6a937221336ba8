/* bench_printer.c — receipt render time (cairo/pango PDF) and submit-to-completed latency
 * through a private cupsd with the capture backend. Prints figures; never fails on time. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "drivers/printer/cups_printer.h"
#include "printer/prn_testutil.h"
#include "receipt/receipt.h"

#define RENDERS 30
#define PRINTS  10

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp);
	printf("%-34s median %7.2f ms  min %7.2f  max %7.2f  (n=%d)\n", what, ms[n / 2], ms[0],
	       ms[n - 1], n);
}

int main(void)
{
	struct strings *st = NULL;
	struct receipt_maker *m = NULL;
	struct receipt_data d;
	struct receipt_pdf pdf = {0};
	struct kerr err;
	double ms[RENDERS];
	char assets[512], dir[64];
	const char *src =
	    getenv("KIOSK_SOURCE_DIR") ? getenv("KIOSK_SOURCE_DIR") : KIOSK_SOURCE_DIR;

	snprintf(assets, sizeof assets, "%s/assets", src);
	CHECK_INT(strings_load(assets, "zh-CN", &st, &err), KR_OK);
	struct receipt_place pl = {st,
	                           "南通市公共资源交易中心",
	                           "NT01",
	                           "025-96010",
	                           "https://kiosk.gxca.invalid/order/{order}",
	                           80};
	CHECK_INT(receipt_maker_create(&pl, &m, &err), KR_OK);
	prn_sample_receipt(&d);
	double t0 = now_ms();
	CHECK_INT(receipt_render(m, &d, &pdf, &err), KR_OK);
	printf("%-34s %7.2f ms (fonts loaded)\n", "receipt render, first", now_ms() - t0);
	receipt_pdf_free(&pdf);
	for (int i = 0; i < RENDERS; i++) {
		t0 = now_ms();
		CHECK_INT(receipt_render(m, &d, &pdf, &err), KR_OK);
		ms[i] = now_ms() - t0;
		if (i < RENDERS - 1)
			receipt_pdf_free(&pdf);
	}
	report("receipt render (80 mm PDF)", ms, RENDERS);
	printf("%-34s %zu bytes\n", "receipt PDF size", pdf.len);

	if (prn_tempdir(dir, sizeof dir) != 0 || prn_rig_start(dir) != 0) {
		fprintf(stderr, "cannot start the private cupsd\n");
		return 1;
	}
	struct cups_printer *p = NULL;
	CHECK_INT(cups_printer_open("receipt", "default", 5, &p, &err), KR_OK);
	for (int i = 0; i < PRINTS; i++) {
		int job = 0, state = 0;
		t0 = now_ms();
		CHECK_INT(cups_printer_submit(p, "bench", pdf.data, pdf.len, &job, &err), KR_OK);
		for (int k = 0;
		     k < 3000 && state != CUPS_JOB_COMPLETED && state < CUPS_JOB_CANCELED; k++) {
			if (cups_printer_job_state(p, job, &state, &err) != KR_OK)
				break;
			if (state != CUPS_JOB_COMPLETED)
				usleep(10000);
		}
		CHECK_INT(state, CUPS_JOB_COMPLETED);
		ms[i] = now_ms() - t0;
	}
	report("submit to completed (cupsd)", ms, PRINTS);
	cups_printer_close(p);
	prn_rig_stop(dir);
	free(prn_run("rm -rf '%s'", dir));
	receipt_pdf_free(&pdf);
	receipt_maker_destroy(m);
	strings_free(st);
	return check_done();
}

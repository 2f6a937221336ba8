/* pay_rig.c — the pay tests' shared rig (see pay_rig.h). */
#include "pay_rig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "app/steer.h"
#include "core/catalogue.h"

#define PEER_OUT_MAX 65536

int64_t pay_rig_utc = 1795266000; /* 2026-11-21 21:00 China time */

static int64_t clock_mono(void *ctx)
{
	(void)ctx;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t clock_utc(void *ctx)
{
	(void)ctx;
	return pay_rig_utc;
}

const struct app_clock pay_rig_clock = {clock_mono, clock_utc, NULL};

static const char *control_url;

int pay_rig_init(struct conf *conf, const char *db_name)
{
	struct kerr err = {{0}};
	const char *cfg = getenv("ALIPAY_CONFIG"), *rig = getenv("ALIPAY_RIG");
	control_url = getenv("ALIPAY_CONTROL");
	if (!cfg || !rig || !control_url) {
		fprintf(stderr, "run under tests/rigs/alipay.sh\n");
		return -1;
	}
	if (conf_load(cfg, conf, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	snprintf(conf->database, sizeof conf->database, "%s/%s", rig, db_name);
	return 0;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	char *out = ctx;
	size_t len = strlen(out), add = size * n;
	if (len + add >= PEER_OUT_MAX)
		add = PEER_OUT_MAX - 1 - len;
	memcpy(out + len, data, add);
	out[len + add] = '\0';
	return size * n;
}

int pay_rig_peer(const char *path, char *out)
{
	static char sink[PEER_OUT_MAX];
	char url[512];
	if (!out)
		out = sink;
	out[0] = '\0';
	snprintf(url, sizeof url, "%s%s", control_url, path);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? 0 : -1;
}

int pay_rig_trade(const char *out_trade_no, struct pay_trade *t)
{
	static char all[PEER_OUT_MAX];
	char *save = NULL;
	memset(t, 0, sizeof *t);
	if (pay_rig_peer("/trades", all) != 0)
		return -1;
	for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];
		if (sscanf(line, "%95s %15s %ld %d %ld refunds=%d cancel_refunds=%d refund_asks=%d",
		           name, t->status, &t->amount_fen, &t->charges, &t->refunded_fen,
		           &t->refunds, &t->cancel_refunds, &t->refund_asks) == 8 &&
		    strcmp(name, out_trade_no) == 0)
			return 0;
	}
	memset(t, 0, sizeof *t);
	return -1;
}

void pay_rig_steer(struct app *app, enum conf_service slot, const char *verb, const char *args)
{
	struct kerr err = {{0}};
	if (steer(app, slot, verb, args, &err) != KR_OK)
		fprintf(stderr, "steer %s %s: %s\n", verb, args, err.msg);
	app_settle(app, 20000);
}

void pay_rig_tap(struct app *app, enum intent in, int arg, const char *text)
{
	struct flow_event ev = {.kind = FEV_TAP, .intent = in, .arg = arg};
	if (text)
		snprintf(ev.text, sizeof ev.text, "%s", text);
	app_post(app, &ev);
	app_settle(app, 20000);
}

int pay_rig_renew(struct app *app, const char *work_fails)
{
	pay_rig_steer(app, SVC_KEYS, "insert", "person-expiring");
	pay_rig_tap(app, INTENT_BUSINESS, catalogue_business_from_id("renew"), NULL);
	pay_rig_tap(app, INTENT_NEXT, 0, NULL);
	pay_rig_steer(app, SVC_IDREADER, "present", "11010519491231002X 张三");
	pay_rig_tap(app, INTENT_NEXT, 0, NULL);
	pay_rig_tap(app, INTENT_TEXT, 0, "13812345678");
	pay_rig_tap(app, INTENT_NEXT, 0, NULL); /* no e-mail for the e-invoice */
	if (work_fails)
		pay_rig_steer(app, SVC_KEYS, "fail", work_fails);
	pay_rig_tap(app, INTENT_NEXT, 0, NULL); /* confirm: the order, then the precreate */
	for (int i = 0; i < 200 && !app_view(app)->qr[0]; i++)
		app_settle(app, 50);
	return app_view(app)->qr[0] != '\0';
}

void pay_rig_done(struct app *app)
{
	pay_rig_steer(app, SVC_KEYS, "remove", "");
	if (app_view(app)->screen != SCREEN_START)
		pay_rig_tap(app, INTENT_NEXT, 0, NULL);
}

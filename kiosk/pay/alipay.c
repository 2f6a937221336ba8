/* alipay.c — the gateway client: requests, the HTTPS exchange, the action table. */
#include "pay/alipay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "base/curlbuf.h"
#include "core/cntime.h"
#include "pay/sign.h"

#define ALIPAY_CONTENT_MAX 8192
#define ALIPAY_FORM_MAX    16384
#define ANY                NULL

struct alipay {
	char gateway[512], app_id[40], ca_file[4096], terminal_id[32];
	int connect_timeout_ms, timeout_ms;
	fen_t ceiling_fen;
	EVP_PKEY *app_key, *alipay_key;
	CURL *curl;
	char body[ALIPAY_BODY_MAX + 1];
	struct curlbuf answer; /* into body */
};

static const char *const method_names[ALIPAY_METHOD_COUNT] = {
    "alipay.trade.precreate",
    "alipay.trade.query",
    "alipay.trade.cancel",
    "alipay.trade.refund",
    "alipay.trade.fastpay.refund.query",
    "alipay.data.dataservice.bill.downloadurl.query",
};

const char *alipay_method_name(enum alipay_method m)
{
	return (unsigned)m < ALIPAY_METHOD_COUNT ? method_names[m] : "?";
}

const char *alipay_action_name(enum alipay_action a)
{
	static const char *const names[ALIPAY_ACTION_COUNT] = {
	    "ok", "not-exist", "unknown", "backoff", "already-paid", "new-number", "refused"};
	return (unsigned)a < ALIPAY_ACTION_COUNT ? names[a] : "?";
}

/* Every code and sub-code of ref/alipay.md §5, first match wins. method -1: any. */
static const struct {
	int method;
	const char *code, *sub_code;
	enum alipay_action action;
} actions[] = {
    {-1, "10000", ANY, ALIPAY_OK},
    {-1, "20000", ANY, ALIPAY_UNKNOWN}, /* service unavailable: query or repeat */
    {-1, "20001", ANY, ALIPAY_REFUSED}, /* authorisation: configuration */
    {-1, "40001", ANY, ALIPAY_REFUSED}, /* missing parameter: code or configuration */
    {-1, "40002", ANY, ALIPAY_REFUSED}, /* invalid parameter, isv.invalid-signature */
    {-1, "40005", ANY, ALIPAY_BACKOFF}, /* rate limit */
    {-1, "40006", ANY, ALIPAY_REFUSED}, /* permission: configuration */
    {-1, "40004", "ACQ.SYSTEM_ERROR", ALIPAY_UNKNOWN},
    {ALIPAY_PRECREATE, "40004", "ACQ.INVALID_PARAMETER", ALIPAY_REFUSED},
    {ALIPAY_PRECREATE, "40004", "ACQ.TOTAL_FEE_EXCEED", ALIPAY_REFUSED},
    {ALIPAY_PRECREATE, "40004", "ACQ.CONTEXT_INCONSISTENT", ALIPAY_NEW_NUMBER},
    {ALIPAY_PRECREATE, "40004", "ACQ.TRADE_HAS_SUCCESS", ALIPAY_ALREADY_PAID},
    {ALIPAY_PRECREATE, "40004", "ACQ.TRADE_HAS_CLOSE", ALIPAY_NEW_NUMBER},
    {ALIPAY_QUERY, "40004", "ACQ.TRADE_NOT_EXIST", ALIPAY_NOT_EXIST},      /* not scanned yet */
    {ALIPAY_CANCEL, "40004", "ACQ.TRADE_NOT_EXIST", ALIPAY_NOT_EXIST},     /* nothing to cancel */
    {ALIPAY_CANCEL, "40004", "ACQ.TRADE_CANCEL_TIME_OUT", ALIPAY_REFUSED}, /* past 24 h */
    {ALIPAY_REFUND, "40004", "ACQ.DISCORDANT_REPEAT_REQUEST", ALIPAY_REFUSED},
    {ALIPAY_REFUND, "40004", "ACQ.REASON_TRADE_REFUND_FEE_ERR", ALIPAY_REFUSED},
    {ALIPAY_REFUND_QUERY, "40004", "ACQ.TRADE_NOT_EXIST", ALIPAY_NOT_EXIST},
    {ALIPAY_BILL_URL, "40004", "isp.bill_not_exist", ALIPAY_NOT_EXIST}, /* no trade that day */
    {-1, "40004", ANY, ALIPAY_REFUSED}, /* any other business failure is final */
    {-1, ANY, ANY, ALIPAY_UNKNOWN},     /* a code not documented: outcome unknown */
};

enum alipay_action alipay_action_of(enum alipay_method m, const struct alipay_reply *r)
{
	enum alipay_action act = ALIPAY_UNKNOWN;
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		if (actions[i].method >= 0 && actions[i].method != (int)m)
			continue;
		if (actions[i].code && strcmp(actions[i].code, r->code) != 0)
			continue;
		if (actions[i].sub_code && strcmp(actions[i].sub_code, r->sub_code) != 0)
			continue;
		act = actions[i].action;
		break;
	}
	/* nothing but a signed answer is believed; an unsigned failure stays a failure */
	if (!r->signed_ok && act != ALIPAY_REFUSED && act != ALIPAY_BACKOFF)
		return ALIPAY_UNKNOWN;
	return act;
}

int alipay_status_paid(const struct alipay_reply *r)
{
	return strcmp(r->trade_status, "TRADE_SUCCESS") == 0 ||
	       strcmp(r->trade_status, "TRADE_FINISHED") == 0;
}

int alipay_refund_confirmed(const struct alipay_reply *r, fen_t amount_fen)
{
	fen_t refunded = -1;
	if (r->refund_amount[0] &&
	    (money_parse_yuan(r->refund_amount, &refunded) != KR_OK || refunded != amount_fen))
		return 0;
	if (strcmp(r->refund_status, "REFUND_SUCCESS") == 0)
		return 1;
	return !r->refund_status[0] && refunded == amount_fen;
}

static int copy_setting(char *dst, size_t size, const char *src, const char *what, struct kerr *err)
{
	if (!src || snprintf(dst, size, "%s", src) >= (int)size)
		return kerr_set(err, KR_CONFIG, "[alipay] %s: missing or too long", what);
	return KR_OK;
}

int alipay_create(const struct alipay_config *cfg, struct alipay **out, struct kerr *err)
{
	struct alipay *a = calloc(1, sizeof *a);
	if (!a)
		return kerr_set(err, KR_NOMEM, "out of memory");
	int rc = copy_setting(a->gateway, sizeof a->gateway, cfg->gateway, "gateway", err);
	if (rc == KR_OK)
		rc = copy_setting(a->app_id, sizeof a->app_id, cfg->app_id, "app_id", err);
	if (rc == KR_OK)
		rc = copy_setting(a->ca_file, sizeof a->ca_file, cfg->ca_file, "ca_file", err);
	if (rc == KR_OK)
		rc = copy_setting(a->terminal_id, sizeof a->terminal_id, cfg->terminal_id,
		                  "terminal id", err);
	a->connect_timeout_ms = cfg->connect_timeout_ms;
	a->timeout_ms = cfg->timeout_ms;
	a->ceiling_fen = cfg->ceiling_fen;
	if (rc == KR_OK)
		rc = alipay_key_load_private(cfg->app_key_file, &a->app_key, err);
	if (rc == KR_OK)
		rc = alipay_key_load_public(cfg->alipay_key_file, &a->alipay_key, err);
	if (rc == KR_OK && !(a->curl = curl_easy_init()))
		rc = kerr_set(err, KR_NOMEM, "cannot set up libcurl");
	if (rc != KR_OK) {
		alipay_destroy(a);
		return rc;
	}
	curl_easy_setopt(a->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(a->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(a->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(a->curl, CURLOPT_CAINFO, a->ca_file);
	curl_easy_setopt(a->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)a->connect_timeout_ms);
	curl_easy_setopt(a->curl, CURLOPT_TIMEOUT_MS, (long)a->timeout_ms);
	curl_easy_setopt(a->curl, CURLOPT_NOSIGNAL, 1L);
	a->answer = (struct curlbuf){.data = a->body, .cap = ALIPAY_BODY_MAX};
	curl_easy_setopt(a->curl, CURLOPT_WRITEFUNCTION, curlbuf_write);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &a->answer);
	*out = a;
	return KR_OK;
}

void alipay_destroy(struct alipay *a)
{
	if (!a)
		return;
	if (a->curl)
		curl_easy_cleanup(a->curl);
	EVP_PKEY_free(a->app_key);
	EVP_PKEY_free(a->alipay_key);
	free(a);
}

int alipay_build_request(struct alipay *a, enum alipay_method m, const char *biz_content,
                         int64_t now_utc, char *content, size_t csize, char *form, size_t fsize,
                         struct kerr *err)
{
	char stamp[32], sign[ALIPAY_SIGN_B64_MAX];
	cntime_format(now_utc, "%Y-%m-%d %H:%M:%S", stamp, sizeof stamp);
	const struct alipay_param params[] = {
	    {"app_id", a->app_id}, {"method", alipay_method_name(m)},
	    {"format", "JSON"},    {"charset", "utf-8"},
	    {"sign_type", "RSA2"}, {"timestamp", stamp},
	    {"version", "1.0"},    {"biz_content", biz_content},
	};
	int n = (int)(sizeof params / sizeof params[0]);
	int rc = alipay_sign_content(params, n, content, csize, err);
	if (rc == KR_OK)
		rc = alipay_sign_rsa2(a->app_key, content, strlen(content), sign, sizeof sign, err);
	if (rc == KR_OK)
		rc = alipay_form_encode(params, n, sign, form, fsize, err);
	return rc;
}

/* Sends biz_content (taken: freed here) as method m and reads the answer. */
static enum alipay_action exchange(struct alipay *a, enum alipay_method m, char *biz_content,
                                   int64_t now_utc, struct alipay_reply *reply, struct kerr *err)
{
	char *form = malloc(ALIPAY_FORM_MAX);
	enum alipay_action act = ALIPAY_UNKNOWN;
	memset(reply, 0, sizeof *reply);
	if (!biz_content || !form) {
		free(biz_content);
		free(form);
		kerr_set(err, KR_NOMEM, "out of memory");
		return ALIPAY_UNKNOWN;
	}
	char *sig_content = malloc(ALIPAY_CONTENT_MAX);
	int rc = sig_content ? alipay_build_request(a, m, biz_content, now_utc, sig_content,
	                                            ALIPAY_CONTENT_MAX, form, ALIPAY_FORM_MAX, err)
	                     : kerr_set(err, KR_NOMEM, "out of memory");
	free(sig_content);
	free(biz_content);
	if (rc != KR_OK) {
		free(form);
		return ALIPAY_REFUSED; /* nothing was sent */
	}
	struct curl_slist *hdr = curl_slist_append(
	    NULL, "Content-Type: application/x-www-form-urlencoded;charset=utf-8");
	curlbuf_reset(&a->answer);
	curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(a->curl, CURLOPT_URL, a->gateway);
	curl_easy_setopt(a->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDS, form);
	CURLcode cc = curl_easy_perform(a->curl);
	long status = 0;
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hdr);
	free(form);
	if (a->answer.overflow) {
		kerr_set(err, KR_CORRUPT, "%s: answer longer than %d bytes", alipay_method_name(m),
		         ALIPAY_BODY_MAX);
	} else if (cc != CURLE_OK) {
		kerr_set(err, KR_IO, "%s: %s", alipay_method_name(m), curl_easy_strerror(cc));
	} else if (status != 200) {
		kerr_set(err, KR_IO, "%s: HTTP status %ld", alipay_method_name(m), status);
	} else {
		char node[96];
		snprintf(node, sizeof node, "%s_response", alipay_method_name(m));
		for (char *c = node; *c; c++)
			if (*c == '.')
				*c = '_';
		if (alipay_reply_parse(a->alipay_key, a->body, a->answer.len, node, reply, err) ==
		    KR_OK) {
			act = alipay_action_of(m, reply);
			if (!reply->signed_ok)
				kerr_set(err, KR_CORRUPT, "%s: code %s without a valid signature",
				         alipay_method_name(m), reply->code);
			else if (act != ALIPAY_OK)
				kerr_set(err, KR_INVALID, "%s: %s %s %s", alipay_method_name(m),
				         reply->code, reply->sub_code, reply->sub_msg);
		} else {
			memset(reply, 0, sizeof *reply);
		}
	}
	return act;
}

static cJSON *biz_new(const char *out_trade_no)
{
	cJSON *b = cJSON_CreateObject();
	if (b && !cJSON_AddStringToObject(b, "out_trade_no", out_trade_no)) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

static char *biz_done(cJSON *b, int ok)
{
	char *s = ok && b ? cJSON_PrintUnformatted(b) : NULL;
	cJSON_Delete(b);
	return s;
}

/* Whether the answer is about the trade asked for (a signed answer for another trade is
 * treated as unknown). */
static enum alipay_action same_trade(enum alipay_action act, const struct alipay_reply *r,
                                     const char *out_trade_no, struct kerr *err)
{
	if (act == ALIPAY_OK && r->out_trade_no[0] && strcmp(r->out_trade_no, out_trade_no) != 0) {
		kerr_set(err, KR_CORRUPT, "answer about another trade");
		return ALIPAY_UNKNOWN;
	}
	return act;
}

enum alipay_action alipay_precreate(struct alipay *a, const char *out_trade_no, fen_t amount_fen,
                                    const char *subject, int qr_minutes, int64_t now_utc,
                                    struct alipay_reply *reply, struct kerr *err)
{
	char amount[24], expire[16];
	memset(reply, 0, sizeof *reply);
	if (amount_fen <= 0 || amount_fen > a->ceiling_fen ||
	    money_format(amount_fen, amount, sizeof amount) != KR_OK) {
		kerr_set(err, KR_INVALID, "amount of %lld fen refused (0 < amount <= %lld)",
		         (long long)amount_fen, (long long)a->ceiling_fen);
		return ALIPAY_REFUSED;
	}
	snprintf(expire, sizeof expire, "%dm", qr_minutes < 1 ? 1 : qr_minutes);
	cJSON *b = biz_new(out_trade_no);
	int ok = b && cJSON_AddStringToObject(b, "total_amount", amount) &&
	         cJSON_AddStringToObject(b, "subject", subject) &&
	         cJSON_AddStringToObject(b, "store_id", a->terminal_id) &&
	         cJSON_AddStringToObject(b, "terminal_id", a->terminal_id) &&
	         cJSON_AddStringToObject(b, "qr_code_timeout_express", expire);
	enum alipay_action act =
	    exchange(a, ALIPAY_PRECREATE, biz_done(b, ok), now_utc, reply, err);
	if (act == ALIPAY_OK && !reply->qr_code[0]) {
		kerr_set(err, KR_CORRUPT, "precreate: no qr_code");
		return ALIPAY_UNKNOWN;
	}
	return same_trade(act, reply, out_trade_no, err);
}

enum alipay_action alipay_query(struct alipay *a, const char *out_trade_no, int64_t now_utc,
                                struct alipay_reply *reply, struct kerr *err)
{
	cJSON *b = biz_new(out_trade_no);
	enum alipay_action act = exchange(a, ALIPAY_QUERY, biz_done(b, 1), now_utc, reply, err);
	return same_trade(act, reply, out_trade_no, err);
}

enum alipay_action alipay_cancel(struct alipay *a, const char *out_trade_no, int64_t now_utc,
                                 struct alipay_reply *reply, struct kerr *err)
{
	cJSON *b = biz_new(out_trade_no);
	enum alipay_action act = exchange(a, ALIPAY_CANCEL, biz_done(b, 1), now_utc, reply, err);
	return same_trade(act, reply, out_trade_no, err);
}

enum alipay_action alipay_refund(struct alipay *a, const char *out_trade_no,
                                 const char *out_request_no, fen_t amount_fen, const char *reason,
                                 int64_t now_utc, struct alipay_reply *reply, struct kerr *err)
{
	char amount[24];
	memset(reply, 0, sizeof *reply);
	if (amount_fen <= 0 || amount_fen > a->ceiling_fen ||
	    money_format(amount_fen, amount, sizeof amount) != KR_OK) {
		kerr_set(err, KR_INVALID, "refund of %lld fen refused", (long long)amount_fen);
		return ALIPAY_REFUSED;
	}
	cJSON *b = biz_new(out_trade_no);
	int ok = b && cJSON_AddStringToObject(b, "refund_amount", amount) &&
	         cJSON_AddStringToObject(b, "out_request_no", out_request_no) &&
	         cJSON_AddStringToObject(b, "refund_reason", reason);
	enum alipay_action act = exchange(a, ALIPAY_REFUND, biz_done(b, ok), now_utc, reply, err);
	return same_trade(act, reply, out_trade_no, err);
}

enum alipay_action alipay_refund_query(struct alipay *a, const char *out_trade_no,
                                       const char *out_request_no, int64_t now_utc,
                                       struct alipay_reply *reply, struct kerr *err)
{
	cJSON *b = biz_new(out_trade_no);
	int ok = b && cJSON_AddStringToObject(b, "out_request_no", out_request_no);
	enum alipay_action act =
	    exchange(a, ALIPAY_REFUND_QUERY, biz_done(b, ok), now_utc, reply, err);
	return same_trade(act, reply, out_trade_no, err);
}

enum alipay_action alipay_bill_url(struct alipay *a, const char *day, int64_t now_utc,
                                   struct alipay_reply *reply, struct kerr *err)
{
	cJSON *b = cJSON_CreateObject();
	int ok = b && cJSON_AddStringToObject(b, "bill_type", "trade") &&
	         cJSON_AddStringToObject(b, "bill_date", day);
	enum alipay_action act = exchange(a, ALIPAY_BILL_URL, biz_done(b, ok), now_utc, reply, err);
	if (act == ALIPAY_OK && !reply->bill_download_url[0]) {
		kerr_set(err, KR_CORRUPT, "bill: no bill_download_url");
		return ALIPAY_UNKNOWN;
	}
	return act;
}

int alipay_fetch(struct alipay *a, const char *url, char *buf, size_t cap, size_t *len,
                 struct kerr *err)
{
	struct curlbuf into = {.data = buf, .cap = cap};
	long status = 0;
	*len = 0;
	curlbuf_reset(&into);
	curl_easy_setopt(a->curl, CURLOPT_URL, url);
	curl_easy_setopt(a->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &into);
	CURLcode cc = curl_easy_perform(a->curl);
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &a->answer);
	if (into.overflow)
		return kerr_set(err, KR_FULL, "bill: longer than %zu bytes", cap);
	if (cc != CURLE_OK)
		return kerr_set(err, KR_IO, "bill: %s", curl_easy_strerror(cc));
	if (status != 200)
		return kerr_set(err, KR_IO, "bill: HTTP status %ld", status);
	*len = into.len;
	return KR_OK;
}

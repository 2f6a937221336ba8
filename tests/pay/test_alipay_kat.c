/* test_alipay_kat.c — known answers for the Alipay client, checked against the openssl
 * command line, not against the project's own code: the string to sign and its RSA2
 * signature (openssl dgst -sha256 -sign), an answer signed by openssl that verifies, and
 * one flipped byte, a reordered node, a repeated node name and an unsigned success that
 * each fail. Also the action table, what confirms a refund and the amounts refused
 * before sending. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pay/alipay.h"
#include "pay/sign.h"
#include "pay/verify.h"

static char dir[] = "/tmp/alipay-kat.XXXXXX";

static int sh(const char *fmt, const char *a)
{
	char cmd[1024];
	/* fmt uses what it needs of: the folder, a, the folder, the folder */
	// cppcheck-suppress wrongPrintfScanfArgNum
	snprintf(cmd, sizeof cmd, fmt, dir, a ? a : "", dir, dir);
	return system(cmd);
}

static void write_file(const char *name, const char *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
}

/* Base64 of openssl's SHA256withRSA signature of file `name` with key `key`. */
static void openssl_sign(const char *key, const char *name, char *out, size_t size)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
	         "cd %s && openssl dgst -sha256 -sign %s -out sig.bin %s && openssl base64 -A "
	         "-in sig.bin",
	         dir, key, name);
	FILE *p = popen(cmd, "r");
	out[0] = '\0';
	if (p) {
		if (!fgets(out, (int)size, p))
			out[0] = '\0';
		pclose(p);
	}
	out[strcspn(out, "\r\n")] = '\0';
}

static void url_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		unsigned v;
		if (*s == '%' && sscanf(s + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static const char node_text[] =
    "{\"code\":\"10000\",\"msg\":\"Success\",\"out_trade_no\":\"NT0126112100000001_1\","
    "\"qr_code\":\"https://qr.alipay.com/bax0}{\\\"x\"}";
static const char node_reordered[] =
    "{\"msg\":\"Success\",\"code\":\"10000\",\"out_trade_no\":\"NT0126112100000001_1\","
    "\"qr_code\":\"https://qr.alipay.com/bax0}{\\\"x\"}";

static int parse(EVP_PKEY *pub, const char *body, struct alipay_reply *r)
{
	struct kerr err = {{0}};
	return alipay_reply_parse(pub, body, strlen(body), "alipay_trade_precreate_response", r,
	                          &err);
}

int main(void)
{
	char path[256], b64[ALIPAY_SIGN_B64_MAX], content[4096], form[8192];
	struct kerr err = {{0}};
	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(sh("cd %s && openssl genrsa -out app.key 2048 2>/dev/null && openssl rsa -in "
	             "app.key -pubout -out app.pub 2>/dev/null && openssl genrsa -out ali.key 2048 "
	             "2>/dev/null && openssl rsa -in ali.key -pubout -out ali.pub 2>/dev/null%s",
	             NULL),
	          0);

	/* the request: the string to sign, known in advance */
	snprintf(path, sizeof path, "%s/app.key", dir);
	char pubpath[256];
	snprintf(pubpath, sizeof pubpath, "%s/ali.pub", dir);
	struct alipay_config cfg = {.gateway = "https://127.0.0.1:1/gateway.do",
	                            .app_id = "2021000000000001",
	                            .app_key_file = path,
	                            .alipay_key_file = pubpath,
	                            .ca_file = pubpath,
	                            .connect_timeout_ms = 500,
	                            .timeout_ms = 1000,
	                            .ceiling_fen = 500000,
	                            .terminal_id = "NT01"};
	struct alipay *a = NULL;
	CHECK_INT(alipay_create(&cfg, &a, &err), KR_OK);
	const char *biz = "{\"out_trade_no\":\"NT0126112100000001_1\",\"total_amount\":\"700.00\","
	                  "\"subject\":\"CA certificate service\"}";
	/* 2026-11-21 21:00:00 China time */
	CHECK_INT(alipay_build_request(a, ALIPAY_PRECREATE, biz, 1795266000, content,
	                               sizeof content, form, sizeof form, &err),
	          KR_OK);
	CHECK_STR(
	    content,
	    "app_id=2021000000000001&biz_content={\"out_trade_no\":\"NT0126112100000001_1\","
	    "\"total_amount\":\"700.00\",\"subject\":\"CA certificate service\"}&charset=utf-8&"
	    "format=JSON&method=alipay.trade.precreate&sign_type=RSA2&timestamp=2026-11-21 "
	    "21:00:00&version=1.0");
	write_file("content.txt", content, strlen(content));
	openssl_sign("app.key", "content.txt", b64, sizeof b64);
	char *s = strstr(form, "&sign=");
	CHECK(s != NULL);
	if (s) {
		char sent[2048];
		snprintf(sent, sizeof sent, "%s", s + 6);
		CHECK(strchr(sent, '+') == NULL && strchr(sent, '/') == NULL); /* URL-encoded */
		url_decode(sent);
		CHECK(b64[0] != '\0');
		CHECK_STR(sent, b64);
	}
	CHECK(strstr(form, "timestamp=2026-11-21%2021%3A00%3A00") != NULL);
	CHECK(strstr(form, "biz_content=%7B%22out_trade_no%22") != NULL);

	/* empty values are dropped, sign is never signed */
	const struct alipay_param params[] = {
	    {"b", "2"}, {"a", "1"}, {"sign", "x"}, {"empty", ""}, {"c", NULL}};
	CHECK_INT(alipay_sign_content(params, 5, content, sizeof content, &err), KR_OK);
	CHECK_STR(content, "a=1&b=2");

	/* answers signed by openssl */
	EVP_PKEY *pub = NULL;
	CHECK_INT(alipay_key_load_public(pubpath, &pub, &err), KR_OK);
	char body[8192], sig_reordered[ALIPAY_SIGN_B64_MAX];
	struct alipay_reply r;
	write_file("node.txt", node_text, strlen(node_text));
	openssl_sign("ali.key", "node.txt", b64, sizeof b64);
	write_file("node2.txt", node_reordered, strlen(node_reordered));
	openssl_sign("ali.key", "node2.txt", sig_reordered, sizeof sig_reordered);

	snprintf(body, sizeof body, "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\"}",
	         node_text, b64);
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(r.signed_ok);
	CHECK_STR(r.qr_code, "https://qr.alipay.com/bax0}{\"x");
	CHECK_INT(alipay_action_of(ALIPAY_PRECREATE, &r), ALIPAY_OK);
	/* sign first, whitespace around: the node's bytes are the same */
	snprintf(body, sizeof body,
	         " { \"sign\" : \"%s\" ,\n\"alipay_trade_precreate_response\" : %s } ", b64,
	         node_text);
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(r.signed_ok);

	/* one flipped byte in the node */
	snprintf(body, sizeof body, "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\"}",
	         node_text, b64);
	char *flip = strstr(body, "NT0126");
	flip[3] ^= 1;
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(!r.signed_ok);
	CHECK_INT(alipay_action_of(ALIPAY_PRECREATE, &r), ALIPAY_UNKNOWN);
	/* one flipped byte in the signature */
	snprintf(body, sizeof body, "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\"}",
	         node_text, b64);
	strstr(body, "\"sign\":\"")[10] ^= 2;
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(!r.signed_ok);
	/* the node reordered (the same JSON object, other bytes) under the first signature */
	snprintf(body, sizeof body, "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\"}",
	         node_reordered, b64);
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(!r.signed_ok);
	CHECK_INT(alipay_action_of(ALIPAY_PRECREATE, &r), ALIPAY_UNKNOWN);
	/* …while its own signature verifies */
	snprintf(body, sizeof body, "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\"}",
	         node_reordered, sig_reordered);
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(r.signed_ok);
	/* the node name again after the node: as a second key, and inside another value */
	snprintf(body, sizeof body,
	         "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\","
	         "\"alipay_trade_precreate_response\":{\"code\":\"10000\"}}",
	         node_text, b64);
	CHECK_INT(parse(pub, body, &r), KR_CORRUPT);
	snprintf(body, sizeof body,
	         "{\"alipay_trade_precreate_response\":%s,\"sign\":\"%s\",\"x\":\"alipay_trade_"
	         "precreate_response\"}",
	         node_text, b64);
	CHECK_INT(parse(pub, body, &r), KR_CORRUPT);
	/* an unsigned success is a failure; so is a forged one */
	snprintf(body, sizeof body, "{\"alipay_trade_precreate_response\":%s}", node_text);
	CHECK_INT(parse(pub, body, &r), KR_OK);
	CHECK(!r.signed_ok);
	CHECK_STR(r.code, "10000");
	CHECK_INT(alipay_action_of(ALIPAY_PRECREATE, &r), ALIPAY_UNKNOWN);
	/* garbage and broken shapes */
	const char *bad[] = {"",
	                     "<html>502</html>",
	                     "{\"alipay_trade_precreate_response\":{",
	                     "{\"alipay_trade_precreate_response\":\"x\"}",
	                     "[1]",
	                     "{\"sign\":\"abc\"}",
	                     "{\"alipay_trade_precreate_response\":{}} x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT(parse(pub, bad[i], &r), KR_CORRUPT);
	/* error_response is read when the node is absent */
	CHECK_INT(parse(pub,
	                "{\"error_response\":{\"code\":\"40002\",\"sub_code\":\"isv.invalid-"
	                "signature\"}}",
	                &r),
	          KR_OK);
	CHECK(r.error_node);
	CHECK_INT(alipay_action_of(ALIPAY_PRECREATE, &r), ALIPAY_REFUSED);

	/* the action table: every code and sub-code of ref/alipay.md */
	static const struct {
		enum alipay_method m;
		const char *code, *sub;
		enum alipay_action want;
	} table[] = {
	    {ALIPAY_QUERY, "10000", "", ALIPAY_OK},
	    {ALIPAY_QUERY, "20000", "", ALIPAY_UNKNOWN},
	    {ALIPAY_PRECREATE, "40001", "", ALIPAY_REFUSED},
	    {ALIPAY_PRECREATE, "40002", "isv.invalid-signature", ALIPAY_REFUSED},
	    {ALIPAY_QUERY, "40005", "", ALIPAY_BACKOFF},
	    {ALIPAY_QUERY, "20001", "", ALIPAY_REFUSED},
	    {ALIPAY_QUERY, "40006", "", ALIPAY_REFUSED},
	    {ALIPAY_PRECREATE, "40004", "ACQ.SYSTEM_ERROR", ALIPAY_UNKNOWN},
	    {ALIPAY_PRECREATE, "40004", "ACQ.INVALID_PARAMETER", ALIPAY_REFUSED},
	    {ALIPAY_PRECREATE, "40004", "ACQ.TOTAL_FEE_EXCEED", ALIPAY_REFUSED},
	    {ALIPAY_PRECREATE, "40004", "ACQ.CONTEXT_INCONSISTENT", ALIPAY_NEW_NUMBER},
	    {ALIPAY_PRECREATE, "40004", "ACQ.TRADE_HAS_SUCCESS", ALIPAY_ALREADY_PAID},
	    {ALIPAY_PRECREATE, "40004", "ACQ.TRADE_HAS_CLOSE", ALIPAY_NEW_NUMBER},
	    {ALIPAY_QUERY, "40004", "ACQ.SYSTEM_ERROR", ALIPAY_UNKNOWN},
	    {ALIPAY_QUERY, "40004", "ACQ.TRADE_NOT_EXIST", ALIPAY_NOT_EXIST},
	    {ALIPAY_CANCEL, "40004", "ACQ.TRADE_NOT_EXIST", ALIPAY_NOT_EXIST},
	    {ALIPAY_CANCEL, "40004", "ACQ.TRADE_CANCEL_TIME_OUT", ALIPAY_REFUSED},
	    {ALIPAY_REFUND, "40004", "ACQ.SYSTEM_ERROR", ALIPAY_UNKNOWN},
	    {ALIPAY_REFUND, "40004", "ACQ.DISCORDANT_REPEAT_REQUEST", ALIPAY_REFUSED},
	    {ALIPAY_REFUND, "40004", "ACQ.REASON_TRADE_REFUND_FEE_ERR", ALIPAY_REFUSED},
	    {ALIPAY_REFUND, "40004", "ACQ.TRADE_NOT_EXIST", ALIPAY_REFUSED},
	    {ALIPAY_QUERY, "99999", "", ALIPAY_UNKNOWN},
	    {ALIPAY_BILL_URL, "40004", "isp.bill_not_exist", ALIPAY_NOT_EXIST},
	    {ALIPAY_BILL_URL, "40004", "isv.invalid-arguments", ALIPAY_REFUSED},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		memset(&r, 0, sizeof r);
		r.signed_ok = 1;
		snprintf(r.code, sizeof r.code, "%s", table[i].code);
		snprintf(r.sub_code, sizeof r.sub_code, "%s", table[i].sub);
		if (alipay_action_of(table[i].m, &r) != table[i].want)
			fprintf(stderr, "action of %s %s %s\n", alipay_method_name(table[i].m),
			        table[i].code, table[i].sub);
		CHECK_INT(alipay_action_of(table[i].m, &r), table[i].want);
	}

	/* a refund query confirms a refund of 20.00 by its status, or without one by the
	 * amount; an amount that differs confirms nothing (ref/alipay.md §4) */
	static const struct {
		const char *status, *amount;
		int want;
	} refunds[] = {
	    {"REFUND_SUCCESS", "20.00", 1},
	    {"REFUND_SUCCESS", "", 1},
	    {"", "20.00", 1},
	    {"", "20", 1},
	    {"", "", 0},
	    {"", "19.99", 0},
	    {"REFUND_SUCCESS", "2.00", 0},
	    {"REFUND_FAIL", "20.00", 0},
	    {"", "20.00x", 0},
	    {"REFUND_PROCESSING", "", 0},
	};
	for (size_t i = 0; i < sizeof refunds / sizeof refunds[0]; i++) {
		memset(&r, 0, sizeof r);
		snprintf(r.refund_status, sizeof r.refund_status, "%s", refunds[i].status);
		snprintf(r.refund_amount, sizeof r.refund_amount, "%s", refunds[i].amount);
		if (alipay_refund_confirmed(&r, 2000) != refunds[i].want)
			fprintf(stderr, "refund query '%s' '%s'\n", refunds[i].status,
			        refunds[i].amount);
		CHECK_INT(alipay_refund_confirmed(&r, 2000), refunds[i].want);
	}

	/* amounts refused before anything is sent (the gateway port is closed: anything sent
	 * would come back as unknown, not refused) */
	const fen_t refused[] = {0, -1, 500001};
	for (size_t i = 0; i < 3; i++) {
		CHECK_INT(alipay_precreate(a, "NT01_1", refused[i], "s", 3, 0, &r, &err),
		          ALIPAY_REFUSED);
		CHECK_INT(alipay_refund(a, "NT01_1", "NT01_1_R", refused[i], "r", 0, &r, &err),
		          ALIPAY_REFUSED);
	}
	CHECK_INT(alipay_precreate(a, "NT01_1", 1, "s", 3, 0, &r, &err), ALIPAY_UNKNOWN);

	EVP_PKEY_free(pub);
	alipay_destroy(a);
	sh("rm -rf %s%s", NULL);
	return check_done();
}

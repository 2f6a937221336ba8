/* alipay_peer.c — a small Alipay gateway for tests and the demo: HTTPS on 127.0.0.1
 * (OpenSSL, a test CA's certificate), the face-to-face methods of ref/alipay.md, the
 * kiosk's signature checked with the app's public key, answers signed with the peer's own
 * key, trades kept in memory. A plain-HTTP control port on 127.0.0.1 steers it:
 *   /scan?t=OTN  /pay?t=OTN  /close?t=OTN  /expire?t=OTN   (t omitted: the latest trade)
 *   /qr/OTN                      the page the QR points at: pays when opened
 *   /fault?kind=K&method=M&count=N[&ms=D][&pid=P]
 *        K: 20000 syserr ratelimit delay drop garbage forge nosign killbefore killafter clear
 *           nostatus (a refund query's answer without refund_status), fundn (a refund
 *           answered 10000 with fund_change N and not carried out), fundn-done (carried
 *           out and answered N), ctlbytes (20000 with control bytes in sub_code, sub_msg)
 *        drop/garbage/forge/nosign/killafter/nostatus/fundn-done act on the request, then
 *        misanswer
 *   /trades   one line per trade: out_trade_no status amount_fen charges refunded_fen
 *             refunds=N (refunds carried out) cancel_refunds=N refund_asks=N (refund
 *             requests received)
 *   /quit
 * The gateway's port also serves GET /bill/DAY.csv: the bill that
 * alipay.data.dataservice.bill.downloadurl.query points at (plain UTF-8 CSV).
 * Usage: alipay_peer --cert C --key K --app-pub P --sign-key S --ports-file F [--autopay S]
 * The ports file gets "GATEWAY_PORT CONTROL_PORT". Single-threaded: one request at a time. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include "httpd.h"

#define REQ_MAX     65536
#define TRADES_MAX  512
#define FAULTS_MAX  32
#define REFUNDS_MAX 8

enum tstatus { T_CREATED, T_WAITING, T_PAID, T_CLOSED };
static const char *const tstatus_names[] = {"created", "waiting", "paid", "closed"};

struct trade {
	char otn[72], trade_no[40], amount[24], subject[128];
	long amount_fen, refunded_fen;
	enum tstatus status;
	int charges, refunds, cancel_refunds, refund_asks;
	long long created_ms, expire_ms;
	/* China time as the kiosk's requests stamped them ("yyyy-MM-dd HH:mm:ss"): the bill's */
	char created_at[20], cancelled_at[20];
	char req_no[REFUNDS_MAX][72], req_at[REFUNDS_MAX][20];
	long req_fen[REFUNDS_MAX];
	int nreq;
};

struct fault {
	char kind[16], method[64];
	int count, ms, pid;
};

static struct trade trades[TRADES_MAX];
static int ntrades;
static struct fault faults[FAULTS_MAX];
static int nfaults;
static EVP_PKEY *app_pub, *sign_key, *forge_key;
static int gw_port, ctl_port, autopay_s = -1, quitting;
static long long trade_seq;

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static EVP_PKEY *load_key(const char *path, int private)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "alipay_peer: cannot read %s\n", path);
		exit(2);
	}
	EVP_PKEY *k = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
	                      : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		fprintf(stderr, "alipay_peer: no key in %s\n", path);
		exit(2);
	}
	return k;
}

/* ---- form and signatures ---- */

struct kv {
	char *k, *v;
};

static int hexval(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

static void url_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static int parse_form(char *body, struct kv *out, int max)
{
	int n = 0;
	for (char *save, *pair = strtok_r(body, "&", &save); pair && n < max;
	     pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		if (!eq)
			continue;
		*eq = '\0';
		url_decode(pair);
		url_decode(eq + 1);
		out[n].k = pair;
		out[n].v = eq + 1;
		n++;
	}
	return n;
}

static const char *form_get(const struct kv *f, int n, const char *k)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].k, k) == 0)
			return f[i].v;
	return NULL;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

static int verify_request(struct kv *f, int n)
{
	const char *sign = form_get(f, n, "sign");
	if (!sign)
		return 0;
	struct kv sorted[64] = {{0}};
	int m = 0;
	for (int i = 0; i < n && m < 64; i++)
		if (strcmp(f[i].k, "sign") != 0 && f[i].v[0])
			sorted[m++] = f[i];
	qsort(sorted, (size_t)m, sizeof sorted[0], by_key);
	static char content[REQ_MAX];
	size_t used = 0;
	content[0] = '\0';
	for (int i = 0; i < m; i++)
		used += (size_t)snprintf(content + used, sizeof content - used, "%s%s=%s",
		                         i ? "&" : "", sorted[i].k, sorted[i].v);
	unsigned char sig[1024];
	size_t blen = strlen(sign);
	if (blen == 0 || blen % 4 || blen >= sizeof sig)
		return 0;
	int sl = EVP_DecodeBlock(sig, (const unsigned char *)sign, (int)blen);
	for (size_t i = blen; i > 0 && sign[i - 1] == '='; i--)
		sl--;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = sl > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, app_pub) == 1 &&
	         EVP_DigestVerify(md, sig, (size_t)sl, (unsigned char *)content, used) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

static void sign_b64(EVP_PKEY *key, const char *data, char *out)
{
	unsigned char sig[1024];
	size_t sl = sizeof sig;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key);
	EVP_DigestSign(md, sig, &sl, (const unsigned char *)data, strlen(data));
	EVP_MD_CTX_free(md);
	EVP_EncodeBlock((unsigned char *)out, sig, (int)sl);
}

/* ---- trades ---- */

static struct trade *find_trade(const char *otn)
{
	if (!otn || !*otn)
		return ntrades ? &trades[ntrades - 1] : NULL;
	for (int i = 0; i < ntrades; i++)
		if (strcmp(trades[i].otn, otn) == 0)
			return &trades[i];
	return NULL;
}

static void age(struct trade *t)
{
	if ((t->status == T_CREATED || t->status == T_WAITING) && now_ms() >= t->expire_ms)
		t->status = T_CLOSED;
}

static int pay_trade(struct trade *t)
{
	age(t);
	if (t->status != T_CREATED && t->status != T_WAITING)
		return 0;
	t->status = T_PAID;
	t->charges++;
	snprintf(t->trade_no, sizeof t->trade_no, "2026%016lld", ++trade_seq);
	return 1;
}

static long parse_fen(const char *s)
{
	long y = 0;
	int c = 0;
	if (!s || sscanf(s, "%ld.%2d", &y, &c) != 2 || strlen(strchr(s, '.')) != 3 || y < 0)
		return -1;
	return y * 100 + c;
}

static void fail40004(cJSON *node, const char *sub)
{
	cJSON_AddStringToObject(node, "code", "40004");
	cJSON_AddStringToObject(node, "msg", "Business Failed");
	cJSON_AddStringToObject(node, "sub_code", sub);
	cJSON_AddStringToObject(node, "sub_msg", sub);
}

/* An amount in fen as Alipay writes it: yuan with two decimals. */
static void add_fen(cJSON *node, const char *name, long fen)
{
	char text[32];
	snprintf(text, sizeof text, "%ld.%02ld", fen / 100, fen % 100);
	cJSON_AddStringToObject(node, name, text);
}

static void success(cJSON *node)
{
	cJSON_AddStringToObject(node, "code", "10000");
	cJSON_AddStringToObject(node, "msg", "Success");
}

struct bill {
	const char *day; /* "yyyy-MM-dd" */
	char *out;       /* NULL: only counted */
	size_t size, used;
	int n;
};

/* One line of a bill when it is of the bill's day: fen below zero for a refund. */
static void bill_line(struct bill *b, const struct trade *t, const char *at, long fen,
                      const char *req_no)
{
	char line[1024];
	if (strncmp(at, b->day, 10) != 0)
		return;
	b->n++;
	/* numbers with a tab after them, as Alipay writes them for spreadsheets */
	int len = snprintf(line, sizeof line,
	                   "%s\t,%s\t,%s,%s,%s,%s,NT01,,,NT01,159****5620,%s%ld.%02ld,%s%ld.%02ld,"
	                   "0.00,0.00,0.00,0.00,0.00,,0.00,0.00,%s,0.00,0.00,\n",
	                   t->trade_no, t->otn, fen < 0 ? "退款" : "交易", t->subject,
	                   t->created_at, at, fen < 0 ? "-" : "", labs(fen) / 100, labs(fen) % 100,
	                   fen < 0 ? "-" : "", labs(fen) / 100, labs(fen) % 100, req_no);
	if (b->out && b->used + (size_t)len < b->size) {
		memcpy(b->out + b->used, line, (size_t)len + 1);
		b->used += (size_t)len;
	}
}

/* The day's bill as the lines of Alipay's 业务明细 CSV: a payment line for every trade
 * paid, dated as it was created, and a refund line for every refund and for a payment a
 * cancel reversed. Returns how many lines. */
static int bill_lines(const char *day, char *out, size_t size)
{
	struct bill b = {day, out, size, 0, 0};
	for (int i = 0; i < ntrades; i++) {
		const struct trade *t = &trades[i];
		if (t->charges)
			bill_line(&b, t, t->created_at, t->amount_fen, "");
		if (t->cancel_refunds)
			bill_line(&b, t, t->cancelled_at, -t->amount_fen, "");
		for (int r = 0; r < t->nreq; r++)
			bill_line(&b, t, t->req_at[r], -t->req_fen[r], t->req_no[r]);
	}
	return b.n;
}

/* stamp: the request's timestamp (China time), "" when it had none */
static void do_method(const char *method, cJSON *biz, const char *stamp, cJSON *node)
{
	const cJSON *o = cJSON_GetObjectItem(biz, "out_trade_no");
	const char *otn = cJSON_IsString(o) ? o->valuestring : "";
	struct trade *t = *otn ? find_trade(otn) : NULL;
	if (t)
		age(t);
	if (strcmp(method, "alipay.trade.precreate") == 0) {
		const cJSON *a = cJSON_GetObjectItem(biz, "total_amount");
		const cJSON *ex = cJSON_GetObjectItem(biz, "qr_code_timeout_express");
		long fen = parse_fen(cJSON_IsString(a) ? a->valuestring : NULL);
		if (!*otn || fen <= 0)
			return fail40004(node, "ACQ.INVALID_PARAMETER");
		if (fen > 10000000000L)
			return fail40004(node, "ACQ.TOTAL_FEE_EXCEED");
		if (t && t->amount_fen != fen)
			return fail40004(node, "ACQ.CONTEXT_INCONSISTENT");
		if (t && t->status == T_PAID)
			return fail40004(node, "ACQ.TRADE_HAS_SUCCESS");
		if (t && t->status == T_CLOSED)
			return fail40004(node, "ACQ.TRADE_HAS_CLOSE");
		if (!t) {
			if (ntrades == TRADES_MAX)
				return fail40004(node, "ACQ.SYSTEM_ERROR");
			t = &trades[ntrades++];
			memset(t, 0, sizeof *t);
			snprintf(t->otn, sizeof t->otn, "%s", otn);
			snprintf(t->amount, sizeof t->amount, "%s", a->valuestring);
			const cJSON *subj = cJSON_GetObjectItem(biz, "subject");
			snprintf(t->subject, sizeof t->subject, "%s",
			         cJSON_IsString(subj) ? subj->valuestring : "");
			snprintf(t->created_at, sizeof t->created_at, "%.19s", stamp);
			t->amount_fen = fen;
			t->created_ms = now_ms();
			int minutes = cJSON_IsString(ex) ? atoi(ex->valuestring) : 120;
			t->expire_ms =
			    t->created_ms + (long long)(minutes > 0 ? minutes : 120) * 60000;
		}
		char qr[256];
		snprintf(qr, sizeof qr, "http://127.0.0.1:%d/qr/%s", ctl_port, t->otn);
		success(node);
		cJSON_AddStringToObject(node, "out_trade_no", t->otn);
		cJSON_AddStringToObject(node, "qr_code", qr);
		return;
	}
	if (strcmp(method, "alipay.data.dataservice.bill.downloadurl.query") == 0) {
		const cJSON *type = cJSON_GetObjectItem(biz, "bill_type");
		const cJSON *date = cJSON_GetObjectItem(biz, "bill_date");
		const char *day = cJSON_IsString(date) ? date->valuestring : "";
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "trade") != 0 ||
		    strlen(day) != 10 || day[4] != '-' || day[7] != '-')
			return fail40004(node, "isv.invalid-arguments");
		if (!bill_lines(day, NULL, 0))
			return fail40004(node, "isp.bill_not_exist");
		char url[128];
		snprintf(url, sizeof url, "https://127.0.0.1:%d/bill/%s.csv", gw_port, day);
		success(node);
		cJSON_AddStringToObject(node, "bill_download_url", url);
		return;
	}
	if (!t && strcmp(method, "alipay.trade.fastpay.refund.query") != 0)
		return fail40004(node, "ACQ.TRADE_NOT_EXIST");
	if (strcmp(method, "alipay.trade.query") == 0) {
		if (t->status == T_CREATED)
			return fail40004(node, "ACQ.TRADE_NOT_EXIST");
		success(node);
		cJSON_AddStringToObject(node, "out_trade_no", t->otn);
		cJSON_AddStringToObject(node, "trade_status",
		                        t->status == T_WAITING ? "WAIT_BUYER_PAY"
		                        : t->status == T_PAID  ? "TRADE_SUCCESS"
		                                               : "TRADE_CLOSED");
		cJSON_AddStringToObject(node, "total_amount", t->amount);
		if (t->trade_no[0]) {
			cJSON_AddStringToObject(node, "trade_no", t->trade_no);
			cJSON_AddStringToObject(node, "buyer_logon_id", "159****5620");
		}
		return;
	}
	if (strcmp(method, "alipay.trade.cancel") == 0) {
		const char *action = "close";
		if (t->status == T_PAID) {
			action = "refund";
			t->refunded_fen = t->amount_fen;
			t->cancel_refunds++;
			snprintf(t->cancelled_at, sizeof t->cancelled_at, "%.19s", stamp);
		}
		t->status = T_CLOSED;
		success(node);
		cJSON_AddStringToObject(node, "out_trade_no", t->otn);
		cJSON_AddStringToObject(node, "retry_flag", "N");
		cJSON_AddStringToObject(node, "action", action);
		return;
	}
	const cJSON *rq = cJSON_GetObjectItem(biz, "out_request_no");
	const char *req = cJSON_IsString(rq) ? rq->valuestring : "";
	if (strcmp(method, "alipay.trade.refund") == 0) {
		const cJSON *a = cJSON_GetObjectItem(biz, "refund_amount");
		long fen = parse_fen(cJSON_IsString(a) ? a->valuestring : NULL);
		if (!*req || fen <= 0)
			return fail40004(node, "ACQ.INVALID_PARAMETER");
		for (int i = 0; i < t->nreq; i++)
			if (strcmp(t->req_no[i], req) == 0) {
				if (t->req_fen[i] != fen)
					return fail40004(node, "ACQ.DISCORDANT_REPEAT_REQUEST");
				success(node);
				cJSON_AddStringToObject(node, "out_trade_no", t->otn);
				cJSON_AddStringToObject(node, "fund_change", "N");
				return;
			}
		if (t->charges == 0 || t->status != T_PAID)
			return fail40004(node, "ACQ.TRADE_STATUS_ERROR");
		if (t->refunded_fen + fen > t->amount_fen || t->nreq == REFUNDS_MAX)
			return fail40004(node, "ACQ.REASON_TRADE_REFUND_FEE_ERR");
		snprintf(t->req_no[t->nreq], sizeof t->req_no[0], "%s", req);
		snprintf(t->req_at[t->nreq], sizeof t->req_at[0], "%.19s", stamp);
		t->req_fen[t->nreq++] = fen;
		t->refunded_fen += fen;
		t->refunds++;
		success(node);
		cJSON_AddStringToObject(node, "out_trade_no", t->otn);
		cJSON_AddStringToObject(node, "fund_change", "Y");
		add_fen(node, "refund_fee", t->refunded_fen); /* the trade's refunds in all */
		return;
	}
	if (strcmp(method, "alipay.trade.fastpay.refund.query") == 0) {
		/* the refund of that out_request_no, or (no refund data) none */
		success(node);
		cJSON_AddStringToObject(node, "out_trade_no", otn);
		for (int i = 0; t && i < t->nreq; i++)
			if (strcmp(t->req_no[i], req) == 0) {
				cJSON_AddStringToObject(node, "out_request_no", req);
				cJSON_AddStringToObject(node, "trade_no", t->trade_no);
				cJSON_AddStringToObject(node, "total_amount", t->amount);
				add_fen(node, "refund_amount", t->req_fen[i]);
				cJSON_AddStringToObject(node, "refund_status", "REFUND_SUCCESS");
			}
		return;
	}
	cJSON_AddStringToObject(node, "code", "40002");
	cJSON_AddStringToObject(node, "msg", "Invalid Arguments");
	cJSON_AddStringToObject(node, "sub_code", "isv.invalid-method");
}

/* ---- HTTP (tests/peers/httpd) ---- */

/* A one-shot answer: the gateway and the control port close after each request. */
static void respond(struct httpd_conn *c, int status, const char *type, const char *body)
{
	httpd_respond(c, status, type, body, 0, NULL);
}

static struct fault *take_fault(const char *method)
{
	for (int i = 0; i < nfaults; i++)
		if (faults[i].count > 0 && (strcmp(faults[i].method, "any") == 0 ||
		                            strcmp(faults[i].method, method) == 0)) {
			faults[i].count--;
			return &faults[i];
		}
	return NULL;
}

static void gateway(struct httpd_conn *c, char *body)
{
	struct kv form[64];
	int n = parse_form(body, form, 64);
	const char *method = form_get(form, n, "method");
	method = method ? method : "";
	char node_name[96];
	snprintf(node_name, sizeof node_name, "%s_response", method);
	for (char *p = node_name; *p; p++)
		if (*p == '.')
			*p = '_';
	struct fault *f = take_fault(method);
	const char *kind = f ? f->kind : "";
	if (strcmp(kind, "killbefore") == 0) {
		kill(f->pid, SIGKILL);
		return;
	}
	if (strcmp(kind, "delay") == 0)
		usleep((useconds_t)f->ms * 1000);
	cJSON *node = cJSON_CreateObject();
	const char *bizs = form_get(form, n, "biz_content");
	cJSON *biz = bizs ? cJSON_Parse(bizs) : NULL;
	if (biz && strcmp(method, "alipay.trade.refund") == 0) { /* asked, whatever happens */
		const cJSON *o = cJSON_GetObjectItem(biz, "out_trade_no");
		struct trade *t =
		    cJSON_IsString(o) && *o->valuestring ? find_trade(o->valuestring) : NULL;
		if (t)
			t->refund_asks++;
	}
	if (!verify_request(form, n)) {
		cJSON_AddStringToObject(node, "code", "40002");
		cJSON_AddStringToObject(node, "msg", "Invalid Arguments");
		cJSON_AddStringToObject(node, "sub_code", "isv.invalid-signature");
		fprintf(stderr, "alipay_peer: %s: bad request signature\n", method);
	} else if (!biz ||
	           strcmp(form_get(form, n, "sign_type") ? form_get(form, n, "sign_type") : "",
	                  "RSA2") != 0) {
		cJSON_AddStringToObject(node, "code", "40001");
		cJSON_AddStringToObject(node, "msg", "Missing Required Arguments");
	} else if (strcmp(kind, "20000") == 0) {
		cJSON_AddStringToObject(node, "code", "20000");
		cJSON_AddStringToObject(node, "msg", "Service Currently Unavailable");
		cJSON_AddStringToObject(node, "sub_code", "aop.unknow-error");
	} else if (strcmp(kind, "syserr") == 0) {
		fail40004(node, "ACQ.SYSTEM_ERROR");
	} else if (strcmp(kind, "ratelimit") == 0) {
		cJSON_AddStringToObject(node, "code", "40005");
		cJSON_AddStringToObject(node, "msg", "Call Limited");
	} else if (strcmp(kind, "ctlbytes") == 0) {
		/* unknown outcome, told with control bytes that must never reach a log raw */
		cJSON_AddStringToObject(node, "code", "20000");
		cJSON_AddStringToObject(node, "msg", "Service Currently Unavailable");
		cJSON_AddStringToObject(node, "sub_code",
		                        "aop.unknow-error\r\n[alipay] X: refunded");
		cJSON_AddStringToObject(node, "sub_msg", "\x1b[2J\a\t\x7f系统繁忙");
	} else if (strcmp(kind, "fundn") == 0) {
		/* the refund is not carried out; the answer says no funds changed */
		const cJSON *o = cJSON_GetObjectItem(biz, "out_trade_no");
		success(node);
		cJSON_AddStringToObject(node, "out_trade_no",
		                        cJSON_IsString(o) ? o->valuestring : "");
		cJSON_AddStringToObject(node, "fund_change", "N");
	} else {
		const char *stamp = form_get(form, n, "timestamp");
		do_method(method, biz, stamp ? stamp : "", node);
		if (strcmp(kind, "nostatus") == 0) /* data without refund_status: still success */
			cJSON_DeleteItemFromObject(node, "refund_status");
		if (strcmp(kind, "fundn-done") == 0 && cJSON_GetObjectItem(node, "fund_change"))
			cJSON_ReplaceItemInObject(node, "fund_change", cJSON_CreateString("N"));
	}
	cJSON_Delete(biz);
	char *text = cJSON_PrintUnformatted(node);
	cJSON_Delete(node);
	fprintf(stderr, "alipay_peer: %s -> %s%s%s\n", method, text, f ? " fault " : "", kind);
	if (strcmp(kind, "killafter") == 0)
		kill(f->pid, SIGKILL);
	if (strcmp(kind, "drop") == 0 || strcmp(kind, "killafter") == 0) {
		free(text);
		return;
	}
	static char out[REQ_MAX];
	char sig[1024] = "";
	if (strcmp(kind, "garbage") == 0) {
		snprintf(out, sizeof out,
		         "<html><body>502 Bad Gateway</body></html>{\"%s\":", node_name);
	} else {
		if (strcmp(kind, "nosign") != 0)
			sign_b64(strcmp(kind, "forge") == 0 ? forge_key : sign_key, text, sig);
		if (sig[0])
			snprintf(out, sizeof out, "{\"%s\":%s,\"sign\":\"%s\"}", node_name, text,
			         sig);
		else
			snprintf(out, sizeof out, "{\"%s\":%s}", node_name, text);
	}
	free(text);
	respond(c, 200, "application/json;charset=utf-8", out);
}

static void control(struct httpd_conn *c, const struct httpd_request *req)
{
	const char *path = req->path, *q = req->query;
	char t[96], kind[16], method[64], num[16];
	if (strcmp(req->method, "GET") != 0)
		return respond(c, 400, "text/plain", "GET only\n");
	httpd_param(q, "t", t, sizeof t);
	if (strncmp(path, "/qr/", 4) == 0 || strcmp(path, "/pay") == 0) {
		struct trade *tr = find_trade(path[1] == 'q' ? path + 4 : t);
		if (!tr || !pay_trade(tr))
			return respond(c, 409, "text/plain", "no payable trade\n");
		return respond(c, 200, path[1] == 'q' ? "text/html;charset=utf-8" : "text/plain",
		               path[1] == 'q' ? "<html><body><h1>支付成功 paid</h1></body></html>\n"
		                              : "paid\n");
	}
	if (strcmp(path, "/scan") == 0 || strcmp(path, "/close") == 0 ||
	    strcmp(path, "/expire") == 0) {
		struct trade *tr = find_trade(t);
		if (!tr)
			return respond(c, 409, "text/plain", "no trade\n");
		age(tr);
		if (tr->status == T_PAID)
			return respond(c, 409, "text/plain", "paid already\n");
		if (path[1] == 's' && tr->status == T_CREATED)
			tr->status = T_WAITING;
		else if (path[1] == 'c')
			tr->status = T_CLOSED;
		else if (path[1] == 'e')
			tr->expire_ms = now_ms();
		return respond(c, 200, "text/plain", "ok\n");
	}
	if (strcmp(path, "/fault") == 0) {
		httpd_param(q, "kind", kind, sizeof kind);
		if (strcmp(kind, "clear") == 0) {
			nfaults = 0;
			return respond(c, 200, "text/plain", "cleared\n");
		}
		if (nfaults == FAULTS_MAX || !kind[0])
			return respond(c, 400, "text/plain", "no room or no kind\n");
		struct fault *f = &faults[nfaults++];
		snprintf(f->kind, sizeof f->kind, "%s", kind);
		snprintf(f->method, sizeof f->method, "%s",
		         httpd_param(q, "method", method, sizeof method)[0] ? method : "any");
		f->count = httpd_param(q, "count", num, sizeof num)[0] ? atoi(num) : 1;
		f->ms = httpd_param(q, "ms", num, sizeof num)[0] ? atoi(num) : 3000;
		f->pid = httpd_param(q, "pid", num, sizeof num)[0] ? atoi(num) : 0;
		return respond(c, 200, "text/plain", "ok\n");
	}
	if (strcmp(path, "/trades") == 0) {
		static char out[TRADES_MAX * 160];
		size_t used = 0;
		out[0] = '\0';
		for (int i = 0; i < ntrades; i++) {
			age(&trades[i]);
			used += (size_t)snprintf(out + used, sizeof out - used,
			                         "%s %s %ld %d %ld refunds=%d cancel_refunds=%d "
			                         "refund_asks=%d\n",
			                         trades[i].otn, tstatus_names[trades[i].status],
			                         trades[i].amount_fen, trades[i].charges,
			                         trades[i].refunded_fen, trades[i].refunds,
			                         trades[i].cancel_refunds, trades[i].refund_asks);
		}
		return respond(c, 200, "text/plain", out);
	}
	if (strcmp(path, "/quit") == 0) {
		quitting = 1;
		return respond(c, 200, "text/plain", "bye\n");
	}
	respond(c, 404, "text/plain", "unknown\n");
}

/* GET /bill/DAY.csv on the gateway's port: the day's bill, plain UTF-8 CSV. */
static void bill(struct httpd_conn *c, const char *path)
{
	static char out[TRADES_MAX * 3 * 1024 + 4096];
	char day[16] = "";
	if (sscanf(path, "/bill/%10[0-9-].csv", day) != 1 || strlen(day) != 10)
		return respond(c, 404, "text/plain", "no such bill\n");
	int used =
	    snprintf(out, sizeof out,
	             "#支付宝业务明细查询\n#账号：[%s]\n#起始日期：[%s 00:00:00]   终止日期：[%s "
	             "23:59:59]\n#-----------------------------------------业务明细列表"
	             "----------------------------------------\n"
	             "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,"
	             "门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,"
	             "支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,"
	             "券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
	             "退款批次号/请求号,服务费（元）,分润（元）,备注\n",
	             "2088000000000001", day, day);
	int lines = bill_lines(day, out + used, sizeof out - (size_t)used - 256);
	used += (int)strlen(out + used);
	snprintf(out + used, sizeof out - (size_t)used,
	         "#-----------------------------------------业务明细列表结束"
	         "------------------------------------\n#明细合计：%d笔\n",
	         lines);
	respond(c, 200, "text/csv;charset=utf-8", out);
}

static void serve(int lfd, SSL_CTX *ctx)
{
	static char buf[REQ_MAX];
	struct httpd_conn c = {accept(lfd, NULL, NULL), NULL};
	struct httpd_request req;
	if (c.fd < 0)
		return;
	struct timeval tv = {5, 0};
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (ctx) {
		c.ssl = SSL_new(ctx);
		SSL_set_fd(c.ssl, c.fd);
		if (SSL_accept(c.ssl) != 1) {
			ERR_clear_error();
			SSL_free(c.ssl);
			close(c.fd);
			return;
		}
	}
	if (httpd_read(&c, buf, sizeof buf, &req) == 0) {
		if (ctx && strcmp(req.method, "GET") == 0)
			bill(&c, req.path);
		else if (ctx)
			gateway(&c, req.body);
		else
			control(&c, &req);
	}
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	close(c.fd);
}

int main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *pub = NULL, *skey = NULL, *ports = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--cert") == 0)
			cert = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			key = argv[i + 1];
		else if (strcmp(argv[i], "--app-pub") == 0)
			pub = argv[i + 1];
		else if (strcmp(argv[i], "--sign-key") == 0)
			skey = argv[i + 1];
		else if (strcmp(argv[i], "--ports-file") == 0)
			ports = argv[i + 1];
		else if (strcmp(argv[i], "--autopay") == 0)
			autopay_s = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--port") == 0)
			gw_port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--control-port") == 0)
			ctl_port = atoi(argv[i + 1]);
	}
	if (!cert || !key || !pub || !skey || !ports) {
		fprintf(stderr, "usage: alipay_peer --cert C --key K --app-pub P --sign-key S "
		                "--ports-file F [--autopay SECONDS] [--port N --control-port N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	app_pub = load_key(pub, 0);
	sign_key = load_key(skey, 1);
	forge_key = EVP_RSA_gen(2048);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "alipay_peer: cannot load the TLS certificate or key\n");
		return 2;
	}
	int gw = httpd_listen(&gw_port, "alipay_peer"),
	    ctl = httpd_listen(&ctl_port, "alipay_peer");
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", ports);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d %d\n", gw_port, ctl_port) < 0 || fclose(f) != 0 ||
	    rename(tmp, ports) != 0) {
		perror("alipay_peer: ports file");
		return 2;
	}
	fprintf(stderr,
	        "alipay_peer: gateway https://127.0.0.1:%d/gateway.do control "
	        "http://127.0.0.1:%d\n",
	        gw_port, ctl_port);
	while (!quitting) {
		struct pollfd p[2] = {{gw, POLLIN, 0}, {ctl, POLLIN, 0}};
		if (poll(p, 2, 250) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			serve(gw, ctx);
		if (p[1].revents & POLLIN)
			serve(ctl, NULL);
		for (int i = 0; autopay_s >= 0 && i < ntrades; i++)
			if (trades[i].status <= T_WAITING &&
			    now_ms() - trades[i].created_ms >= autopay_s * 1000LL)
				pay_trade(&trades[i]);
	}
	SSL_CTX_free(ctx);
	EVP_PKEY_free(app_pub);
	EVP_PKEY_free(sign_key);
	EVP_PKEY_free(forge_key);
	return 0;
}

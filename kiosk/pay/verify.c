/* verify.c — the response node by brace matching, its signature, its fields. */
#include "pay/verify.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pay/sign.h"

struct scan {
	const char *s;
	size_t n, i;
};

static void skip_ws(struct scan *c)
{
	while (c->i < c->n && strchr(" \t\r\n", c->s[c->i]) && c->s[c->i])
		c->i++;
}

/* Moves past a string starting at the '"' under the cursor. 0 when unterminated. */
static int skip_string(struct scan *c)
{
	for (c->i++; c->i < c->n; c->i++) {
		if (c->s[c->i] == '\\')
			c->i++;
		else if (c->s[c->i] == '"') {
			c->i++;
			return 1;
		}
	}
	return 0;
}

/* Moves past one value; brace and bracket matching that ignores strings. 0 when broken. */
static int skip_value(struct scan *c)
{
	int depth = 0;
	if (c->i >= c->n)
		return 0;
	if (c->s[c->i] != '{' && c->s[c->i] != '[') {
		if (c->s[c->i] == '"')
			return skip_string(c);
		size_t start = c->i;
		while (c->i < c->n && !strchr(",}] \t\r\n", c->s[c->i]) && c->s[c->i])
			c->i++;
		return c->i > start;
	}
	while (c->i < c->n) {
		char ch = c->s[c->i];
		if (ch == '"') {
			if (!skip_string(c))
				return 0;
			continue;
		}
		if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']')
			depth--;
		c->i++;
		if (depth == 0)
			return 1;
	}
	return 0;
}

/* Whether the raw key at [from, to) (quotes excluded) equals name. */
static int key_is(const struct scan *c, size_t from, size_t to, const char *name)
{
	size_t len = strlen(name);
	return to - from == len && memcmp(c->s + from, name, len) == 0;
}

/* Copies the raw string value at [from, to) into out, undoing \/ (base64 written by some
 * JSON encoders); other escapes do not occur in base64 and are refused. */
static int copy_sign(const struct scan *c, size_t from, size_t to, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = from; i < to; i++) {
		char ch = c->s[i];
		if (ch == '\\') {
			if (i + 1 >= to || c->s[i + 1] != '/')
				return 0;
			ch = '/';
			i++;
		}
		if (o + 1 >= size)
			return 0;
		out[o++] = ch;
	}
	out[o] = '\0';
	return 1;
}

static const char *memfind(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; m && i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

int alipay_body_split(const char *body, size_t size, const char *node, size_t *at, size_t *len,
                      int *error_node, char *sign, size_t sign_size, struct kerr *err)
{
	struct scan c = {body, size, 0};
	size_t node_at = 0, node_end = 0, err_at = 0, err_end = 0;
	int seen_node = 0, seen_err = 0, seen_sign = 0;
	if (sign_size)
		sign[0] = '\0';
	if (size > ALIPAY_BODY_MAX)
		return kerr_set(err, KR_CORRUPT, "answer longer than %d bytes", ALIPAY_BODY_MAX);
	skip_ws(&c);
	if (c.i >= c.n || body[c.i++] != '{')
		return kerr_set(err, KR_CORRUPT, "answer is not a JSON object");
	for (;;) {
		skip_ws(&c);
		if (c.i >= c.n || body[c.i] != '"')
			return kerr_set(err, KR_CORRUPT, "answer: a key expected at byte %zu", c.i);
		size_t kfrom = c.i + 1;
		if (!skip_string(&c))
			return kerr_set(err, KR_CORRUPT, "answer: unterminated key");
		size_t kto = c.i - 1;
		skip_ws(&c);
		if (c.i >= c.n || body[c.i++] != ':')
			return kerr_set(err, KR_CORRUPT, "answer: ':' expected at byte %zu", c.i);
		skip_ws(&c);
		size_t vfrom = c.i;
		if (!skip_value(&c))
			return kerr_set(err, KR_CORRUPT, "answer: broken value at byte %zu", vfrom);
		size_t vto = c.i;
		int is_node = key_is(&c, kfrom, kto, node);
		int is_err = key_is(&c, kfrom, kto, "error_response");
		if (is_node || is_err) {
			if ((is_node && seen_node) || (is_err && seen_err))
				return kerr_set(err, KR_CORRUPT, "answer: node repeated");
			if (body[vfrom] != '{')
				return kerr_set(err, KR_CORRUPT, "answer: node is not an object");
			if (is_node) {
				seen_node = 1;
				node_at = vfrom;
				node_end = vto;
			} else {
				seen_err = 1;
				err_at = vfrom;
				err_end = vto;
			}
		} else if (key_is(&c, kfrom, kto, "sign")) {
			if (seen_sign || body[vfrom] != '"' ||
			    !copy_sign(&c, vfrom + 1, vto - 1, sign, sign_size))
				return kerr_set(err, KR_CORRUPT, "answer: bad sign");
			seen_sign = 1;
		}
		skip_ws(&c);
		if (c.i < c.n && body[c.i] == ',') {
			c.i++;
			continue;
		}
		if (c.i < c.n && body[c.i] == '}') {
			c.i++;
			break;
		}
		return kerr_set(err, KR_CORRUPT, "answer: ',' or '}' expected at byte %zu", c.i);
	}
	skip_ws(&c);
	if (c.i != c.n)
		return kerr_set(err, KR_CORRUPT, "answer: bytes after the object");
	if (!seen_node && !seen_err)
		return kerr_set(err, KR_CORRUPT, "answer: no %s", node);
	*error_node = !seen_node;
	*at = seen_node ? node_at : err_at;
	*len = (seen_node ? node_end : err_end) - *at;
	const char *name = seen_node ? node : "error_response";
	if (memfind(body + *at + *len, size - *at - *len, name))
		return kerr_set(err, KR_CORRUPT, "answer: %s appears again after its value", name);
	return KR_OK;
}

/* Copies a string (or number) field into out; 0 when present but too long. */
static int field(const cJSON *node, const char *name, char *out, size_t size)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(node, name);
	out[0] = '\0';
	if (!it)
		return 1;
	if (cJSON_IsString(it)) {
		if (strlen(it->valuestring) >= size)
			return 0;
		snprintf(out, size, "%s", it->valuestring);
		return 1;
	}
	if (cJSON_IsNumber(it)) { /* some gateways send code as a number */
		snprintf(out, size, "%.0f", it->valuedouble);
		return 1;
	}
	return 0;
}

#define FIELD(name) field(json, #name, out->name, sizeof out->name)

int alipay_reply_parse(EVP_PKEY *pub, const char *body, size_t size, const char *node,
                       struct alipay_reply *out, struct kerr *err)
{
	char sign[ALIPAY_SIGN_B64_MAX];
	size_t at, len;
	memset(out, 0, sizeof *out);
	int rc = alipay_body_split(body, size, node, &at, &len, &out->error_node, sign, sizeof sign,
	                           err);
	if (rc != KR_OK)
		return rc;
	cJSON *json = cJSON_ParseWithLength(body + at, len);
	if (!json || !cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return kerr_set(err, KR_CORRUPT, "answer: the node is not valid JSON");
	}
	int ok = FIELD(code) && FIELD(msg) && FIELD(sub_code) && FIELD(sub_msg) &&
	         FIELD(out_trade_no) && FIELD(trade_no) && FIELD(trade_status) && FIELD(qr_code) &&
	         FIELD(total_amount) && FIELD(action) && FIELD(retry_flag) && FIELD(fund_change) &&
	         FIELD(refund_amount) && FIELD(refund_status) && FIELD(out_request_no) &&
	         FIELD(bill_download_url);
	cJSON_Delete(json);
	if (!ok)
		return kerr_set(err, KR_CORRUPT, "answer: a field is not text or too long");
	out->signed_ok = sign[0] && alipay_verify_rsa2(pub, body + at, len, sign);
	return KR_OK;
}

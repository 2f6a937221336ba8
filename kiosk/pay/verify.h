/* verify.h — reading a gateway answer: the response node's raw bytes found by brace
 * matching, its signature checked over exactly those bytes, its fields read with cJSON
 * (ref/alipay.md §3). Parses outside input: every length is capped, nothing is trusted
 * before the signature. */
#ifndef KIOSK_PAY_VERIFY_H
#define KIOSK_PAY_VERIFY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "core/result.h"

#define ALIPAY_BODY_MAX 65536 /* the largest answer read from the gateway */

/* What an answer said. Strings are "" when absent; longer values are refused. */
struct alipay_reply {
	int signed_ok;  /* a sign was present and valid for the node's raw bytes */
	int error_node; /* the node was error_response (a gateway-level error) */
	char code[8];
	char msg[128];
	char sub_code[64];
	char sub_msg[256];
	char out_trade_no[72];
	char trade_no[72];
	char trade_status[32];
	char qr_code[256];
	char total_amount[24];
	char action[16];
	char retry_flag[4];
	char fund_change[4];
	char refund_amount[24]; /* refund query: what was refunded for the out_request_no */
	char refund_status[32];
	char out_request_no[72];
	char bill_download_url[512]; /* bill.downloadurl.query: where the day's bill is */
};

/* Finds the value of node (e.g. "alipay_trade_query_response", or "error_response" when
 * node is absent) in body: the raw bytes from its '{' to the matching '}', counting
 * braces outside strings only and honouring backslash escapes; and the top-level "sign"
 * string into sign (sign_size bytes, "" when absent). KR_CORRUPT when the body is not one
 * JSON object of that shape, when the node or sign occurs twice, or when the node's name
 * appears again anywhere after its value. *at and *len give the node's value. */
int alipay_body_split(const char *body, size_t size, const char *node, size_t *at, size_t *len,
                      int *error_node, char *sign, size_t sign_size, struct kerr *err);

/* Splits body, verifies the signature with pub (borrowed; NULL: no verification, so
 * never signed_ok) and reads the fields into *out. KR_CORRUPT for a body that cannot be
 * read; KR_OK otherwise, also when unsigned or forged (out->signed_ok says which). */
int alipay_reply_parse(EVP_PKEY *pub, const char *body, size_t size, const char *node,
                       struct alipay_reply *out, struct kerr *err);

#endif

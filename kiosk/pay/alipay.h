/* alipay.h — the Alipay face-to-face (当面付) client: precreate, query, cancel, refund,
 * refund query and the day's bill over HTTPS, each request RSA2-signed and each answer
 * verified
 * (ref/alipay.md). Every result code and sub-code maps to one action (alipay_action_of).
 *
 * Owns one libcurl handle (reused, certificate verification on, connect and total
 * time-outs) and the two keys. Used by one thread at a time. Keys are never printed. */
#ifndef KIOSK_PAY_ALIPAY_H
#define KIOSK_PAY_ALIPAY_H

#include <stdint.h>

#include "core/money.h"
#include "core/result.h"
#include "pay/verify.h"

struct alipay_config {
	const char *gateway;         /* https://…/gateway.do */
	const char *app_id;          /* ≤ 32 characters */
	const char *app_key_file;    /* the app's RSA private key, PEM */
	const char *alipay_key_file; /* Alipay's public key, PEM */
	const char *ca_file;         /* trusted CAs for the gateway's certificate */
	int connect_timeout_ms, timeout_ms;
	fen_t ceiling_fen;       /* larger amounts are refused before anything is sent */
	const char *terminal_id; /* sent as store_id and terminal_id */
};

/* What the caller does next, whatever the code and sub-code were. */
enum alipay_action {
	ALIPAY_OK,           /* 10000 with a valid signature: read the fields */
	ALIPAY_NOT_EXIST,    /* ACQ.TRADE_NOT_EXIST: query: not scanned yet; cancel: nothing open */
	ALIPAY_UNKNOWN,      /* outcome unknown (20000, ACQ.SYSTEM_ERROR, network, garbage,
	                        missing or forged signature): query, or repeat identically */
	ALIPAY_BACKOFF,      /* 40005 rate limit: wait, then as UNKNOWN */
	ALIPAY_ALREADY_PAID, /* precreate ACQ.TRADE_HAS_SUCCESS: query for the trade */
	ALIPAY_NEW_NUMBER,   /* precreate ACQ.CONTEXT_INCONSISTENT / TRADE_HAS_CLOSE */
	ALIPAY_REFUSED,      /* configuration, parameters or a final business refusal */
	ALIPAY_ACTION_COUNT
};

enum alipay_method {
	ALIPAY_PRECREATE,
	ALIPAY_QUERY,
	ALIPAY_CANCEL,
	ALIPAY_REFUND,
	ALIPAY_REFUND_QUERY,
	ALIPAY_BILL_URL,
	ALIPAY_METHOD_COUNT
};

struct alipay;

/* Loads the keys and sets up the HTTPS handle. cfg is copied. KR_CONFIG when a key file
 * cannot be read (the message names the file, never the key). */
int alipay_create(const struct alipay_config *cfg, struct alipay **out, struct kerr *err);
void alipay_destroy(struct alipay *a);

/* The gateway's method name ("alipay.trade.query") and the answer's node name. */
const char *alipay_method_name(enum alipay_method m);

/* The action for an answer of method m (the table of ref/alipay.md §5). */
enum alipay_action alipay_action_of(enum alipay_method m, const struct alipay_reply *r);
const char *alipay_action_name(enum alipay_action a);

/* Writes the request that would be sent: the string to sign into content and the form
 * body into form. biz_content is borrowed, now_utc is the request's time stamp. For
 * tests and for the methods below. */
int alipay_build_request(struct alipay *a, enum alipay_method m, const char *biz_content,
                         int64_t now_utc, char *content, size_t csize, char *form, size_t fsize,
                         struct kerr *err);

/* Each call sends one request and returns the action; *reply holds what the gateway
 * said (zeroed when nothing readable came back) and err why, when not ALIPAY_OK.
 * precreate refuses an amount of zero, below zero or above the ceiling with
 * ALIPAY_REFUSED before anything is sent; the QR lives qr_minutes. */
enum alipay_action alipay_precreate(struct alipay *a, const char *out_trade_no, fen_t amount_fen,
                                    const char *subject, int qr_minutes, int64_t now_utc,
                                    struct alipay_reply *reply, struct kerr *err);
enum alipay_action alipay_query(struct alipay *a, const char *out_trade_no, int64_t now_utc,
                                struct alipay_reply *reply, struct kerr *err);
enum alipay_action alipay_cancel(struct alipay *a, const char *out_trade_no, int64_t now_utc,
                                 struct alipay_reply *reply, struct kerr *err);
enum alipay_action alipay_refund(struct alipay *a, const char *out_trade_no,
                                 const char *out_request_no, fen_t amount_fen, const char *reason,
                                 int64_t now_utc, struct alipay_reply *reply, struct kerr *err);
enum alipay_action alipay_refund_query(struct alipay *a, const char *out_trade_no,
                                       const char *out_request_no, int64_t now_utc,
                                       struct alipay_reply *reply, struct kerr *err);

/* Asks where the trade bill of day ("yyyy-MM-dd", China time) is: ALIPAY_OK with
 * reply->bill_download_url, ALIPAY_NOT_EXIST when the gateway has no bill for the day (no
 * trade). */
enum alipay_action alipay_bill_url(struct alipay *a, const char *day, int64_t now_utc,
                                   struct alipay_reply *reply, struct kerr *err);

/* GETs url (https only, the gateway's CA file) into buf (cap bytes and a terminating
 * NUL, borrowed); *len gets the length. KR_IO when it cannot be had (HTTP status other
 * than 200 too), KR_FULL when it is longer than cap. */
int alipay_fetch(struct alipay *a, const char *url, char *buf, size_t cap, size_t *len,
                 struct kerr *err);

/* Whether a query's trade_status means paid (TRADE_SUCCESS or TRADE_FINISHED). */
int alipay_status_paid(const struct alipay_reply *r);

/* Whether a refund query's signed answer (ALIPAY_OK) confirms a refund of amount_fen
 * (ref/alipay.md §4): refund_status REFUND_SUCCESS, or no refund_status and a
 * refund_amount of that amount; a refund_amount that differs confirms nothing. */
int alipay_refund_confirmed(const struct alipay_reply *r, fen_t amount_fen);

#endif

/* pay_rig.h — what the tests against the gateway peer share (run under
 * tests/rigs/alipay.sh): the kiosk's configuration from the rig, an injected clock, the
 * peer's control port and its record of trades, steering a kiosk (a tap, a service's
 * verb) and a renewal played up to its QR. */
#ifndef KIOSK_TEST_PAY_RIG_H
#define KIOSK_TEST_PAY_RIG_H

#include <stdint.h>

#include "app/app.h"
#include "conf/conf.h"

/* The wall clock every kiosk of the test runs on (UTC seconds); the test moves it. */
extern int64_t pay_rig_utc;
/* Real monotonic time for the kiosk's time-outs, pay_rig_utc for its wall clock. */
extern const struct app_clock pay_rig_clock;

/* Loads the rig's kiosk configuration into *conf with its database as db_name in the
 * rig's folder. Returns 0, or -1 (said on stderr) when not run under the rig. */
int pay_rig_init(struct conf *conf, const char *db_name);

/* GETs path from the peer's control port into out (64 KiB, NULL: thrown away).
 * Returns 0, or -1 when the peer did not answer. */
int pay_rig_peer(const char *path, char *out);

/* The peer's record of a trade (its /trades line). */
struct pay_trade {
	char status[16]; /* created, waiting, paid, closed */
	long amount_fen;
	int charges;
	long refunded_fen;
	int refunds;        /* refunds carried out */
	int cancel_refunds; /* payments reversed by a cancel */
	int refund_asks;    /* refund requests received, carried out or not */
};
/* Returns 0 with *t filled, or -1 when the peer has no such trade. */
int pay_rig_trade(const char *out_trade_no, struct pay_trade *t);

/* A service's control verb, then the app settled. */
void pay_rig_steer(struct app *app, enum conf_service slot, const char *verb, const char *args);
/* A tap on an intent, then the app settled. */
void pay_rig_tap(struct app *app, enum intent in, int arg, const char *text);

/* Plays a person's renewal up to the payment: key, business, ID card, mobile, and the
 * confirmation that writes the order and sends the precreate; then waits for the QR.
 * work_fails: a reason key the key work will fail with, or NULL. Returns 1 when the QR
 * is shown. */
int pay_rig_renew(struct app *app, const char *work_fails);
/* Ends the session shown (the result or error screen): the key taken out, then on. */
void pay_rig_done(struct app *app);

#endif

/* flow.h — the session flow: a pure state machine.
 *
 * Events in (a tap on an intent, a card read, a key inserted or removed, a payment
 * result, work done or failed, a clock tick), a view model and service requests out.
 * Each business is a recipe from catalogue.h; the flow walks its steps. Time comes in
 * with every event (injected clock). When a user session ends — done, cancelled or
 * timed out — everything personal in it is wiped.
 *
 * The flow does no I/O. The caller carries out the requests in order; a request that
 * changes an order's state comes before the request for the effect it leads to, and
 * when it fails the caller drops the rest and feeds FEV_STORE_FAILED. */
#ifndef KIOSK_FLOW_H
#define KIOSK_FLOW_H

#include <stdint.h>

#include "catalogue.h"
#include "fees.h"
#include "order.h"
#include "qr.h"

struct flow_time {
	int64_t mono_ms; /* monotonic milliseconds: time-outs */
	int64_t utc_s;   /* wall clock, seconds since the epoch, UTC: validity, receipts */
};

/* What the flow needs from the configuration (borrowed for the flow's life). */
struct flow_config {
	const struct fee_table *fees;
	int step_timeout_s;
	int pay_timeout_s;
	int countdown_shown_s;
	int renew_window_days;
	int renew_grace_days;
	fen_t pay_ceiling_fen;
	int pickup_offered;  /* orders reviewed centrally can be picked up here */
	int renew_fresh_key; /* renewal makes a new key pair: it needs the key's PIN */
};

/* An ID card as read from its chip. Personal: wiped when the session ends. */
struct id_card {
	char kind;     /* ' ' resident ID, 'J' HK/Macau/Taiwan permit, 'I' foreign */
	char name[96]; /* UTF-8 */
	char id_number[20];
	char birth[9];    /* YYYYMMDD */
	char valid_to[9]; /* YYYYMMDD, or "" when long-term (长期) */
};

/* An order reviewed centrally, ready to be picked up at this kiosk (网点自取), as the
 * central site sent it (kiosk/sync/pickup.c checks it). Personal: wiped with the session. */
struct pickup_order {
	char order_no[32]; /* the order's number: the central site's, or one of this kiosk's */
	enum business biz; /* what was ordered: BIZ_NEW or BIZ_REISSUE (a key is made), or
	                    * BIZ_CHANGE (the user's key gets subject_name, as approved) */
	enum holder holder;
	char subject_name[128]; /* the unit's or person's name, UTF-8 */
	char subject_id[20];    /* USCC or ID number */
	char agent_id[20];      /* the ID number of the person who may collect it */
	int years, seal, sub_keys;
	fen_t paid_fen; /* what was paid for it (online, or here before the review) */
};

enum issuer_kind { ISSUER_NONE, ISSUER_OURS, ISSUER_JSCA, ISSUER_OTHER };
enum pin_state { KEYPIN_OK, KEYPIN_COUNT_LOW, KEYPIN_FINAL_TRY, KEYPIN_LOCKED };

/* What triage found on a key. Personal (the subject): wiped with the session. */
struct key_triage {
	char serial[40];
	char label[40];
	int has_cert;
	enum issuer_kind issuer;
	enum holder holder;     /* from the subject: a credit code → unit */
	char subject_name[128]; /* unit or person name, UTF-8 */
	char subject_id[20];    /* USCC or ID number */
	int64_t not_before_utc, not_after_utc;
	enum pin_state pin;
	int has_seal;
	int has_enc;    /* an encryption certificate of the same subject beside it (for bids) */
	int check_pass; /* the interoperability check (检测) */
	char check_reason[48]; /* string key of the reason when it fails */
	char model[17];        /* the token's model, as it reports it */
	int staff_role;        /* our CA gave the certificate the staff role (kiosk/staff) */
};

enum intent {
	INTENT_BUSINESS, /* arg: enum business */
	INTENT_HOLDER,   /* arg: enum holder */
	INTENT_NEXT,     /* continue / confirm */
	INTENT_BACK,
	INTENT_CANCEL,   /* end the session (or cancel the payment) */
	INTENT_YEARS,    /* arg: years */
	INTENT_SEAL,     /* arg: 0 / 1 */
	INTENT_SUB_KEYS, /* arg: count */
	INTENT_CHANGE,   /* arg: enum change_kind */
	INTENT_TEXT,     /* text: what a keypad produced (credit code, mobile) */
	INTENT_PIN,      /* text: a PIN, first or second entry */
	INTENT_MORE_TIME,
	INTENT_STAFF_ENTER, /* the hidden gesture on the start screen (kiosk/staff) */
	INTENT_STAFF,       /* a tap in staff mode: arg staff_arg(), text: the PIN */
	INTENT_EMAIL,       /* text: the e-mail address for the e-invoice (contact step) */
	INTENT_PICKUP,      /* start screen: pick up an order reviewed centrally */
	INTENT_COUNT
};

enum flow_event_kind {
	FEV_TAP,
	FEV_TICK,
	FEV_CARD,       /* card */
	FEV_CARD_ERROR, /* text: reason key */
	FEV_KEY_INSERTED,
	FEV_KEY_REMOVED,
	FEV_TRIAGE,        /* key */
	FEV_TRIAGE_FAILED, /* text: reason key */
	FEV_ORDER_CREATED, /* order_id, order_no */
	FEV_STORE_FAILED,  /* text: reason */
	FEV_PAY_QR,        /* text: the QR payload */
	FEV_PAY_PAID,      /* text: the gateway's trade number */
	FEV_PAY_CLOSED,    /* the trade ended unpaid (or was reversed by the cancel) */
	/* the cancel's outcome is not known and the trade may still be paid: the order stays
	 * open, and the payment is settled later (kiosk/pay) */
	FEV_PAY_UNSETTLED,
	FEV_PAY_FAILED, /* text: reason key */
	FEV_REFUNDED,
	FEV_REFUND_FAILED, /* text: reason key; the refund stays pending */
	FEV_WORK_PROGRESS, /* text: step key */
	FEV_WORK_DONE,     /* cert_serial, not_before_utc, not_after_utc */
	FEV_WORK_FAILED,   /* text: reason key */
	FEV_PRINTED,
	FEV_PRINT_FAILED, /* text: reason key */
	/* A device's state changed (no order): text is its status key ("print.paper_out",
	 * "print.ready" …), arg 1 while it cannot work, 0 when it can again. */
	FEV_DEVICE_STATUS,
	FEV_KEY_BLANK_READY,  /* a blank key is in the personalisation slot */
	FEV_KEY_BLANK_FAILED, /* text: reason key ("dispenser.empty", "dispenser.jam" …) */
	FEV_KEY_TAKEN,        /* the user took the new key from the mouth */
	FEV_KEY_RETAINED,     /* text: reason key; the key went to the retain bin */
	/* Staff mode: arg 1 takes no new session (the current one finishes), 0 takes them
	 * again. */
	FEV_OUT_OF_SERVICE,
	/* The order a pick-up asked for: pickup; order_id and order_no when it is one of this
	 * kiosk's own orders (approved after review), 0 when it was ordered online. */
	FEV_PICKUP,
	FEV_PICKUP_FAILED, /* text: reason key ("pickup.unknown", "pickup.taken" …) */
	FEV_INBOX,         /* the central site sent items (for the app; the flow ignores it) */
	FEV_AGENT,         /* arg: enum agent_standing of the cardholder for the unit asked;
	                    * recent_reports: for a loss report, reports_recent's count */
	FEV_KEY_PROVEN,    /* arg 1: the key proved possession with its PIN; 0: text why not */
	/* the day's reconciliation is recorded: arg the differences found, -1 when it could
	 * not be made (the record says why) */
	FEV_PAY_RECONCILED,
	FEV_COUNT
};

struct flow_event {
	enum flow_event_kind kind;
	int64_t order_id; /* for results about an order; 0 otherwise */
	enum intent intent;
	int arg;
	char text[256];
	char order_no[32];
	char cert_serial[48];
	char enc_serial[48]; /* FEV_WORK_DONE: the encryption certificate of the pair, or "" */
	int64_t not_before_utc, not_after_utc;
	struct id_card card;
	struct key_triage key;
	struct pickup_order pickup;
	int recent_reports;
};

/* What the work service is asked to do. pin is a secret: whoever consumes the request
 * wipes it. */
/* What a revocation does to a subject's certificates (the CRL's reason codes). A loss
 * report at the kiosk suspends (hold); the final revocation follows review or a
 * reissue; lift takes a suspension back (removeFromCRL). */
enum revoke_reason {
	REVOKE_HOLD,                /* certificateHold */
	REVOKE_KEY_COMPROMISE,      /* keyCompromise: a lost key, reissued */
	REVOKE_AFFILIATION_CHANGED, /* affiliationChanged: a change of the unit's details */
	REVOKE_SUPERSEDED,          /* superseded */
	REVOKE_CESSATION,           /* cessationOfOperation: issued, never delivered */
	REVOKE_LIFT,                /* removeFromCRL: the suspension taken back */
};

struct work_spec {
	enum business biz;
	enum holder holder;
	int years, seal, sub_keys;
	enum change_kind change;
	char key_serial[40];
	char cert_serial[72]; /* FREQ_CERT_FINAL: the certificate (hex) */
	char subject_name[128];
	char subject_id[20];
	int64_t renew_from_utc;           /* renewal: the new validity starts here */
	enum revoke_reason revoke_reason; /* revocation: what it does */
	char pin[16];
};

/* What a receipt or a key-check report shows. */
struct receipt_data {
	int check_report; /* 1: a key-check report, 0: an order receipt */
	enum business biz;
	enum holder holder;
	char order_no[32];
	struct fee_quote quote;
	char trade_no[64]; /* the gateway's trade number, "" when nothing was paid */
	char subject_masked[160];
	char cert_serial[48];
	char enc_serial[48]; /* the encryption certificate of the pair, "" when none */
	int64_t not_before_utc, not_after_utc;
	int check_pass;
	char check_reason[48];
	const char *next_key; /* what to do next, a string key, or NULL */
	int64_t at_utc;
	int keep_only;      /* made again after a power cut: stored to be reprinted, not printed */
	int pickup;         /* a pick-up: paid_fen was paid before, nothing charged now */
	fen_t paid_fen;     /* pick-up: what was paid for the order (online or at review) */
	char pickup_no[32]; /* pick-up: the order picked up */
};

enum flow_request_kind {
	FREQ_CARD_WAIT, /* start reading ID cards */
	FREQ_CARD_STOP,
	FREQ_TRIAGE,       /* triage the key in the port */
	FREQ_ORDER_CREATE, /* biz, holder, quote, subject_masked, key_serial */
	FREQ_ORDER_MOVE,   /* order_id, to, reason */
	FREQ_PAY_START,    /* order_id, order_no, amount */
	FREQ_PAY_CANCEL,   /* order_id */
	FREQ_PAY_REFUND,   /* order_id, amount */
	FREQ_WORK,         /* order_id, work */
	FREQ_PRINT,        /* receipt */
	FREQ_JOURNAL,      /* journal_kind, journal_body */
	FREQ_KEY_ISSUE,    /* order_id: move a blank key to the personalisation slot */
	FREQ_KEY_HAND_OUT, /* order_id: present the new key to the user */
	FREQ_KEY_RETAIN,   /* order_id: the key in the slot goes to the retain bin */
	FREQ_PICKUP_FIND,  /* order_no: the pick-up order of that number (FEV_PICKUP) */
	FREQ_AGENT_CHECK,  /* unit_code, agent_id: is the cardholder on the unit's list; biz
	                    * revoke: revoke_id, agent_id: the recent reports (FEV_AGENT) */
	FREQ_KEY_PROVE, /* work.key_serial, work.pin: the key proves possession (FEV_KEY_PROVEN) */
	/* order_id, work.biz, work.key_serial: the key work of an order that did not finish,
	 * settled from its work journal and the world — FEV_WORK_DONE when it landed,
	 * FEV_WORK_FAILED when it did not, after the certificates it issued were revoked */
	FREQ_WORK_SETTLE,
	/* work.cert_serial: the central site revoked it after its review: a suspension by
	 * the local issuer made final (keyCompromise) */
	FREQ_CERT_FINAL,
	/* day_utc: the kiosk's payments of that China day against the gateway's bill,
	 * recorded (kiosk/store/reconciles.h) and answered FEV_PAY_RECONCILED; staff ask */
	FREQ_PAY_RECONCILE,
	FREQ_COUNT
};

struct flow_request {
	enum flow_request_kind kind;
	int64_t order_id;
	char order_no[32];
	enum order_state to;
	const char *reason; /* static text, no personal data */
	enum business biz;
	enum holder holder;
	struct fee_quote quote;
	fen_t amount_fen;
	char subject_masked[160];
	char key_serial[40];
	struct work_spec work;
	struct receipt_data receipt;
	char journal_kind[32];
	char journal_body[256];
	char pickup_no[32]; /* FREQ_ORDER_CREATE: the online order this one hands out */
	/* FREQ_ORDER_CREATE: the contact for SMS and the e-invoice, for the central site
	 * ("" when not asked or skipped). Personal: the caller wipes the requests. */
	char mobile[16];
	char email[72];
	/* FREQ_ORDER_CREATE of a loss report (注销) or a reissue, and FREQ_AGENT_CHECK of a
	 * loss report: whose certificates — the credit code or the ID number — for the
	 * central site, which revokes what the kiosk's issuer cannot, and the rate limit */
	char revoke_id[20];
	/* FREQ_AGENT_CHECK: the unit's credit code ("" when no list is asked) and the
	 * cardholder's ID number; FREQ_ORDER_CREATE of a loss report: who reported. Personal:
	 * the caller wipes the requests. */
	char unit_code[20];
	char agent_id[20];
	/* FREQ_ORDER_MOVE to served: what the work did to a certificate, for the central
	 * site — "issued", "revoked", "revoke_queued" (the issuer could not: the site will),
	 * or NULL — with its serial (hex) and, issued, the end of its validity */
	const char *cert_event;
	char cert_serial[48];
	int64_t cert_not_after_utc;
	int64_t day_utc; /* FREQ_PAY_RECONCILE: a moment of the day (UTC seconds) */
};

#define FLOW_MAX_REQUESTS 8

struct flow_out {
	struct flow_request req[FLOW_MAX_REQUESTS];
	int n;
};

enum flow_screen { SCREEN_START, SCREEN_STEP, SCREEN_ERROR };

/* The view model: everything a screen shows, nothing personal in clear. */
struct flow_view {
	enum flow_screen screen;
	enum step step;
	enum business biz;
	enum holder holder;
	int holder_known;
	unsigned offered; /* bit per business offered at the start screen */
	const char *prompt_key;
	char error_key[48];  /* what went wrong, or "" */
	char notice_key[48]; /* a passing note (e.g. "pay.closed"), or "" */
	int remaining_s;
	int show_countdown;
	int can_extend;
	/* the key */
	int key_present;
	int have_key;
	enum issuer_kind issuer;
	int key_days_left;
	char key_model[17];
	enum pin_state key_pin;
	int key_has_seal;
	int key_has_enc;
	int check_pass;
	const char *fit_key;      /* why the key does not fit the business, or NULL */
	int suggest;              /* enum business to offer, -1 none */
	char subject_masked[160]; /* "国信科技有限公司 9135**********1XR9G" / "张*
	                             1101**********002X" */
	/* the cardholder */
	int have_card;
	char card_masked[128];
	/* the forms */
	unsigned materials;
	int years, seal, sub_keys;
	enum change_kind change;
	char unit_code[20];
	char phone_masked[16];
	int pin_round; /* 1 or 2 */
	/* money */
	struct fee_quote quote;
	int64_t order_id;
	char order_no[32];
	char qr[256];               /* the payment QR's payload */
	struct qr_matrix qr_matrix; /* and its modules, for the screen */
	int cancelling;
	/* work and result */
	char progress_key[48];
	int work_steps_done;
	char cert_serial[48];
	int64_t not_after_utc;
	const char *print_key; /* printing / printed / print failed */
	const char *next_key;  /* the result: what comes next (a string key), or NULL */
	int key_to_take;       /* work: a key is worked on (keep it in); result: a key to take */
	int out_of_service;    /* the kiosk cannot take orders (its store failed) */
	unsigned version;      /* bumped on every change */
	/* the contact step: 0 the mobile is asked for, 1 then the e-mail for the e-invoice
	 * (optional: INTENT_NEXT skips it, INTENT_EMAIL gives it) */
	int contact_email;
	char email_masked[72]; /* "z***@example.com", or "" */
	int pickup_offered;    /* the start screen offers the pick-up */
	int pickup;            /* this session picks up an order reviewed centrally */
	char pickup_no[32];    /* its number, once found */
	fen_t pickup_paid_fen; /* what was paid for it */
	int pickup_looking;    /* the number is being looked up */
};

struct flow;

/* Creates a flow on the start screen. cfg is borrowed for the flow's life. Returns NULL
 * when out of memory. */
struct flow *flow_create(const struct flow_config *cfg, struct flow_time now);
/* Wipes and frees. */
void flow_destroy(struct flow *f);

/* Feeds one event; appends the requests it leads to to out (out->n is reset first).
 * The event is only read: the caller wipes it (it may hold a PIN or a card). */
void flow_handle(struct flow *f, const struct flow_event *ev, struct flow_time now,
                 struct flow_out *out);

/* The current view model; valid until the next flow_handle. */
const struct flow_view *flow_view(const struct flow *f);

/* Whether no user session is in progress (the start screen is up). */
int flow_idle(const struct flow *f);

/* Whether any personal data of a session is still held (for tests of the wipe). */
int flow_holds_personal_data(const struct flow *f);

/* The business to offer for a key (unlock when locked, renewal near expiry, exchange
 * for a Jiangsu CA key, new issuance when empty), or -1. */
int flow_suggest(const struct key_triage *k, const struct flow_config *cfg, int64_t utc_s);

/* Why the key does not fit biz (a string key), or NULL when it does. */
const char *flow_key_misfit(enum business biz, const struct key_triage *k,
                            const struct flow_config *cfg, int64_t utc_s);

/* The string key of a step's prompt ("step.pay"). */
const char *flow_step_prompt(enum step step);

/* What a receipt tells the user to do next after an order for biz (a string key, or NULL):
 * review 1 when it waits for the central site's review, cert 1 when the work changed a
 * certificate of ours (a loss report's: suspended here). */
const char *flow_next_key_for(enum business biz, int review, int cert);

/* Names for traces: "pay", "key_inserted", "order_move". */
const char *flow_event_name(enum flow_event_kind k);
const char *flow_request_name(enum flow_request_kind k);
const char *flow_intent_name(enum intent i);
int flow_intent_from_name(const char *name);

#endif

/* staff.h — staff mode: a pure state machine beside the session flow.
 *
 * Events in (the hidden gesture, a staff tap, the PIN check's answer, a device status,
 * the screens' data read from the store, a clock tick), a view model and requests out,
 * like core/flow.h. Time comes in with every event (injected clock): the idle time-out
 * on the monotonic clock, the PIN lock on the wall clock so that it outlives a restart
 * (the caller restores it from the journal, see stats_staff_pin). Every staff action
 * leads to a SREQ_JOURNAL request. No I/O: the caller checks the PIN, reads the store,
 * refills, refunds and prints. A PIN in a request is wiped by whoever consumes it.
 *
 * Staff mode opens with the staff PIN or with a staff key: a key put into the port while
 * the PIN pad shows, whose certificate our CA issued with the staff role (see
 * staff_key_ok and PKI_STAFF_ROLE_OID in kiosk/pki/cert.h), and which then proves that it
 * holds the certificate's private key: a certificate is public and can be copied onto
 * any token, so the pad asks for the key's own PIN (view key_pin) and SREQ_KEY_PROVE has
 * the keys service log in to the key and sign a fresh challenge with it. A user's key, a
 * wrong key PIN and a failed proof count in the same failure lock as a wrong staff PIN
 * and are journaled alike, as kinds staff.pin_ok and staff.pin_bad, a key's with its
 * token serial in the body ({"key":"SERIAL"}), so that stats_staff_pin restores the lock
 * for all. */
#ifndef KIOSK_STAFF_H
#define KIOSK_STAFF_H

#include <stdint.h>

#include "core/flow.h"
#include "core/money.h"
#include "core/order.h"
#include "core/payment.h"

#define STAFF_BINS_MAX    4
#define STAFF_ROWS_MAX    6
#define STAFF_DEVICES_MAX 6
#define STAFF_PIN_TRIES   5 /* failures in a row before the lock */
#define STAFF_LOAD_MAX    10000

enum staff_screen {
	STAFF_OFF, /* not in staff mode */
	STAFF_PIN,
	STAFF_LOCKED,
	STAFF_HOME,
	STAFF_DEVICES,
	STAFF_STOCK,
	STAFF_RESTOCK, /* counting what is loaded and removed */
	STAFF_ORDERS,  /* today's orders and takings */
	STAFF_STRANDED,
	STAFF_RECEIPTS,
	STAFF_SCREEN_COUNT
};

/* What a staff tap asks for. A tap carries staff_arg(action, row) as the arg of
 * INTENT_STAFF; row is a screen (STA_SHOW), a bin (0-based), or a list row. */
enum staff_action {
	STA_SHOW,
	STA_PIN, /* text: the PIN */
	STA_RESTOCK_START,
	STA_LOAD_MORE, /* row: bin */
	STA_LOAD_LESS,
	STA_REMOVE_MORE, /* from the retain bin */
	STA_REMOVE_LESS,
	STA_RESTOCK_END,
	STA_RESTOCK_CANCEL,
	STA_REFUND,  /* row: stranded payment */
	STA_REPRINT, /* row: receipt */
	STA_SERVICE, /* out of service on / off */
	STA_EXIT,
	STA_RECONCILE, /* today's payments against the gateway's bill: the slip prints */
	STA_COUNT
};

static inline int staff_arg(enum staff_action a, int row)
{
	return (int)a | row << 8;
}

/* What the screens show from the store, read by the caller on SREQ_LOAD. */
struct staff_data {
	int bins;
	int64_t blank[STAFF_BINS_MAX]; /* blank keys per bin */
	int64_t retained;              /* keys in the retain bin */
	int orders_today, served_today, refunded_today;
	fen_t takings_today_fen;  /* paid and served today */
	int64_t outbox;           /* events not yet taken by the central site */
	int64_t last_contact_utc; /* the central site's last answer, 0: never */
	int nstranded;
	struct staff_order {
		int64_t id;
		char order_no[32];
		fen_t amount_fen;
		enum order_state state;
	} stranded[STAFF_ROWS_MAX];
	/* payments the pay service settles again with the gateway (core/payment.h
	 * unsettled): how many in all, and the first of them */
	int nunsettled;
	struct staff_unsettled {
		char order_no[32];
		enum payment_status status;
	} unsettled[STAFF_ROWS_MAX];
	int nreceipts;
	struct staff_receipt {
		int64_t id;
		char kind[16];
		char order_no[32];
		int printed;
	} receipts[STAFF_ROWS_MAX];
};

struct staff_device {
	char name[16];       /* the status key's prefix: "print", "dispenser" … */
	char status_key[48]; /* its last status key */
	int faulty;
};

enum staff_event_kind {
	SEV_ENTER,  /* the hidden gesture on the start screen */
	SEV_ACTION, /* action, row, text */
	SEV_TICK,
	SEV_PIN_RESULT,   /* ok */
	SEV_DEVICE,       /* text: status key, ok: 0 while faulty */
	SEV_DATA,         /* data */
	SEV_DONE,         /* text: the outcome's string key of the last restock/refund/reprint */
	SEV_KEY_INSERTED, /* a key came into the user's port */
	/* the key was read: ok (staff_key_ok), text: its token serial; after SREQ_KEY_PROVE,
	 * ok only when the key proved its possession of the staff key */
	SEV_KEY_RESULT,
	SEV_KEY_FAILED,  /* the key could not be read (not counted as a failure) */
	SEV_KEY_REMOVED, /* the key left the user's port */
	SEV_COUNT
};

struct staff_event {
	enum staff_event_kind kind;
	enum staff_action action;
	int row;
	int ok;
	char text[64];
	struct staff_data data;
};

enum staff_request_kind {
	SREQ_PIN_CHECK, /* pin */
	SREQ_LOAD,      /* read struct staff_data and answer SEV_DATA */
	SREQ_JOURNAL,   /* journal_kind, journal_body */
	SREQ_RESTOCK,   /* bins, loaded[], removed: refill, count, print the slip */
	SREQ_REFUND,    /* id: a stranded order */
	SREQ_REPRINT,   /* id: a stored receipt */
	SREQ_SERVICE,   /* arg: 1 out of service, 0 back in service */
	SREQ_KEY_CHECK, /* read the key in the port and answer SEV_KEY_RESULT / _FAILED */
	/* key, pin: log in to the staff key key with its own PIN pin, sign a fresh challenge
	 * with its private key, verify it with its certificate, answer SEV_KEY_RESULT (ok
	 * when verified) / _FAILED */
	SREQ_KEY_PROVE,
	/* today's reconciliation with the gateway (the pay service); its slip is printed and
	 * SEV_DONE tells the outcome */
	SREQ_RECONCILE,
	SREQ_COUNT
};

struct staff_request {
	enum staff_request_kind kind;
	char pin[16];
	char journal_kind[32];
	char journal_body[256];
	int bins;
	int64_t before[STAFF_BINS_MAX]; /* stock per bin before the restock */
	int64_t loaded[STAFF_BINS_MAX];
	int64_t retained_before, removed;
	int64_t id;
	int arg;
	char key[40]; /* SREQ_KEY_PROVE: the staff key's token serial */
};

#define STAFF_MAX_REQUESTS 4

struct staff_out {
	struct staff_request req[STAFF_MAX_REQUESTS];
	int n;
};

struct staff_config {
	int lock_minutes;   /* the lock after STAFF_PIN_TRIES failures */
	int idle_timeout_s; /* staff mode ends after this long untouched */
};

/* The PIN lock as kept in the journal (stats_staff_pin). */
struct staff_lock {
	int failures;          /* failed PINs since the last success or lock */
	int64_t last_lock_utc; /* when the last lock began, 0: never */
};

struct staff_view {
	enum staff_screen screen;
	int tries_left;  /* PIN screen */
	int locked_s;    /* LOCKED: seconds left */
	int remaining_s; /* before the idle time-out */
	char notice_key[48];
	int busy;     /* a restock, refund or reprint is under way */
	int checking; /* PIN: a PIN or a key is being checked */
	int out_of_service;
	int ndevices;
	struct staff_device device[STAFF_DEVICES_MAX];
	struct staff_data data;
	int64_t loaded[STAFF_BINS_MAX]; /* RESTOCK: counted so far */
	int64_t removed;
	int key_pin;      /* PIN: the pad asks for the staff key's own PIN */
	unsigned version; /* bumped on every change */
};

struct staff;

/* Creates staff mode, off, with the lock restored. cfg is copied. NULL: out of memory. */
struct staff *staff_create(const struct staff_config *cfg, const struct staff_lock *lock,
                           struct flow_time now);
/* Wipes and frees. NULL is fine. */
void staff_destroy(struct staff *s);

/* Feeds one event; out gets the requests (out->n reset first). The event is only read:
 * the caller wipes it (a PIN). */
void staff_handle(struct staff *s, const struct staff_event *ev, struct flow_time now,
                  struct staff_out *out);

/* The view model; valid until the next staff_handle. */
const struct staff_view *staff_view(const struct staff *s);

/* Whether staff mode holds the screen (any screen but STAFF_OFF). */
int staff_active(const struct staff *s);

/* Whether triage t (borrowed) is a staff key at now_utc: a certificate our CA issued
 * with the staff role, within its validity. */
int staff_key_ok(const struct key_triage *t, int64_t now_utc);

/* Names for traces and scripts: "show", "restock-start" …; the reverse gives -1. */
const char *staff_action_name(enum staff_action a);
int staff_action_from_name(const char *name);
const char *staff_screen_name(enum staff_screen sc);
int staff_screen_from_name(const char *name);
const char *staff_request_name(enum staff_request_kind k);

#endif

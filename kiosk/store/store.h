/* store.h — the kiosk's one SQLite database.
 *
 * Orders with their full state history, the append-only journal with a SHA-256 hash
 * chain, the outbox of events for the central site, and consumables. WAL,
 * synchronous=FULL, foreign keys on, migrations by user_version, application_id set.
 *
 * Every order state change is one transaction: the order row, a history row, a
 * journal row and an outbox row, or nothing. A failed write (disk full, read-only,
 * I/O error) leaves the order as it was and returns the error. */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "core/catalogue.h"
#include "core/fees.h"
#include "core/order.h"
#include "core/result.h"

struct store;

/* What a new order holds. Strings are borrowed. Personal data must arrive masked. */
struct order_spec {
	const char *kiosk_id; /* letters and digits, prefix of the order number */
	enum business biz;
	enum holder holder;
	const struct fee_quote *quote; /* the itemised fees; total is the order's amount */
	const char *subject_masked;    /* e.g. "张*" + " 3201**********1234"; may be "" */
	const char *key_serial;        /* the user's key, "" when none */
	const char *detail;            /* a JSON object for the central site (e.g. the contact),
	                                  sent with the order.create event, not journaled; "" */
	int64_t now_utc;
	const char *pickup_no; /* the pick-up order this one hands out, NULL or "" */
};

struct order_row {
	int64_t id;
	char order_no[32];     /* kiosk id + yymmdd (China time) + 8-digit id */
	char out_trade_no[48]; /* order_no + "_" + attempt: unique per payment attempt */
	enum business biz;
	enum holder holder;
	fen_t amount_fen;
	enum order_state state;
	int64_t created_utc;
	int64_t updated_utc;
	char subject_masked[128];
	char key_serial[64];
	char pickup_no[32]; /* the pick-up order it hands out, "" when none */
};

/* Opens (creating when absent) the database at path. A file that is not a SQLite
 * database, a SQLite database of another application, a newer schema, or one whose
 * schema or orders table is damaged is refused with KR_FOREIGN / KR_CORRUPT and a
 * clear message, and left untouched. Damage elsewhere (journal, history) surfaces as
 * KR_CORRUPT from the call that meets it. On success *out is the caller's to
 * store_close(); store_close(NULL) does nothing. */
int store_open(const char *path, struct store **out, struct kerr *err);
void store_close(struct store *s);

/* Where this handle writes a line for every order it creates or moves, once committed —
 * "[order NO] created: BIZ HOLDER, AMOUNT yuan" and "[order NO] FROM -> TO (REASON)" —
 * the one trace of an order's life, whoever moves it; nothing personal is in it. NULL
 * (the default): none. trace is borrowed and must outlive the handle. */
void store_set_trace(struct store *s, FILE *trace);

/* The schema version this code writes (PRAGMA user_version of a current database). */
int store_schema_version(void);

/* Creates an order in state NEW (one transaction with its fee lines, first history
 * row, journal row and outbox row). Fills *out. */
int store_order_create(struct store *s, const struct order_spec *spec, struct order_row *out,
                       struct kerr *err);

/* Moves an order to `to` if order_can_move() allows it (KR_CONFLICT otherwise), with
 * reason (short ASCII, no personal data) written to history, journal and outbox, all in
 * one transaction. On any failure the order keeps its previous state. */
int store_order_move(struct store *s, int64_t id, enum order_state to, const char *reason,
                     int64_t now_utc, struct kerr *err);

/* What a move did to a certificate, for the central site (in the event's body). */
struct order_cert {
	const char *event;     /* "issued", "revoked" or "revoke_queued" */
	const char *serial;    /* hex, "" when none (a queued revocation) */
	int64_t not_after_utc; /* issued: the end of its validity; 0 otherwise */
};

/* store_order_move, and the event says what happened to a certificate (cert may be
 * NULL). KR_INVALID for another event word or a serial that is not hex. */
int store_order_move_cert(struct store *s, int64_t id, enum order_state to, const char *reason,
                          const struct order_cert *cert, int64_t now_utc, struct kerr *err);

/* Reads one order. KR_NOT_FOUND when there is none. */
int store_order_get(struct store *s, int64_t id, struct order_row *out, struct kerr *err);

/* The fee lines of order id into *q (the item keys as the quotes have them), its total
 * their sum. KR_CORRUPT for a line no quote makes. */
int store_order_quote(struct store *s, int64_t id, struct fee_quote *q, struct kerr *err);

/* Reads the order of that number. KR_NOT_FOUND when there is none. */
int store_order_find(struct store *s, const char *order_no, struct order_row *out,
                     struct kerr *err);

/* *taken gets 1 when an order that is open or served hands out the pick-up order
 * pickup_no (store_order_create refuses a second one with KR_CONFLICT), else 0. */
int store_pickup_taken(struct store *s, const char *pickup_no, int *taken, struct kerr *err);

/* Every order in an open state (see order.h), oldest first. *rows is malloc'd and the
 * caller's to free (NULL when *n is 0). */
int store_open_orders(struct store *s, struct order_row **rows, int *n, struct kerr *err);

/* The states an order went through, oldest first: out[0] is NEW. Up to max entries;
 * *n is the total. */
int store_order_history(struct store *s, int64_t id, enum order_state *out, int max, int *n,
                        struct kerr *err);

/* Appends a journal row for something that is not an order state change (a check
 * report, a session time-out, a staff action). body is JSON without personal data. */
int store_journal_append(struct store *s, const char *kind, int64_t order_id, const char *body,
                         int64_t now_utc, struct kerr *err);

/* The newest journal row of kind: its seq into *seq and its body into body (size
 * bytes; KR_FULL when it is longer). KR_NOT_FOUND when there is none. */
int store_journal_latest(struct store *s, const char *kind, int64_t *seq, char *body, size_t size,
                         struct kerr *err);

/* Walks the whole journal and recomputes the hash chain. KR_OK when intact; KR_CORRUPT
 * with *first_bad set to the seq of the first row whose hash or link is wrong (and the
 * message naming it) otherwise. *rows gets the number of rows checked. Writes nothing.
 * About 200 ms per 100,000 rows (tests/bench/bench_store.c). */
int store_journal_verify(struct store *s, int64_t *first_bad, int64_t *rows, struct kerr *err);

#define STORE_HASH_LEN 32

/* A point on the journal's chain: a row's seq and hash (seq 0, hash zero: before the
 * first row). */
struct journal_point {
	int64_t seq;
	unsigned char hash[STORE_HASH_LEN];
};

/* The check made at every start: the row of the "verified" mark (the head the last
 * check reached) still carries the mark's hash, and every row after it chains to it;
 * then the mark moves to the head. With no mark, the whole chain (the first start after
 * migration 9). Results as store_journal_verify; *rows counts the rows after the mark. */
int store_journal_verify_since(struct store *s, int64_t *first_bad, int64_t *rows,
                               struct kerr *err);

/* The journal's last row into *out ({0, zero} when empty). */
int store_journal_head(struct store *s, struct journal_point *out, struct kerr *err);

/* The hash of row seq into hash. KR_NOT_FOUND when there is no such row. */
int store_journal_hash_at(struct store *s, int64_t seq, unsigned char *hash, struct kerr *err);

/* Mark name ("verified", "central" …) into *out; KR_NOT_FOUND when never set. */
int store_journal_mark(struct store *s, const char *name, struct journal_point *out,
                       struct kerr *err);
/* Sets mark name to *p (borrowed), not journaled. */
int store_journal_mark_set(struct store *s, const char *name, const struct journal_point *p,
                           struct kerr *err);

/* hash as lower-case hex into out (2 * STORE_HASH_LEN + 1 bytes). */
void store_hash_hex(const unsigned char *hash, char *out);

/* Number of outbox events not yet acknowledged by the central site. */
int store_outbox_pending(struct store *s, int64_t *n, struct kerr *err);

/* Consumables (blank keys per bin, retain bin, paper): a count per item name. */
int store_consumable_get(struct store *s, const char *item, int64_t *count, struct kerr *err);
/* Adds delta (may be negative; the count never goes below zero: KR_INVALID) and
 * journals the change, in one transaction. */
int store_consumable_add(struct store *s, const char *item, int64_t delta, int64_t now_utc,
                         struct kerr *err);

#endif

/* flow_internal.h — for the session flow's own pieces beside flow.c (flow_session.c,
 * flow_taps.c, flow_events.c, flow_view.c): the flow's state and what the pieces call
 * in one another. Not for use outside kiosk/core/flow*.c. */
#ifndef KIOSK_FLOW_INTERNAL_H
#define KIOSK_FLOW_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "authority.h"
#include "flow.h"
#include "ident.h"

/* One user's session: everything in it is wiped when it ends. */
struct session {
	enum flow_screen screen;
	enum business biz;
	enum holder holder;
	int holder_known;
	const struct recipe *recipe;
	int idx; /* index into recipe->steps */

	struct id_card card;
	int have_card;
	struct key_triage key;
	int have_key;
	char unit_code[20];
	char phone[16];
	int contact_email;               /* the contact step asks for the e-mail now */
	char email[IDENT_EMAIL_MAX + 1]; /* for the e-invoice; "" when skipped */
	char pin[16];
	char pin_first[16];
	int pin_round;
	int pickup;                /* picking up an order reviewed centrally */
	int pickup_looking;        /* its number is being looked up */
	struct pickup_order order; /* the order found */

	/* who may act (authority.h): decided once on leaving the identity steps */
	int auth_decided;
	int auth_waiting;          /* the unit's list was asked: FEV_AGENT goes on */
	int recent_reports;        /* a loss report: FEV_AGENT's count (authority.h) */
	int auth_next;             /* the step index to enter once decided */
	enum agent_standing agent; /* the list's word, when it came */
	int auth_by_key;           /* authorised once the key proves possession */
	int auth_review;           /* filed for the central site's review */
	int proving, key_proven;   /* the key's PIN proof asked for / passed */

	int years, seal, sub_keys;
	enum change_kind change;
	struct fee_quote quote;

	int64_t order_id;
	char order_no[32];
	enum order_state order_state;
	int creating, cancelling, refunding;
	int in_slot;     /* a new key is in the personalisation slot: hand out or retain */
	int handing_out; /* its work done, the new key is presented: served once taken */
	char qr[256];
	struct qr_matrix qr_matrix;
	char trade_no[64];

	char cert_serial[48];
	char enc_serial[48];
	int64_t not_before_utc, not_after_utc;
	char progress_key[48];
	int work_steps;
	const char *print_key;
	char error_key[48];
	char notice_key[48];

	int card_waiting;    /* the card reader was asked to wait for a card */
	int64_t deadline_ms; /* 0: no time-out */
	int extended;
};

struct flow {
	const struct flow_config *cfg;
	struct flow_time now;
	int key_present;    /* the port, not the person: survives sessions */
	int out_of_service; /* the store failed: no new session until a restart */
	int closed;         /* staff took the kiosk out of service (FEV_OUT_OF_SERVICE) */
	struct session s;
	struct flow_view view;
};

/* Copies src (NULL: "") into dst, cut to fit, always terminated. */
void flow_copy(char *dst, size_t size, const char *src);
#define COPY(dst, src) flow_copy((dst), sizeof(dst), (src))

/* ---- flow.c: key rules ---- */

/* Calendar days (China time) from today to the day the certificate ends: 1 on the eve of
 * that day however late in the evening, negative once it has passed. */
int flow_days_left(const struct key_triage *k, int64_t utc_s);

/* ---- flow_session.c: the session and its recipe ---- */

/* A new request at the end of out (aborts past FLOW_MAX_REQUESTS: a programming error). */
struct flow_request *flow_emit(struct flow_out *out, enum flow_request_kind kind);
/* Asks for the session's order to move to state to: every order state change goes out
 * here. */
void flow_move_order(struct flow *f, struct flow_out *out, enum order_state to, const char *reason);
/* Asks for kind about the session's order (its id and number). */
void flow_order_request(struct flow *f, struct flow_out *out, enum flow_request_kind kind);
/* The holder's name and number, masked, into out. */
void flow_subject_masked(const struct session *s, char *out, size_t size);
/* Wipes the session and shows the start screen with notice (NULL: none). */
void flow_end_session(struct flow *f, struct flow_out *out, const char *notice);
/* Shows the error screen with error_key. */
void flow_fail(struct flow *f, const char *error_key);
/* The step the session is on (STEP_HOLDER before there is a recipe). */
enum step flow_cur_step(const struct flow *f);
/* Quotes the session's options afresh; a kiosk result. */
int flow_requote(struct flow *f);
/* The time-out of step, from now. */
void flow_set_deadline(struct flow *f, enum step step);
/* Enters the recipe's step idx, or the next one that applies in direction dir (+1 or
 * -1): the one place a step changes. Past either end the session ends. */
void flow_enter_step(struct flow *f, struct flow_out *out, int idx, int dir);
/* Goes on to the next step that applies. */
void flow_advance(struct flow *f, struct flow_out *out);
/* Asks the key service for the work, handing it the PIN (wiped here). */
void flow_request_work(struct flow *f, struct flow_out *out);
/* A session for business biz from the start screen (when offered and in service). */
void flow_start_business(struct flow *f, struct flow_out *out, int biz);
/* A pick-up session: the order's number first; business and holder come with it. */
void flow_start_pickup(struct flow *f, struct flow_out *out);
/* From a check's result, go on with the business the key calls for, keeping the key. */
void flow_switch_business(struct flow *f, struct flow_out *out, int biz);
/* Decides who may act on leaving the identity steps (flow_enter_step calls it), then
 * enters the step idx on: asks for the unit's list first when the rule needs it. */
void flow_authorise(struct flow *f, struct flow_out *out, int idx);
/* The unit's list, and for a loss report the recent reports, answered (FEV_AGENT). */
void flow_on_agent(struct flow *f, struct flow_out *out, enum agent_standing standing,
                   int recent_reports);
/* Whose certificates a loss report or reissue names, for the central site: the unit's
 * credit code, or the cardholder's ID number. */
void flow_revoke_id(const struct session *s, char *out, size_t size);
/* The key's answer to the proof of possession on the key PIN step: proven goes on; a
 * wrong PIN asks again; a locked key or one that cannot prove is refused. */
void flow_on_proof(struct flow *f, struct flow_out *out, int proven, const char *reason);
/* What the user does next once the order is done (a string key for the result screen
 * and the receipt), or NULL. */
const char *flow_next_key(const struct session *s);
/* Closes the session's order when it was created but not yet paid for. */
void flow_close_unpaid_order(struct flow *f, struct flow_out *out);

/* ---- flow_taps.c, flow_events.c, flow_view.c ---- */

/* A tap on an intent. */
void flow_on_tap(struct flow *f, struct flow_out *out, const struct flow_event *ev);
/* Any event, by its kind. */
void flow_on_event(struct flow *f, struct flow_out *out, const struct flow_event *ev);
/* The session's deadline has passed. */
void flow_on_timeout(struct flow *f, struct flow_out *out);
/* Rebuilds f->view from the session, its version moved on when anything changed. */
void flow_build_view(struct flow *f);

#endif

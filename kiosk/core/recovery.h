/* recovery.h — settling orders that a restart found between states.
 *
 * Pure rules, like the flow: given an open order, the requests that settle it; given a
 * service's answer about it, the next requests. Every payment ends served or refunded,
 * every unpaid trade ends closed. Interrupted key work is settled from the evidence (its
 * work journal and the world, FREQ_WORK_SETTLE): served when it landed — a new key only
 * once it was handed out — else its certificates revoked and the money refunded. Each state change
 * comes before the effect it leads to, so a crash during recovery is recovered the same way at the
 * next start. */
#ifndef KIOSK_RECOVERY_H
#define KIOSK_RECOVERY_H

#include "flow.h"

struct recovery_order {
	int64_t id;
	char order_no[32];
	enum order_state state; /* kept current by recovery's own moves */
	fen_t amount_fen;
	enum business biz;
	char key_serial[64]; /* the user's key the order was for, "" when none */
};

/* The first requests for an open order. Returns 1 when the order is already settled
 * by them (nothing to wait for), 0 when an answer is awaited. */
int recovery_start(struct recovery_order *o, struct flow_out *out);

/* The requests that follow an event about the order (same return convention). An
 * event that does not concern recovery yields nothing and returns 0. */
int recovery_on_event(struct recovery_order *o, const struct flow_event *ev, struct flow_out *out);

#endif

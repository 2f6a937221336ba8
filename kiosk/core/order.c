/* order.c — the order state table. */
#include "order.h"

#include <string.h>

#define TO(s) (1u << ORDER_##s)

const struct order_state_info order_states[ORDER_STATE_COUNT] = {
    [ORDER_NEW] = {"new", 1, 0, TO(PAYING) | TO(WORKING) | TO(IN_REVIEW) | TO(CLOSED)},
    [ORDER_PAYING] = {"paying", 1, 0, TO(PAID) | TO(CLOSED)},
    [ORDER_PAID] = {"paid", 1, 0, TO(WORKING) | TO(IN_REVIEW) | TO(REFUNDING)},
    [ORDER_IN_REVIEW] = {"in_review", 0, 0, TO(APPROVED) | TO(REFUNDING) | TO(CLOSED)},
    [ORDER_APPROVED] = {"approved", 0, 0, TO(WORKING) | TO(REFUNDING)},
    [ORDER_WORKING] = {"working", 1, 0, TO(SERVED) | TO(REFUNDING) | TO(FAILED)},
    [ORDER_SERVED] = {"served", 0, 1, 0},
    [ORDER_CLOSED] = {"closed", 0, 1, 0},
    [ORDER_FAILED] = {"failed", 0, 1, 0},
    [ORDER_REFUNDING] = {"refunding", 1, 0, TO(REFUNDED)},
    [ORDER_REFUNDED] = {"refunded", 0, 1, 0},
};

const char *order_state_id(enum order_state s)
{
	return (int)s >= 0 && s < ORDER_STATE_COUNT ? order_states[s].id : "?";
}

int order_state_from_id(const char *id)
{
	for (int s = 0; id && s < ORDER_STATE_COUNT; s++)
		if (strcmp(order_states[s].id, id) == 0)
			return s;
	return -1;
}

int order_can_move(enum order_state from, enum order_state to, fen_t amount_fen)
{
	if ((int)from < 0 || from >= ORDER_STATE_COUNT || (int)to < 0 || to >= ORDER_STATE_COUNT)
		return 0;
	if (!(order_states[from].next & (1u << to)))
		return 0;
	/* a charged order leaves NEW only to pay or to close */
	if (amount_fen > 0 && from == ORDER_NEW && to != ORDER_PAYING && to != ORDER_CLOSED)
		return 0;
	if (amount_fen > 0 && to == ORDER_FAILED)
		return 0;
	if (amount_fen == 0 && (to == ORDER_REFUNDING || to == ORDER_PAYING))
		return 0;
	/* once paid, a charged order ends served or refunded, never merely closed */
	if (amount_fen > 0 && to == ORDER_CLOSED && from != ORDER_NEW && from != ORDER_PAYING)
		return 0;
	return 1;
}

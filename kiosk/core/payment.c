/* payment.c — the payment status table. */
#include "payment.h"

#include <string.h>

#define TO(s) (1u << PAYMENT_##s)

const struct payment_status_info payment_statuses[PAYMENT_STATUS_COUNT] = {
    [PAYMENT_PRECREATING] = {"precreating",
                             TO(PRECREATING) | TO(WAITING) | TO(PAID) | TO(CANCELLING) | TO(FAILED),
                             1},
    [PAYMENT_WAITING] = {"waiting", TO(PAID) | TO(CANCELLING), 1},
    [PAYMENT_CANCELLING] = {"cancelling", TO(CANCELLING) | TO(CLOSED) | TO(PAID), 1},
    [PAYMENT_CLOSED] = {"closed", 0, 0},
    [PAYMENT_PAID] = {"paid", TO(REFUNDING), 0},
    [PAYMENT_REFUNDING] = {"refunding", TO(REFUNDING) | TO(REFUNDED), 1},
    [PAYMENT_REFUNDED] = {"refunded", 0, 0},
    [PAYMENT_FAILED] = {"failed", 0, 0},
};

const char *payment_status_id(enum payment_status s)
{
	return (int)s >= 0 && s < PAYMENT_STATUS_COUNT ? payment_statuses[s].id : "?";
}

int payment_status_from_id(const char *id)
{
	for (int s = 0; id && s < PAYMENT_STATUS_COUNT; s++)
		if (strcmp(payment_statuses[s].id, id) == 0)
			return s;
	return -1;
}

int payment_can_move(enum payment_status from, enum payment_status to)
{
	if ((int)from < 0 || from >= PAYMENT_STATUS_COUNT || (int)to < 0 ||
	    to >= PAYMENT_STATUS_COUNT)
		return 0;
	return (payment_statuses[from].next & (1u << to)) != 0;
}
